"""Medicare Beneficiary Identifiers (MBIs): their format, and looking one up for a person without
their Medicare card.

An MBI has 11 characters: position 1 a digit from 1 to 9; 2, 5, 8 and 9 letters; 3 and 6 a letter
or a digit; 4, 7, 10 and 11 digits. Its letters never include S, L, O, I, B or Z (they pass for
5, 1, 0, 1, 8 and 2). Cards print it with dashes (1EG4-TE5-MK73); it is kept without them.

A lookup is an eligibility request sent to a special payer id: ELIGIBILITY_MBI_LOOKUP_PAYER_ID
with the person's Social Security number, or ELIGIBILITY_MBI_LOOKUP_NO_SSN_PAYER_ID with their
state instead. Its answer is a whole eligibility answer whose subscriber member id is the MBI.
An SSN lives only as long as that one request: it is never stored, logged or queued, and every
answer is scrubbed of it before anything keeps the answer (`scrub_answer`).
"""

import dataclasses
import datetime as dt
import json
import re
from typing import Any

from django.conf import settings

from .coverage import CoverageStatus
from .errors import EligibilityError, never_sent
from .summary import BenefitSummary, EligibilityRequest
from .x270 import Inquiry

MBI_LENGTH = 11
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
NEVER_IN_AN_MBI = "SLOIBZ"
_LETTER = f"[{MBI_LETTERS}]"
_EITHER = f"[{MBI_LETTERS}0-9]"
_MBI = re.compile(f"[1-9]{_LETTER}{_EITHER}[0-9]{_LETTER}{_EITHER}[0-9]{_LETTER}{_LETTER}[0-9][0-9]")
_SEPARATORS = re.compile(r"[\s-]+")


def normalise_mbi(value: str) -> str:
    """The MBI as stored: capitals, without the dashes and spaces a card or a person puts in."""
    return _SEPARATORS.sub("", value or "").upper()


def mbi_fault(value: str) -> str:
    """What is wrong with `value` (normalised) as an MBI: "length", "letters" (one of S, L, O, I,
    B, Z), "pattern", or "" when it is a well-formed MBI."""
    if len(value) != MBI_LENGTH:
        return "length"
    if any(letter in NEVER_IN_AN_MBI for letter in value):
        return "letters"
    return "" if _MBI.fullmatch(value) else "pattern"


def is_mbi(value: str) -> bool:
    return mbi_fault(normalise_mbi(value)) == ""


# --- The lookup ------------------------------------------------------------------------------


def lookup_payer_id(ssn: str) -> str:
    return settings.ELIGIBILITY_MBI_LOOKUP_PAYER_ID if ssn else settings.ELIGIBILITY_MBI_LOOKUP_NO_SSN_PAYER_ID


def lookup_request(request: EligibilityRequest, *, ssn: str, state: str) -> EligibilityRequest:
    """The request a lookup sends: the person as the subscriber (Medicare has no dependants), no
    member id, the plan as a whole (30). Raises EligibilityError, before anything is sent, when
    it could not find anyone: without an SSN, the state is what Medicare searches by."""
    if not ssn and not state:
        raise never_sent(EligibilityError("An MBI lookup without an SSN needs the person's state, and none was given."))
    return dataclasses.replace(
        request,
        payer_id=lookup_payer_id(ssn),
        member_id="",
        group_number="",
        relationship="self",
        subscriber_first_name="",
        subscriber_last_name="",
        subscriber_date_of_birth=None,
        service_types=["30"],
    )


def lookup_body(body: dict[str, Any], *, ssn: str, state: str) -> dict[str, Any]:
    """A JSON eligibility request (jsonapi.request_body) turned into a lookup: the subscriber
    found by SSN or by state instead of a member id."""
    subscriber = dict(body["subscriber"])
    subscriber.pop("memberId", None)
    if ssn:
        subscriber["ssn"] = ssn
    if state:
        subscriber["address"] = {"state": state}
    return {**body, "subscriber": subscriber}


def scrub_answer(raw: str, ssn: str) -> str:
    """The answer without the SSN: clearinghouses do not echo it, but nothing here relies on that.
    Any "ssn" key of a JSON answer goes, and so does the number wherever else it shows (a free-text
    message), with or without dashes."""
    if ssn:
        # Not inside a longer number (a phone, a trace number): that is not the SSN.
        written = r"[-\s]?".join(map(re.escape, (ssn[:3], ssn[3:5], ssn[5:])))
        raw = re.sub(rf"(?<!\d){written}(?!\d)", "", raw)
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    # Written back compactly: kept as received, it would keep what was just taken out.
    return json.dumps(_without_ssn(data))


def _without_ssn(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_ssn(value) for key, value in data.items() if key.lower() != "ssn"}
    if isinstance(data, list):
        return [_without_ssn(item) for item in data]
    return data


def found_mbi(summary: BenefitSummary) -> str:
    """The MBI a lookup's answer gives, or "" when Medicare found nobody (or gave no MBI)."""
    subscriber = summary.subscriber
    if summary.status not in (CoverageStatus.ACTIVE, CoverageStatus.INACTIVE) or subscriber is None:
        return ""
    mbi = normalise_mbi(subscriber.member_id)
    return mbi if is_mbi(mbi) else ""


# --- The sandbox's people --------------------------------------------------------------------

# By date of birth, whatever the name: (found without an SSN too, the MBI).
SANDBOX_PEOPLE: dict[dt.date, tuple[bool, str]] = {
    # Found from name, date of birth and state (the example MBI on CMS's own pages).
    dt.date(1950, 1, 1): (True, "1EG4TE5MK73"),
    # Found only with an SSN: the state lookup misses them, as it does for many real people.
    dt.date(1948, 6, 30): (False, "2NC8W49KD26"),
}


def sandbox_mbi(request: EligibilityRequest, *, ssn: str) -> str:
    """The MBI of a sandbox person, or "" for anyone else (Medicare answers AAA 75)."""
    without_ssn, mbi = SANDBOX_PEOPLE.get(request.date_of_birth, (False, ""))
    return mbi if (ssn or without_ssn) else ""


def sandbox_inquiry(asked: EligibilityRequest, *, found: str, originator_id: str) -> Inquiry:
    """A lookup as the sandbox's Medicare reads it, answering under the MBI it `found` (or none)."""
    return Inquiry(
        payer_name=asked.payer_name,
        payer_id=asked.payer_id,
        provider_name=asked.provider_name,
        provider_npi=asked.provider_npi,
        member_id=found,
        subscriber_first_name=asked.first_name,
        subscriber_last_name=asked.last_name,
        subscriber_date_of_birth=asked.date_of_birth,
        first_name=asked.first_name,
        last_name=asked.last_name,
        date_of_birth=asked.date_of_birth,
        trace_number=asked.trace_number,
        originator_id=originator_id,
        date_of_service=asked.date_of_service,
        service_types=list(asked.service_types),
    )
