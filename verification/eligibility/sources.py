"""Which of a payer's benefit rows speak for each level of care, and in which order they are tried.

X12 has no service type for detox or for intensive outpatient, and payers answer the same question
in different ways: some send rows for RT or BB, some only general substance-use rows (AI, AJ, AK),
some only the plan as a whole (30). So each level of care has sources, tried in order:

=============  =========================================================================================
level          sources, in order
=============  =========================================================================================
detox          1. CI, and substance-use rows (AI, AJ, AK) said to be for detox, withdrawal or inpatient care
               2. general substance-use rows (AI, AJ, AK) with no setting
               3. hospital inpatient (48): medically managed withdrawal is billed as an inpatient stay
               4. the plan (30)
residential    1. RT, A5, A7, CE, CG, and behavioural rows said to be residential
               2. CI (substance-abuse facility inpatient), and behavioural rows said to be inpatient
               3. general substance-use rows
               4. the plan (30)
php            1. BB, BC, and behavioural rows said to be partial hospitalization or day treatment
               2. general substance-use rows
               3. the plan (30)
iop            1. behavioural rows said to be intensive outpatient (IOP)
               2. A8, CF, CH, CJ, and behavioural rows said to be outpatient
               3. general substance-use rows
               4. the plan (30)
outpatient     1. A8, A6, CF, CH, CJ, BD, and behavioural rows said to be outpatient (not IOP)
               2. general substance-use rows
               3. MH, A4 and 98 (office visit) with no setting
               4. the plan (30)
plan           30, and rows with no service type (the guide reads a missing EB03 as 30)
=============  =========================================================================================

Service types decide which level a row can speak for; a setting only narrows a behavioural row
down, never widens a row to a level its codes do not reach. A row's setting comes from its places
of service (III*ZZ: 55 residential, 52 partial hospitalization, 21/51 inpatient, 11/22/53/57/58
outpatient...) when they agree on one, or else from its words: its messages (MSG) and its plan
coverage description (EB05), read as whole words with web and e-mail addresses taken out first,
so "COVERAGELOOKUP.PHP" is not partial hospitalization.
Failing that it comes from the other codes on the same row (48, A7, CE, CG, CI inpatient; RT, A5
residential; BB, BC partial hospitalization; 50, A8, CF, CH, CJ outpatient) when they agree.

Each source is a named rule below: a function of the row's service types and its setting. Staff
read which source gave a figure, with the codes the rows really held (`Source.describe`).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .codes import CARVE_OUT_CODES
from .summary import BenefitRow

SUBSTANCE_USE = frozenset({"AI", "AJ", "AK"})
# Substance-abuse and mental-health facility codes name a setting of their own.
SUBSTANCE_USE_INPATIENT = frozenset({"CI"})
FACILITY_CODES = frozenset({"CG", "CH", "CI", "CJ"})
BEHAVIOURAL = SUBSTANCE_USE | FACILITY_CODES | {"MH", "A4"}
RESIDENTIAL = frozenset({"RT", "A5", "A7", "CE", "CG"})
PARTIAL_HOSPITALIZATION = frozenset({"BB", "BC"})
HOSPITAL_INPATIENT = frozenset({"48"})
OUTPATIENT_FOR_IOP = frozenset({"A8", "CF", "CH", "CJ"})
OUTPATIENT = OUTPATIENT_FOR_IOP | {"A6", "BD"}
OFFICE_VISITS = frozenset({"MH", "A4", "98"})
PLAN_CODES = frozenset({"30"})
PLAN_DESCRIPTION = "plan-level benefits (30)"

# Settings named in a row's words, most specific first ("intensive outpatient" before "outpatient").
_SETTING_WORDS = (
    ("detox", re.compile(r"\bdetox|\bwithdrawal\b")),
    ("residential", re.compile(r"\bresidential\b")),
    ("php", re.compile(r"\bpartial hosp|\bday treatment\b|\bday program\b|\bphp\b")),
    ("iop", re.compile(r"\bintensive outpatient\b|\biop\b")),
    ("inpatient", re.compile(r"\binpatient\b")),
    ("outpatient", re.compile(r"\boutpatient\b")),
)
# Web and e-mail addresses and file names: "{WWW.EXAMPLE.GOV/LOOKUP/COVERAGE.PHP}". A plain slash
# stays: "DETOX/WITHDRAWAL" is words.
_ADDRESSES = re.compile(
    r"\{[^}]*\}?|\S*(?:://|www\.|@)\S*|\S*\w\.(?:com|org|net|gov|edu|us|php|html?|aspx?|jsp|pdf)\b\S*",
    re.IGNORECASE,
)
# Places of service (CMS codes) that say where behavioural care is given.
_PLACE_SETTINGS = {
    "21": "inpatient",
    "51": "inpatient",
    "55": "residential",
    "56": "residential",
    "52": "php",
    "02": "outpatient",
    "10": "outpatient",
    "11": "outpatient",
    "19": "outpatient",
    "22": "outpatient",
    "53": "outpatient",
    "57": "outpatient",
    "58": "outpatient",
}
_SETTING_CODES = (
    ("residential", {"RT", "A5"}),
    ("php", {"BB", "BC"}),
    ("inpatient", {"48", "A7", "CE", "CG", "CI"}),
    ("outpatient", {"50", "A8", "CF", "CH", "CJ"}),
)


def words_of(row: BenefitRow) -> str:
    """A row's own words (messages and plan coverage description), lower case, addresses taken out."""
    text = " ".join([*row.messages, row.plan_description]).lower()
    return _ADDRESSES.sub(" ", text)


