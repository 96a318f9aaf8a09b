"""The insured person's per-level estimate, printed: what the benefits workspace already works out
(verification.estimate, from the payer's current answer, `VerificationRequest.answer`), as a PDF
the person can keep. Not a Good Faith Estimate: an insured person using their plan gets an
estimate of their own share."""

from django.conf import settings
from django.utils import timezone

from verification.estimate import CAVEAT
from verification.insurances import Which
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
    """What the PDF prints, or None while the payer has not answered."""
    answer = verification.answer(Which.FIRST)
    if answer is None:
        return None
    readout = read_out(answer.summary, TypicalStay.objects.by_level())
    return {
        "verification": verification,
        "payer": verification.payer.name if verification.payer else "your insurer",
        "answered_at": answer.answered_at,
        "readout": readout,
        "caveat": CAVEAT,
        "not_a_gfe": NOT_A_GFE,
        "centre_name": settings.CENTRE_NAME,
        "centre_phone": settings.CENTRE_PHONE,
        "printed_at": timezone.now(),
    }


def insured_estimate_pdf(verification: VerificationRequest) -> bytes | None:
    context = insured_estimate_context(verification)
    return render_pdf("admissions/estimate_insured_pdf.html", context) if context else None
