"""Staff notifications: one outbox row per recipient and channel, delivered once by the worker.

A human is always reached. A temporary failure is never final: the row waits, retried at most every
NOTIFICATION_RETRY_MAX_SECONDS, and is sent when its channel returns (the first row through pulls
the others of its channel forward). Meanwhile an alert whose channel refuses it for good, or still
fails NOTIFICATION_FALLBACK_SECONDS after it was queued, falls back: first to the recipient's other
channels, then to the supervisors by every channel they have (`Stage`). An alert that can no longer
help (a new request someone has claimed, a lead closed) is closed with that reason instead of sent.
"""

import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from outbox.broker import nudge
from outbox.models import ClosableStatus, Delivery, DeliveryQuerySet

from .. import channels, extensions
from .choices import AttemptOutcome, Channel
from .staff import on_call_staff, on_duty_admissions, on_shift_speakers, supervisors, team_at_work

if TYPE_CHECKING:
    from .lead import Lead

log = logging.getLogger(__name__)

# A refusal for good (a bad address) counts as failing for this long unless a later alert gets through.
REFUSALS_SHOWN_FOR = dt.timedelta(days=1)


class NotificationQuerySet(DeliveryQuerySet):
    def queue(
        self,
        lead: "Lead",
        *,
        kind: str,
        recipients,
        urgent: bool = False,
        every_channel: bool = False,
        later=(),
    ) -> list["Notification"]:
        """One pending row per recipient and channel (their preferences, or with `every_channel`
        all they have), plus one for the team chat if configured; the worker is woken once the
        transaction commits. `later`: recipients whose rows are due LANGUAGE_FIRST_SECONDS from now
        (the team chat too, when there are any: it reaches everybody)."""
        urgent = urgent or lead.urgent
        now = timezone.now()
        # One moment for the whole alert: its rows are found together by it (Notification._alert).
        alert = {"lead": lead, "kind": kind, "urgent": urgent, "created_at": now}
        delayed = {**alert, "due_at": now + dt.timedelta(seconds=settings.LANGUAGE_FIRST_SECONDS)}
        rows = []
        for user in dict.fromkeys(recipients):
            rows += [Notification(recipient=user, channel=c, **alert) for c in channels_of(user, every=every_channel)]
        for user in dict.fromkeys(u for u in later if u not in set(recipients)):
            rows += [Notification(recipient=user, channel=c, **delayed) for c in channels_of(user, every=every_channel)]
        if settings.CHAT_WEBHOOK_URL:
            rows.append(Notification(channel=Notification.Channel.WEBHOOK, **(delayed if later else alert)))
        # An urgent alert wakes a worker even while a wake-up is pending: it must not wait for the
        # run that a burst of routine requests has already asked for.
        rows = self.add(rows, wake_now=urgent)
        if not rows:
            log.warning("Lead %s has nobody to notify of %s", lead.pk, kind)
        return rows

    def add(self, rows: list["Notification"], *, wake_now: bool) -> list["Notification"]:
        """Save the rows; once the transaction commits a worker is woken (with `wake_now`, even
        while a wake-up is already pending)."""
        rows = self.bulk_create(rows)
        if rows:
            transaction.on_commit(lambda: nudge(Notification, even_if_pending=wake_now))
        return rows

    def queue_for_lead(self, lead: "Lead", *, kind: str, urgent: bool = False) -> list["Notification"]:
        """A new request: the staff on shift, or the supervisors when nobody is. Someone in danger
        when the team is not there (outside call-back hours, or nobody on shift) reaches the on-call
        staff at once, by every channel they have."""
        now = timezone.now()
        if urgent and not team_at_work(now):
            return self.queue(lead, kind=kind, recipients=on_call_staff(), urgent=True, every_channel=True)
        team = on_duty_admissions(now)
        if urgent or lead.urgent or lead.language == settings.LANGUAGE_CODE:
            # Someone may be in danger: every channel of everyone on shift from the start, not only
            # the ones they chose for routine work (and no waiting for a language match).
            return self.queue(lead, kind=kind, recipients=team, urgent=urgent, every_channel=urgent)
        # A request in Spanish: the on-shift staff who speak it first; the rest of the team a little
        # later, unless one of them has taken it by then (no_longer_needed). Nobody speaks it: everyone.
        speakers = [user for user in on_shift_speakers(lead.language, now) if user in team]
        return self.queue(lead, kind=kind, recipients=speakers or team, later=team if speakers else ())

    def for_delivery(self):
        return self.select_related("lead", "lead__assigned_to", "recipient__staff_profile")

    def failing(self, now: dt.datetime | None = None):
        """Alerts whose last try failed: waiting for their channel, or refused for good within
        REFUSALS_SHOWN_FOR (a refusal older than that has long been seen, or fixed)."""
        now = now or timezone.now()
        status = Notification.Status
        return self.exclude(last_error="").filter(
            Q(status__in=[status.PENDING, status.SENDING])
            | Q(status=status.FAILED, finished_at__gte=now - REFUSALS_SHOWN_FOR)
        )

    def failing_past_window(self, now: dt.datetime | None = None):
        """Failing alerts refused for good, or still failing NOTIFICATION_FALLBACK_SECONDS after
        they were queued: the ones a person should hear about another way."""
        now = now or timezone.now()
        window = now - dt.timedelta(seconds=settings.NOTIFICATION_FALLBACK_SECONDS)
        return self.failing(now).filter(Q(status=Notification.Status.FAILED) | Q(created_at__lte=window))

    def past_fallback_window(self, now: dt.datetime | None = None):
        """Failing alerts to a person, past their window, whose fallback has not been decided."""
        return self.failing_past_window(now).filter(
            recipient__isnull=False, fallback_decided_at__isnull=True, stage__lt=Notification.Stage.SUPERVISORS
        )

    def fall_back_past_window(self, now: dt.datetime | None = None) -> int:
        """Beat's sweep: every alert past its window falls back (once). Returns how many did."""
        rows = self.past_fallback_window(now).select_related("lead", "recipient__staff_profile").order_by("pk")
        return sum(row.fall_back() for row in rows[:500])


