import datetime as dt
import json
import logging
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.crash import crash_report
from intake.crypto import EncryptedCharField, EncryptedDateField, EncryptedTextField
from intake.front_door import Submission
from intake.models import BestTime, DisclosureRefused, Lead, LeadKind, LeadRequest, Part2Consent, disclosure_refusal
from intake.retention import REMOVED
from outbox.broker import nudge
from outbox.models import Delivery, DeliveryQuerySet

from . import cards, disclosures, eligibility, mbi_lookup
from .answers import Answer, latest_answer
from .cards import LostCardSides
from .eligibility import (
    DEFAULT_SERVICE_TYPES,
    BenefitSummary,
    CoverageStatus,
    EligibilityError,
    EligibilityRequest,
    TransientEligibilityError,
)
from .insurances import Plan, SecondInsurance, Which
from .payers import Payer
from .rechecks import DueForRecheck
from .rounds import EligibilityRound, RoundReason
from .stays import TypicalStay  # noqa: F401  (a model: Django finds it here)

log = logging.getLogger(__name__)


class Relationship(models.TextChoices):
    SELF = "self", _("I am the policy holder")
    SPOUSE = "spouse", _("Spouse or partner of the policy holder")
    CHILD = "child", _("Child of the policy holder")
    OTHER = "other", _("Other dependent")


class InsurerContact(models.TextChoices):
    CHECK = "check", _("Check with my insurer now, under the consent below")
    BY_PHONE = "by_phone", _("Check by phone without contacting my insurer: call me and we'll go through it together")


class Outcome(models.TextChoices):
    COVERED = "covered", "Covered"
    PARTIAL = "partially_covered", "Partially covered"
    NOT_COVERED = "not_covered", "Not covered"


