"""The outbox: an abstract model every kind of delivery subclasses, and the QuerySet that runs it.

A row is claimed by one worker at a time (SELECT ... FOR UPDATE SKIP LOCKED, then a claim token
written on the rows), performed once, and recorded as sent, as waiting for a retry after a
temporary failure, or as failed. A row whose worker died stays claimed until
DELIVERY_RECLAIM_AFTER_SECONDS have passed, then any worker may take it again: a task is cut off at
half that time (outbox.tasks), so a row still being sent is never taken by a second worker.
"""

import contextlib
import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import journal
from .broker import nudge

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Trying again cannot help (a refused address, a missing password, a payer that said no):
    the row is marked failed at once instead of being retried for a quarter of an hour."""


def retry_delay(attempts: int, most: int | None = None) -> int:
    """Seconds before another try after `attempts` tries: DELIVERY_RETRY_BASE_SECONDS, doubled
    each time, at most DELIVERY_RETRY_MAX_SECONDS (or a kind's own, shorter, `most`). One policy
    for every kind of delivery."""
    base = settings.DELIVERY_RETRY_BASE_SECONDS
    most = min(most or settings.DELIVERY_RETRY_MAX_SECONDS, settings.DELIVERY_RETRY_MAX_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), most)


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: dt.datetime | None = None):
        """Rows a worker should take now: waiting and due, or claimed by a worker long gone."""
        now = now or timezone.now()
        abandoned_before = now - dt.timedelta(seconds=settings.DELIVERY_RECLAIM_AFTER_SECONDS)
        status = self.model.Status
        return self.filter(
            Q(status=status.PENDING, due_at__lte=now) | Q(status=status.SENDING, claimed_at__lte=abandoned_before)
        )

    def claim(self, limit: int) -> list:
        """Claim up to `limit` due rows (in the kind's `claim_order`: oldest first, unless it puts
        something first) for this worker and return them. Rows another worker holds are skipped,
        not waited for."""
        now, token = timezone.now(), uuid.uuid4()
        with transaction.atomic():
            batch = list(
                self.due(now)
                .order_by(*self.model.claim_order)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:limit]
            )
            if not batch:
                return []
            # Filtered as due again, and marked with a token: where the database has no row locks
            # (SQLite under `make run`), a row another worker claimed meanwhile is not taken twice.
            self.model.objects.due(now).filter(pk__in=batch).update(
                status=self.model.Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
        return list(self.model.objects.filter(claim_token=token).for_delivery().order_by(*self.model.claim_order))

    def for_delivery(self):
        """What performing a row reads; a subclass's QuerySet adds its select_related."""
        return self

    def deliver_due(self, *, budget: float | None = None) -> int:
        """Claim and perform due rows, batch by batch, until none is due or `budget` seconds have
        passed; rows claimed past the budget are given back at once. Returns how many were performed."""
        deadline = time.monotonic() + (budget if budget is not None else float("inf"))
        performed = 0
        while rows := self.claim(self.model.batch_size):
            if len(rows) == self.model.batch_size:
                # A full batch: more may be due. Another worker shares the backlog (its claims skip
                # these rows), so a slow provider does not hold every alert behind one process.
                nudge(self.model)
            with self.model.batch() as context:
                for number, row in enumerate(rows):
                    if time.monotonic() >= deadline:
                        self.model.objects.filter(pk__in=[r.pk for r in rows[number:]]).release()
                        nudge(self.model)  # the rest are due now: another run takes them
                        return performed
                    row.deliver(context)
                    performed += 1
        return performed

    def release(self) -> int:
        """Give claimed rows back untouched, due now, their try not counted."""
        return self.filter(status=self.model.Status.SENDING).update(
            status=self.model.Status.PENDING, claim_token=None, due_at=timezone.now(), attempts=F("attempts") - 1
        )


class ClosableStatus(models.TextChoices):
    """The four states, plus one for a row that can no longer help (a lead claimed, an admission
    cancelled, a person who withdrew permission): closed unsent, `last_error` saying why. For a
    kind whose rows can become pointless before they are due (`Delivery.close_unsent`)."""

    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CLOSED = "closed", "Closed unsent"


class Delivery(models.Model):
    """One thing to deliver once. A subclass defines `perform(context)` (raising on failure) and
    may override `is_permanent`, `describe_failure`, `waiting`, `given_up` and `delivered`. It may also give its own
    `Status` (its words for each state), with the same four members, and redeclare `status`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why the last try failed, in words safe for staff and logs: never the person's data.
    last_error = models.CharField(max_length=300, blank=True)

    objects = DeliveryQuerySet.as_manager()

    # Rows one worker claims at a time; small, so a slow provider holds few rows back.
    batch_size = 10
    # The setting that says how many tries a temporary failure gets before the row is failed;
    # None: a temporary failure is never final, the row waits (at most `retry_max_setting`
    # seconds between tries) until it is delivered or closed.
    max_attempts_setting: str | None = "DELIVERY_MAX_ATTEMPTS"
    retry_max_setting = "DELIVERY_RETRY_MAX_SECONDS"
    # Which due rows are claimed first.
    claim_order = ("due_at", "pk")

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["status", "due_at"], name="%(class)s_due_idx"),
            models.Index(fields=["claim_token"], name="%(class)s_claim_idx"),
        ]

    # --- What a subclass says ----------------------------------------------------------------

    def perform(self, context) -> None:
        """Do the delivery; raise on failure. `context` is what `batch()` opened."""
        raise NotImplementedError

    @classmethod
    @contextlib.contextmanager
    def batch(cls):
        """Opened around a batch of rows (e.g. one SMTP connection for all of them)."""
        yield None

    def is_permanent(self, exc: Exception) -> bool:
        return isinstance(exc, PermanentFailure | ImproperlyConfigured)

    def describe_failure(self, exc: Exception) -> str:
        return f"{type(exc).__name__}: {exc}"[:300]

    def given_up(self) -> None:
        """Called once the row is failed for good."""

    def waiting(self, exc: Exception) -> None:
        """Called when a failed try is to be retried later."""

    # --- The engine ------------------------------------------------------------------------------

    @property
    def kind_label(self) -> str:
        return self._meta.label_lower

    def max_attempts(self) -> int | None:
        return getattr(settings, self.max_attempts_setting) if self.max_attempts_setting else None

    def deliver(self, context=None) -> None:
        """Perform a row this worker has claimed, and record the outcome."""
        # A row taken again after its worker lost the database may have been accepted already.
        # (Only a retried row can have been: a first try has never reached the provider.)
        if self.attempts > 1 and journal.was_accepted(self):
            log.warning(
                "%s %s was accepted before its worker lost the database; not sent again", self.kind_label, self.pk
            )
            self._record_sent()
            return
        try:
            self.perform(context)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            self.last_error = self.describe_failure(exc)
            permanent = self.is_permanent(exc)
            most = self.max_attempts()
            if permanent or (most is not None and self.attempts >= most):
                self._fail(exc, permanent=permanent)
            else:
                self._retry_later(exc)
                self.waiting(exc)
            return
        if self.status == self.Status.SENDING:  # perform() may have recorded its own outcome
            journal.mark_accepted(self)
            self._record_sent()

    def close_unsent(self, reason: str) -> None:
        """Record, instead of performing the row, that it can no longer help (its kind's Status is
        ClosableStatus): `reason`, in words for staff, is kept as its last error."""
        self.status, self.finished_at, self.last_error = self.Status.CLOSED, timezone.now(), reason
        self._save_outcome(["status", "finished_at", "last_error"])

    def _record_sent(self) -> None:
        self.status, self.finished_at, self.last_error = self.Status.SENT, timezone.now(), ""
        self._save_outcome(["status", "finished_at", "last_error"])
        journal.forget(self)
        self.delivered()

    def delivered(self) -> None:
        """Called once the row is recorded as sent."""

    def _retry_later(self, exc: Exception) -> None:
        delay = retry_delay(self.attempts, getattr(settings, self.retry_max_setting))
        self.status, self.due_at = self.Status.PENDING, timezone.now() + dt.timedelta(seconds=delay)
        self.save(update_fields=["status", "due_at", "last_error"])
        # The error's class only: a message can quote what was sent.
        log.warning(
            "%s %s try %s failed (%s); again in %ss", self.kind_label, self.pk, self.attempts, type(exc).__name__, delay
        )

    def _fail(self, exc: Exception, *, permanent: bool) -> None:
        self.status, self.finished_at = self.Status.FAILED, timezone.now()
        self.save(update_fields=["status", "finished_at", "last_error"])
        why = "permanent failure" if permanent else f"{self.attempts} tries"
        log.error("%s %s failed for good (%s: %s)", self.kind_label, self.pk, why, type(exc).__name__)
        self.given_up()

    def _save_outcome(self, fields: list[str]) -> None:
        """The provider has it now. A database blip is ridden out here; a longer outage leaves the
        row claimed, to be reclaimed once the database is back and found in the journal."""
        for wait in (0.5, 1, 2, 4, 8, None):  # about 15 s, well inside the task's time limit
            try:
                self.save(update_fields=fields)
                return
            except DatabaseError:
                if wait is None:
                    raise
                log.warning("%s %s was delivered but not yet recorded; retrying", self.kind_label, self.pk)
                connection.close()  # a fresh connection once the database is back
                time.sleep(wait)
