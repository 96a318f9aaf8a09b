"""Which of a payer's benefit rows speak for each level of care, and in which order they are tried.

X12 has no service type for detox or for intensive outpatient, and payers answer the same question
in different ways: some send rows for RT or BB, some only general substance-use rows (AI, AJ, AK),
some only the plan as a whole (30). So each level of care has sources, tried in order:

=============  =========================================================================================
level          sources, in order
=============  =========================================================================================
detox          1. CI, and substance-use rows (AI, AJ, AK) whose codes make them detox or inpatient care
               2. general substance-use rows (AI, AJ, AK) with no setting
               3. hospital inpatient (48): medically managed withdrawal is billed as an inpatient stay
               4. the plan (30)
residential    1. RT, A5, A7, CE, CG, and behavioural rows whose codes make them residential care
               2. CI (substance-abuse facility inpatient), and behavioural rows in an inpatient setting
               3. general substance-use rows
               4. the plan (30)
php            1. BB, BC, and behavioural rows whose codes make them partial hospitalization
               2. general substance-use rows
               3. the plan (30)
iop            1. behavioural rows for an intensive outpatient procedure (HCPCS H0015, S9480)
               2. A8, CF, CH, CJ, and behavioural rows in an outpatient setting, standing in for IOP
               3. general substance-use rows
               4. the plan (30)
outpatient     1. A8, A6, CF, CH, CJ, BD, and behavioural rows in an outpatient setting
               2. general substance-use rows
               3. MH, A4 and 98 (office visit) with no setting
               4. the plan (30)
plan           30, and rows with no service type (the guide reads a missing EB03 as 30)
=============  =========================================================================================

Service types decide which level a row can speak for; a setting only narrows a behavioural row
down, never widens a row to a level its codes do not reach. A row's setting comes from codes alone:
its HCPCS procedure (EB13 HC: H0008-H0014 detox, H0015 and S9480 intensive outpatient, H0035 and
S0201 partial hospitalization, H0017-H0019 residential), the only codes that name detox or IOP;
else its places of service (III*ZZ: 55 residential, 52 partial hospitalization, 21/51 inpatient,
11/22/53/57/58 outpatient...) when they agree on one; else the other service types on the same row
(48, A7, CE, CG, CI inpatient; RT, A5 residential; BB, BC partial hospitalization; 50, A8, CF, CH,
CJ outpatient) when they agree.

The payer's words (MSG, and the plan coverage description in EB05) never decide a level, neither
widening nor narrowing it: "RESIDENTIAL TREATMENT NOT COVERED" on an active substance-use row would
be read as residential care by a word match, and a web address in a notice can end in ".PHP". The
words reach staff as the payer wrote them: as notes on the level (`CareLevel.notes`) and in the
benefit rows.

Each source is a named rule below: a function of the row's service types and its setting. Staff
read which source gave a figure, with the codes the rows really held (`Source.describe`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .codes import CARVE_OUT_CODES
from .summary import PLAN_DESCRIPTION, BenefitRow

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
# HCPCS codes (EB13 qualifier HC) for behavioural programmes, by the setting they name.
_PROCEDURE_SETTINGS = {
    **dict.fromkeys(("H0008", "H0009", "H0010", "H0011", "H0012", "H0013", "H0014"), "detox"),
    **dict.fromkeys(("H0015", "S9480"), "iop"),
    **dict.fromkeys(("H0035", "S0201"), "php"),
    **dict.fromkeys(("H0017", "H0018", "H0019"), "residential"),
}
_SETTING_CODES = (
    ("residential", {"RT", "A5"}),
    ("php", {"BB", "BC"}),
    ("inpatient", {"48", "A7", "CE", "CG", "CI"}),
    ("outpatient", {"50", "A8", "CF", "CH", "CJ"}),
)


def setting(row: BenefitRow) -> str | None:
    """Where the care of a row happens, as far as its codes say: "detox", "inpatient", ... or None."""
    # A procedure is the most specific: IOP is given in an office (11), a detox in a residential
    # programme (55).
    if _procedure(row) in _PROCEDURE_SETTINGS:
        return _PROCEDURE_SETTINGS[_procedure(row)]
    places = {_PLACE_SETTINGS[code] for code in row.places_of_service if code in _PLACE_SETTINGS}
    if len(places) == 1:
        return places.pop()
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
    # matched through its place of service instead is named by its behavioural codes.
    reads: frozenset[str] = frozenset()
    # The service types that make a company naming them a carve-out of the level (see `carve_outs`).
    codes: frozenset[str] = frozenset()
    # The plan as a whole: never the source of limits, "covered", or a carved-out level's figures.
    plan: bool = False
    # Rows of a nearby kind of care standing in for a level no code names (outpatient rows for IOP):
    # their "no authorization needed" is not the level's own.
    stand_in: bool = False

    def describe(self, rows: Iterable[BenefitRow]) -> str:
        """The label with the codes the rows held, and the procedure or places of service that placed them."""
        if self.plan:
            return PLAN_DESCRIPTION
        rows = list(rows)
        held = list(dict.fromkeys(code for row in rows for code in _named_codes(self, row)))
        held += dict.fromkeys(filter(None, map(_placed_by, rows)))
        return f"{self.label} ({', '.join(held)})" if held else self.label


def _named_codes(source: Source, row: BenefitRow) -> list[str]:
    named = [code for code in row.service_types if code in source.reads]
    return named or [code for code in row.service_types if code in BEHAVIOURAL]


def _procedure(row: BenefitRow) -> str:
    """The HCPCS code of a row's procedure (EB13 "HC:H0015:HF" gives "H0015"), or ""."""
    qualifier, _, code = row.procedure.partition(":")
    return code.partition(":")[0] if qualifier == "HC" else ""


