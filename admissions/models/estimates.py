"""Good Faith Estimates (No Surprises Act, 45 CFR 149.610) as issued: what a self-pay person was
told their care would cost, kept exactly as it was given so the centre can show it later.

A record is written once and never changed: the PDF is rendered from it every time, so a
download next year is the document the person received. Everything that identifies the person
(name, date of birth, the care itemised, the expected start) is encrypted; the totals and the
facility's public identifiers are not PHI.
"""

import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from intake.crypto import EncryptedCharField, EncryptedDateField, EncryptedEmailField, EncryptedTextField
from intake.delivery_errors import describe_failure
from intake.models import Facility, Lead
from outbox.models import Delivery, DeliveryQuerySet, PermanentFailure

# The rule asks providers to keep each estimate for six years from issue.
KEEP_FOR = dt.timedelta(days=6 * 366)


class SelfPayReason(models.TextChoices):
    UNINSURED = "uninsured", "The person has no health insurance"
    NOT_USING_INSURANCE = "not_using_insurance", "The person has insurance but chooses not to use it for this care"


class GoodFaithEstimateQuerySet(models.QuerySet):
    def past_keeping(self, now: dt.datetime | None = None):
        """Estimates issued more than six years ago and not blanked yet: the only ones retention may
        blank."""
        return self.filter(issued_at__lt=(now or timezone.now()) - KEEP_FOR, removed_at__isnull=True)

    def of_anonymised_leads(self):
        """Estimates whose lead retention has already anonymised: kept then, blanked here once their
        six years are up (retention visits a lead only once)."""
        from intake.models.lead import ANONYMISED_PREFIX

        return self.filter(lead__phone_hash__startswith=ANONYMISED_PREFIX)

    def blank(self) -> int:
        """Blank the estimates' PHI (name, date of birth, lines, start) and the addresses they were
        emailed to; the totals, dates and who issued them stay for the metrics and the audit."""
        from intake.retention import blank

        ids = list(self.values_list("pk", flat=True))
        done = blank(GoodFaithEstimate.objects.filter(pk__in=ids))
        blank(EstimateEmail.objects.filter(estimate__in=ids))
        GoodFaithEstimate.objects.filter(pk__in=ids).update(removed_at=timezone.now())
        return done


class GoodFaithEstimate(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="good_faith_estimates")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    self_pay_reason = models.CharField(max_length=30, choices=SelfPayReason.choices)
    patient_name = EncryptedCharField(max_length=100)
    patient_date_of_birth = EncryptedDateField(null=True, blank=True)
    expected_start = EncryptedDateField(null=True, blank=True)
    # The itemised lines as issued (JSON, see `lines`): which levels of care a person is
    # offered is PHI, so it is encrypted like the name.
    lines_json = EncryptedTextField()
    # The provider as printed, copied at issue: a facility's later move or new NPI must not
    # change a document already given.
    provider_json = models.JSONField(default=dict)
    centre_name = models.CharField(max_length=200)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    # When retention blanked its PHI, six years after issue.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GoodFaithEstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        # Issued is issued: a correction is a new estimate, and the old one stays as given.
        if self.pk is not None:
            raise ValidationError("A Good Faith Estimate cannot be changed once issued; issue a new one.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admissions:gfe_pdf", args=[self.lead_id, self.pk])

    @property
    def reference(self) -> str:
        return f"GFE-{self.pk:06d}"

    @property
    def lines(self) -> list[dict]:
        """[{"title", "description", "service_code", "days", "daily_price", "amount", "starts_on"}],
        with money as Decimal and the start as a date; [] once retention has removed them."""
        try:
            lines = json.loads(self.lines_json)
        except ValueError:
            return []
        for line in lines:
            line["daily_price"], line["amount"] = Decimal(line["daily_price"]), Decimal(line["amount"])
            line["starts_on"] = dt.date.fromisoformat(line["starts_on"]) if line["starts_on"] else None
        return lines

    @property
    def total_days(self) -> int:
        return sum(line["days"] for line in self.lines)

    @property
    def providers(self) -> list[dict]:
        """Each facility as printed ({"name", "npi", "tax_id", "address", "phone"}), convening one first."""
        return self.provider_json.get("providers", [])

    def by_provider(self) -> list[dict]:
        """The lines grouped by the facility that provides them, as the rule asks:
        [{"provider": {...}, "lines": [...], "subtotal": Decimal}]."""
        groups = [{"provider": provider, "lines": [], "subtotal": Decimal(0)} for provider in self.providers]
        for line in self.lines:
            group = groups[line["provider"]]
            group["lines"].append(line)
            group["subtotal"] += line["amount"]
        return [group for group in groups if group["lines"]]

    @property
    def provider_gaps(self) -> list[str]:
        """ "Maple House has no NPI": what the printed estimate lacks that the rule asks for."""
        return provider_gaps(self.providers)


