"""The conversation with a visitor: texts they sent us (IncomingText) and texts we send them
(OutgoingText, an outbox row: retried, sent once, its failure told to the worker).

Both keep the words encrypted (retention blanks them, key rotation re-encrypts them) and the
number as a keyed hash besides the encrypted number itself. A text goes to a number, not to a lead:
a STOP from a number with no lead is answered too.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from intake import channels, sms
from intake.consent import may_contact
from intake.crypto import EncryptedCharField, EncryptedTextField, keyed_hash
from intake.delivery_errors import describe_failure
from intake.models import Disclosure, Lead, Notification, TextStop, on_duty_admissions
from outbox.broker import nudge
from outbox.models import ClosableStatus, Delivery, DeliveryQuerySet

from . import quiet_hours, wording

# A text longer than this is refused by the form: about ten SMS segments.
LONGEST_TEXT = 1600


class Purpose(models.TextChoices):
    FIRST = "first", "Automatic first text"
    STAFF = "staff", "Written by staff"
    STOP_REPLY = "stop_reply", "Opt-out confirmation"
    START_REPLY = "start_reply", "Opt-in confirmation"
    HELP_REPLY = "help_reply", "Answer to HELP"


# Answers the carriers require whatever the consent and the hour: the person just asked for them.
KEYWORD_REPLIES = {Purpose.STOP_REPLY, Purpose.START_REPLY, Purpose.HELP_REPLY}


class ProviderStatus(models.TextChoices):
    """What the provider's delivery reports say, in the order they arrive."""

    QUEUED = "queued", "Queued at the provider"
    SENT = "sent", "Sent to the carrier"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Not delivered"
    FAILED = "failed", "Failed"


FINAL_PROVIDER_STATUSES = {ProviderStatus.DELIVERED, ProviderStatus.UNDELIVERED, ProviderStatus.FAILED}
_PROVIDER_ORDER = {s: n for n, s in enumerate(ProviderStatus.values)}


class IncomingTextQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self, lead, by: User) -> int:
        return self.filter(lead=lead, read_at__isnull=True).update(read_at=timezone.now(), read_by=by)


class IncomingText(models.Model):
    """One text the person sent to the centre's number, stored once per provider message id."""

    class Keyword(models.TextChoices):
        NONE = "", "A message"
        STOP = "stop", "Opt-out word"
        START = "start", "Opt-in word"
        HELP = "help", "Help word"

    # No lead: a keyword from a number we have never heard of (answered, and kept for the record).
    lead = models.ForeignKey(
        "intake.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="incoming_texts"
    )
    provider_id = models.CharField(max_length=64, unique=True)
    phone = EncryptedCharField(max_length=20)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    body = EncryptedTextField(max_length=LONGEST_TEXT, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    keyword = models.CharField(max_length=10, choices=Keyword.choices, blank=True)
    mentions_danger = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = IncomingTextQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["lead", "read_at"], name="incoming_text_unread")]

    def __str__(self) -> str:
        return f"Incoming text #{self.pk}"

    def save(self, *args, **kwargs):
        self.phone_hash = keyed_hash(self.phone)
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}


class OutgoingTextQuerySet(DeliveryQuerySet):
    def for_delivery(self):
        return self.select_related("lead", "written_by")

    def conversation_started(self, phone: str) -> bool:
        """Whether a text has already gone (or is going) to this number: the opt-out line is on
        the first one only."""
        gone = self.filter(phone_hash=keyed_hash(phone)).exclude(
            status__in=[OutgoingText.Status.CLOSED, OutgoingText.Status.FAILED]
        )
        # A text the carrier did not deliver never told the person how to stop.
        return gone.exclude(provider_status__in=[ProviderStatus.UNDELIVERED, ProviderStatus.FAILED]).exists()

    def write(
        self,
        lead: Lead | None,
        body: str,
        *,
        purpose: str,
        phone: str = "",
        by: User | None = None,
        plain_words: bool = False,
        template: str = "",
    ) -> "OutgoingText":
        """Queue one text. Keyword replies go now; any other text waits for the end of the
        person's quiet hours (`held_until` says till when, for the worker). The caller has checked
        the consent (OutgoingText.refusal); the row checks it again when it is sent."""
        now = timezone.now()
        phone = phone or lead.phone
        due = now if purpose in KEYWORD_REPLIES else quiet_hours.next_allowed(phone, now)
        text = self.create(
            lead=lead,
            phone=phone,
            body=body,
            purpose=purpose,
            written_by=by,
            plain_words=plain_words,
            template=template,
            created_at=now,
            due_at=due,
            held_until=due if due > now else None,
        )
        transaction.on_commit(lambda: nudge(OutgoingText, even_if_pending=purpose in KEYWORD_REPLIES))
        return text


