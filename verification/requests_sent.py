"""The requests each round of checks sent, as the benefits workspace lists them.

A payer that takes one service type per request is asked once per type, each request retried on
its own; staff need to see which of them the payer answered, with what, and which are still
waiting or failed, since the merged summary is only as whole as its parts (see `eligibility.merge`).
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .eligibility import CoverageStatus
from .eligibility.codes import describe
from .eligibility.service_types import SERVICE_TYPES
from .insurances import Which
from .models import EligibilityCheck
from .rounds import EligibilityRound

# What a payer's answer means, in the words a worker reads (the timeline says the same).
ANSWERS = {
    CoverageStatus.ACTIVE: "coverage active",
    CoverageStatus.INACTIVE: "coverage not active",
    CoverageStatus.REJECTED: "request rejected (details did not match)",
    CoverageStatus.ERROR: "no answer about coverage",
}
PLAN_LEVEL_ONLY = "answered with plan-level benefits only"


@dataclass
class SentRequest:
    check: EligibilityCheck
    plan: str
    # (code, words) of each service type it asked about.
    service_types: list[tuple[str, str]]
    status: str
    trace: str
    # What the payer answered, in words; "" while it has not.
    answer: str = ""


@dataclass
class SentRound:
    round: EligibilityRound
    requests: list[SentRequest] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.round.finished

    @property
    def answered(self) -> int:
        return sum(request.check.answered for request in self.requests)


def requests_sent(verification) -> list[SentRound]:
    """Every round of `verification`, the latest first, each with its requests in the order sent."""
    checks = Prefetch("checks", queryset=EligibilityCheck.objects.defer("raw_payload").order_by("pk"))
    rounds = verification.rounds.select_related("requested_by").prefetch_related(checks)
    return [SentRound(round, [_request(check) for check in round.checks.all()]) for round in rounds]


def _request(check: EligibilityCheck) -> SentRequest:
    return SentRequest(
        check=check,
        plan="First insurance" if check.insurance == Which.FIRST else "Second insurance",
        service_types=[(code, describe(SERVICE_TYPES, code)) for code in check.asked_service_types],
        status=_status(check),
        # The number this request was sent under, which the payer echoes in its answer.
        trace=check.trace_number or f"LNT{check.pk:09d}",
        answer=answer_words(check) if check.answered else "",
    )


def _status(check: EligibilityCheck) -> str:
    if check.status == check.Status.PENDING and check.attempts:
        return f"Waiting to try again ({check.attempts} {'try' if check.attempts == 1 else 'tries'} so far)"
    tries = f" ({check.attempts} tries)" if check.attempts > 1 else ""
    return f"{check.get_status_display()}{tries}"


def answer_words(check: EligibilityCheck) -> str:
    """The coverage one request's answer gave; for an active answer that says nothing of the
    service types asked beyond the plan (30), that it is the plan's benefits only."""
    # Read as stored data, not as a BenefitSummary: the page lists every request of every round,
    # and building each summary (the merged answer builds them once already) doubled its time.
    data = check.summary_data  # None once retention has removed it
    if data is None:
        return "answered (the answer is no longer kept)"
    status = data.get("status", "")
    words = ANSWERS.get(status, "answered")
    asked = [code for code in check.asked_service_types if code != "30"]
    if status == CoverageStatus.ACTIVE and asked and not set(asked) & _stated_service_types(data):
        words += f", {PLAN_LEVEL_ONLY}"
    return words


def _stated_service_types(data: dict) -> set[str]:
    """`merge.stated_service_types` of a stored summary: a row naming none is about the plan (30)."""
    people = data.get("subscribers") or []
    rows = [row for person in people for row in person.get("benefits") or []]
    return {code for row in rows for code in row.get("service_types") or ["30"]}
