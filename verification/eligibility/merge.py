"""One summary from the answers to the requests of one round about one plan.

A payer that takes one service type per request is asked once per type (see
`insurances.Plan.service_type_requests`), and each answer is a whole 271 (or JSON) of its own. Many
payers repeat the plan-level (30) rows in every answer, and a payer asked about a type it does not
answer says nothing about it, or sends its plan-level rows instead. The merged summary holds:

- the people the answers are about, matched by who they are, each with every benefit row of every
  answer once (a row repeated word for word in several answers is kept once);
- levels of care, carve-outs, statuses and what was not said worked out again from those rows by
  `finish`, the step both readers end with, so a merged answer reads exactly as one answer would;
- every rejection and warning of every answer, and a warning when the answers disagree about the
  coverage (the merged status is then the best any answer gave, as for a 271 with several people);
- `unanswered_service_types`, with a sentence in `not_stated`, for each asked service type the
  payer answered with plan-level rows only or not at all, and each one whose request has no
  answer yet: staff must not read the plan's figures as that care's own.
"""

import copy
import dataclasses
import json

from .codes import describe, join_words
from .coverage import CoverageStatus
from .finish import finish
from .service_types import SERVICE_TYPES
from .stored_json import to_json
from .summary import DEFAULT_SERVICE_TYPES, BenefitSummary, SubscriberSummary

# Worked out by `finish` from the merged rows, never copied from one answer.
_RECOMPUTED = frozenset({"status", "levels", "carve_outs", "not_stated"})
# An answer's status in the words of the warning when answers disagree.
_STATUS_WORDS = {
    CoverageStatus.ACTIVE: "coverage active",
    CoverageStatus.INACTIVE: "coverage not active",
    CoverageStatus.REJECTED: "request rejected",
    CoverageStatus.ERROR: "no readable answer",
}


def merge_summaries(
    summaries: list[BenefitSummary],
    *,
    asked: list[list[str]] | None = None,
    missing: list[list[str]] | None = None,
) -> BenefitSummary:
    """One summary from `summaries`, the answers to requests that asked about `asked` (one list of
    service types per answer; empty: all of DEFAULT_SERVICE_TYPES). `missing` are the service
    types of the same round's requests with no answer (still waiting, or failed)."""
    if not summaries:
        raise ValueError("merge_summaries needs at least one answer")
    requests = [list(types) or list(DEFAULT_SERVICE_TYPES) for types in (asked or [[]] * len(summaries))]
    if len(requests) != len(summaries):
        raise ValueError("asked must give the service types of each answer")
    merged = copy.deepcopy(summaries[0])
    if len(summaries) > 1:
        for other in summaries[1:]:
            _absorb(merged, other)
        # Every row is in: the levels of care and the rest are read from them as one answer's would be.
        finish(merged)
        _warn_of_disagreement(merged, summaries, requests)
    _note_unanswered(merged, summaries, requests, [code for types in missing or [] for code in types])
    return merged


# --- Putting the answers together ----------------------------------------------------------------


def _key(value) -> str:
    return json.dumps(to_json(value), sort_keys=True)


def _add_new(into: list, items: list) -> None:
    """Append the items `into` does not hold yet, compared by everything they say."""
    seen = {_key(item) for item in into}
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            into.append(copy.deepcopy(item))


def _fill(into, other, *, skip: frozenset[str]) -> None:
    """Lists gain the other answer's new items; a field the first answers left empty takes the other's."""
    for field in dataclasses.fields(into):
        if field.name in skip:
            continue
        mine, theirs = getattr(into, field.name), getattr(other, field.name)
        if isinstance(mine, list):
            _add_new(mine, theirs)
        elif mine in (None, "") and theirs not in (None, ""):
            setattr(into, field.name, copy.deepcopy(theirs))


def _absorb(merged: BenefitSummary, other: BenefitSummary) -> None:
    _fill(merged, other, skip=_RECOMPUTED | {"subscribers", "checked_at", "unanswered_service_types"})
    if other.checked_at and (merged.checked_at is None or other.checked_at > merged.checked_at):
        merged.checked_at = other.checked_at
    for person in other.subscribers:
        same = next((mine for mine in merged.subscribers if _same_person(mine, person)), None)
        if same is None:
            merged.subscribers.append(copy.deepcopy(person))
        else:
            _fill(same, person, skip=_RECOMPUTED)


def _same_person(one: SubscriberSummary, other: SubscriberSummary) -> bool:
    """The same person in two answers: payers echo who they were asked about, so the identity
    fields agree; case and spacing of the member ID do not matter."""

    def who(person: SubscriberSummary) -> tuple:
        member = "".join(char for char in person.member_id.upper() if char.isalnum())
        name = (person.first_name.strip().upper(), person.last_name.strip().upper())
        return (person.is_dependent, member, name, person.date_of_birth)

    return who(one) == who(other)


def _warn_of_disagreement(merged: BenefitSummary, summaries: list[BenefitSummary], requests: list[list[str]]) -> None:
    statuses: dict[str, list[str]] = {}
    for summary, types in zip(summaries, requests, strict=True):
        statuses.setdefault(summary.status, []).extend(types)
    if len(statuses) < 2:
        return
    said = "; ".join(f"{_STATUS_WORDS.get(status, status)} for {_named(types)}" for status, types in statuses.items())
    merged.warnings.append(
        f"The payer's answers to this check's requests disagree ({said}). "
        f"The summary shows the best of them ({_STATUS_WORDS.get(merged.status, merged.status)}): "
        "ask the payer which is right."
    )


# --- What the payer did not answer ---------------------------------------------------------------


def stated_service_types(summary: BenefitSummary) -> set[str]:
    """The service types the rows of an answer speak about; a row with none is about the plan (30)."""
    stated: set[str] = set()
    for person in summary.subscribers:
        for row in person.benefits:
            stated.update(row.service_types or ["30"])
    return stated


def _note_unanswered(
    merged: BenefitSummary, summaries: list[BenefitSummary], requests: list[list[str]], missing: list[str]
) -> None:
    stated = set().union(*(stated_service_types(summary) for summary in summaries))
    plan_only: list[str] = []
    for summary, types in zip(summaries, requests, strict=True):
        # An inactive or rejected answer speaks for the whole plan, whatever the question.
        if summary.status != CoverageStatus.ACTIVE:
            continue
        plan_only += [code for code in types if code not in stated and code not in plan_only]
    waiting = [code for code in dict.fromkeys(missing) if code not in stated and code not in plan_only]
    merged.unanswered_service_types = plan_only + waiting
    if plan_only:
        merged.not_stated.append(
            f"The payer answered the questions about {_named(plan_only)} with plan-level benefits (30) only, "
            "or not at all: any figure shown for that care is the plan's as a whole, not its own."
        )
    if waiting:
        requests_word = "request" if len(waiting) == 1 else "requests"
        merged.not_stated.append(
            f"No answer yet to the {requests_word} about {_named(waiting)}: "
            "the figures for that care are missing from this summary."
        )


def _named(codes: list[str]) -> str:
    """Service types in words, each with its code: "substance abuse (AI) and mental health (MH)"."""
    return join_words([f"{describe(SERVICE_TYPES, code)} ({code})" for code in codes])
