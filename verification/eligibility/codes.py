"""X12 005010X279A1 code tables the eligibility engine speaks, with the words staff read.

Every code is kept as a plain string wherever it appears; these tables only describe it. A code
missing from a table is described as "unknown code X" and never makes an answer unreadable:
payers send codes the guide does not list, and staff still need the rest of the answer. The
tables cover the guide's lists; the longer ones live in `code_tables` and `service_types`.
"""

from .code_tables import (
    CONTACT_KINDS,
    ENTITY_CODES,
    INSURANCE_TYPES,
    PLACES_OF_SERVICE,
    REFERENCE_QUALIFIERS,
    REJECT_REASONS,
    RELATIONSHIP_CODES,
)
from .service_types import SERVICE_TYPES

__all__ = [
    "CONTACT_KINDS",
    "ENTITY_CODES",
    "INSURANCE_TYPES",
    "PLACES_OF_SERVICE",
    "REFERENCE_QUALIFIERS",
    "REJECT_REASONS",
    "RELATIONSHIP_CODES",
    "SERVICE_TYPES",
]

# EB01: what a benefit row is about.
ELIGIBILITY_CODES: dict[str, str] = {
    "1": "active coverage",
    "2": "active - full risk capitation",
    "3": "active - services capitated",
    "4": "active - services capitated to primary care physician",
    "5": "active - pending investigation",
    "6": "inactive",
    "7": "inactive - pending eligibility update",
    "8": "inactive - pending investigation",
    "A": "co-insurance",
    "B": "co-payment",
    "C": "deductible",
    "CB": "coverage basis",
    "D": "benefit description",
    "E": "exclusions",
    "F": "limitations",
    "G": "out-of-pocket (stop loss)",
    "H": "unlimited",
    "I": "non-covered",
    "J": "cost containment",
    "K": "reserve",
    "L": "primary care provider",
    "M": "pre-existing condition",
    "MC": "managed care coordinator",
    "N": "services restricted to following provider",
    "O": "not deemed a medical necessity",
    "P": "benefit disclaimer",
    "Q": "second surgical opinion required",
    "R": "other or additional payer",
    "S": "prior year(s) history",
    "T": "card reported lost or stolen",
    "U": "contact following entity for eligibility or benefit information",
    "V": "cannot process",
    "W": "other source of data",
    "X": "health care facility",
    "Y": "spend down",
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
# Rows naming another company that holds (part of) the benefits: a carve-out or another payer.
CARVE_OUT_CODES = frozenset({"R", "U"})

# EB02: whom an amount covers.
COVERAGE_LEVELS: dict[str, str] = {
    "IND": "individual",
    "FAM": "family",
    "EMP": "employee only",
    "ESP": "employee and spouse",
    "CHD": "children only",
    "ECH": "employee and children",
    "SPC": "spouse and children",
    "SPO": "spouse only",
    "DEP": "dependents only",
    "E1D": "employee and one dependent",
    "E2D": "employee and two dependents",
    "E3D": "employee and three dependents",
    "E5D": "employee and one or more dependents",
    "E6D": "employee and two or more dependents",
    "E7D": "employee and three or more dependents",
    "E8D": "employee and four or more dependents",
    "E9D": "employee and five or more dependents",
    "TWO": "two people",
}
# Which coverage levels are a person's own amount and which are shared with others on the plan.
INDIVIDUAL_LEVELS = frozenset({"IND", "EMP"})
FAMILY_LEVELS = frozenset(COVERAGE_LEVELS) - INDIVIDUAL_LEVELS

# EB06: the period an amount or quantity belongs to.
TIME_PERIODS: dict[str, str] = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}
# An amount with one of these periods is what is left, not the full amount.
REMAINING_PERIODS = frozenset({"29", "33"})
# ... and with this one, what has been used so far.
MET_PERIODS = frozenset({"24"})

# EB09 / HSD01: what a quantity counts.
QUANTITY_QUALIFIERS: dict[str, str] = {
    "8H": "minimum",
    "99": "quantity used",
    "CA": "covered - actual",
    "CE": "covered - estimated",
    "D3": "number of co-insurance days",
    "DB": "deductible blood units",
    "DY": "days",
    "HS": "hours",
    "LA": "life-time reserve - actual",
    "LE": "life-time reserve - estimated",
    "M2": "maximum",
    "MN": "months",
    "P6": "number of services or procedures",
    "QA": "quantity approved",
    "S7": "age, high value",
    "S8": "age, low value",
    "VS": "visits",
    "YY": "years",
}

# EB11: authorization or certification required.
YES_NO_UNKNOWN: dict[str, str] = {"Y": "yes", "N": "no", "U": "unknown"}

# EB12: in plan network.
NETWORK: dict[str, str] = {
    "Y": "in network",
    "N": "out of network",
    "W": "not applicable (applies in and out of network)",
    "U": "unknown",
}

PAYER_UNAVAILABLE = "42"

# AAA04: what the payer wants the sender to do next.
FOLLOW_UPS: dict[str, str] = {
    "C": "please correct and resubmit",
    "N": "resubmission not allowed",
    "P": "please resubmit original transaction",
    "R": "resubmission allowed",
    "S": "do not resubmit; inquiry initiated to a third party",
    "W": "please wait 30 days and resubmit",
    "X": "please wait 10 days and resubmit",
    "Y": "do not resubmit; we will hand over to a third party",
}

# DTP01: what a date is the date of.
DATE_QUALIFIERS: dict[str, str] = {
    "096": "discharge",
    "102": "issue",
    "152": "effective date of change",
    "193": "period start",
    "194": "period end",
    "198": "completion",
    "290": "coordination of benefits",
    "291": "plan",
    "292": "benefit",
    "295": "primary care provider",
    "304": "latest visit or consultation",
    "307": "eligibility",
    "318": "added",
    "340": "COBRA begin",
    "341": "COBRA end",
    "342": "premium paid to date begin",
    "343": "premium paid to date end",
    "346": "plan begin",
    "347": "plan end",
    "348": "benefit begin",
    "349": "benefit end",
    "356": "eligibility begin",
    "357": "eligibility end",
    "382": "enrollment",
    "435": "admission",
    "442": "date of death",
    "458": "certification",
    "472": "service",
    "539": "policy effective",
    "540": "policy expiration",
    "636": "date of last update",
    "771": "status",
}

# DMG03: the person's gender as the payer has it.
GENDERS: dict[str, str] = {"M": "male", "F": "female", "U": "unknown"}


def describe(table: dict[str, str], code: str) -> str:
    """A code's description from its table, or "unknown code X"; "" for no code at all."""
    if not code:
        return ""
    return table.get(code, f"unknown code {code}")


def join_words(items: list[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"; empty items left out."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def with_article(words: str) -> str:
    """ "a deductible", "an out-of-pocket maximum": as a sentence names one figure."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}" if words else ""


def follow_up_code(text: str) -> str:
    """The AAA04 code for a follow-up written out in words (clearinghouse JSON), or ""."""
    wanted = _normalise(text)
    for code, description in FOLLOW_UPS.items():
        if _normalise(description) == wanted:
            return code
    return ""


def _normalise(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())
