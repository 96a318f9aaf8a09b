import datetime as dt
import json
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from intake.crypto import EncryptedCharField, EncryptedDateField, EncryptedTextField
from intake.front_door import Submission
from intake.models import BestTime, DisclosureRefused, Lead, LeadKind, LeadRequest, Part2Consent, disclosure_refusal

from . import cards, disclosures

log = logging.getLogger(__name__)


class Payer(models.Model):
    """An insurer visitors can pick. Payer ids are the clearinghouse ids used in a 270."""

    name = models.CharField(max_length=100, unique=True)
    payer_id = models.CharField(
        max_length=20, blank=True, help_text="Empty: no electronic eligibility; verify by phone."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def electronic(self) -> bool:
        return bool(self.payer_id)


class Relationship(models.TextChoices):
    SELF = "self", "I am the policy holder"
    SPOUSE = "spouse", "Spouse or partner of the policy holder"
    CHILD = "child", "Child of the policy holder"
    OTHER = "other", "Other dependent"


class InsurerContact(models.TextChoices):
    CHECK = "check", "Check with my insurer now, under the consent below"
    BY_PHONE = "by_phone", "Check by phone without contacting my insurer: call me and we'll go through it together"


class Outcome(models.TextChoices):
    COVERED = "covered", "Covered"
    PARTIAL = "partially_covered", "Partially covered"
    NOT_COVERED = "not_covered", "Not covered"


class VerificationQuerySet(models.QuerySet):
    def with_lead(self):
        return self.select_related("lead", "payer")


class VerificationRequest(models.Model):
    """A visitor's request to check their insurance; it is worked as a lead in the queue."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CHECKING = "checking", "Checking with the payer"
        NEEDS_REVIEW = "needs_review", "Needs review"
        NEEDS_INFO = "needs_info", "Needs information from the visitor"
        VERIFIED = "verified", "Verified"
        CLOSED = "closed", "Closed"

    # A person may ask more than once: each request joins their lead (intake's front door).
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="verifications")
    lead_request = models.OneToOneField(
        LeadRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="verification"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    # PHI, encrypted at rest. The patient's name, phone and email are on the lead.
    first_name = EncryptedCharField(max_length=60)
    last_name = EncryptedCharField(max_length=60)
    date_of_birth = EncryptedDateField()
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="verifications")
    payer_other = EncryptedCharField(max_length=100, blank=True)
    member_id = EncryptedCharField(max_length=40)
    group_number = EncryptedCharField(max_length=40, blank=True)
    relationship = models.CharField(max_length=10, choices=Relationship.choices, default=Relationship.SELF)
    subscriber_first_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_last_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_date_of_birth = EncryptedDateField(null=True, blank=True)
    # Encrypted files outside the public media root (see cards.py); names are random.
    card_front = models.CharField(max_length=64, blank=True)
    card_back = models.CharField(max_length=64, blank=True)
    # The visitor chose "check by phone without contacting my insurer": nothing is sent to a payer;
    # staff call them instead.
    by_phone = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff_summary = EncryptedTextField(max_length=4000, blank=True)

    objects = VerificationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Verification #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("verification:workspace", args=[self.pk])

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    @property
    def reference(self) -> str:
        return self.lead.reference

    @property
    def payer_name(self) -> str:
        return self.payer.name if self.payer else self.payer_other

    @property
    def latest_check(self) -> "EligibilityCheck | None":
        return self.checks.order_by("-created_at").first()

    @classmethod
    def submit(cls, data: dict, *, consent_version: str, consent_page: str, attribution: dict) -> "VerificationRequest":
        """Receive the request through intake's front door (it joins the person's open lead or
        starts one, and alerts staff), then store the insurance details and queue the first
        eligibility check, all in one transaction. Card images have already been cleaned and stored.
        A visitor who asked for a call instead gives no Part 2 consent, and no check is queued."""
        by_phone = data.get("insurer_contact") == InsurerContact.BY_PHONE
        submission = Submission(
            kind=LeadKind.VERIFICATION,
            name=f"{data['first_name']} {data['last_name']}",
            phone=data["phone"],
            email=data.get("email") or "",
            best_time=data.get("best_time") or BestTime.ASAP,
            ok_to_text=bool(data.get("ok_to_text")),
            ok_to_voicemail=bool(data.get("ok_to_voicemail")),
            consent_version=consent_version,
            consent_page=consent_page,
            attribution=attribution,
        )
        with transaction.atomic():
            lead, lead_request = Lead.objects.receive(submission)
            request = cls.objects.create(
                lead=lead,
                lead_request=lead_request,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                payer=data.get("payer"),
                payer_other=data.get("payer_other") or "",
                member_id=data["member_id"],
                group_number=data.get("group_number") or "",
                relationship=data["relationship"],
                subscriber_first_name=data.get("subscriber_first_name") or "",
                subscriber_last_name=data.get("subscriber_last_name") or "",
                subscriber_date_of_birth=data.get("subscriber_date_of_birth"),
                card_front=data.get("card_front_name") or "",
                card_back=data.get("card_back_name") or "",
                by_phone=by_phone,
                created_at=lead_request.created_at,
            )
            if by_phone:
                request.set_status(cls.Status.NEEDS_REVIEW)
                return request
            electronic = request.payer is not None and request.payer.electronic
            Part2Consent.objects.record(
                lead_request,
                version=consent_version,
                patient=f"{request.first_name} {request.last_name}",
                recipients=disclosures.recipients(request.payer_name, electronic=electronic),
            )
            try:
                request.start_check()
            except DisclosureRefused:
                # The person revoked their consent on this lead before: staff see why on the workspace.
                request.set_status(cls.Status.NEEDS_REVIEW)
        return request

    def disclosure_refusal(self, gateway: str | None = None) -> str | None:
        """Why nothing may be sent to a payer for this request, in words for staff; None if allowed.
        The recipients a check through `gateway` (default: the configured one) would reach must be
        ones the visitor's consent named."""
        if self.by_phone:
            return "The visitor asked us not to contact their insurer: call them and go through it by phone."
        gateway = gateway or settings.ELIGIBILITY_GATEWAY
        if disclosures.leaves_lantern(gateway) and not settings.ELIGIBILITY_CLEARINGHOUSE_NAME.strip():
            return "ELIGIBILITY_CLEARINGHOUSE_NAME is not set: no consent names the clearinghouse, so nothing is sent."
        electronic = self.payer is not None and self.payer.electronic
        named = disclosures.recipients(self.payer_name, electronic=electronic, gateway=gateway)
        return disclosure_refusal(self.lead_request, named)

    def start_check(self) -> "EligibilityCheck | None":
        """Queue an automated eligibility check, unless the payer has no electronic eligibility.
        Raises DisclosureRefused when the person's Part 2 consent does not allow one."""
        refusal = self.disclosure_refusal()
        if refusal is not None:
            raise DisclosureRefused(refusal)
        if self.payer is None or not self.payer.electronic:
            self.set_status(self.Status.NEEDS_REVIEW)
            return None
        check = EligibilityCheck.objects.create(verification=self, gateway=settings.ELIGIBILITY_GATEWAY)
        self.set_status(self.Status.CHECKING)
        transaction.on_commit(check.enqueue)
        return check

    def set_status(self, status: str) -> None:
        self.status = status
        self.save(update_fields=["status", "updated_at"])

    def mark_verified(self, *, by: User, outcome: str, summary: str = "") -> None:
        self.status = self.Status.VERIFIED
        self.outcome = outcome
        self.verified_by = by
        self.verified_at = timezone.now()
        self.staff_summary = summary
        self.save()

    def card_names(self) -> list[str]:
        return [name for name in (self.card_front, self.card_back) if name]

    def delete_cards(self) -> None:
        for name in self.card_names():
            cards.delete(name)