def provider_gaps(providers: list[dict]) -> list[str]:
    gaps = []
    for provider in providers:
        lacking = [
            label for key, label in (("npi", "NPI"), ("tax_id", "TIN"), ("address", "address")) if not provider.get(key)
        ]
        if lacking:
            gaps.append(f"{provider['name']} has no {' and no '.join(lacking)} on record")
    return gaps


class EstimateEmailQuerySet(DeliveryQuerySet):
    def for_delivery(self):
        return self.select_related("estimate__lead")

    def queue(self, estimate: GoodFaithEstimate, *, to: str, by: User) -> "EstimateEmail":
        """Queue the estimate for the person's address; the worker wakes once this commits."""
        from django.db import transaction

        from outbox.broker import nudge

        email = self.create(estimate=estimate, to=to, requested_by=by)
        transaction.on_commit(lambda: nudge(EstimateEmail))
        return email


class EstimateEmail(Delivery):
    """An estimate's PDF sent to the person, at the address they gave, because they asked for it
    by email: the worker confirms the address with them, and a request made for a loved one (whose
    address is the caller's) is never emailed. Sending to the person themselves is not a
    disclosure to anyone else."""

    estimate = models.ForeignKey(GoodFaithEstimate, on_delete=models.PROTECT, related_name="emails")
    to = EncryptedEmailField(max_length=254)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = EstimateEmailQuerySet.as_manager()

    class Meta(Delivery.Meta):
        ordering = ["-created_at"]

    def describe_failure(self, exc: Exception) -> str:
        """The error's class and SMTP codes only: a refusal's repr quotes the address (PHI), and
        last_error is shown to staff and kept unencrypted."""
        return describe_failure(exc)

    def perform(self, context) -> None:
        from django.core.mail import EmailMultiAlternatives, mailers

        from ..estimates import estimate_pdf, estimate_pdf_name

        if not self.to:
            raise PermanentFailure("no address to send to")
        centre = self.estimate.centre_name or settings.CENTRE_NAME
        subject, body = estimate_email_words(centre, self.estimate.lead.language)
        message = EmailMultiAlternatives(subject, body, to=[self.to])
        message.attach(estimate_pdf_name(self.estimate), estimate_pdf(self.estimate), "application/pdf")
        mailers.default.send_messages([message])


def estimate_email_words(centre: str, language: str) -> tuple[str, str]:
    """The email around the estimate, in the person's language. No condition, programme or level of
    care in the subject or body: others read inboxes. The PDF itself stays in English (the
    estimate's legal wording is the federal model's): a Spanish email says so and offers to go
    through it on the phone."""
    with translation.override(language):
        subject = _("Your cost estimate from %(centre)s") % {"centre": centre}
        body = _(
            "Hello,\n\nAs you asked, here is your cost estimate from %(centre)s. It is attached as a PDF; "
            "please keep a copy.\n\nIf you have questions, call us on %(phone)s.\n\n%(centre)s\n"
        ) % {"centre": centre, "phone": settings.CENTRE_PHONE}
    return subject, body
