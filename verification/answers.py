"""The payer's current answer about one plan of a request: what the benefits workspace, the printed
estimate and anything else reading "what did the payer say" use.

It is the merged answer of the latest round of checks with an answer for that plan (a payer asked
one service type per request answers in several parts, see `eligibility.merge`), unless an answer
entered after a phone call (a check outside any round) is newer. A round still running counts once
one of its requests is answered: the summary then names the service types still waiting.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch

from .eligibility import BenefitSummary


@dataclass
class Answer:
    summary: BenefitSummary
    answered_at: dt.datetime
    # The checks the summary came from: the answered requests of a round, or the one check outside rounds.
    checks: list = field(default_factory=list)
    # The round, or None for an answer entered after a call (or one from before rounds).
    round: object = None

    @property
    def manual(self) -> bool:
        return any(check.manual for check in self.checks)

    @property
    def entered_by(self):
        return next((check.entered_by for check in self.checks if check.manual), None)

    @property
    def gateway(self) -> str:
        return self.checks[0].gateway if self.checks else ""

    @property
    def coverage_status(self) -> str:
        return self.summary.status


def latest_answer(verification, which: str) -> Answer | None:
    """The newest of: the latest round's merged answer about plan `which`, and the latest check
    outside rounds answered about it. None while the payer has answered nothing about the plan."""
    found = (_from_rounds(verification, which), _outside_rounds(verification, which))
    return max((answer for answer in found if answer), key=lambda answer: answer.answered_at, default=None)


def _when(check) -> dt.datetime:
    return check.finished_at or check.created_at


def _from_rounds(verification, which: str) -> Answer | None:
    # The raw answers are not read here: not decrypted either.
    checks = Prefetch("checks", queryset=verification.checks.model.objects.defer("raw_payload"))
    # A round still sending (a re-check fanned out over eight requests, half answered) gives way to
    # the last finished one: staff, the estimate and the hand-off read a whole answer, never half of one.
    partial = None
    for round in verification.rounds.prefetch_related(checks):  # the latest first
        answered = round.answered_checks(which)
        if not answered:
            continue
        answer = Answer(round.answer(which), max(map(_when, answered)), answered, round)
        if round.finished:
            return answer
        partial = partial or answer
    return partial


def _outside_rounds(verification, which: str) -> Answer | None:
    answered = verification.checks.filter(round=None, insurance=which, status=verification.checks.model.Status.SENT)
    newest_first = answered.select_related("entered_by").defer("raw_payload")
    for check in newest_first.order_by(F("finished_at").desc(nulls_last=True), "-pk"):
        if (summary := check.summary) is not None:
            return Answer(summary, _when(check), [check])
    return None