def _placed_by(row: BenefitRow) -> str:
    """The procedure or places of service that gave a row its setting (see `setting`), for staff."""
    if _procedure(row) in _PROCEDURE_SETTINGS:
        return f"procedure {_procedure(row)}"
    places = [code for code in row.places_of_service if code in _PLACE_SETTINGS]
    if places and len({_PLACE_SETTINGS[code] for code in places}) == 1:
        return f"place of service {', '.join(places)}"
    return ""


def _behavioural(codes: set[str]) -> bool:
    return bool(codes & BEHAVIOURAL)


# --- The rules, named after what they accept -------------------------------------------------------


def substance_use_detox_or_inpatient(codes: set[str], where: str | None) -> bool:
    """Substance-abuse facility inpatient (CI) rows, and substance-use rows whose codes make them detox or inpatient.

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
    """Residential and psychiatric inpatient codes, or behavioural rows whose codes make them residential."""
    return bool(codes & RESIDENTIAL) or (_behavioural(codes) and where == "residential")


def behavioural_inpatient(codes: set[str], where: str | None) -> bool:
    """Substance-abuse facility inpatient (CI) rows, and behavioural rows in an inpatient setting.

    The nearest a payer comes to residential when it names no RT.
    """
    facility = bool(codes & SUBSTANCE_USE_INPATIENT) and where in ("inpatient", None)
    return facility or (_behavioural(codes) and where == "inpatient")


def partial_hospitalization(codes: set[str], where: str | None) -> bool:
    """BB and BC rows, or behavioural rows whose procedure or place of service is partial hospitalization."""
    return bool(codes & PARTIAL_HOSPITALIZATION) or (_behavioural(codes) and where == "php")


def behavioural_intensive_outpatient(codes: set[str], where: str | None) -> bool:
    """Behavioural or outpatient rows for an intensive outpatient procedure (H0015, S9480)."""
    return bool(codes & (BEHAVIOURAL | OUTPATIENT)) and where == "iop"


def behavioural_outpatient_for_iop(codes: set[str], where: str | None) -> bool:
    """A8, CF, CH and CJ rows not placed elsewhere, or behavioural rows in an outpatient setting.

    IOP is outpatient care and no service type or place of service names it, so these stand in for it.
    """
    return _outpatient(codes, where, OUTPATIENT_FOR_IOP)


def behavioural_outpatient(codes: set[str], where: str | None) -> bool:
    """Outpatient behavioural codes not placed elsewhere, or behavioural rows in an outpatient setting."""
    return _outpatient(codes, where, OUTPATIENT)


def _outpatient(codes: set[str], where: str | None, outpatient_codes: frozenset[str]) -> bool:
    return (bool(codes & outpatient_codes) and where in ("outpatient", None)) or (
        _behavioural(codes) and where == "outpatient"
    )


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
        Source(
            "intensive outpatient benefits",
            behavioural_intensive_outpatient,
            frozenset(),
            SUBSTANCE_USE | OUTPATIENT_FOR_IOP,
        ),
        Source(
            "behavioural outpatient benefits",
            behavioural_outpatient_for_iop,
            OUTPATIENT_FOR_IOP,
            OUTPATIENT_FOR_IOP,
            stand_in=True,
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "outpatient": [
        Source("outpatient behavioural benefits", behavioural_outpatient, OUTPATIENT, OUTPATIENT),
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
