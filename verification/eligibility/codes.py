"""X12 005010X279A1 code tables the eligibility engine speaks, with the words staff read.

Every code is kept as a plain string wherever it appears; these tables only describe it. A code
missing from a table is described as "unknown code X" and never makes an answer unreadable:
payers send codes the guide does not list, and staff still need the rest of the answer.
"""

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
    "R": "other or additional payer",
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
}
# Which coverage levels are a person's own amount and which are shared with others on the plan.
INDIVIDUAL_LEVELS = frozenset({"IND", "EMP"})
FAMILY_LEVELS = frozenset({"FAM", "ESP", "CHD", "ECH", "SPC", "SPO", "DEP", "E1D"})

# EB03 / EQ01: what kind of care. The behavioural-health codes are the ones this centre cares about;
# the common medical ones are listed so a payer's answer about them still reads in words.
SERVICE_TYPES: dict[str, str] = {
    "1": "medical care",
    "30": "health benefit plan coverage",
    "33": "chiropractic",
    "35": "dental care",
    "47": "hospital",
    "48": "hospital inpatient",
    "50": "hospital outpatient",
    "51": "hospital emergency accident",
    "52": "hospital emergency medical",
    "86": "emergency services",
    "88": "pharmacy",
    "98": "professional (physician) visit office",
    "99": "professional (physician) visit inpatient",
    "A0": "professional (physician) visit outpatient",
    "A3": "professional (physician) visit home",
    "A4": "psychiatric",
    "A5": "psychiatric room and board",
    "A6": "psychotherapy",
    "A7": "psychiatric inpatient",
    "A8": "psychiatric outpatient",
    "AI": "substance abuse",
    "AJ": "alcoholism",
    "AK": "drug addiction",
    "AL": "vision (optometry)",
    "BB": "partial hospitalization (psychiatric)",
    "BC": "day care (psychiatric)",
    "CE": "mental health provider inpatient",
    "CF": "mental health provider outpatient",
    "MH": "mental health",
    "RT": "residential psychiatric treatment",
    "UC": "urgent care",
}

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
    "29": "remaining",
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

# EB04: the kind of plan.
INSURANCE_TYPES: dict[str, str] = {
    "C1": "commercial",
    "EP": "exclusive provider organization (EPO)",
    "HM": "health maintenance organization (HMO)",
    "IN": "indemnity",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "PR": "preferred provider organization (PPO)",
    "PS": "point of service (POS)",
}

# AAA03: why a payer rejected (part of) a request, in the guide's words.
REJECT_REASONS: dict[str, str] = {
    "15": "required application data missing",
    "41": "authorization/access restrictions",
    "42": "unable to respond at current time",
    "43": "invalid/missing provider identification",
    "50": "provider ineligible for inquiries",
    "51": "provider not on file",
    "57": "invalid/missing dates of service",
    "58": "invalid/missing date of birth",
    "62": "date of service not within allowable inquiry period",
    "63": "date of service in future",
    "71": "patient birth date does not match that for the patient on the database",
    "72": "invalid/missing subscriber/insured ID",
    "73": "invalid/missing subscriber/insured name",
    "75": "subscriber/insured not found",
    "76": "duplicate subscriber/insured ID number",
    "78": "subscriber/insured not in group/plan identified",
    "79": "invalid participant identification",
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

# Each reject reason in plain words for staff, and what to ask the visitor (or whom to tell) to fix it.
REJECTION_WORDS: dict[str, tuple[str, str]] = {
    "15": (
        "The payer says the request was missing information it needs.",
        "Check that the member ID, name and date of birth were all given, then run the check again.",
    ),
    "41": (
        "The payer does not let our account ask about this member.",
        "Nothing to ask the visitor: tell the admissions lead our payer access needs fixing, and call the payer.",
    ),
    "42": (
        "The payer's system could not answer right now.",
        "Nothing to ask the visitor: the check is tried again automatically; call the payer if it keeps failing.",
    ),
    "43": (
        "The payer did not accept our provider details (NPI).",
        "Nothing to ask the visitor: tell the admissions lead our NPI was refused by this payer.",
    ),
    "50": (
        "The payer does not let our provider ask about eligibility.",
        "Nothing to ask the visitor: tell the admissions lead; the payer may need us enrolled first.",
    ),
    "51": (
        "The payer does not have our provider on file.",
        "Nothing to ask the visitor: tell the admissions lead; we may need to enrol with this payer.",
    ),
    "57": (
        "The payer refused the date of service we asked about.",
        "Nothing to ask the visitor: run the check again for today's date.",
    ),
    "58": (
        "The payer says the date of birth is missing or not valid.",
        "Ask them to confirm the patient's date of birth (month, day and year).",
    ),
    "62": (
        "The payer does not answer for the date of service we asked about.",
        "Nothing to ask the visitor: run the check again for a date closer to today.",
    ),
    "63": (
        "The payer does not answer for a date of service in the future.",
        "Nothing to ask the visitor: run the check again for today's date.",
    ),
    "71": (
        "The date of birth does not match the payer's records for this member.",
        "Ask them to confirm the patient's date of birth; if the card is in someone else's name, "
        "ask for that person's date of birth too.",
    ),
    "72": (
        "The payer does not recognise the member ID.",
        "Ask them to read the member ID from the card again, character by character, including any "
        "letters at the start.",
    ),
    "73": (
        "The name does not match the payer's records for this member ID.",
        "Ask for the name exactly as it is printed on the insurance card (middle initial, suffix, a previous surname).",
    ),
    "75": (
        "The payer could not find this person.",
        "Check the date of birth and the member ID with them; if the card is in a parent's or "
        "spouse's name, they are a dependent: ask for the subscriber's name and date of birth.",
    ),
    "76": (
        "The payer has more than one member with this ID.",
        "Ask for the subscriber's name and date of birth, and whether the patient is the subscriber or a dependent.",
    ),
    "78": (
        "The payer says this person is not in the group or plan given.",
        "Ask them to read the group number from the card again, or leave it out if unsure.",
    ),
    "79": (
        "The payer says the member's identification is not valid.",
        "Ask them to read the member ID and name from the card again.",
    ),
}


def describe(table: dict[str, str], code: str) -> str:
    """A code's description from its table, or "unknown code X"; "" for no code at all."""
    if not code:
        return ""
    return table.get(code, f"unknown code {code}")


def rejection_words(code: str) -> tuple[str, str]:
    """(plain words, what to ask the visitor) for a reject reason, also for codes we do not know."""
    if code in REJECTION_WORDS:
        return REJECTION_WORDS[code]
    description = describe(REJECT_REASONS, code) if code else "no reason given"
    return (
        f"The payer rejected the request ({description}).",
        "Call the payer to ask what they need, then run the check again.",
    )


def follow_up_code(text: str) -> str:
    """The AAA04 code for a follow-up written out in words (clearinghouse JSON), or ""."""
    wanted = _normalise(text)
    for code, description in FOLLOW_UPS.items():
        if _normalise(description) == wanted:
            return code
    return ""


def _normalise(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())
