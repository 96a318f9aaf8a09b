"""The insured person's per-level estimate, printed: what the benefits workspace already works out
(verification.estimate, from the latest answer of the plan that pays first), as a PDF the person can
keep. Not a Good Faith Estimate: an insured person using their plan gets an estimate of their own share."""

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst

from verification.coordination import Coordination, answers_of, coordinate, estimate_plan
from verification.estimate import CAVEAT
from verification.insurances import Plan
from verification.models import VerificationRequest
from verification.readout import read_out
from verification.stays import TypicalStay

from .pdf import render_pdf

NOT_A_GFE = (
    "This is an estimate of your own share of the cost under your health plan, worked out from what "
    "your insurer told us on the date below. It is not a bill, not a contract and not a promise that your "
    "plan will pay: your insurer decides what it pays when the claim is sent, and the amounts change as "
    "other care you receive is counted towards your deductible and out-of-pocket maximum. It is not a "
    "Good Faith Estimate for self-pay care; if you decide not to use your insurance, ask us for one."
)


def insured_estimate_context(verification: VerificationRequest) -> dict | None:
    """What the PDF prints, or None while no payer has answered. A person with two plans gets the
    estimate of the plan that pays first (the first one's while that is not known), and is told which."""
    answers = answers_of(verification)
    coordination = coordinate(verification, answers)
    chosen = estimate_plan(verification, coordination, answers)
    if chosen.summary is None:
        return None
    latest = chosen.answer
    readout = read_out(chosen.summary, TypicalStay.objects.by_level())
    plan = chosen.plan
    return {
        "verification": verification,
        "payer": (plan.payer.name if plan.payer else "") or "your insurer",
        "which_plan": _which_plan(plan, [one.plan for one in answers], coordination),
        "answered_at": latest.answered_at,
        "readout": readout,
        "caveat": CAVEAT,
        "not_a_gfe": NOT_A_GFE,
        "centre_name": settings.CENTRE_NAME,
        "centre_phone": settings.CENTRE_PHONE,
        "printed_at": timezone.now(),
    }


def _which_plan(plan: Plan, plans: list[Plan], coordination: Coordination) -> str:
    """For a person with two plans: which one the estimate is from, and what that leaves out."""
    if len(plans) < 2:
        return ""
    other = next(one for one in plans if one.which != plan.which)
    mine = plan.payer.name if plan.payer else "the plan"
    theirs = other.payer.name if other.payer else "your other plan"
    if coordination.primary == plan.which:
        return (
            f"You have two insurances. Your insurers told us {mine} pays first, so this estimate is worked out "
            f"from its answer. {capfirst(theirs)} may then pay part of what is left; that is not counted here."
        )
    return (
        f"You have two insurances, and which one pays first is not settled yet. This estimate is worked out "
        f"from {mine}'s answer alone; what you pay depends on which plan pays first."
    )


def insured_estimate_pdf(verification: VerificationRequest) -> bytes | None:
    context = insured_estimate_context(verification)
    return render_pdf("admissions/estimate_insured_pdf.html", context) if context else None
