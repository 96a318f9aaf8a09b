"""What people type, and what our articles call it: the synonym table admins edit."""

import contextlib
import logging

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..search import words

log = logging.getLogger(__name__)

SYNONYMS_KEY = "articles:search-synonyms"
# A bound, should forgetting an edit ever fail (Redis down at that moment).
SYNONYMS_CACHE_SECONDS = 600


class SearchSynonymQuerySet(models.QuerySet):
    def table(self) -> dict[tuple[str, ...], list[str]]:
        """{("suboxone",): ["buprenorphine"], ...}: the typed words, split as a search splits them,
        and what they also mean. Cached (every search reads it) and forgotten on every edit."""
        try:
            table = cache.get(SYNONYMS_KEY)
        except Exception as exc:  # noqa: BLE001 - a cache outage costs a query, never the search
            log.warning("Synonym cache unavailable (%s)", type(exc).__name__)
            table = None
        if table is None:
            table = {}
            for synonym in self.all():
                typed = tuple(words(synonym.phrase))
                if typed:
                    table.setdefault(typed, []).extend(synonym.meanings)
            with contextlib.suppress(Exception):  # read from the table again next time
                cache.set(SYNONYMS_KEY, table, timeout=SYNONYMS_CACHE_SECONDS)
        return table


class SearchSynonym(models.Model):
    phrase = models.CharField(
        "when people search for",
        max_length=80,
        unique=True,
        help_text='A word or phrase visitors type, including common misspellings: "Suboxone", "rehab", "withdrawl".',
    )
    means = models.CharField(
        "also search for",
        max_length=200,
        help_text='What our articles call it, comma-separated: "buprenorphine", or "treatment, residential".',
    )

    objects = SearchSynonymQuerySet.as_manager()

    class Meta:
        ordering = ["phrase"]
        verbose_name = "search synonym"

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"

    @property
    def meanings(self) -> list[str]:
        return [" ".join(words(meaning)) for meaning in self.means.split(",") if words(meaning)]


@receiver([post_save, post_delete], sender=SearchSynonym)
def _forget_synonyms(sender, **kwargs) -> None:
    # At once (this request's next search must see the edit) and after commit (a search running
    # meanwhile may have cached the old table).
    forget_synonyms()
    transaction.on_commit(forget_synonyms)


def forget_synonyms() -> None:
    try:
        cache.delete(SYNONYMS_KEY)
    except Exception as exc:  # noqa: BLE001 - entries then live until the next successful edit
        log.warning("Could not forget cached synonyms: %s", type(exc).__name__)
