"""The hand-off's records: the Part 2 consent that lets an admitted person's record go to the
clinical record system, and each export of that record (the outbox row that sends it, or the
download or command that wrote it), with the one rule every way out asks: `export_refusal`.

Sending the record is a disclosure under 42 CFR Part 2: only under the person's written consent
naming the recipient (FHIR_EXPORT_RECIPIENT), still in force, and each one is written to the lead's
accounting of disclosures (intake.Disclosure) with the export's reference, FX-<id>.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from intake.crypto import EncryptedCharField
from intake.models import ConsentRevocation, Disclosure, LeadStatus
from outbox.broker import nudge
from outbox.models import ClosableStatus, Delivery, DeliveryQuerySet, PermanentFailure

from .transport import ExportError

log = logging.getLogger(__name__)

PURPOSE = "Continuity of care: the record of admission in the clinical record"


def default_recipient() -> str:
    return settings.FHIR_EXPORT_RECIPIENT


class Share(models.TextChoices):
    """What a consent lets go to the clinical record, by category (never the values). The consents
    themselves and the §2.32 notice always go: they are what the receiver must honour."""

    IDENTITY = "identity", "Who the person is and how to reach them (name, date of birth, contacts, language)"
    INSURANCE = "insurance", "Insurance and the benefits the payer stated"
    CARD_PHOTOS = "card_photos", "Photos of the insurance card"
    SCREEN = "screen", "The phone screen's answers"


ALWAYS_SENT = "Part 2 consents and the notice prohibiting redisclosure"


def _same_person() -> Q:
    """Revocations recorded on the consent's lead or on another lead with its phone (the same person)."""
    return Q(lead_id=OuterRef("lead_id")) | (Q(lead__phone_hash=OuterRef("lead__phone_hash")) & ~Q(lead__phone_hash=""))


class HandoffConsentQuerySet(models.QuerySet):
    def in_force(self, today: dt.date | None = None):
        """Not expired, not revoked, and not signed on or before a day the person revoked their
        consent altogether (one signed after that revocation stands)."""
        taken_back = ConsentRevocation.objects.filter(_same_person(), said_on__gte=OuterRef("signed_on"))
        return self.filter(expires_on__gte=today or timezone.localdate(), revoked_on__isnull=True).exclude(
            Exists(taken_back)
        )

    def covering(self, lead) -> "HandoffConsent | None":
        """The consent in force, naming the configured recipient, the record may go under now."""
        named = self.in_force().filter(lead=lead, recipient=settings.FHIR_EXPORT_RECIPIENT)
        return named.order_by("-signed_on", "-pk").first()


