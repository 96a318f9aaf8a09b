"""42 CFR Part 2: the consents people signed, their revocations, and the accounting of disclosures.

Intake keeps these records; the apps that disclose (verification, later exports) ask
`disclosure_refusal` before anything leaves and write a `Disclosure` when it has left.
"""

import datetime as dt
import json

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from ..consent import PART2_CONSENT_DAYS, part2_consent_terms
from ..crypto import EncryptedTextField
from .staff import staff_name


class DisclosureRefused(Exception):
    """Nothing may be sent outside the centre for this request; the message says why, for staff."""


def _names(value: str) -> list[str]:
    try:
        return json.loads(value) if value else []
    except ValueError:  # blanked by retention (intake.retention): the marker, as one name
        return [value]


class Part2ConsentQuerySet(models.QuerySet):
    def for_lead(self, lead) -> "Part2ConsentQuerySet":
        return self.filter(lead_request__lead=lead).select_related("lead_request").order_by("signed_at")

    def record(self, lead_request, *, version: str, patient: str, recipients: list[str]) -> "Part2Consent":
        """Store the consent a request gave, in the words it was given, naming its recipients."""
        signed_at = lead_request.consent_at
        terms = part2_consent_terms(
            version,
            patient=patient,
            recipients=recipients,
            signed=timezone.localdate(signed_at),
            centre=settings.CENTRE_NAME,
            phone=settings.CENTRE_PHONE,
        )
        return self.create(
            lead_request=lead_request,
            version=version,
            text="\n".join(terms),
            recipients=json.dumps(recipients),
            signed_at=signed_at,
            expires_at=signed_at + dt.timedelta(days=PART2_CONSENT_DAYS),
        )


class Part2Consent(models.Model):
    """A visitor's written consent (42 CFR 2.31) to disclose what the form asked for to the
    recipients it named. Kept with the request that gave it, so a merge carries it along."""

    lead_request = models.OneToOneField("intake.LeadRequest", on_delete=models.CASCADE, related_name="part2_consent")
    version = models.CharField(max_length=40)
    # The sentences as signed: they carry the patient's name and the insurer, so encrypted.
    text = EncryptedTextField()
    recipients = EncryptedTextField(help_text="JSON list of the names the consent gave as recipients.")
    signed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    objects = Part2ConsentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Part 2 consent #{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_request.lead_id}

    @property
    def recipient_names(self) -> list[str]:
        return _names(self.recipients)

    @property
    def terms(self) -> list[str]:
        return self.text.splitlines()

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ConsentRevocationQuerySet(models.QuerySet):
    def record(self, lead, *, method: str, said_on: dt.date, by: User) -> "ConsentRevocation":
        return self.create(lead=lead, method=method, said_on=said_on, recorded_by=by)


class ConsentRevocation(models.Model):
    """The person took back their Part 2 consent: from then on nothing about this lead is sent
    outside the centre. What was sent before stays in the accounting of disclosures."""

    class Method(models.TextChoices):
        CALL = "call", "On a call"
        EMAIL = "email", "By email"
        WRITING = "writing", "In writing (letter or signed form)"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="part2_revocations")
    method = models.CharField(max_length=10, choices=Method.choices)
    said_on = models.DateField(help_text="The day the person told us.")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ConsentRevocationQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"Part 2 revocation #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    def describe(self) -> str:
        said = f"{self.said_on:%B} {self.said_on.day}, {self.said_on.year}"
        who = staff_name(self.recorded_by)
        return f"The person revoked their consent {self.get_method_display().lower()} on {said} (recorded by {who})."


class DisclosureQuerySet(models.QuerySet):
    def record(self, lead_id: int, *, consent: Part2Consent | None, recipients: list[str], **fields) -> "Disclosure":
        return self.create(lead_id=lead_id, consent=consent, recipients=json.dumps(recipients), **fields)


class Disclosure(models.Model):
    """One disclosure outside the centre, for the lead's accounting of disclosures (42 CFR 2.25):
    when, to whom, what (by category, never the values) and under which consent."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="disclosures")
    # Empty when staff disclosed without a written consent on record (a call the person asked
    # for on the phone): the list shows that plainly rather than leaving the call out.
    consent = models.ForeignKey(
        Part2Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    disclosed_at = models.DateTimeField(default=timezone.now)
    recipients = EncryptedTextField(help_text="JSON list of who received it.")
    what = models.CharField(max_length=400)
    purpose = models.CharField(max_length=200)
    # How it left and the sender's own reference (an eligibility check's trace number), no PHI.
    channel = models.CharField(max_length=60)
    reference = models.CharField(max_length=40, blank=True)
    # A written consent staff recorded outside Lantern's forms (a referral consent, "RC-3"): the
    # accounting names it rather than saying there was none.
    consent_reference = models.CharField(max_length=20, blank=True)
    # What allowed it when that is not a written consent, in words for the accounting: a text to
    # the person's own number goes on their permission to text ("… on request R-000123").
    basis = models.CharField(max_length=120, blank=True)
    # The sandbox gateway answers inside Lantern: listed so a demo shows the record, marked so
    # nobody mistakes it for a real disclosure.
    simulated = models.BooleanField(default=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["disclosed_at"]

    def __str__(self) -> str:
        return f"Disclosure #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    @property
    def recipient_names(self) -> list[str]:
        return _names(self.recipients)


def disclosure_refusal(lead_request, recipients: list[str] | None = None) -> str | None:
    """Why nothing may be disclosed for this request now, in words for staff; None when its Part 2
    consent allows it. A revocation stops every later disclosure about the person: recorded on
    this lead or on any lead with the same phone. With `recipients`, each of them must be one the
    consent named (a gateway or clearinghouse changed since the visitor signed is not)."""
    if lead_request is None:
        return "This request has no Part 2 consent on record; nothing may be sent to a payer."
    lead = lead_request.lead
    # The lead's own phone hash covers the lead itself; an anonymised lead has none left.
    mine = models.Q(lead__phone_hash=lead.phone_hash) if lead.phone_hash else models.Q(lead_id=lead.pk)
    revocation = ConsentRevocation.objects.filter(mine).select_related("recorded_by", "lead").first()
    if revocation is not None:
        where = "" if revocation.lead_id == lead.pk else f" (recorded on {revocation.lead.reference}, same phone)"
        return f"{revocation.describe()}{where} Nothing more is sent to a payer for this person."
    consent = Part2Consent.objects.filter(lead_request=lead_request).defer("text").first()  # not its words
    if consent is None:
        return "This request has no Part 2 consent on record; nothing may be sent to a payer."
    if consent.is_expired():
        return "The person's Part 2 consent has expired; nothing more is sent to a payer under it."
    unnamed = [name for name in recipients or () if name not in consent.recipient_names]
    if unnamed:
        return (
            f"The person's consent does not name {', '.join(unnamed)}, which this check would go through; "
            "nothing was sent. Call the payer with the person's agreement, or ask them to send the form again."
        )
    return None