class OutgoingText(Delivery):
    Status = ClosableStatus

    lead = models.ForeignKey(
        "intake.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing_texts"
    )
    phone = EncryptedCharField(max_length=20)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    body = EncryptedTextField(max_length=LONGEST_TEXT)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    written_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The writer recorded that the person chose plain words (their condition or treatment named).
    plain_words = models.BooleanField(default=False)
    # The staff template it started from (TextTemplate.slug), for the record.
    template = models.CharField(max_length=40, blank=True)
    # Written in the person's quiet hours: when it is due to go (shown to the worker).
    held_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The provider's id (for its delivery reports) and what those reports last said.
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    provider_status = models.CharField(max_length=20, choices=ProviderStatus.choices, blank=True)
    provider_error = models.CharField(max_length=20, blank=True)
    provider_status_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingTextQuerySet.as_manager()

    # A person waiting for an answer: an STOP confirmation first, then the oldest.
    claim_order = ("due_at", "pk")

    class Meta(Delivery.Meta):
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Outgoing text #{self.pk} ({self.purpose}, {self.status})"

    def save(self, *args, **kwargs):
        self.phone_hash = keyed_hash(self.phone)
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    @property
    def is_keyword_reply(self) -> bool:
        return self.purpose in KEYWORD_REPLIES

    @property
    def not_delivered(self) -> bool:
        return self.status == self.Status.FAILED or self.provider_status in (
            ProviderStatus.UNDELIVERED,
            ProviderStatus.FAILED,
        )

    # --- Sending ---------------------------------------------------------------------------------

    def no_longer_allowed(self) -> str:
        """Why this text may not go now, though it could when written, or "". Checked again when
        it is sent: the person may have replied STOP, or told staff no, in between."""
        if self.is_keyword_reply:
            return ""
        if self.lead is None:
            return "Closed unsent: the person no longer allows texts."
        # Read now, not when the batch was claimed: a STOP may have come in while earlier texts of
        # the batch were being sent. The number's own STOP counts even if the lead is another's now.
        self.lead.refresh_from_db(fields=["ok_to_text", "texts_stopped_at", "phone_hash", "first_contacted_at"])
        stopped = TextStop.objects.filter(phone_hash=self.phone_hash).exists()
        if stopped or not may_contact(self.lead, "text"):
            return "Closed unsent: the person no longer allows texts."
        if self.lead.is_anonymised:
            return "Closed unsent: the lead's details were removed."
        if self.purpose == Purpose.FIRST and self.lead.first_contacted_at is not None:
            # Held through the night, and someone called in the meantime: "we will call" is stale.
            return "Closed unsent: the team reached the person before it was due."
        return ""

    def perform(self, context) -> None:
        if reason := self.no_longer_allowed():
            self.close_unsent(reason)
            return
        if not self.is_keyword_reply:
            # A retry may come round in the quiet hours: it waits for the morning, its try not counted.
            later = quiet_hours.next_allowed(self.phone, timezone.now())
            if later > timezone.now():
                self.status, self.due_at, self.held_until = self.Status.PENDING, later, later
                self.attempts -= 1
                self._save_outcome(["status", "due_at", "held_until", "attempts"])
                return
        if self.purpose == Purpose.FIRST and self.held_until:
            # Written at night: its promise is said again as of now ("today", not "tomorrow").
            request = self.lead.requests.filter(ok_to_text=True).order_by("-created_at").first()
            if request:
                self.body = wording.first_text(request, at=timezone.now(), language=self.lead.language)
                self._save_outcome(["body"])
        sent = sms.send_text(self.phone, self.body, status_callback=report_url(self))
        self.provider_id, self.provider_status = sent.provider_id[:64], _known_status(sent.status)
        self.provider_status_at = timezone.now()

    def delivered(self) -> None:
        # The provider's id always; its status only if no delivery report got here first (a report
        # may beat this save: "undelivered" must not be overwritten by the send's "queued").
        with transaction.atomic():
            OutgoingText.objects.filter(pk=self.pk).update(provider_id=self.provider_id)
            OutgoingText.objects.filter(pk=self.pk, provider_status="").update(
                provider_status=self.provider_status, provider_status_at=self.provider_status_at
            )
            if self.lead_id:
                record_disclosure(self)

    def is_permanent(self, exc: Exception) -> bool:
        return super().is_permanent(exc) or channels.is_permanent(exc)

    def describe_failure(self, exc: Exception) -> str:
        return describe_failure(exc)

    def given_up(self) -> None:
        tell_worker_not_delivered(self)

    def _fail(self, exc: Exception, *, permanent: bool) -> None:
        super()._fail(exc, permanent=permanent)
        if isinstance(exc, sms.Unsubscribed):
            # The provider knows the person opted out (a STOP it handled itself): so do we now.
            Lead.objects.stop_texts(self.phone, at=timezone.now(), word="")

    # --- Delivery reports ---------------------------------------------------------------------

    def record_report(self, status: str, error_code: str = "") -> bool:
        """A delivery report from the provider. Reports can arrive out of order: a later state is
        never replaced by an earlier one. Returns whether the text has just turned out undelivered."""
        status = _known_status(status)
        if not status:
            return False
        with transaction.atomic():
            text = OutgoingText.objects.select_for_update().get(pk=self.pk)
            current = text.provider_status
            if current in FINAL_PROVIDER_STATUSES or (
                current and _PROVIDER_ORDER[status] < _PROVIDER_ORDER.get(current, -1)
            ):
                return False
            text.provider_status, text.provider_error = status, error_code[:20]
            text.provider_status_at = timezone.now()
            text.save(update_fields=["provider_status", "provider_error", "provider_status_at"])
            failed = status in (ProviderStatus.UNDELIVERED, ProviderStatus.FAILED)
            if failed:
                if error_code == str(sms.UNSUBSCRIBED_RECIPIENT):
                    Lead.objects.stop_texts(text.phone, at=timezone.now(), word="")
                tell_worker_not_delivered(text)
        self.provider_status, self.provider_error = text.provider_status, text.provider_error
        return failed