class VerificationQuerySet(DueForRecheck, models.QuerySet):
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
    # Blank only for a Medicare beneficiary without their card: the check looks up the MBI first.
    member_id = EncryptedCharField(max_length=40, blank=True)
    member_id_looked_up = models.BooleanField(
        default=False, help_text="The member ID (an MBI) was found by a lookup, not read from a card."
    )
    group_number = EncryptedCharField(max_length=40, blank=True)
    # Where the person lives or the plan is from: a state's Medicaid, a Blue plan of one state.
    state = models.CharField(max_length=2, blank=True)
    relationship = models.CharField(max_length=10, choices=Relationship.choices, default=Relationship.SELF)
    subscriber_first_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_last_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_date_of_birth = EncryptedDateField(null=True, blank=True)
    # Encrypted files outside the public media root (see cards.py); names are random.
    card_front = models.CharField(max_length=64, blank=True)
    card_back = models.CharField(max_length=64, blank=True)
    # Sent but not stored (the card store refused the write): the request was kept without them,
    # and staff ask for the card's details on the call.
    lost_card_sides = models.CharField(max_length=5, choices=LostCardSides.choices, blank=True)
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

    def plans(self) -> list[Plan]:
        """The first insurance, and the second when the visitor gave one."""
        plans = [Plan.of(self, Which.FIRST)]
        second = SecondInsurance.objects.filter(verification=self).first()
        if second is not None:
            plans.append(Plan.of(second, Which.SECOND))
        return plans

    def plan(self, which: str = Which.FIRST) -> Plan | None:
        return next((plan for plan in self.plans() if plan.which == which), None)

    def answer(self, which: str = Which.FIRST) -> Answer | None:
        """The payer's latest answer about one plan, what staff and the estimate read (see `answers`)."""
        return latest_answer(self, which)

    @classmethod
    def submit(
        cls,
        data: dict,
        *,
        consent_version: str,
        consent_page: str,
        attribution: dict,
        language: str = "en",
        received_at: dt.datetime | None = None,
        submission_id: uuid.UUID | None = None,
    ) -> "VerificationRequest":
        """Receive the request through intake's front door (it joins the person's open lead or
        starts one, and alerts staff), then store the insurance details (a second insurance too, when
        the visitor gave one) and queue the first eligibility checks, all in one transaction. Card
        images have already been cleaned and stored. A visitor who asked for a call instead gives no
        Part 2 consent, and no check is queued.
        A request that waited in intake's spool passes when it was sent and its entry's id."""
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
            language=language,
            received_at=received_at,
            submission_id=submission_id or uuid.uuid4(),
        )
        state = data.get("state") or ""
        payer = data.get("payer")
        with transaction.atomic():
            lead, lead_request = Lead.objects.receive(submission)
            request = cls.objects.create(
                lead=lead,
                lead_request=lead_request,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                # The form's Medicaid entry becomes the state's own Medicaid here, so the consent
                # below names the plan the check goes to.
                payer=payer.in_state(state) if payer is not None else None,
                payer_other=data.get("payer_other") or "",
                # Blank for Medicare without the card: the check looks the MBI up first.
                member_id=data.get("member_id") or "",
                state=state,
                group_number=data.get("group_number") or "",
                relationship=data["relationship"],
                subscriber_first_name=data.get("subscriber_first_name") or "",
                subscriber_last_name=data.get("subscriber_last_name") or "",
                subscriber_date_of_birth=data.get("subscriber_date_of_birth"),
                card_front=data.get("card_front_name") or "",
                card_back=data.get("card_back_name") or "",
                lost_card_sides=data.get("lost_card_sides") or "",
                by_phone=by_phone,
                created_at=lead_request.created_at,
            )
            if data.get("has_second_insurance"):
                SecondInsurance.objects.create(
                    verification=request,
                    payer=data["second_payer"].in_state(state) if data.get("second_payer") else None,
                    payer_other=data.get("second_payer_other") or "",
                    member_id=data["second_member_id"],
                    group_number=data.get("second_group_number") or "",
                    relationship=data.get("second_relationship") or Relationship.SELF,
                    subscriber_first_name=data.get("second_subscriber_first_name") or "",
                    subscriber_last_name=data.get("second_subscriber_last_name") or "",
                    subscriber_date_of_birth=data.get("second_subscriber_date_of_birth"),
                )
            if by_phone:
                request.set_status(cls.Status.NEEDS_REVIEW)
                return request
            # Both payers of a person with two plans: a check of either is one the consent allows.
            Part2Consent.objects.record(
                lead_request,
                version=consent_version,
                patient=f"{request.first_name} {request.last_name}",
                recipients=disclosures.plans_recipients(request),
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
        # Every plan's payer: the consent must name each one a check of this request may reach.
        return disclosure_refusal(self.lead_request, disclosures.plans_recipients(self, gateway=gateway))

    def start_check(self, *, reason: str = RoundReason.SUBMITTED, by: User | None = None) -> EligibilityRound | None:
        """Queue a round of automated eligibility checks: for each plan with electronic eligibility,
        one check per request its payer takes (see `Plan.service_type_requests`). None, and the
        request left for staff, when no plan has electronic eligibility. Raises DisclosureRefused
        when the person's Part 2 consent does not allow one."""
        refusal = self.disclosure_refusal()
        if refusal is not None:
            raise DisclosureRefused(refusal)
        plans = [plan for plan in self.plans() if plan.electronic]
        if not plans:
            self.set_status(self.Status.NEEDS_REVIEW)
            return None
        round = EligibilityRound.objects.create(verification=self, reason=reason, requested_by=by)
        # A request staff verified stays verified through a re-check that finds nothing changed
        # (a change sends it back to review: reverification.act_on_changes).
        if not (reason != RoundReason.SUBMITTED and self.status == self.Status.VERIFIED):
            self.set_status(self.Status.CHECKING)
        EligibilityCheck.objects.bulk_create(
            EligibilityCheck(
                verification=self,
                round=round,
                insurance=plan.which,
                service_types=service_types,
                gateway=settings.ELIGIBILITY_GATEWAY,
            )
            for plan in plans
            for service_types in plan.service_type_requests()
        )
        transaction.on_commit(lambda: nudge(EligibilityCheck))
        return round

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


class EligibilityCheckQuerySet(DeliveryQuerySet):
    def for_delivery(self):
        return self.select_related("verification__payer", "verification__lead_request")


class EligibilityCheck(Delivery):
    """One automated (or one manually entered) eligibility answer for a verification request."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "running", "Asking the payer"
        SENT = "done", "Answered"
        FAILED = "failed", "Failed"

    verification = models.ForeignKey(VerificationRequest, on_delete=models.CASCADE, related_name="checks")
    # The round it was sent in (none for checks older than rounds, and for entries after a call).
    round = models.ForeignKey(EligibilityRound, null=True, blank=True, on_delete=models.CASCADE, related_name="checks")
    insurance = models.CharField(max_length=10, choices=Which.choices, default=Which.FIRST)
    # The service types this request asks about; empty: all of them (DEFAULT_SERVICE_TYPES).
    service_types = models.JSONField(default=list, blank=True)
    gateway = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    manual = models.BooleanField(default=False, help_text="Entered by staff after a phone call to the payer.")
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trace_number = models.CharField(max_length=50, blank=True)
    # The summary holds the subscriber's name, birth date and member id: encrypted like the
    # raw 271 / JSON answer it came from.
    summary_json = EncryptedTextField(blank=True)
    raw_payload = EncryptedTextField(blank=True)
    coverage_status = models.CharField(max_length=20, blank=True, choices=CoverageStatus.choices)

    objects = EligibilityCheckQuerySet.as_manager()

    # One payer call at a time per claim: a payer that never answers holds back one check.
    batch_size = 1
    max_attempts_setting = "ELIGIBILITY_MAX_ATTEMPTS"

    class Meta(Delivery.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Eligibility check #{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.verification.lead_id}

    @property
    def plan(self) -> Plan:
        return self.verification.plan(self.insurance) or self.verification.plan(Which.FIRST)

    @property
    def asked_service_types(self) -> list[str]:
        return list(self.service_types) or list(DEFAULT_SERVICE_TYPES)

    @property
    def answered(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.SENDING)

    @property
    def summary_data(self) -> dict | None:
        """The stored summary as JSON data; None when there is none, or retention removed it."""
        if not self.summary_json or self.summary_json == REMOVED:
            return None
        return json.loads(self.summary_json)

    @property
    def summary(self):
        data = self.summary_data
        return BenefitSummary.from_dict(data) if data is not None else None

    def perform(self, context) -> None:
        """Ask the payer, and list the disclosure in the lead's accounting whatever happened."""
        request = self.verification
        # Asked again here, not only when queued: a revocation may have come in since.
        refusal = request.disclosure_refusal(gateway=self.gateway)
        if refusal is not None:
            raise DisclosureRefused(refusal)
        listed = False
        if mbi_lookup.needed(self) and not mbi_lookup.before_check(
            self, build_request(request, trace=f"LNT{self.pk:09d}")
        ):
            return  # Medicare found nobody to check: the check's answer says so
        try:
            asked = build_request(request, self.plan, trace=f"LNT{self.pk:09d}", service_types=self.asked_service_types)
            result = eligibility.get_gateway(self.gateway).check(asked)
            disclosures.record_send(self)
            listed = True
            self.record(result.summary, raw=result.raw)
        except (TransientEligibilityError, EligibilityError) as exc:
            disclosures.record_send(self, error=exc)
            raise
        except Exception as exc:
            # Type, place and check id only: the message (and log.exception's traceback) can
            # quote the member's data.
            log.error("Eligibility check %s crashed: %s", self.pk, crash_report(exc))
            if not listed:
                # Where it broke is unknown: listed as sent, since a missing line cannot be found later.
                disclosures.record_send(self, error=exc)
            raise

    def is_permanent(self, exc: Exception) -> bool:
        # Only "try later" answers from the payer or the network are worth another call.
        return not isinstance(exc, TransientEligibilityError)

    def describe_failure(self, exc: Exception) -> str:
        # Staff read this on the workspace. Gateway errors are written for them and describe the
        # payer's answer, never the member's data; anything else is a bug, named for the log.
        if isinstance(exc, EligibilityError | TransientEligibilityError | DisclosureRefused):
            return str(exc)[:300]
        return "The check stopped on an unexpected error; it has been logged for the developers."

    def given_up(self) -> None:
        if self.round_id is not None:
            # The request moves on once the whole round has finished; a re-check is then compared.
            self.round.settle()
            self.round.finish()
            return
        verification = self.verification
        if verification.status == VerificationRequest.Status.CHECKING:
            verification.set_status(VerificationRequest.Status.NEEDS_REVIEW)

    def record(self, summary, *, raw: str = "") -> None:
        with transaction.atomic():
            self.summary_json = json.dumps(summary.to_dict())
            self.raw_payload = raw
            self.coverage_status = summary.status
            self.trace_number = summary.trace_number or self.trace_number
            self.status = self.Status.SENT
            self.finished_at = timezone.now()
            self.last_error = ""
            self.save()
            if self.round_id is not None:
                self.round.settle()
                self.round.finish()
                return
            verification = self.verification
            if verification.status in (VerificationRequest.Status.SUBMITTED, VerificationRequest.Status.CHECKING):
                needs_info = summary.status == CoverageStatus.REJECTED
                verification.set_status(
                    VerificationRequest.Status.NEEDS_INFO if needs_info else VerificationRequest.Status.NEEDS_REVIEW
                )


def build_request(
    verification: VerificationRequest, plan: Plan | None = None, *, trace: str, service_types: list[str] | None = None
):
    """The request for one plan of `verification` (the first by default), about `service_types`
    (all of DEFAULT_SERVICE_TYPES by default). The patient is the same whichever plan is asked."""
    plan = plan or Plan.of(verification, Which.FIRST)
    return EligibilityRequest(
        payer_id=plan.payer.payer_id if plan.payer else "",
        payer_name=plan.payer_name,
        provider_name=settings.CENTRE_NAME,
        provider_npi=settings.PROVIDER_NPI,
        member_id=plan.member_id,
        first_name=verification.first_name,
        last_name=verification.last_name,
        date_of_birth=verification.date_of_birth,
        group_number=plan.group_number,
        relationship=plan.relationship,
        subscriber_first_name=plan.subscriber_first_name,
        subscriber_last_name=plan.subscriber_last_name,
        subscriber_date_of_birth=plan.subscriber_date_of_birth,
        service_types=list(service_types or DEFAULT_SERVICE_TYPES),
        date_of_service=timezone.localdate(),
        trace_number=trace,
    )
