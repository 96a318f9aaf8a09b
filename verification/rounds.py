"""A round of eligibility checks: everything one "check this person's insurance" sends, at once.

A round holds one check (one outbox row, retried on its own) per request it sends: one per plan for
a payer that takes several service types in one request, one per plan and service type for a payer
that does not (`insurances.Plan.service_type_requests`). Why it was asked (the visitor's request,
staff, the days before an admission) stays on the round, and so does what a re-check found changed.
"""

import json
import logging

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from config.crash import crash_report
from intake.crypto import EncryptedTextField
from intake.retention import REMOVED

from .changes import Change, headlines
from .eligibility import BenefitSummary, CoverageStatus
from .eligibility.merge import merge_summaries

log = logging.getLogger(__name__)


class RoundReason(models.TextChoices):
    SUBMITTED = "submitted", "The visitor's request"
    ON_DEMAND = "on_demand", "Checked again by staff"
    BEFORE_ADMISSION = "before_admission", "Re-checked before the admission"


# Rounds compared with the answer before them when they finish (`EligibilityRound.finish`).
RECHECKS = (RoundReason.ON_DEMAND, RoundReason.BEFORE_ADMISSION)


class EligibilityRoundQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-created_at", "-pk")

    def compared(self):
        """Re-checks that have been compared with the answer before them, latest first."""
        return self.filter(compared_at__isnull=False).latest_first()

    def before(self, round: "EligibilityRound"):
        """The rounds of the same request sent before `round`."""
        earlier = models.Q(created_at__lt=round.created_at) | models.Q(created_at=round.created_at, pk__lt=round.pk)
        return self.filter(earlier, verification_id=round.verification_id).latest_first()


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
    # When the answer it was compared with came ("changed since the last check on ...").
    previous_answer_at = models.DateTimeField(null=True, blank=True)
    # A re-check before an admission that the person's Part 2 consent did not allow: why nothing
    # was sent (words for staff, naming no PHI). The round has no checks; it stands so that the
    # re-check is not tried, and noted on the timeline, every hour until the admission.
    not_sent = models.CharField(max_length=300, blank=True)

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

    @property
    def change_list(self) -> list[Change]:
        """What the re-check found changed (empty: nothing, not compared yet, or removed by retention)."""
        if not self.changes or self.changes == REMOVED:
            return []
        return [Change.from_dict(item) for item in json.loads(self.changes)]

    @property
    def headlines(self) -> list[str]:
        """The kinds of change found, in words that name no PHI ("coverage ended")."""
        return headlines(self.change_list)

    def finish(self) -> bool:
        """Called by each check of the round as it finishes (answered or given up). Once all have,
        a re-check is compared with the answer before it, once: what changed is kept on the round,
        shown on the workspace and the lead's timeline, and the lead's worker is alerted.

        Checks of one round finish on several workers at once; the round's row lock makes them
        take turns, and each one reads the others' outcomes only after the lock is its own, so the
        last to finish always sees the round finished. True when this call compared."""
        if self.reason not in RECHECKS:
            return False
        from .reverification import act_on_changes, compare

        try:
            # A savepoint: a comparison that breaks must not undo the payer's answer being saved.
            with transaction.atomic():
                # Only the round's row: the request and lead rows are locked by other paths, in their order.
                locked = EligibilityRound.objects.select_for_update(of=("self",)).select_related("verification__lead")
                locked = locked.get(pk=self.pk)
                if locked.compared_at is not None or not locked.finished:
                    return False
                changes, since = compare(locked)
                locked.changes = json.dumps([change.to_dict() for change in changes]) if changes else ""
                locked.previous_answer_at, locked.compared_at = since, timezone.now()
                locked.save(update_fields=["changes", "previous_answer_at", "compared_at"])
                if changes:
                    act_on_changes(locked)
        except Exception as exc:  # noqa: BLE001 - logged by id; the answer itself is kept
            log.error("Eligibility round %s was not compared: %s", self.pk, crash_report(exc))
            return False
        self.changes, self.previous_answer_at, self.compared_at = locked.changes, since, locked.compared_at
        return True

    def previous_answer(self, which: str):
        """(when, BenefitSummary) of the last answer about plan `which` before this round: an
        earlier round's, or a check outside any round (entered after a call to the payer, or sent
        before checks came in rounds), whichever came last. None when there was none."""
        from .models import EligibilityCheck

        found = None
        for earlier in EligibilityRound.objects.before(self).prefetch_related("checks"):
            summary = earlier.answer(which)
            if summary is not None:
                answered = [
                    c.finished_at
                    for c in earlier.checks.all()
                    if c.insurance == which and c.status == EligibilityCheck.Status.SENT and c.finished_at
                ]
                found = (max(answered, default=earlier.created_at), summary)
                break
        loose = (
            EligibilityCheck.objects.filter(
                verification_id=self.verification_id,
                round__isnull=True,
                insurance=which,
                status=EligibilityCheck.Status.SENT,
                finished_at__lt=self.created_at,
            )
            .order_by("-finished_at", "-pk")
            .first()
        )
        if loose is not None and loose.summary is not None and (found is None or loose.finished_at > found[0]):
            found = (loose.finished_at, loose.summary)
        return found