def _known_status(status: str) -> str:
    status = (status or "").lower()
    if status in ("accepted", "scheduled", "sending"):
        return ProviderStatus.QUEUED
    return status if status in ProviderStatus.values else ""


def report_url(text: OutgoingText) -> str:
    """Where the provider posts this text's delivery reports: the inbound endpoint, with our own
    row id (never anything about the person) so a report that beats our record of the provider's
    id still finds its text. Only Twilio posts reports; the console has none to give."""
    if settings.SMS_PROVIDER != "twilio":
        return ""
    return f"{webhook_base()}{reverse('texting:inbound')}?text={text.pk}"


def webhook_base() -> str:
    return (settings.SMS_WEBHOOK_BASE or settings.SITE_URL).rstrip("/")


def tell_worker_not_delivered(text: OutgoingText) -> None:
    """The person did not get a text: the one who wrote it (or the lead's worker, or the team on
    duty) is told, without the words, so they can call instead. Not for keyword answers."""
    lead = text.lead
    if lead is None or text.is_keyword_reply or not lead.is_open:
        return
    recipients = [user for user in (text.written_by, lead.assigned_to) if user and user.is_active][:1]
    Notification.objects.queue(lead, kind=Notification.Kind.TEXT_FAILED, recipients=recipients or on_duty_admissions())


def record_disclosure(text: OutgoingText) -> None:
    """A text leaves the centre through the SMS provider to a phone others may read: it is listed
    in the lead's accounting of disclosures (by category, never the words)."""
    provider = "Twilio (SMS provider)" if settings.SMS_PROVIDER == "twilio" else "the console (no provider)"
    named = "names treatment, as the person chose" if text.plain_words else "names no condition or treatment"
    Disclosure.objects.record(
        text.lead_id,
        consent=None,
        recipients=[f"The phone number ending {text.phone[-4:]}", provider],
        what=f"One text message ({text.get_purpose_display().lower()}; {named})",
        purpose="To reach the person about their request, as they allowed texts",
        channel="Text message",
        reference=f"T-{text.pk}",
        basis=text_permission(text.lead),
        disclosed_at=text.finished_at or timezone.now(),
    )


def text_permission(lead: Lead) -> str:
    """Which permission allowed the text, for the accounting: what the person told staff on a call,
    or their latest request that allowed texts (a text they sent us first is such a request)."""
    if lead.contact_preferences_at:
        return "the person's permission to text, given on a call"
    request = lead.requests.filter(ok_to_text=True).order_by("-created_at").first()
    return f"the person's permission to text, on request {request.reference}" if request else ""


def unread_counts(lead_ids: list[int]) -> dict[int, int]:
    rows = (
        IncomingText.objects.filter(lead_id__in=lead_ids)
        .unread()
        .values("lead_id")
        .annotate(n=models.Count("pk"))
        .values_list("lead_id", "n")
    )
    return dict(rows)


def conversation(lead: Lead) -> list:
    """Every text both ways for this lead, oldest first (each with `.incoming` to tell them apart)."""
    texts = [*lead.incoming_texts.all(), *lead.outgoing_texts.select_related("written_by")]
    for text in texts:
        text.incoming = isinstance(text, IncomingText)
    return sorted(texts, key=lambda t: (t.received_at if t.incoming else t.created_at, t.pk))


from .message_templates import TextTemplate  # noqa: E402, F401 - so Django finds the model
