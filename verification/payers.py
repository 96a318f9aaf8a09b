"""The insurers visitors pick from, and the form's cached list of them."""

from django.core.cache import cache
from django.db import DatabaseError, models, transaction


class PayerQuerySet(models.QuerySet):
    CACHE_KEY = "verification:listed-payers"

    def listed(self) -> list["Payer"]:
        """The insurers a visitor can pick, in order. From the cache (cleared whenever a payer is
        saved, see verification.apps), else the database; while both are away, this process's last
        copy, so the form still validates and its request reaches the spool (intake.spool)."""
        rows = cache.get(self.CACHE_KEY)
        if rows is None:
            try:
                rows = list(self.filter(active=True).values("id", "name", "payer_id", "active", "position"))
            except DatabaseError:
                if "rows" not in _last_listed:
                    raise
                rows = _last_listed["rows"]
            else:
                cache.set(self.CACHE_KEY, rows, 300)
        _last_listed["rows"] = rows
        return [Payer(**row) for row in rows]

    def forget_listed(self) -> None:
        # After the commit: cleared before it, a form read meanwhile would cache the old list again.
        transaction.on_commit(lambda: cache.delete(self.CACHE_KEY))


# This process's last copy of the listed payers (PayerQuerySet.listed).
_last_listed: dict[str, list] = {}


class Payer(models.Model):
    """An insurer visitors can pick. Payer ids are the clearinghouse ids used in a 270."""

    name = models.CharField(max_length=100, unique=True)
    payer_id = models.CharField(
        max_length=20, blank=True, help_text="Empty: no electronic eligibility; verify by phone."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=100)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def electronic(self) -> bool:
        return bool(self.payer_id)