class EligibilityCheckQuerySet(models.QuerySet):
    def stale(self, now: dt.datetime | None = None):
        """Checks whose task message was lost, or whose worker died mid-check."""
        now = now or timezone.now()
        return self.filter(
            models.Q(status=EligibilityCheck.Status.PENDING, due_at__lte=now - EligibilityCheck.requeue_after())
            | models.Q(status=EligibilityCheck.Status.RUNNING, started_at__lte=now - dt.timedelta(minutes=10))
        )


class EligibilityCheck(models.Model):
    """One automated (or one manually entered) eligibility answer for a verification request."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Asking the payer"
        DONE = "done", "Answered"
        FAILED = "failed", "Failed"

    verification = models.ForeignKey(VerificationRequest, on_delete=models.CASCADE, related_name="checks")
    gateway = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    manual = models.BooleanField(default=False, help_text="Entered by staff after a phone call to the payer.")
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    trace_number = models.CharField(max_length=50, blank=True)
    # The summary holds the subscriber's name, birth date and member id: encrypted like the
    # raw 271 / JSON answer it came from.
    summary_json = EncryptedTextField(blank=True)
    raw_payload = EncryptedTextField(blank=True)
    coverage_status = models.CharField(max_length=20, blank=True)  # active / inactive / rejected / error
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EligibilityCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Eligibility check #{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.verification.lead_id}

    @property
    def summary(self):
        from .eligibility import BenefitSummary

        return BenefitSummary.from_dict(json.loads(self.summary_json)) if self.summary_json else None

    @staticmethod
    def requeue_after() -> dt.timedelta:
        """A pending check is enqueued again after this long: its message may be waiting in the queue."""
        return dt.timedelta(minutes=1)

    def enqueue(self) -> bool:
        from intake.models import publish

        from .tasks import run_eligibility_check

        return publish(run_eligibility_check, self.pk, what="eligibility check")

    def claim(self) -> bool:
        claimed = EligibilityCheck.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
            status=self.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def run(self) -> int | None:
        """Ask the payer. Returns a delay in seconds when the answer was "try later"."""
        from .eligibility import EligibilityError, TransientEligibilityError, crash_report, get_gateway

        if not self.claim():
            return None
        request = self.verification
        # Asked again here, not only when queued: a revocation may have come in since.
        refusal = request.disclosure_refusal(gateway=self.gateway)
        if refusal is not None:
            return self._fail(DisclosureRefused(refusal))
        listed = False
        try:
            result = get_gateway(self.gateway).check(build_request(request, trace=f"LNT{self.pk:09d}"))
            disclosures.record_send(self)
            listed = True
            self.record(result.summary, raw=result.raw)
        except TransientEligibilityError as exc:
            disclosures.record_send(self, error=exc)
            return self._retry_later(exc)
        except EligibilityError as exc:
            disclosures.record_send(self, error=exc)
            return self._fail(exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not leave the check hanging
            # Type, place and check id only: the message (and log.exception's traceback) can
            # quote the member's data.
            log.error("Eligibility check %s crashed: %s", self.pk, crash_report(exc))
            if not listed:
                # Where it broke is unknown: listed as sent, since a missing line cannot be found later.
                disclosures.record_send(self, error=exc)
            return self._fail(exc)
        return None

    def record(self, summary, *, raw: str = "") -> None:
        with transaction.atomic():
            self.summary_json = json.dumps(summary.to_dict())
            self.raw_payload = raw
            self.coverage_status = summary.status
            self.trace_number = summary.trace_number or self.trace_number
            self.status = self.Status.DONE
            self.finished_at = timezone.now()
            self.error = ""
            self.save()
            verification = self.verification
            if verification.status in (VerificationRequest.Status.SUBMITTED, VerificationRequest.Status.CHECKING):
                needs_info = summary.status == "rejected"
                verification.set_status(
                    VerificationRequest.Status.NEEDS_INFO if needs_info else VerificationRequest.Status.NEEDS_REVIEW
                )

    def _retry_later(self, exc) -> int | None:
        if self.attempts >= settings.ELIGIBILITY_MAX_ATTEMPTS:
            return self._fail(exc)
        delay = min(60 * 2 ** (self.attempts - 1), 1800)
        self.status = self.Status.PENDING
        self.due_at = timezone.now() + dt.timedelta(seconds=delay)
        self.error = _error_text(exc)
        self.save(update_fields=["status", "due_at", "error"])
        return delay

    def _fail(self, exc) -> None:
        self.status = self.Status.FAILED
        self.finished_at = timezone.now()
        self.error = _error_text(exc)
        self.save(update_fields=["status", "finished_at", "error"])
        verification = self.verification
        if verification.status == VerificationRequest.Status.CHECKING:
            verification.set_status(VerificationRequest.Status.NEEDS_REVIEW)
        return None


def _error_text(exc) -> str:
    # Staff read this on the workspace. Gateway errors are written for them and describe the
    # payer's answer, never the member's data; anything else is a bug, named for the log.
    from .eligibility import EligibilityError, TransientEligibilityError

    if isinstance(exc, EligibilityError | TransientEligibilityError | DisclosureRefused):
        return str(exc)[:300]
    return "The check stopped on an unexpected error; it has been logged for the developers."


def build_request(verification: VerificationRequest, *, trace: str):
    from .eligibility import EligibilityRequest

    return EligibilityRequest(
        payer_id=verification.payer.payer_id if verification.payer else "",
        payer_name=verification.payer_name,
        provider_name=settings.CENTRE_NAME,
        provider_npi=settings.PROVIDER_NPI,
        member_id=verification.member_id,
        first_name=verification.first_name,
        last_name=verification.last_name,
        date_of_birth=verification.date_of_birth,
        group_number=verification.group_number,
        relationship=verification.relationship,
        subscriber_first_name=verification.subscriber_first_name,
        subscriber_last_name=verification.subscriber_last_name,
        subscriber_date_of_birth=verification.subscriber_date_of_birth,
        date_of_service=timezone.localdate(),
        trace_number=trace,
    )
