"""A round of eligibility checks: everything one "check this person's insurance" sends, at once.

A round holds one check (one outbox row, retried on its own) per request it sends: one per plan for
a payer that takes several service types in one request, one per plan and service type for a payer
that does not (`insurances.Plan.service_type_requests`). Why it was asked (the visitor's request,
staff, the days before an admission) stays on the round, and so does what a re-check found changed.
"""

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from intake.crypto import EncryptedTextField


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

    def answer(self, which: str = "first"):
        """The round's answer about one plan as one BenefitSummary (the answers to each of its
        requests merged), or None when none of them was answered."""
        from .eligibility.merge import merge_summaries
        from .models import EligibilityCheck

        answered = [
            check
            for check in self.checks.all()
            if check.insurance == which and check.status == EligibilityCheck.Status.SENT and check.summary_data
        ]
        if not answered:
            return None
        answered.sort(key=lambda check: check.pk)
        return merge_summaries([check.summary for check in answered], asked=[check.service_types for check in answered])

    @property
    def finished(self) -> bool:
        """No check of the round is still waiting or being sent."""
        from .models import EligibilityCheck

        running = (EligibilityCheck.Status.PENDING, EligibilityCheck.Status.SENDING)
        return not any(check.status in running for check in self.checks.all())
