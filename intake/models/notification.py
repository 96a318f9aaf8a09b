"""Staff notifications: one outbox row per recipient and channel, delivered once by the worker."""

import contextlib
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from outbox.broker import nudge
from outbox.models import Delivery, DeliveryQuerySet

from .. import channels
from .choices import Channel
from .staff import on_call_staff, on_duty_admissions, team_at_work

if TYPE_CHECKING:
    from .lead import Lead

log = logging.getLogger(__name__)


class NotificationQuerySet(DeliveryQuerySet):
    def queue(
        self, lead: "Lead", *, kind: str, recipients, urgent: bool = False, every_channel: bool = False
    ) -> list["Notification"]:
        """One pending row per recipient and channel (their preferences, or with `every_channel`
        all they have), plus one for the team chat if configured; the worker is woken once the
        transaction commits."""
        urgent = urgent or lead.urgent
        rows = []
        for user in dict.fromkeys(recipients):
            profile = getattr(user, "staff_profile", None)
            theirs = (
                profile.channels(every=every_channel)
                if profile
                else ([Notification.Channel.EMAIL] if user.email else [])
            )
            rows += [Notification(lead=lead, recipient=user, channel=c, kind=kind, urgent=urgent) for c in theirs]
        if settings.CHAT_WEBHOOK_URL:
            rows.append(Notification(lead=lead, channel=Notification.Channel.WEBHOOK, kind=kind, urgent=urgent))
        rows = self.bulk_create(rows)
        if rows:
            transaction.on_commit(lambda: nudge(Notification))
        else:
            log.warning("Lead %s has nobody to notify of %s", lead.pk, kind)
        return rows

    def queue_for_lead(self, lead: "Lead", *, kind: str, urgent: bool = False) -> list["Notification"]:
        """A new request: the staff on shift, or the supervisors when nobody is. Someone in danger
        when the team is not there (outside call-back hours, or nobody on shift) reaches the on-call
        staff at once, by every channel they have."""
        now = timezone.now()
        if urgent and not team_at_work(now):
            return self.queue(lead, kind=kind, recipients=on_call_staff(), urgent=True, every_channel=True)
        return self.queue(lead, kind=kind, recipients=on_duty_admissions(now), urgent=urgent)

    def for_delivery(self):
        return self.select_related("lead", "lead__assigned_to", "recipient__staff_profile")


class Notification(Delivery):
    """One delivery of one message to one staff member on one channel."""

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

    objects = NotificationQuerySet.as_manager()

    max_attempts_setting = "NOTIFICATION_MAX_ATTEMPTS"

    def __str__(self) -> str:
        return f"Notification #{self.pk} ({self.kind}, {self.status})"

    @classmethod
    @contextlib.contextmanager
    def batch(cls):
        # One SMTP connection for a batch of alerts, opened on the first email: a burst of
        # requests drains without a handshake per message.
        with channels.mail_session() as session:
            yield session

    def perform(self, context) -> None:
        channels.send(self, mail=context)

    def is_permanent(self, exc: Exception) -> bool:
        return super().is_permanent(exc) or channels.is_permanent(exc)