def channels_of(user, *, every: bool = False) -> list[str]:
    profile = getattr(user, "staff_profile", None)
    if profile:
        return profile.channels(every=every)
    return [Channel.EMAIL] if user.email else []


class Notification(Delivery):
    """One delivery of one message to one staff member on one channel."""

    # Closed unsent: it can no longer help (the lead was claimed or closed); last_error says why.
    Status = ClosableStatus

    class Stage(models.IntegerChoices):
        CHOSEN = 0, "Their chosen channel"
        OTHER_CHANNELS = 1, "Their other channels"
        SUPERVISORS = 2, "The supervisors"

    class Kind(models.TextChoices):
        NEW_LEAD = "new_lead", "New request"
        REPEAT_REQUEST = "repeat_request", "Repeat request"
        ESCALATION = "escalation", "Not contacted in time"
        FOLLOW_UP_DUE = "follow_up_due", "Follow-up due"
        # The admissions path (written by the admissions app; words in intake.channels.WORK_ALERTS).
        RED_FLAG = "red_flag", "Red flag on a phone screen"
        REVIEW_NEEDED = "review_needed", "Awaiting clinical review"
        CLINICAL_DECISION = "clinical_decision", "Clinical decision made"
        ADMISSION_REMINDER = "admission_reminder", "Admission coming up"
        HOLD_EXPIRING = "hold_expiring", "Bed hold expiring"
        BED_OFFERED = "bed_offered", "A place is free for a waitlisted person"
        WAITLIST_CHECK_IN = "waitlist_check_in", "Waitlist check-in due"
        REFERRAL_FOLLOW_UP = "referral_follow_up", "Referral follow-up due"
        # Sent when a hold has already run out: "about to expire" would be untrue by then.
        HOLD_RELEASED = "hold_released", "Bed hold expired"
        # Texting with the person (written by the texting app; words in intake.channels.WORK_ALERTS).
        TEXT_RECEIVED = "text_received", "A text from the person"
        TEXT_FAILED = "text_failed", "A text to the person was not delivered"
        # A re-check of the person's insurance found a change (written by the verification app;
        # words in intake.channels.WORK_ALERTS): before their admission, or asked for by staff.
        INSURANCE_CHANGED = "insurance_changed", "Insurance changed before the admission"
        INSURANCE_RECHECKED = "insurance_rechecked", "Insurance changed at a re-check"

    Channel = Channel

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="notifications")
    # Empty for the team chat, which is posted once for everybody.
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Where the alert stands in its fallback: a row made by a fallback points at the failing one.
    # `fallback_decided_at`: when this failing row's fallback was dealt with (rows queued, or none
    # needed: the person was reached, or the alert no longer helps).
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.CHOSEN)
    fallback_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fallback_decided_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    # Alerts never fail for a temporary reason: they wait for their channel (and fall back meanwhile).
    max_attempts_setting = None
    retry_max_setting = "NOTIFICATION_RETRY_MAX_SECONDS"
    # Someone in danger first; a burst of routine requests must not hold their alert back.
    claim_order = ("-urgent", "due_at", "pk")

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
        if reason := self.no_longer_needed():
            self.close_unsent(reason)
            return
        channels.send(self, mail=context)

    def is_permanent(self, exc: Exception) -> bool:
        if channels.breaks_the_channel(exc):
            return False  # fixable: the alert waits for the fix (and falls back meanwhile)
        return super().is_permanent(exc) or channels.is_permanent(exc)

    def waiting(self, exc: Exception) -> None:
        # Someone in danger, or a channel broken for everyone: no point waiting out the window.
        if self.urgent or channels.breaks_the_channel(exc):
            self.fall_back()

    def given_up(self) -> None:
        self.fall_back()

    def delivered(self) -> None:
        # Its channel works: alerts waiting on it after a failure go now instead of at their next
        # retry, up to NOTIFICATION_RETRY_MAX_SECONDS away. (One indexed UPDATE, nearly always of
        # no rows.)
        now = timezone.now()
        waiting = Notification.objects.filter(
            status=self.Status.PENDING, channel=self.channel, attempts__gte=1, due_at__gt=now
        )
        if waiting.update(due_at=now):
            nudge(Notification, even_if_pending=True)

    def no_longer_needed(self) -> str:
        """Why this alert can no longer help anyone, or "" while it can."""
        lead = self.lead
        if reason := extensions.alert_no_longer_needed(self):
            return reason
        # A referral out closes the lead, and its follow-up is what keeps the person from falling
        # through: it outlives the closing.
        if not lead.is_open and self.kind != self.Kind.REFERRAL_FOLLOW_UP:
            return f"Closed unsent: the request is {lead.get_status_display().lower()}."
        if self.kind in (self.Kind.NEW_LEAD, self.Kind.REPEAT_REQUEST) and lead.assigned_to_id:
            return "Closed unsent: someone has claimed the request."
        # Mostly a row held back for a language match (queue_for_lead) whose person a speaker has
        # reached meanwhile. Only reached: after a missed call the rest of the shift must still hear of it.
        if (
            self.kind in (self.Kind.NEW_LEAD, self.Kind.REPEAT_REQUEST)
            and lead.last_attempt_outcome == AttemptOutcome.REACHED
            and lead.last_attempt_at
            and lead.last_attempt_at >= self.created_at
        ):
            return "Closed unsent: someone has reached the person."
        if self.kind == self.Kind.ESCALATION and lead.first_contacted_at and lead.danger_call_due() is None:
            return "Closed unsent: the person has been called."
        if self.kind == self.Kind.FOLLOW_UP_DUE and (lead.follow_up_at is None or lead.follow_up_at > timezone.now()):
            return "Closed unsent: the follow-up was moved or done."
        return ""

    def fall_back(self) -> bool:
        """Send this failing alert another way, once: the recipient's other channels, or when
        there are none (or they fail too) every channel of every supervisor. The failing row
        itself keeps waiting for its channel. True if new rows were queued."""
        with transaction.atomic():
            won = Notification.objects.filter(pk=self.pk, fallback_decided_at__isnull=True).update(
                fallback_decided_at=timezone.now()
            )
            if not won or self.recipient_id is None or self.stage == self.Stage.SUPERVISORS:
                return False
            if self.no_longer_needed() or self._recipient_reached():
                return False
            rows = []
            if self.stage == self.Stage.CHOSEN:
                rows = self._queue_fallback(self.Stage.OTHER_CHANNELS, [self.recipient])
            if not rows:
                others = [user for user in supervisors() if user.pk != self.recipient_id]
                rows = self._queue_fallback(self.Stage.SUPERVISORS, others)
        log.warning("Notification %s (%s) is failing; %s fallback alerts queued", self.pk, self.channel, len(rows))
        return bool(rows)

    def _alert(self):
        """The rows of this one alert: same lead and kind, queued with its first rows or since."""
        started = self.created_at
        if self.fallback_of_id:
            started = Notification.objects.filter(pk=self.fallback_of_id).values_list("created_at", flat=True).first()
        return Notification.objects.filter(
            lead=self.lead_id, kind=self.kind, created_at__gte=started or self.created_at
        )

    def _recipient_reached(self) -> bool:
        return self._alert().filter(recipient=self.recipient_id, status=self.Status.SENT).exists()

    def _queue_fallback(self, stage: int, recipients: list) -> list["Notification"]:
        """Rows for every channel of `recipients` that this alert has not already used for them."""
        used = set(self._alert().filter(recipient__in=recipients).values_list("recipient_id", "channel"))
        rows = [
            Notification(
                lead=self.lead,
                recipient=user,
                channel=channel,
                kind=self.kind,
                urgent=self.urgent,
                stage=stage,
                fallback_of=self,
            )
            for user in recipients
            for channel in channels_of(user, every=True)
            if (user.pk, channel) not in used
        ]
        return Notification.objects.add(rows, wake_now=True)
