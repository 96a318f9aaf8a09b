"""Which of a payer's benefit rows speak for each level of care, and in which order they are tried.

X12 has no service type for detox or for intensive outpatient, and payers answer the same question
in different ways: some send rows for RT or BB, some only general substance-use rows (AI, AJ, AK),
some only the plan as a whole (30). So each level of care has sources, tried in order:

=============  =========================================================================================
level          sources, in order
=============  =========================================================================================
detox          1. behavioural rows (AI, AJ, AK, MH, A4) said to be for detox, withdrawal or inpatient care
               2. general substance-use rows (AI, AJ, AK) with no setting
               3. hospital inpatient (48): medically managed withdrawal is billed as an inpatient stay
               4. the plan (30)
residential    1. RT, A5, A7, CE, and behavioural rows said to be residential
               2. behavioural rows said to be inpatient
               3. general substance-use rows
               4. the plan (30)
php            1. BB, BC, and behavioural rows said to be partial hospitalization or day treatment
               2. general substance-use rows
               3. the plan (30)
iop            1. behavioural rows said to be intensive outpatient (IOP)
               2. A8, CF, and behavioural rows said to be outpatient
               3. general substance-use rows
               4. the plan (30)
outpatient     1. A8, A6, CF, and behavioural rows said to be outpatient (not IOP)
               2. general substance-use rows
               3. MH, A4 and 98 (office visit) with no setting
               4. the plan (30)
plan           30, and rows with no service type (the guide reads a missing EB03 as 30)
=============  =========================================================================================

A row's setting comes from its MSG text ("detox", "withdrawal", "residential", "partial hosp",
"day treatment", "intensive outpatient", "IOP", "inpatient", "outpatient"), or failing that from
the other codes on the same row (48, A7, CE inpatient; RT, A5 residential; BB, BC partial
hospitalization; 50, A8, CF outpatient), when those codes agree on one setting.

Each source is a named rule below: a function of the row's service types and its setting.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from .codes import CARVE_OUT_CODES
from .summary import BenefitRow

SUBSTANCE_USE = frozenset({"AI", "AJ", "AK"})
BEHAVIOURAL = SUBSTANCE_USE | {"MH", "A4"}
RESIDENTIAL = frozenset({"RT", "A5", "A7", "CE"})
PARTIAL_HOSPITALIZATION = frozenset({"BB", "BC"})
HOSPITAL_INPATIENT = frozenset({"48"})
PLAN_CODES = frozenset({"30"})

# Settings named in MSG text, most specific first ("intensive outpatient" before "outpatient").
_SETTING_WORDS = (
    ("detox", re.compile(r"detox|withdrawal")),
    ("residential", re.compile(r"residential")),
    ("php", re.compile(r"partial hosp|day treatment|day program|\bphp\b")),
    ("iop", re.compile(r"intensive outpatient|\biop\b")),
    ("inpatient", re.compile(r"inpatient")),
    ("outpatient", re.compile(r"outpatient")),
)
_SETTING_CODES = (
    ("residential", {"RT", "A5"}),
    ("php", {"BB", "BC"}),
    ("inpatient", {"48", "A7", "CE"}),
    ("outpatient", {"50", "A8", "CF"}),
)


def setting(row: BenefitRow) -> str | None:
    """Where the care of a row happens, as far as the payer says: "detox", "inpatient", ... or None."""
    text = " ".join(row.messages).lower()
    for name, pattern in _SETTING_WORDS:
        if pattern.search(text):
            return name
    codes = set(row.service_types)
    # A row listing RT, BB and A8 together is about all of them, not one setting.
    named = {name for name, names in _SETTING_CODES if codes & names}
    return named.pop() if len(named) == 1 else None


# A rule reads a row's service types and its setting (see `setting`), and says whether the row
# speaks for a level of care.
Rule = Callable[[set[str], str | None], bool]


@dataclass(frozen=True)
class Source:
    """One kind of row a level of care takes its figures from, named for the `CareLevel.sources` staff read."""

    description: str
    matches: Rule
    # The service types that make a company naming them a carve-out of the level (see `carve_outs`).
    codes: frozenset[str] = frozenset()
    # The plan as a whole: never the source of limits, "covered", or a carved-out level's figures.
    plan: bool = False


def _behavioural(codes: set[str]) -> bool:
    return bool(codes & BEHAVIOURAL)


# --- The rules, named after what they accept -------------------------------------------------------


def behavioural_detox_or_inpatient(codes: set[str], where: str | None) -> bool:
    """Behavioural rows said to be detox, withdrawal or inpatient: detox is given as an inpatient stay."""
    return _behavioural(codes) and where in ("detox", "inpatient")


def general_substance_use(codes: set[str], where: str | None) -> bool:
    """Substance-use rows naming no setting: they speak for every level, after its own rows."""
    return bool(codes & SUBSTANCE_USE) and where is None


def hospital_inpatient(codes: set[str], where: str | None) -> bool:
    """Hospital inpatient (48) rows: medically managed withdrawal is billed as an inpatient stay."""
    return bool(codes & HOSPITAL_INPATIENT)


def plan_as_a_whole(codes: set[str], where: str | None) -> bool:
    """Plan (30) rows, and rows with no service type, which the guide reads as 30."""
    return bool(codes & PLAN_CODES) or not codes


def residential_or_behavioural_residential(codes: set[str], where: str | None) -> bool:
    """Residential and psychiatric inpatient codes, or behavioural rows whose text says residential."""
    return bool(codes & RESIDENTIAL) or (_behavioural(codes) and where == "residential")


def behavioural_inpatient(codes: set[str], where: str | None) -> bool:
    """Behavioural rows said to be inpatient: the nearest a payer comes to residential when it names no RT."""
    return _behavioural(codes) and where == "inpatient"


def partial_hospitalization(codes: set[str], where: str | None) -> bool:
    """BB and BC rows, or behavioural rows whose text says partial hospitalization or day treatment."""
    return bool(codes & PARTIAL_HOSPITALIZATION) or (_behavioural(codes) and where == "php")


def behavioural_intensive_outpatient(codes: set[str], where: str | None) -> bool:
    """Behavioural rows said to be intensive outpatient: X12 has no code of its own for IOP."""
    return _behavioural(codes) and where == "iop"


def behavioural_outpatient_for_iop(codes: set[str], where: str | None) -> bool:
    """A8 and CF rows not said to be elsewhere, or behavioural rows said to be outpatient.

    IOP is outpatient care, so these speak for it when the payer gives nothing about IOP itself.
    """
    return (bool(codes & {"A8", "CF"}) and where in ("outpatient", None)) or (
        _behavioural(codes) and where == "outpatient"
    )


def outpatient_not_iop(codes: set[str], where: str | None) -> bool:
    """A8, A6 and CF rows not said to be IOP, or behavioural rows said to be outpatient.

    An IOP row's figures are the intensive programme's, not those of an ordinary outpatient visit.
    """
    return (bool(codes & {"A8", "A6", "CF"}) and where != "iop") or (_behavioural(codes) and where == "outpatient")


def mental_health_or_office_visit(codes: set[str], where: str | None) -> bool:
    """MH, A4 and office visit (98) rows naming no setting: behavioural visits, tried after the substance-use rows."""
    return bool(codes & {"MH", "A4", "98"}) and where is None


# --- Which level tries which source, in order -----------------------------------------------------

GENERAL_SUBSTANCE_USE = Source("general substance-use benefits (AI, AJ, AK)", general_substance_use, SUBSTANCE_USE)
PLAN = Source("plan-level benefits (30)", plan_as_a_whole, PLAN_CODES, plan=True)

SOURCES: dict[str, list[Source]] = {
    "detox": [
        Source("substance-use detox or inpatient benefits", behavioural_detox_or_inpatient, SUBSTANCE_USE),
        GENERAL_SUBSTANCE_USE,
        Source("hospital inpatient benefits (48)", hospital_inpatient, HOSPITAL_INPATIENT),
        PLAN,
    ],
    "residential": [
        Source(
            "residential and psychiatric inpatient benefits (RT, A5, A7, CE)",
            residential_or_behavioural_residential,
            RESIDENTIAL,
        ),
        Source("behavioural inpatient benefits", behavioural_inpatient, SUBSTANCE_USE),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "php": [
        Source("partial hospitalization benefits (BB, BC)", partial_hospitalization, PARTIAL_HOSPITALIZATION),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "iop": [
        Source("intensive outpatient benefits", behavioural_intensive_outpatient, SUBSTANCE_USE),
        Source(
            "behavioural outpatient benefits (AI, AJ, AK, A8, CF)",
            behavioural_outpatient_for_iop,
            frozenset({"A8", "CF"}),
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "outpatient": [
        Source("outpatient behavioural benefits (A8, A6, CF)", outpatient_not_iop, frozenset({"A8", "A6", "CF"})),
        GENERAL_SUBSTANCE_USE,
        Source(
            "mental health and office visit benefits (MH, A4, 98)",
            mental_health_or_office_visit,
            frozenset({"MH", "A4"}),
        ),
        PLAN,
    ],
    "plan": [PLAN],
}


def matches(source: Source, row: BenefitRow) -> bool:
    """Whether `row` speaks for `source`; a row naming another company (a carve-out) never does."""
    if row.eb01 in CARVE_OUT_CODES:
        return False
    return source.matches(set(row.service_types), setting(row))
