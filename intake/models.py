import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .crypto import EncryptedCharField, EncryptedEmailField, EncryptedTextField, keyed_hash

log = logging.getLogger(__name__)

ADMISSIONS_GROUP = "admissions"
SUPERVISOR_GROUP = "supervisor"


class LeadKind(models.TextChoices):
    CALLBACK = "callback", "Callback"
    VERIFICATION = "verification", "Insurance verification"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTING = "contacting", "Contacting"
    REACHED = "reached", "Reached"
    ASSESSMENT_SCHEDULED = "assessment_scheduled", "Assessment scheduled"
    ADMITTED = "admitted", "Admitted"
    REFERRED = "referred", "Referred elsewhere"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    UNREACHABLE = "unreachable", "Unreachable"


OPEN_STATUSES = [LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.REACHED, LeadStatus.ASSESSMENT_SCHEDULED]


class ForWhom(models.TextChoices):
    SELF = "self", "Myself"
    LOVED_ONE = "loved_one", "A loved one"


class BestTime(models.TextChoices):
    ASAP = "asap", "As soon as possible"
    MORNING = "morning", "Morning (8 a.m.–12 p.m.)"
    AFTERNOON = "afternoon", "Afternoon (12–5 p.m.)"
    EVENING = "evening", "Evening (5–8 p.m.)"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_contact(self):
        return self.open().filter(first_contacted_at__isnull=True)

    def for_phone(self, e164: str):
        return self.filter(phone_hash=keyed_hash(e164))

    def queue_order(self):
        return self.order_by("-urgent", "created_at")


