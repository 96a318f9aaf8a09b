"""Build a 270 eligibility inquiry, and read one back (the sandbox payer does, as a real payer would).

One inquiry per interchange: ISA/GS (HS)/ST 270/BHT 0022*13, then the HL tree 20 payer,
21 provider, 22 subscriber and, when the patient is not the subscriber, 23 dependent under it.
The trace number (TRN) and the service types (EQ) go in the patient's loop: the subscriber's,
or the dependent's when there is one.
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from .errors import EligibilityError, never_sent
from .summary import EligibilityRequest
from .x12 import STANDARD, Delimiters, Writer, parse, parse_date

VERSION = "005010X279A1"
# INS02 for a dependent: the guide's codes for spouse, child and any other adult.
DEPENDENT_RELATIONSHIPS = {"spouse": "01", "child": "19", "other": "34"}
RELATIONSHIP_NAMES = {code: name for name, code in DEPENDENT_RELATIONSHIPS.items()}
_NPI = re.compile(r"^\d{10}$")
_SERVICE_TYPE = re.compile(r"^[A-Z0-9]{1,2}$")


def build_270(
    request: EligibilityRequest,
    *,
    sender_id: str = "LANTERN",
    receiver_id: str = "CLEARINGHOUSE",
    originator_id: str = "9LANTERN00",
    control_number: int | None = None,
    now: dt.datetime | None = None,
    usage: str = "P",
    delimiters: Delimiters = STANDARD,
    newlines: bool = False,
) -> str:
    """The 270 for `request`; EligibilityError naming the first field that makes one impossible."""
    _check(request)
    now = now or dt.datetime.now()
    control_number = control_number if control_number is not None else 1 + secrets.randbelow(999_999_998)
    date = now.strftime("%Y%m%d")
    dependent = request.is_dependent
    body: list[list[object]] = [
        ["BHT", "0022", "13", request.trace_number, date, now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", request.payer_name, "", "", "", "", "PI", request.payer_id],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", request.provider_name, "", "", "", "", "XX", request.provider_npi],
        ["HL", "3", "2", "22", "1" if dependent else "0"],
    ]
    patient_loop = [
        ["TRN", "1", request.trace_number, originator_id],
    ]
    inquiry = [
        ["DTP", "291", "D8", request.date_of_service.strftime("%Y%m%d")],
        ["EQ", [code.strip().upper() for code in request.service_types]],
    ]
    if not dependent:
        body += patient_loop
        body.append(["NM1", "IL", "1", request.last_name, request.first_name, "", "", "", "MI", request.member_id])
        if request.group_number:
            body.append(["REF", "6P", request.group_number])
        body.append(["DMG", "D8", request.date_of_birth.strftime("%Y%m%d")])
        body += inquiry
    else:
        body.append(
            [
                "NM1",
                "IL",
                "1",
                request.subscriber_last_name,
                request.subscriber_first_name,
                "",
                "",
                "",
                "MI",
                request.member_id,
            ]
        )
        if request.group_number:
            body.append(["REF", "6P", request.group_number])
        if request.subscriber_date_of_birth:
            body.append(["DMG", "D8", request.subscriber_date_of_birth.strftime("%Y%m%d")])
        body.append(["HL", "4", "3", "23", "0"])
        body += patient_loop
        body.append(["NM1", "03", "1", request.last_name, request.first_name])
        body.append(["DMG", "D8", request.date_of_birth.strftime("%Y%m%d")])
        body.append(["INS", "N", DEPENDENT_RELATIONSHIPS.get(request.relationship, "34")])
        body += inquiry
    writer = Writer(delimiters, newlines=newlines)
    return writer.interchange(
        [("270", "0001", body)],
        functional_id="HS",
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        now=now,
        usage=usage,
        version=VERSION,
    )


def _check(request: EligibilityRequest) -> None:
    required = {
        "payer_id": request.payer_id,
        "payer_name": request.payer_name,
        "provider_name": request.provider_name,
        "member_id": request.member_id,
        "first_name": request.first_name,
        "last_name": request.last_name,
        "trace_number": request.trace_number,
    }
    for name, value in required.items():
        if not str(value or "").strip():
            raise never_sent(EligibilityError(f"Cannot build a 270: {name} is empty."))
    if not _NPI.match(request.provider_npi or ""):
        raise never_sent(EligibilityError("Cannot build a 270: provider_npi must be the provider's 10-digit NPI."))
    if request.relationship not in ("self", *DEPENDENT_RELATIONSHIPS):
        raise never_sent(
            EligibilityError(
                f"Cannot build a 270: relationship {request.relationship!r} is not self/spouse/child/other."
            )
        )
    bad = [code for code in request.service_types if not _SERVICE_TYPE.match(code.strip().upper())]
    if bad or not request.service_types:
        raise never_sent(
            EligibilityError(f"Cannot build a 270: service types must be 1-2 letter or digit codes, got {bad!r}.")
        )


# --- Reading one back ---------------------------------------------------------------------------


@dataclass
class Inquiry:
    """What a 270 asks, as a payer reads it."""

    interchange_control_number: str = ""
    transaction_control_number: str = ""
    payer_name: str = ""
    payer_id: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    member_id: str = ""
    subscriber_first_name: str = ""
    subscriber_last_name: str = ""
    subscriber_date_of_birth: dt.date | None = None
    group_number: str = ""
    # Set when the patient is a dependent (HL 23).
    dependent: bool = False
    relationship: str = "self"
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    trace_number: str = ""
    originator_id: str = ""
    date_of_service: dt.date | None = None
    service_types: list[str] = field(default_factory=list)
    hl_levels: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Inquiry(payer_id={self.payer_id!r}, dependent={self.dependent!r}, trace_number={self.trace_number!r})"


def read_270(text: str) -> Inquiry:
    """The inquiry in a 270 interchange (the first 270 transaction); X12Error if the envelope is broken."""
    interchange = parse(text)
    transaction = next((t for t in interchange.transactions if t.set_id == "270"), None)
    if transaction is None:
        raise EligibilityError("The input holds no 270 transaction.")
    inquiry = Inquiry(
        interchange_control_number=interchange.control_number,
        transaction_control_number=transaction.control_number,
    )
    level = ""
    for seg in transaction.segments:
        if seg.id == "HL":
            level = seg[3]
            inquiry.hl_levels.append(level)
            if level == "23":
                inquiry.dependent = True
        elif seg.id == "NM1" and level == "20":
            inquiry.payer_name, inquiry.payer_id = seg[3], seg[9]
        elif seg.id == "NM1" and level == "21":
            inquiry.provider_name, inquiry.provider_npi = seg[3], seg[9]
        elif seg.id == "NM1" and level == "22":
            inquiry.subscriber_last_name, inquiry.subscriber_first_name = seg[3], seg[4]
            inquiry.member_id = seg[9]
        elif seg.id == "NM1" and level == "23":
            inquiry.last_name, inquiry.first_name = seg[3], seg[4]
        elif seg.id == "REF" and seg[1] in ("6P", "1L") and level in ("22", "23"):
            inquiry.group_number = seg[2]
        elif seg.id == "DMG" and level == "22":
            inquiry.subscriber_date_of_birth = parse_date(seg[2])
        elif seg.id == "DMG" and level == "23":
            inquiry.date_of_birth = parse_date(seg[2])
        elif seg.id == "INS" and level == "23":
            inquiry.relationship = RELATIONSHIP_NAMES.get(seg[2], "other")
        elif seg.id == "TRN":
            inquiry.trace_number, inquiry.originator_id = seg[2], seg[3]
        elif seg.id == "DTP" and seg[1] == "291":
            inquiry.date_of_service = parse_date(seg[3].partition("-")[0])
        elif seg.id == "EQ":
            inquiry.service_types += seg.repeats(1)
    if not inquiry.dependent:
        # The subscriber is the patient.
        inquiry.first_name, inquiry.last_name = inquiry.subscriber_first_name, inquiry.subscriber_last_name
        inquiry.date_of_birth = inquiry.subscriber_date_of_birth
    return inquiry
