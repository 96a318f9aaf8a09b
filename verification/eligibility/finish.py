"""The last step of reading any payer's answer (271 or JSON): statuses, levels of care, what was not said.

The readers only copy what the payer sent into a `BenefitSummary`; everything that follows from
those rows is decided here, once for both.
"""

import re

from .carve_outs import carve_outs
from .codes import ACTIVE_CODES, INACTIVE_CODES
from .coverage import CoverageStatus
from .levels import summarise_level
from .summary import LEVELS, BenefitRow, BenefitSummary, SubscriberSummary
from .unsaid import not_stated

# Words that name a kind of care rather than a plan, as whole words.
_CARE_WORDS = re.compile(
    r"\b(?:mental|behaviou?ral|substance|psychiatric|inpatient|outpatient|residential|detox\w*|dental|vision"
    r"|transportation|pharmacy|drugs?|chiropractic|hospice|therapy|maternity|emergency|hospital|hearing"
    r"|ambulance|rehabilitation)\b",
    re.IGNORECASE,
)


def finish(summary: BenefitSummary) -> BenefitSummary:
    """Finish every person, then the summary's own status, carve-outs and unsaid things."""
    for person in summary.subscribers:
        finish_subscriber(person)
    summary.status = summary_status(summary)
    summary.carve_outs = [carve_out for person in summary.subscribers for carve_out in person.carve_outs]
    sentences: list[str] = []
    several = len(summary.subscribers) > 1
    for person in summary.subscribers:
        for sentence in person.not_stated:
            if several:
                who = person.name or "the next person"
                who += f" (member ID {person.member_id})" if person.member_id else ""
                sentence = f"For {who}: {sentence}"
            if sentence not in sentences:
                sentences.append(sentence)
    if not summary.subscribers and summary.status == CoverageStatus.ERROR:
        sentences.append("The payer's answer names no subscriber.")
    summary.not_stated = sentences
    return summary


def finish_subscriber(person: SubscriberSummary) -> None:
    """Fill in what follows from the rows: status, plan name, carve-outs, levels, what was not said."""
    person.status = subscriber_status(person)
    person.plan_name = person.plan_name or plan_name(person.benefits)
    if not person.insurance_type:
        person.insurance_type = next(
            (row.insurance_type for row in person.benefits if row.eb01 in ACTIVE_CODES and row.insurance_type), ""
        )
    person.carve_outs = carve_outs(person.benefits)
    person.levels = {}
    person.not_stated = []
    if person.status == CoverageStatus.ACTIVE:
        person.levels = {level: summarise_level(level, person.benefits, person.carve_outs) for level in LEVELS}
        person.not_stated = not_stated(person)
    elif person.status == CoverageStatus.ERROR and not person.rejections:
        person.not_stated = ["The payer did not say whether coverage is active."]


def plan_name(rows: list[BenefitRow]) -> str:
    """The plan's name from its own active rows (service type 30, or none), never from a benefit's.

    Medicaid answers give every benefit its own EB05 on a row that also lists 30 ("MENTAL HEALTH
    INPATIENT", "DENTAL PROGRAM FOR ADULTS"): a description naming a kind of care is the
    benefit's, not the plan's. A row for the plan alone (30 only) is preferred; "" when no row
    names the plan, rather than a benefit's words.
    """
    candidates = [
        row
        for row in rows
        if row.eb01 in ACTIVE_CODES
        and row.plan_description
        and (not row.service_types or "30" in row.service_types)
        and not _CARE_WORDS.search(row.plan_description)
    ]
    plan_only = [row for row in candidates if set(row.service_types) <= {"30"}]
    return next((row.plan_description for row in plan_only + candidates), "")


def subscriber_status(person: SubscriberSummary) -> CoverageStatus:
    """A person's status from their own rows.

    Any active row makes them active, even beside inactive ones; a rejection only counts when no
    row said active or inactive.
    """
    codes = {row.eb01 for row in person.benefits}
    if codes & ACTIVE_CODES:
        return CoverageStatus.ACTIVE
    if codes & INACTIVE_CODES:
        return CoverageStatus.INACTIVE
    if person.rejections:
        return CoverageStatus.REJECTED
    return CoverageStatus.ERROR


def summary_status(summary: BenefitSummary) -> CoverageStatus:
    """The answer's status: the best any person has, so one covered person is never hidden by another.

    A payer that cannot answer now (AAA 42) is an error, not a rejection: the visitor's details are
    not at fault, there is nothing to correct, only to try again.
    """
    statuses = {person.status for person in summary.subscribers}
    if CoverageStatus.ACTIVE in statuses:
        return CoverageStatus.ACTIVE
    if CoverageStatus.INACTIVE in statuses:
        return CoverageStatus.INACTIVE
    if summary.payer_unavailable:
        return CoverageStatus.ERROR
    if summary.rejections or CoverageStatus.REJECTED in statuses:
        return CoverageStatus.REJECTED
    return CoverageStatus.ERROR
