"""The insurance result on a staff queue row: what a worker can tell the caller before opening the lead.

Each lead's newest request that staff have not closed is what counts: closing a duplicate request
must not hide the earlier one that was verified. A payer's rejection is worded from its reason:
only some reasons are about the visitor's details; others are ours to fix (our provider number,
our account with the payer) or the payer's (its system did not answer).
"""

from django.db import models

from intake.extensions import Fact

from .eligibility import CoverageStatus
from .models import EligibilityCheck, Outcome, VerificationRequest

Status = VerificationRequest.Status

VERDICTS = {
    Outcome.COVERED: Fact("Covered", "good"),
    Outcome.PARTIAL: Fact("Partly covered", "warning"),
    Outcome.NOT_COVERED: Fact("Not covered", "danger"),
}
# What the payer said, before staff have reviewed it: an active plan is not yet a covered stay.
ANSWERS = {
    CoverageStatus.ACTIVE: Fact("Plan active: to review"),
    CoverageStatus.INACTIVE: Fact("Plan inactive: to review", "danger"),
}
CHECK_CLOSED = Fact("Check closed")

# AAA reject reasons (5010 TR3) by who can put them right. Any other reason: "see the lead".
VISITOR_DETAILS = {"15", "58", "65", "67", "68", "69", "71", "72", "73", "74", "75", "76", "77", "78", "79"}
OUR_SETUP = {"41", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56"}
PAYER_UNAVAILABLE = {"42", "80"}
DATES = {"57", "60", "61", "62", "63"}
NO_MATCH = Fact("Payer found no match: check details", "warning")
REJECTION_FACTS = [
    (VISITOR_DETAILS, NO_MATCH),
    (OUR_SETUP, Fact("Payer refused our provider details: nothing to ask the visitor", "danger")),
    (PAYER_UNAVAILABLE, Fact("Payer could not answer: try again", "warning")),
    (DATES, Fact("Payer refused the date asked: run again", "warning")),
]
REJECTED_OTHERWISE = Fact("Payer rejected the request: see the lead", "warning")


def queue_results(lead_ids: list[int]) -> dict[int, Fact]:
    """Each lead's newest open request in a few words, with its newest check's answer: one query
    for a page of the queue, and one more only when a row shows a payer's rejection."""
    # The newest answer: a round's request that failed (or is still waiting) beside its answered
    # ones says nothing about coverage, as the workspace, which shows the latest answer, agrees.
    # The first card's answer: a second plan's ("first" sorts before "second") is read on the workspace,
    # beside which pays first; a parent's ended plan must not show the person's own active one as inactive.
    newest_check = (
        EligibilityCheck.objects.filter(verification=models.OuterRef("pk"))
        .exclude(coverage_status="")
        .order_by("insurance", "-created_at", "-pk")
    )
    closed_last = models.Case(models.When(status=Status.CLOSED, then=1), default=0)
    # Every request of the page's leads (a lead has one or a few), best first, and the first of each
    # lead kept here: DISTINCT ON would do it in the database, but SQLite (make run) has none.
    requests = (
        VerificationRequest.objects.filter(lead_id__in=lead_ids)
        .alias(closed_last=closed_last)
        .order_by("lead_id", "closed_last", "-created_at", "-pk")
        .annotate(
            coverage=models.Subquery(newest_check.values("coverage_status")[:1]),
            newest_check_id=models.Subquery(newest_check.values("pk")[:1]),
        )
        .only("lead_id", "status", "outcome", "by_phone")
    )
    first_of_each: dict[int, VerificationRequest] = {}
    for request in requests:
        first_of_each.setdefault(request.lead_id, request)
    newest = list(first_of_each.values())
    rejected = [request.newest_check_id for request in newest if _rejected(request)]
    reasons = _rejection_reasons(rejected) if rejected else {}
    return {request.lead_id: _result(request, reasons.get(request.pk, "")) for request in newest}


def _rejected(request) -> bool:
    return request.status not in (Status.VERIFIED, Status.CLOSED) and request.coverage == CoverageStatus.REJECTED


def _rejection_reasons(check_ids: list[int]) -> dict[int, str]:
    """The first reject reason of each of these checks (each request's newest), by request. The
    summary is encrypted: only these checks are read and decrypted."""
    reasons = {}
    for check in EligibilityCheck.objects.filter(pk__in=check_ids).only("verification_id", "summary_json"):
        data = check.summary_data  # None once retention has removed it
        rejections = data.get("rejections") if data else None
        reasons[check.verification_id] = (rejections or [{}])[0].get("code", "")
    return reasons


def rejection_fact(code: str) -> Fact:
    """A rejection in the words of who can fix it; no reason (a rejection entered by hand after a
    call to the payer) is the payer finding no match."""
    if not code:
        return NO_MATCH
    return next((fact for codes, fact in REJECTION_FACTS if code in codes), REJECTED_OTHERWISE)


def _result(request, reason: str) -> Fact:
    if request.status == Status.CLOSED:  # every request of this lead was closed by staff
        return CHECK_CLOSED
    if request.status == Status.VERIFIED:
        return VERDICTS.get(request.outcome, Fact("Verified"))
    if request.by_phone:
        return Fact("By phone: insurer not contacted")
    if request.status in (Status.SUBMITTED, Status.CHECKING):
        return Fact("Checking")
    if request.coverage == CoverageStatus.REJECTED:
        return rejection_fact(reason)
    if request.status == Status.NEEDS_INFO:
        return Fact("Needs details from the visitor", "warning")
    return ANSWERS.get(request.coverage or "", Fact("To review: no payer answer"))
