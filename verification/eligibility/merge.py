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
import functools

from .codes import describe, join_words
from .coverage import CoverageStatus
from .finish import finish
from .service_types import SERVICE_TYPES
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
        _combine(merged, summaries[1:])
        # Every row is in: the levels of care and the rest are read from them as one answer's would be.
        finish(merged)
        _warn_of_disagreement(merged, summaries, requests)
    _note_unanswered(merged, summaries, requests, [code for types in missing or [] for code in types])
    return merged


# --- Putting the answers together ----------------------------------------------------------------


def _add_new(into: list, items: list) -> None:
    """Append the items `into` does not hold yet, compared by everything they say (dataclasses
    compare field by field). Rows are read, never changed, once merged: they are not copied."""
    held: dict[tuple, list] = {}
    for item in into:
        held.setdefault(_scalars(item), []).append(item)
    for item in items:
        alike = held.setdefault(_scalars(item), [])
        if item not in alike:
            alike.append(item)
            into.append(item)


def _scalars(item) -> tuple:
    """What an item says in its plain fields: items that differ here differ, so the full comparison
    runs only among the few alike (comparing each row with every other took most of a merge)."""
    if not dataclasses.is_dataclass(item):
        return (item,)
    values = (getattr(item, name) for name in _plain_fields(type(item)))
    return tuple(value for value in values if not isinstance(value, list | dict))


@functools.cache
def _plain_fields(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def _fill(into, others: list, *, skip: frozenset[str]) -> None:
    """Lists gain the other answers' new items; a field the first answer left empty takes the first
    other answer's that has it."""
    for field in dataclasses.fields(into):
        if field.name in skip:
            continue
        mine, theirs = getattr(into, field.name), [getattr(other, field.name) for other in others]
        if isinstance(mine, list):
            _add_new(mine, [item for items in theirs for item in items])
        elif mine in (None, ""):
            given = next((value for value in theirs if value not in (None, "")), None)
            if given is not None:
                setattr(into, field.name, copy.deepcopy(given))


def _combine(merged: BenefitSummary, others: list[BenefitSummary]) -> None:
    """`merged` (a copy of the first answer) with everything the `others` add."""
    _fill(merged, others, skip=_RECOMPUTED | {"subscribers", "checked_at", "unanswered_service_types"})
    merged.checked_at = max(filter(None, [merged.checked_at, *(other.checked_at for other in others)]), default=None)
    # Each person of the merged answer, with the same person in the other answers.
    people: list[tuple[SubscriberSummary, list[SubscriberSummary]]] = [(mine, []) for mine in merged.subscribers]
    for person in (person for other in others for person in other.subscribers):
        same = next((found for mine, found in people if _same_person(mine, person)), None)
        if same is not None:
            same.append(person)
        else:
            merged.subscribers.append(copy.deepcopy(person))
            people.append((merged.subscribers[-1], []))
    for mine, found in people:
        _fill(mine, found, skip=_RECOMPUTED)


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
