"""Staff notifications: the outbox rows, claimed and delivered once by the Celery worker."""

import datetime as dt
import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from config import outage

from ..channels import send
from .choices import Channel
from .staff import on_call_staff, on_duty_admissions, team_at_work

if TYPE_CHECKING:
    from .lead import Lead

log = logging.getLogger(__name__)


class NotificationQuerySet(models.QuerySet):
    def queue(
        self, lead: "Lead", *, kind: str, recipients, urgent: bool = False, every_channel: bool = False
    ) -> list["Notification"]:
        """One pending row per recipient and channel (their preferences, or with `every_channel`
        all they have), plus one for the team chat if configured; enqueued once the transaction
        commits."""
        urgent = urgent or lead.urgent
        rows = []
        for user in dict.fromkeys(recipients):
            profile = getattr(user, "staff_profile", None)
            channels = (
                profile.channels(every=every_channel)
                if profile
                else ([Notification.Channel.EMAIL] if user.email else [])
            )
            rows += [Notification(lead=lead, recipient=user, channel=c, kind=kind, urgent=urgent) for c in channels]
        if settings.CHAT_WEBHOOK_URL:
            rows.append(Notification(lead=lead, channel=Notification.Channel.WEBHOOK, kind=kind, urgent=urgent))
        rows = self.bulk_create(rows)
        if not rows:
            log.warning("Lead %s has nobody to notify of %s", lead.pk, kind)
        transaction.on_commit(lambda: enqueue_all(rows))
        return rows

    def queue_for_lead(self, lead: "Lead", *, kind: str, urgent: bool = False) -> list["Notification"]:
        """A new request: the staff on shift, or the supervisors when nobody is. Someone in danger
        when the team is not there (outside call-back hours, or nobody on shift) reaches the on-call
        staff at once, by every channel they have."""
        now = timezone.now()
        if urgent and not team_at_work(now):
            return self.queue(lead, kind=kind, recipients=on_call_staff(), urgent=True, every_channel=True)
        return self.queue(lead, kind=kind, recipients=on_duty_admissions(now), urgent=urgent)

    def stale(self, now: dt.datetime | None = None):
        """Rows whose delivery message was lost: still pending well after they were due,
        or claimed by a worker that died mid-send."""
        now = now or timezone.now()
        pending_before = now - Notification.requeue_after()
        sending_before = now - dt.timedelta(seconds=settings.NOTIFICATION_RECLAIM_AFTER_SECONDS)
        return self.filter(
            Q(status=Notification.Status.PENDING, due_at__lte=pending_before)
            | Q(status=Notification.Status.SENDING, claimed_at__lte=sending_before)
        )


def publish(task, pk: int, *, what: str) -> bool:
    """Send `task(pk)` to the broker. A failure is logged, not raised: the row stays pending and
    a beat task enqueues it again. After one failure the broker is skipped for a few seconds
    (config.outage), so a frozen Redis costs one timeout per process, not one per request."""
    broker = settings.CELERY_BROKER_URL
    if outage.is_down(broker):
        log.warning("Broker failed a moment ago; %s %s left for the beat task", what, pk)
        return False
    try:
        task.apply_async((pk,))
    except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the visitor
        outage.mark_down(broker)
        log.warning("Could not enqueue %s %s: %s", what, pk, type(exc).__name__)
        return False
    return True


def enqueue_all(rows) -> int:
    """Enqueue each row's task (rows of a model with `enqueue() -> bool` and `requeue_after()`).
    After the first broker failure the rest are left for the beat task, so a dead broker costs one
    timeout, not one per row; they are marked overdue, so its next run takes them rather than
    waiting out the delay meant for messages that may still be in the queue."""
    rows = list(rows)
    for count, row in enumerate(rows):
        if not row.enqueue():
            model, unsent = type(row), [r.pk for r in rows[count:]]
            try:
                model.objects.filter(pk__in=unsent, status=model.Status.PENDING).update(
                    due_at=timezone.now() - model.requeue_after()
                )
            except DatabaseError as exc:  # the visitor's request is saved; beat still finds them later
                log.warning("Could not mark %s unsent rows overdue: %s", len(unsent), type(exc).__name__)
            return count
    return len(rows)


class Notification(models.Model):
    """One delivery of one message to one staff member on one channel.

    Workers claim a row with a conditional UPDATE (pending -> sending), so a duplicate task
    message, a retry or a second worker can never send it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        NEW_LEAD = "new_lead", "New request"
        REPEAT_REQUEST = "repeat_request", "Repeat request"
        ESCALATION = "escalation", "Not contacted in time"
        FOLLOW_UP_DUE = "follow_up_due", "Follow-up due"

    Channel = Channel

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="notifications")
    # Empty for the team chat, which is posted once for everybody.
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Error class and message of the last failure; they come from our side (SMTP), not PHI.
    last_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"Notification #{self.pk} ({self.kind}, {self.status})"

    @staticmethod
    def requeue_after() -> dt.timedelta:
        """A pending row is sent again after this long: its task message may be waiting in the queue."""
        return dt.timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER_SECONDS)

    def enqueue(self) -> bool:
        """Hand the delivery to Celery. A broker outage is logged, not raised: the row stays
        pending and the beat task enqueues it again."""
        from ..tasks import deliver_notification  # tasks import these models

        return publish(deliver_notification, self.pk, what="notification")

    def claim(self) -> bool:
        claimed = Notification.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
            status=self.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def retry_delay(self) -> int:
        """Exponential backoff: 30 s, 1, 2, 4, 8 minutes…, at most an hour."""
        return min(30 * 2 ** max(self.attempts - 1, 0), 3600)

    def deliver(self) -> int | None:
        """Claim and send. Returns a delay in seconds when the send failed and will be retried."""
        if not self.claim():
            return None
        try:
            send(self)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if self.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                self.status = self.Status.FAILED
                self.save(update_fields=["status", "last_error"])
                log.error("Notification %s failed for good after %s attempts", self.pk, self.attempts)
                return None
            delay = self.retry_delay()
            self.status = self.Status.PENDING
            self.due_at = timezone.now() + dt.timedelta(seconds=delay)
            self.save(update_fields=["status", "last_error", "due_at"])
            log.warning("Notification %s attempt %s failed; retrying in %ss", self.pk, self.attempts, delay)
            return delay
        self.status = self.Status.SENT
        self.sent_at = timezone.now()
        self._record_sent()
        return None

    def _record_sent(self) -> None:
        """The provider has the message now: recording that must outlast a database blip, or the
        row is given back later and sent twice (seen once in the PostgreSQL-restart drill)."""
        from django.db import connection

        for wait in (0.5, 1, 2, 4, 8, None):  # about 15 s, well inside the task's time limit
            try:
                self.save(update_fields=["status", "sent_at"])
                return
            except DatabaseError:
                if wait is None:
                    raise
                log.warning("Notification %s was sent but not yet recorded; retrying", self.pk)
                connection.close()  # a fresh connection once the database is back
                time.sleep(wait)