class Lead(models.Model):
    """One person asking for help: the unit the admissions team works.

    Each form submission is a LeadRequest; a second request from the same phone while the
    lead is open joins it instead of creating a second lead.
    """

    kind = models.CharField(max_length=20, choices=LeadKind.choices, default=LeadKind.CALLBACK)
    status = models.CharField(max_length=30, choices=LeadStatus.choices, default=LeadStatus.NEW)
    urgent = models.BooleanField(default=False)

    # PHI: encrypted at rest. Contact preferences follow the latest request.
    name = EncryptedCharField(max_length=100)
    phone = EncryptedCharField(max_length=20)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    email = EncryptedEmailField(max_length=254, blank=True)
    for_whom = models.CharField(max_length=20, choices=ForWhom.choices, default=ForWhom.SELF)
    best_time = models.CharField(max_length=20, choices=BestTime.choices, default=BestTime.ASAP)
    ok_to_text = models.BooleanField(default=False)
    ok_to_voicemail = models.BooleanField(default=False)

    # First-touch attribution, without PHI: paths and hosts only, no query strings.
    landing_page = models.CharField(max_length=200, blank=True)
    referrer = models.CharField(max_length=200, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_requested_at = models.DateTimeField(default=timezone.now)
    request_count = models.PositiveIntegerField(default=1)
    # Speed-to-lead is measured from created_at to first_contacted_at.
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "urgent", "created_at"])]

    def __str__(self) -> str:
        # Shown in audit logs and admin lists: never PHI.
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        self.phone_hash = keyed_hash(self.phone)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("staff:lead", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"L-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @classmethod
    def record_callback(cls, data: dict, *, consent_version: str, consent_page: str, attribution: dict) -> "Lead":
        """Store a callback request and queue the staff notifications, atomically.

        `data` is the callback form's cleaned data, phone already in E.164.
        """
        now = timezone.now()
        window = now - dt.timedelta(hours=settings.DUPLICATE_LEAD_WINDOW_HOURS)
        urgent = data.get("in_danger") == "yes"
        with transaction.atomic():
            lead = (
                cls.objects.select_for_update()
                .open()
                .for_phone(data["phone"])
                .filter(last_requested_at__gte=window)
                .order_by("-last_requested_at")
                .first()
            )
            repeat = lead is not None
            if lead is None:
                lead = cls(kind=LeadKind.CALLBACK, created_at=now, **attribution)
            lead.name = data["name"]
            lead.phone = data["phone"]
            lead.email = data.get("email") or lead.email or ""
            lead.for_whom = data.get("for_whom") or ForWhom.SELF
            lead.best_time = data.get("best_time") or BestTime.ASAP
            lead.ok_to_text = bool(data.get("ok_to_text"))
            lead.ok_to_voicemail = bool(data.get("ok_to_voicemail"))
            lead.urgent = lead.urgent or urgent
            lead.last_requested_at = now
            if repeat:
                lead.request_count = F("request_count") + 1
            lead.save()
            lead.refresh_from_db(fields=["request_count"])
            LeadRequest.objects.create(
                lead=lead,
                created_at=now,
                urgent=urgent,
                for_whom=lead.for_whom,
                best_time=lead.best_time,
                message=data.get("message") or "",
                consent_version=consent_version,
                consent_at=now,
                consent_page=consent_page[:200],
            )
            kind = Notification.Kind.REPEAT_REQUEST if repeat else Notification.Kind.NEW_LEAD
            Notification.objects.queue_for_lead(lead, kind=kind, urgent=urgent)
        return lead


class LeadRequest(models.Model):
    """One submission of a public form, kept whole so staff see every time someone asked."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="requests")
    created_at = models.DateTimeField(default=timezone.now)
    urgent = models.BooleanField(default=False)
    for_whom = models.CharField(max_length=20, choices=ForWhom.choices, default=ForWhom.SELF)
    best_time = models.CharField(max_length=20, choices=BestTime.choices, default=BestTime.ASAP)
    message = EncryptedTextField(max_length=1000, blank=True)
    consent_version = models.CharField(max_length=40)
    consent_at = models.DateTimeField()
    consent_page = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Request #{self.pk} on lead #{self.lead_id}"


class StaffProfileQuerySet(models.QuerySet):
    pass


class StaffProfile(models.Model):
    """What Lantern needs to know about a staff member beyond the auth user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    on_duty = models.BooleanField(default=False, help_text="On-duty admissions staff are notified of new requests.")

    def __str__(self) -> str:
        return f"Staff profile of {self.user}"


def on_duty_admissions():
    """Active admissions staff marked on duty, with an email address to reach them."""
    return (
        User.objects.filter(is_active=True, groups__name=ADMISSIONS_GROUP, staff_profile__on_duty=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def ensure_staff_groups() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in (ADMISSIONS_GROUP, SUPERVISOR_GROUP)}


class NotificationQuerySet(models.QuerySet):
    def queue_for_lead(self, lead: Lead, *, kind: str, urgent: bool = False) -> list["Notification"]:
        """One pending row per on-duty recipient, enqueued once the transaction commits."""
        rows = self.bulk_create(
            Notification(lead=lead, recipient=user, kind=kind, urgent=urgent or lead.urgent)
            for user in on_duty_admissions()
        )
        if not rows:
            log.warning("Lead %s has no on-duty admissions staff to notify", lead.pk)
        transaction.on_commit(lambda: enqueue_all(rows))
        return rows

    def stale(self, now: dt.datetime | None = None):
        """Rows whose delivery message was lost: still pending well after they were due,
        or claimed by a worker that died mid-send."""
        now = now or timezone.now()
        pending_before = now - dt.timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER_SECONDS)
        sending_before = now - dt.timedelta(minutes=15)
        return self.filter(
            Q(status=Notification.Status.PENDING, due_at__lte=pending_before)
            | Q(status=Notification.Status.SENDING, claimed_at__lte=sending_before)
        )


def enqueue_all(notifications) -> int:
    """Enqueue each delivery; after the first broker failure leave the rest pending for the
    beat task, so a dead broker costs the visitor one timeout, not one per recipient."""
    count = 0
    for notification in notifications:
        if not notification.enqueue():
            break
        count += 1
    return count


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

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
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

    def enqueue(self, countdown: float | None = None) -> bool:
        """Hand the delivery to Celery. A broker outage is logged, not raised: the row stays
        pending and the beat task enqueues it again."""
        from .tasks import deliver_notification

        try:
            deliver_notification.apply_async((self.pk,), countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the visitor
            log.warning("Could not enqueue notification %s: %s", self.pk, type(exc).__name__)
            return False
        return True

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
        from .channels import send

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
        self.save(update_fields=["status", "sent_at"])
        return None