class HandoffConsent(models.Model):
    """A Part 2 consent the person signed naming the clinical record system, recorded by staff from
    the form on file: the elements of 42 CFR 2.31(a) as facts. The signed form stays where
    `kept_at` says."""

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", "Signed paper form, on file"
        E_CONSENT = "e_consent", "Written consent signed electronically"
        RECEIVED = "received", "Signed form received by fax, scan or mail"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="handoff_consents")
    recipient = models.CharField(
        "recipient named on the form",
        max_length=150,
        default=default_recipient,
        help_text="As the signed form names it. The record goes only where a consent names the configured system.",
    )
    method = models.CharField("how it was obtained", max_length=20, choices=Method.choices)
    patient_name = EncryptedCharField("patient's name on the form", max_length=150)
    signed_by = EncryptedCharField(
        "signed by", max_length=150, help_text="The patient, or the person the law allows to sign for them."
    )
    signed_on = models.DateField()
    kinds = models.JSONField("what may be shared", default=list)
    purpose = models.CharField(max_length=200, default=PURPOSE)
    expires_on = models.DateField("expires on")
    states_revocation = models.BooleanField(
        "the form names this centre as the one disclosing, says the person may revoke it (except where we "
        "already acted on it), and that care does not depend on signing",
        default=False,
    )
    states_hipaa_redisclosure = models.BooleanField(
        "the form states that the record may be redisclosed in accordance with HIPAA, except for uses and "
        "disclosures for civil, criminal, administrative and legislative proceedings against the patient",
        default=False,
    )
    kept_at = models.CharField("where the signed form is kept", max_length=120, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_on = models.DateField("revoked on", null=True, blank=True)
    revocation_method = models.CharField(
        "how the person revoked it", max_length=10, choices=ConsentRevocation.Method.choices, blank=True
    )
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = HandoffConsentQuerySet.as_manager()

    class Meta:
        ordering = ["signed_on", "pk"]

    def __str__(self) -> str:
        return f"Hand-off consent HC-{self.pk}"

    @property
    def reference(self) -> str:
        return f"HC-{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    def revoke(self, *, method: str, said_on: dt.date, by: User) -> None:
        """The person took this consent back (2.31(a)(6)): nothing more goes under it."""
        self.revoked_on, self.revocation_method, self.revoked_by = said_on, method, by
        self.save(update_fields=["revoked_on", "revocation_method", "revoked_by"])

    def lapse(self, today: dt.date | None = None) -> str:
        """Why nothing may go under this consent any more, in one line; "" while it is in force."""
        if self.revoked_on:
            how = self.get_revocation_method_display().lower()
            return f"The person revoked consent {self.reference} ({how}) on {self.revoked_on}."
        if self.expires_on < (today or timezone.localdate()):
            return f"Consent {self.reference} expired on {self.expires_on}."
        lead = self.lead
        mine = Q(lead__phone_hash=lead.phone_hash) if lead.phone_hash else Q(lead_id=self.lead_id)
        revocation = ConsentRevocation.objects.filter(mine, said_on__gte=self.signed_on).select_related("recorded_by")
        revocation = revocation.first()
        return revocation.describe() if revocation else ""

    def covers(self, share: str) -> bool:
        return share in self.kinds

    @property
    def kind_labels(self) -> list[str]:
        return [Share(code).label for code in self.kinds if code in Share.values]

    def disclosed_words(self) -> str:
        """What an export under this consent discloses, by category, for the accounting."""
        return "; ".join([*self.kind_labels, ALWAYS_SENT])[:400]


def export_refusal(lead) -> str | None:
    """Why this lead's record may not go to the clinical record now, in one line; None when it may.
    Asked by every way out (the outbox at send time, the download, the command)."""
    recipient = settings.FHIR_EXPORT_RECIPIENT
    if lead.is_anonymised:
        return f"{lead.reference} was anonymised under the retention policy: there is no record left to send."
    if lead.status != LeadStatus.ADMITTED:
        status = lead.get_status_display().lower()
        return f"{lead.reference} is {status}, not admitted: only an admitted person's record goes to {recipient}."
    if HandoffConsent.objects.covering(lead) is not None:
        return None
    latest = lead.handoff_consents.order_by("-signed_on", "-pk").first()
    if latest is None:
        return (
            f"{lead.reference} has no Part 2 consent naming {recipient} on record: "
            "record the person's signed consent first."
        )
    if lapsed := latest.lapse():
        return f"{lapsed} Nothing goes to {recipient} without a consent in force."
    return f"The person's consent {latest.reference} names {latest.recipient}, not {recipient}: nothing goes there."


class RecordExportQuerySet(DeliveryQuerySet):
    def for_delivery(self):
        return self.select_related("lead")

    def waiting_for(self, lead):
        return self.filter(lead=lead, how__in=RecordExport.SENT_BY_OUTBOX, status=RecordExport.Status.PENDING)

    def queue(self, lead, *, how: str, by: User | None) -> "RecordExport | None":
        """Queue the record's delivery to FHIR_EXPORT_URL, unless one is already waiting. The
        caller has asked `export_refusal`; the row asks again when it is sent."""
        if self.waiting_for(lead).exists():
            return None
        export = self.create(lead=lead, how=how, requested_by=by)
        transaction.on_commit(lambda: nudge(RecordExport))
        return export


class RecordExport(Delivery):
    """One export of a lead's record: an outbox row that POSTs the bundle, built at send time, to
    FHIR_EXPORT_URL; or, made already sent, a download or a file written by the command. Staff
    see each on the lead page; its disclosure names it (FX-<id>)."""

    Status = ClosableStatus

    class How(models.TextChoices):
        ON_ADMISSION = "on_admission", "Sent on admission"
        BY_STAFF = "by_staff", "Sent by staff"
        DOWNLOAD = "download", "Downloaded as a file"
        COMMAND = "command", "Written by manage.py export_fhir"

    SENT_BY_OUTBOX = (How.ON_ADMISSION, How.BY_STAFF)

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="record_exports")
    how = models.CharField(max_length=20, choices=How.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The consent it went under, and what went: counts and a digest, never the values.
    consent = models.ForeignKey(HandoffConsent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entries = models.PositiveIntegerField(default=0)
    digest = models.CharField("SHA-256 of the bundle", max_length=64, blank=True)
    disclosure = models.OneToOneField(Disclosure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The receiver's HTTP status on the last try (outbox rows only).
    answered = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = RecordExportQuerySet.as_manager()

    batch_size = 2
    max_attempts_setting = "FHIR_EXPORT_MAX_ATTEMPTS"

    class Meta(Delivery.Meta):
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Record export {self.reference}"

    @property
    def reference(self) -> str:
        return f"FX-{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    def perform(self, context) -> None:
        from . import sending  # here, not at the top: it builds on this module's models

        if refusal := export_refusal(self.lead):
            # Asked again here, not only when queued: a revocation may have come in since.
            self.close_unsent(refusal[:300])
            log.info("Record export %s closed unsent: its lead may not be exported now", self.pk)
            return
        if not settings.FHIR_EXPORT_URL or not settings.FHIR_EXPORT_SIGNING_KEY:
            raise ImproperlyConfigured(
                "FHIR_EXPORT_URL or FHIR_EXPORT_SIGNING_KEY is empty: the record has nowhere to go signed."
            )
        sending.send(self)

    def is_permanent(self, exc: Exception) -> bool:
        if isinstance(exc, ExportError):
            return exc.permanent
        return isinstance(exc, PermanentFailure | ImproperlyConfigured)

    def describe_failure(self, exc: Exception) -> str:
        if isinstance(exc, ExportError | PermanentFailure | ImproperlyConfigured):
            return str(exc)[:300]
        return "The export stopped on an unexpected error; it has been logged for the developers."

    def record_disclosure(self, consent: HandoffConsent, channel: str) -> Disclosure:
        """Write this export to the lead's accounting of disclosures, once."""
        if self.disclosure_id:
            return self.disclosure
        self.consent = consent
        self.disclosure = Disclosure.objects.record(
            self.lead_id,
            consent=None,  # intake's link is for visitors' forms; ours is named in consent_reference
            recipients=[settings.FHIR_EXPORT_RECIPIENT],
            what=consent.disclosed_words(),
            purpose=consent.purpose,
            channel=channel[:60],
            reference=self.reference,
            consent_reference=consent.reference,
        )
        self.save(update_fields=["consent", "disclosure"])
        return self.disclosure