def setting_from_words(row: BenefitRow) -> str | None:
    text = words_of(row)
    return next((name for name, pattern in _SETTING_WORDS if pattern.search(text)), None)


def setting(row: BenefitRow) -> str | None:
    """Where the care of a row happens, as far as the payer says: "detox", "inpatient", ... or None."""
    places = {_PLACE_SETTINGS[code] for code in row.places_of_service if code in _PLACE_SETTINGS}
    if len(places) == 1:
        return places.pop()
    named_in_words = setting_from_words(row)
    if named_in_words:
        return named_in_words
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

    label: str
    matches: Rule
    # The service types the rule matches on, named to staff as far as the rows held them; a row
    # matched through its words instead is named by its behavioural codes.
    reads: frozenset[str] = frozenset()
    # The service types that make a company naming them a carve-out of the level (see `carve_outs`).
    codes: frozenset[str] = frozenset()
    # The plan as a whole: never the source of limits, "covered", or a carved-out level's figures.
    plan: bool = False

    def describe(self, rows: Iterable[BenefitRow]) -> str:
        """The label with the codes the rows held, and whether the payer's words gave the setting."""
        if self.plan:
            return PLAN_DESCRIPTION
        rows = list(rows)
        held = list(dict.fromkeys(code for row in rows for code in _named_codes(self, row)))
        text = f"{self.label} ({', '.join(held)})" if held else self.label
        if any(setting_from_words(row) for row in rows):
            text += ", as the payer's own words describe them"
        return text


def _named_codes(source: Source, row: BenefitRow) -> list[str]:
    named = [code for code in row.service_types if code in source.reads]
    return named or [code for code in row.service_types if code in BEHAVIOURAL]


def _behavioural(codes: set[str]) -> bool:
    return bool(codes & BEHAVIOURAL)


# --- The rules, named after what they accept -------------------------------------------------------


def substance_use_detox_or_inpatient(codes: set[str], where: str | None) -> bool:
    """Substance-abuse facility inpatient (CI) rows, and substance-use rows said to be detox or inpatient.

    Detox is given as an inpatient stay. Mental-health inpatient rows do not count: a psychiatric
    stay does not say withdrawal care is covered.
    """
    facility = bool(codes & SUBSTANCE_USE_INPATIENT) and where in ("detox", "inpatient", None)
    return facility or (bool(codes & SUBSTANCE_USE) and where in ("detox", "inpatient"))


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
    """Residential and psychiatric inpatient codes, or behavioural rows whose words say residential."""
    return bool(codes & RESIDENTIAL) or (_behavioural(codes) and where == "residential")


