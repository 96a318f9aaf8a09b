"""A round of eligibility checks: everything one "check this person's insurance" sends, at once.

A round holds one check (one outbox row, retried on its own) per request it sends: one per plan for
a payer that takes several service types in one request, one per plan and service type for a payer
that does not (`insurances.Plan.service_type_requests`). Why it was asked (the visitor's request,
staff, the days before an admission) stays on the round, and so does what a re-check found changed.
"""

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from intake.crypto import EncryptedTextField

from .eligibility import BenefitSummary, CoverageStatus
from .eligibility.merge import merge_summaries


class RoundReason(models.TextChoices):
    SUBMITTED = "submitted", "The visitor's request"
    ON_DEMAND = "on_demand", "Checked again by staff"
    BEFORE_ADMISSION = "before_admission", "Re-checked before the admission"


class EligibilityRoundQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-created_at", "-pk")


class EligibilityRound(models.Model):
    verification = models.ForeignKey(
        "verification.VerificationRequest", on_delete=models.CASCADE, related_name="rounds"
    )
    reason = models.CharField(max_length=20, choices=RoundReason.choices, default=RoundReason.SUBMITTED)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # A re-check compared with the answer before it, once every check of the round has finished:
    # when, and what changed, in words for the worker (plan names and figures: encrypted).
    compared_at = models.DateTimeField(null=True, blank=True)
    changes = EncryptedTextField(blank=True)

    objects = EligibilityRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Eligibility round #{self.pk}"

    def get_additional_data(self) -> dict:
        return {"verification_id": self.verification_id}

    def plan_checks(self, which: str) -> list:
        """The round's checks (requests) about one plan, in the order they were queued."""
        return sorted((check for check in self.checks.all() if check.insurance == which), key=lambda check: check.pk)

    def answered_checks(self, which: str = "first") -> list:
        """The checks about one plan the payer answered, whose answer retention has not removed."""
        return [check for check in self.plan_checks(which) if check.answered and check.summary_data is not None]

    def answer(self, which: str = "first") -> BenefitSummary | None:
        """The round's answer about one plan as one BenefitSummary (the answers to each of its
        requests merged, naming the service types of requests with no answer yet), or None when
        none of them was answered."""
        answered = self.answered_checks(which)
        if not answered:
            return None
        missing = [check.asked_service_types for check in self.plan_checks(which) if not check.answered]
        return merge_summaries(
            [check.summary for check in answered],
            asked=[check.service_types for check in answered],
            missing=missing,
        )

    @property
    def finished(self) -> bool:
        """No check of the round is still waiting or being sent."""
        return not any(check.running for check in self.checks.all())

    def settle(self) -> None:
        """Called in the transaction of each of its checks that finishes (answered, or failed for
        good): once none is left running, the request moves on from "checking", to "needs info"
        when the payer rejected a plan's details, else to "needs review". Not at the first answer:
        staff would review a summary still missing most of its service types."""
        with transaction.atomic():
            # Two checks finishing at once in two workers: each waits for the other's commit
            # here, so the second always sees the first finished and none leaves it "checking".
            list(EligibilityRound.objects.select_for_update().filter(pk=self.pk).values_list("pk", flat=True))
            if not self.finished:
                return
            verification = self.verification
            if verification.status not in (verification.Status.SUBMITTED, verification.Status.CHECKING):
                return
            plans = dict.fromkeys(check.insurance for check in self.checks.all())
            answers = [self.answer(which) for which in plans]
            rejected = any(answer is not None and answer.status == CoverageStatus.REJECTED for answer in answers)
            verification.set_status(verification.Status.NEEDS_INFO if rejected else verification.Status.NEEDS_REVIEW)
