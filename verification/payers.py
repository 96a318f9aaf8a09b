"""The insurers visitors pick from, and the form's cached list of them."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction

from .states import US_STATES


class PayerQuerySet(models.QuerySet):
    CACHE_KEY = "verification:listed-payers"

    def listed(self) -> list["Payer"]:
        """The insurers a visitor can pick, in order. From the cache (cleared whenever a payer is
        saved, see verification.apps), else the database; while both are away, this process's last
        copy, so the form still validates and its request reaches the spool (intake.spool)."""
        rows = cache.get(self.CACHE_KEY)
        if rows is None:
            try:
                rows = list(self.filter(active=True).values(*LISTED_FIELDS))
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


LISTED_FIELDS = ("id", "name", "payer_id", "active", "position", "kind", "state", "multiple_service_types")

# This process's last copy of the listed payers (PayerQuerySet.listed).
_last_listed: dict[str, list] = {}


class PayerKind(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial or employer plan"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid (a state's plan)"


class Payer(models.Model):
    """An insurer visitors can pick. Payer ids are the clearinghouse ids used in a 270."""

    name = models.CharField(max_length=100, unique=True)
    payer_id = models.CharField(
        max_length=20, blank=True, help_text="Empty: no electronic eligibility; verify by phone."
    )
    kind = models.CharField(max_length=10, choices=PayerKind.choices, default=PayerKind.COMMERCIAL)
    # A state's Medicaid plan, or a Blue Cross plan that differs by state: two letters, or empty.
    state = models.CharField(max_length=2, blank=True, help_text="Two letters (e.g. NY) for a plan of one state.")
    multiple_service_types = models.BooleanField(
        "accepts several service types in one request",
        default=True,
        help_text="Untick for a payer that answers only one service type per 270: each check then sends "
        "one request per service type and merges the answers.",
    )
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=100)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The form's states are postal codes in capitals: "ny" would never match a visitor's "NY".
        self.state = self.state.strip().upper()
        if self.state and self.state not in US_STATES:
            raise ValidationError({"state": "Use a state's two-letter postal code, like NY."})

    @property
    def electronic(self) -> bool:
        return bool(self.payer_id)

    @property
    def is_medicare(self) -> bool:
        return self.kind == PayerKind.MEDICARE

    @property
    def is_medicaid(self) -> bool:
        return self.kind == PayerKind.MEDICAID

    @property
    def varies_by_state(self) -> bool:
        """A plan that differs from state to state (a Blue Cross plan; an admin may also give any
        payer a state): the form asks for the state, as an option."""
        return bool(self.state) or "blue" in self.name.lower()

    @property
    def one_states_medicaid(self) -> bool:
        """Medicaid of one state: reached through the form's Medicaid entry and the person's state,
        so not listed on the form itself."""
        return self.is_medicaid and bool(self.state)

    def in_state(self, state: str) -> "Payer":
        """The payer a request to this insurer goes to for a person in `state`. For the form's
        Medicaid entry, that state's own Medicaid (one with a payer id first); else this payer.
        Without a state Medicaid of that state, the entry itself: staff verify by phone."""
        if not (self.is_medicaid and not self.state and state):
            return self
        found = Payer.objects.filter(kind=PayerKind.MEDICAID, state=state, active=True)
        return found.exclude(payer_id="").order_by("position", "name").first() or found.first() or self
