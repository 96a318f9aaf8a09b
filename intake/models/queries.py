"""Finding leads: the queue's order, who is waiting for a call, what is overdue."""

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ..crypto import keyed_hash
from .choices import OPEN_STATUSES
from .events import EventKind, LeadEvent
from .records import LeadRequest
from .text_stops import TextStop

if TYPE_CHECKING:
    from .lead import Lead


# A name or email search decrypts this many of the newest leads that fit the other filters.
NAME_SEARCH_SCAN = 1000


def danger_not_yet_answered() -> Q:
    """Someone reported danger and nobody has tried to call since (a lead may have had calls
    before: a new report of danger needs a new call, within minutes)."""
    return Q(danger_reported_at__isnull=False) & (
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("danger_reported_at"))
    )


def waiting_for_a_call() -> models.Case:
    """0 for leads waiting for a call (never called, or danger reported since the last call)."""
    return models.Case(
        models.When(Q(first_contacted_at__isnull=True) | danger_not_yet_answered(), then=models.Value(0)),
        default=models.Value(1),
    )


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_contact(self):
        return self.open().filter(first_contacted_at__isnull=True)

    def for_phone(self, e164: str):
        return self.filter(phone_hash=keyed_hash(e164))

    def stop_texts(self, e164: str, *, at, word: str) -> bool:
        """The number replied STOP (or the provider says it opted out): no more texts to it, on
        any of its leads, until it replies START. Each of its leads gets a consent event with the
        time. False when the number had stopped already (nothing changed, nothing to confirm)."""
        stop, created = TextStop.objects.get_or_create(
            phone_hash=keyed_hash(e164), defaults={"stopped_at": at, "word": word[:20]}
        )
        changed = list(self.for_phone(e164).filter(texts_stopped_at__isnull=True).values_list("pk", flat=True))
        self.filter(pk__in=changed).update(texts_stopped_at=stop.stopped_at)
        for lead in self.model.objects.filter(pk__in=changed):
            LeadEvent.objects.record(lead, EventKind.TEXTS_STOPPED, by=None, at=at, word=word)
        return created or bool(changed)

    def resume_texts(self, e164: str, *, at, word: str) -> bool:
        """The number replied START: the STOP is lifted on every lead of it. Each lead's own text
        permission is as before: a START from a phone never widens what the person told us.
        False when the number had not stopped (nothing changed, nothing to confirm)."""
        removed, _ = TextStop.objects.filter(phone_hash=keyed_hash(e164)).delete()
        changed = list(self.for_phone(e164).filter(texts_stopped_at__isnull=False).values_list("pk", flat=True))
        self.filter(pk__in=changed).update(texts_stopped_at=None)
        for lead in self.model.objects.filter(pk__in=changed):
            LeadEvent.objects.record(lead, EventKind.TEXTS_RESUMED, by=None, at=at, word=word)
        return bool(removed or changed)

    def queue_order(self):
        """Leads still waiting for their first call come first (urgent, then by when the first
        call is due: an evening request waits behind this morning's); then the ones in progress,
        in the same order."""
        return self.alias(waiting=waiting_for_a_call()).order_by(
            "waiting", "-urgent", F("sla_due_at").asc(), "created_at"
        )

    def newest_closed_first(self):
        """Read from the index of closed leads (lead_closed_newest_first), so the "All closed" view of a long
        history is not a sort of every closed lead."""
        return self.order_by(F("closed_at").desc(), "-pk")

    def receive(self, submission) -> tuple["Lead", "LeadRequest"]:
        """The one way in for every request (see intake.front_door)."""
        from ..front_door import receive  # a cycle: front_door imports intake.models

        return receive(submission)

    def overdue_for_escalation(self, now: dt.datetime | None = None):
        """Open leads not yet escalated that nobody has called in time: never called by their
        first-call target, or not called since someone reported danger URGENT_RESPONSE_MINUTES ago."""
        now = now or timezone.now()
        urgent_due = now - dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
        return (
            self.open()
            .filter(escalated_at__isnull=True)
            .filter(
                Q(first_contacted_at__isnull=True, sla_due_at__lte=now)
                | (danger_not_yet_answered() & Q(danger_reported_at__lte=urgent_due))
            )
        )

    def follow_ups_due(self, now: dt.datetime | None = None):
        """Open leads whose follow-up time has come and whose assignee was not yet reminded of it."""
        now = now or timezone.now()
        return (
            self.open()
            .filter(follow_up_at__lte=now)
            .filter(Q(follow_up_reminded_at__isnull=True) | Q(follow_up_reminded_at__lt=F("follow_up_at")))
        )

    def matching_name_or_email(self, text: str, scan: int = NAME_SEARCH_SCAN):
        """Leads whose name, or email when `text` has an @, holds `text` (ignoring case and
        spacing), on the lead or a later request. Both are encrypted, so the newest `scan` leads of
        this set are decrypted and compared here: the search is for the person on the phone now,
        not an archive sweep. About 80 µs a value: one field, never both."""
        wanted = _folded(text)
        if not wanted:
            return self.none()
        field = "email" if "@" in wanted else "name"
        recent = list(self.order_by("-pk").values_list("pk", field)[:scan])
        found = {pk for pk, value in recent if wanted in _folded(value)}
        later = LeadRequest.objects.filter(lead__in=[pk for pk, _ in recent]).exclude(lead__in=found)
        found.update(lead_id for lead_id, value in later.values_list("lead_id", field) if wanted in _folded(value))
        return self.filter(pk__in=found)


def _folded(value: str) -> str:
    return " ".join((value or "").casefold().split())