def behavioural_inpatient(codes: set[str], where: str | None) -> bool:
    """Substance-abuse facility inpatient (CI) rows, and behavioural rows said to be inpatient.

    The nearest a payer comes to residential when it names no RT.
    """
    facility = bool(codes & SUBSTANCE_USE_INPATIENT) and where in ("inpatient", None)
    return facility or (_behavioural(codes) and where == "inpatient")


def partial_hospitalization(codes: set[str], where: str | None) -> bool:
    """BB and BC rows, or behavioural rows whose words say partial hospitalization or day treatment."""
    return bool(codes & PARTIAL_HOSPITALIZATION) or (_behavioural(codes) and where == "php")


def behavioural_intensive_outpatient(codes: set[str], where: str | None) -> bool:
    """Behavioural rows said to be intensive outpatient: X12 has no code of its own for IOP."""
    return _behavioural(codes) and where == "iop"


def behavioural_outpatient_for_iop(codes: set[str], where: str | None) -> bool:
    """A8, CF, CH and CJ rows not said to be elsewhere, or behavioural rows said to be outpatient.

    IOP is outpatient care, so these speak for it when the payer gives nothing about IOP itself.
    """
    return (bool(codes & OUTPATIENT_FOR_IOP) and where in ("outpatient", None)) or (
        _behavioural(codes) and where == "outpatient"
    )


def outpatient_not_iop(codes: set[str], where: str | None) -> bool:
    """Outpatient behavioural codes not said to be IOP, or behavioural rows said to be outpatient.

    An IOP row's figures are the intensive programme's, not those of an ordinary outpatient visit.
    """
    return (bool(codes & OUTPATIENT) and where != "iop") or (_behavioural(codes) and where == "outpatient")


def mental_health_or_office_visit(codes: set[str], where: str | None) -> bool:
    """MH, A4 and office visit (98) rows naming no setting: behavioural visits, tried after the substance-use rows."""
    return bool(codes & OFFICE_VISITS) and where is None


# --- Which level tries which source, in order -----------------------------------------------------

GENERAL_SUBSTANCE_USE = Source("general substance-use benefits", general_substance_use, SUBSTANCE_USE, SUBSTANCE_USE)
PLAN = Source("plan-level benefits", plan_as_a_whole, PLAN_CODES, PLAN_CODES, plan=True)

SOURCES: dict[str, list[Source]] = {
    "detox": [
        Source(
            "substance-use detox or inpatient benefits",
            substance_use_detox_or_inpatient,
            SUBSTANCE_USE | SUBSTANCE_USE_INPATIENT,
            SUBSTANCE_USE | SUBSTANCE_USE_INPATIENT,
        ),
        GENERAL_SUBSTANCE_USE,
        Source("hospital inpatient benefits", hospital_inpatient, HOSPITAL_INPATIENT, HOSPITAL_INPATIENT),
        PLAN,
    ],
    "residential": [
        Source(
            "residential and psychiatric inpatient benefits",
            residential_or_behavioural_residential,
            RESIDENTIAL,
            RESIDENTIAL,
        ),
        Source(
            "behavioural inpatient benefits",
            behavioural_inpatient,
            SUBSTANCE_USE_INPATIENT,
            SUBSTANCE_USE | SUBSTANCE_USE_INPATIENT,
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "php": [
        Source(
            "partial hospitalization benefits",
            partial_hospitalization,
            PARTIAL_HOSPITALIZATION,
            PARTIAL_HOSPITALIZATION,
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "iop": [
        Source("intensive outpatient benefits", behavioural_intensive_outpatient, frozenset(), SUBSTANCE_USE),
        Source(
            "behavioural outpatient benefits",
            behavioural_outpatient_for_iop,
            OUTPATIENT_FOR_IOP,
            OUTPATIENT_FOR_IOP,
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "outpatient": [
        Source("outpatient behavioural benefits", outpatient_not_iop, OUTPATIENT, OUTPATIENT),
        GENERAL_SUBSTANCE_USE,
        Source(
            "mental health and office visit benefits",
            mental_health_or_office_visit,
            OFFICE_VISITS,
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
