"""The sandbox gateway: a simulated payer inside the app, for demos, development and tests.

It goes the production way: our 270 builder writes the inquiry, the sandbox payer reads that 270,
picks a scenario from the member ID, writes a real 271, and our 271 reader reads it. Nothing leaves
the machine. The scenarios, by member ID (case, spaces and dashes do not matter):

- LNT100001: active; full behavioural-health benefits in and out of network: deductible and
  out-of-pocket (individual and family, with what is left), coinsurance, copays, prior
  authorization on residential and detox, a visit limit on outpatient, a day limit on residential.
- LNT100002: active, but behavioural health is carved out to another company (EB*U, with the
  company's name, ID and phone in its LS/LE loop). The phone is the company's own fictional
  number, never the centre's: a trainee dialling it must not reach their own desk.
- LNT100003: active, with plan-level (30) data only, network not stated.
- LNT200001: coverage inactive (EB*6): the plan ended last year.
- LNT300001: member not found (AAA 75 at the subscriber).
- LNT300002: invalid member ID (AAA 72).
- LNT300003: name does not match (AAA 73).
- LNT400001: payer unavailable (AAA*N**42*R at the payer): raises TransientEligibilityError.
- LNT500001: a slow payer: answers after settings.ELIGIBILITY_SANDBOX_DELAY seconds (3 by default),
  then active with full benefits.
- LNT600001: active, but this plan pays second: an EB*R row names the primary payer (NM1*PRP, with
  its payer ID, the person's member ID there, LNT600002, as REF*IG, and the coordination-of-benefits
  date, DTP*290). Plan-level (30) benefits.
- LNT600002: active and primary, with full benefits (as LNT100001): an EB*R row names the secondary
  payer (NM1*SEP, member ID LNT600001). Give LNT600001 as the first insurance and LNT600002 as the
  second (or the other way round) and the two answers agree on which pays first.
- LNT600003: active, plan-level benefits, and an EB*R row names a primary payer the visitor did not
  give (NORTHSTAR MUTUAL, member ID NSM-4471): staff are told to ask the person about it.
- Any other member ID: active, with plan-level (30) data only.

A dependent (relationship other than "self") is answered in an HL 23 loop under the subscriber.

The sandbox payers, by the payer id the 270 is sent to (`SANDBOX_PAYERS`); any other id answers
every service type it is asked:

- SBXONE ("Sandbox Single-Type Health"): answers one service type per request, as many real payers
  do. Asked about several in one 270, it answers the first of the EQ alone and says nothing of the
  rest; asked about one, it answers that one in full. Every answer also carries its plan-level (30)
  rows. With DEFAULT_SERVICE_TYPES (30 first), one request gets plan-level benefits only; one
  request per service type (the payer's `multiple_service_types` off) gets the member's whole
  scenario back, answer by answer.

An MBI lookup (`lookup_mbi`) finds the people of `mbi.SANDBOX_PEOPLE` by date of birth (1950-01-01:
1EG4TE5MK73, by state or SSN; 1948-06-30: 2NC8W49KD26, by SSN only) and answers AAA 75 for anyone
else, in a 271 read like any other. The SSN goes nowhere in it.
"""

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from .gateways import X12Gateway, accept
from .mbi import lookup_request, sandbox_inquiry, sandbox_mbi
from .summary import CheckResult, EligibilityRequest
from .x12 import Composite, Writer
from .x270 import DEPENDENT_RELATIONSHIPS, Inquiry, read_270
from .x271 import read_271

SANDBOX_MEMBERS: dict[str, str] = {
    "LNT100001": "Active, full behavioural-health benefits in and out of network (deductibles, copays, "
    "coinsurance, prior auth on detox and residential, visit and day limits).",
    "LNT100002": "Active, but behavioural health is carved out to another company (named, with a phone number).",
    "LNT100003": "Active, plan-level (30) benefits only; network status not stated.",
    "LNT200001": "Inactive coverage: the plan ended last year.",
    "LNT300001": "Rejected: member not found (AAA 75).",
    "LNT300002": "Rejected: invalid member ID (AAA 72).",
    "LNT300003": "Rejected: name does not match the member ID (AAA 73).",
    "LNT400001": "Payer unavailable (AAA 42): the check fails and is retried.",
    "LNT500001": "Slow payer: answers after ELIGIBILITY_SANDBOX_DELAY seconds (default 3), then active.",
    "LNT600001": "Active, but secondary: EB*R names the primary payer (name, payer ID, member ID LNT600002).",
    "LNT600002": "Active and primary, full benefits: EB*R names the secondary payer (member ID LNT600001).",
    "LNT600003": "Active, plan-level benefits; EB*R names a primary payer the visitor did not give.",
}
DEFAULT_DESCRIPTION = "Active, plan-level (30) benefits only."
SINGLE_TYPE_PAYER_ID = "SBXONE"
SANDBOX_PAYERS: dict[str, str] = {
    SINGLE_TYPE_PAYER_ID: "Answers only the first service type of a request (and its plan-level rows): ask it "
    "one service type per request.",
}


class SandboxGateway(X12Gateway):
    name = "sandbox"
    usage = "T"

    def __init__(self):
        super().__init__(transport=SandboxPayer())

    def lookup_mbi(self, request: EligibilityRequest, *, ssn: str = "", state: str = "") -> CheckResult:
        asked = lookup_request(request, ssn=ssn, state=state)
        found = sandbox_mbi(asked, ssn=ssn)
        # Straight to the payer's reading of the request (our 270 always carries a member id, and a
        # lookup has none); Medicare answers a real 271, under the MBI it found.
        inquiry = sandbox_inquiry(asked, found=found, originator_id=settings.ELIGIBILITY_X12_ORIGINATOR_ID)
        raw = build_271(inquiry, DEFAULT if found else Scenario(rejection="75"))
        return accept(asked, read_271(raw, gateway=self.name, checked_at=timezone.now()), raw)


class SandboxPayer:
    """A `Transport` that is its own payer: reads the 270, answers with a 271."""

    def send(self, x12_270: str) -> str:
        inquiry = read_270(x12_270)
        scenario = scenario_for(inquiry.member_id)
        if scenario.slow:
            time.sleep(settings.ELIGIBILITY_SANDBOX_DELAY)
        if inquiry.payer_id == SINGLE_TYPE_PAYER_ID and inquiry.service_types:
            scenario = answering_only(scenario, inquiry.service_types[0])
        return build_271(inquiry, scenario)


def normalise(member_id: str) -> str:
    return "".join(char for char in member_id.upper() if char.isalnum())


# --- Scenarios ----------------------------------------------------------------------------------


def eb(
    code: str,
    level: str = "",
    types: tuple[str, ...] = (),
    *,
    insurance: str = "",
    plan: str = "",
    period: str = "",
    amount: str = "",
    percent: str = "",
    qualifier: str = "",
    quantity: str = "",
    auth: str = "",
    network: str = "",
    hcpcs: str = "",
) -> list[object]:
    return [
        "EB",
        code,
        level,
        list(types),
        insurance,
        plan,
        period,
        amount,
        percent,
        qualifier,
        quantity,
        auth,
        network,
        Composite("HC", hcpcs) if hcpcs else "",
    ]


def msg(text: str) -> list[object]:
    return ["MSG", text]


def _accumulators(types: tuple[str, ...], figures: dict[tuple[str, str, str], tuple[str, str]]) -> list[list[object]]:
    """C and G rows for (kind, coverage level, network) -> (calendar-year total, remaining)."""
    rows = []
    for (kind, level, network), (total, remaining) in figures.items():
        rows.append(eb(kind, level, types, period="23", amount=total, network=network))
        rows.append(eb(kind, level, types, period="29", amount=remaining, network=network))
    return rows


FULL_ACCUMULATORS = {
    ("C", "IND", "Y"): ("1500", "900"),
    ("C", "FAM", "Y"): ("3000", "2250"),
    ("C", "IND", "N"): ("3000", "3000"),
    ("C", "FAM", "N"): ("6000", "6000"),
    ("G", "IND", "Y"): ("6000", "4850"),
    ("G", "FAM", "Y"): ("12000", "10400"),
    ("G", "IND", "N"): ("12000", "12000"),
    ("G", "FAM", "N"): ("24000", "24000"),
}
SUD = ("AI", "AJ", "AK")


def full_benefits(inquiry: Inquiry) -> list[list[object]]:
    return [
        eb("1", "", ("30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"), insurance="PR", plan="SANDBOX PPO GOLD"),
        *_accumulators(("30",), FULL_ACCUMULATORS),
        eb("A", "IND", ("30",), percent="0.2", network="Y"),
        eb("A", "IND", ("30",), percent="0.4", network="N"),
        # Substance use: the same accumulators, repeated per service type as many payers do.
        *_accumulators(SUD, FULL_ACCUMULATORS),
        # Detox: substance-use rows for acute detoxification in an inpatient programme (HCPCS H0011).
        eb("B", "IND", SUD, period="36", amount="250", auth="Y", network="Y", hcpcs="H0011"),
        msg("INPATIENT DETOXIFICATION, PER ADMISSION"),
        eb("A", "IND", SUD, percent="0.1", auth="Y", network="Y", hcpcs="H0011"),
        msg("INPATIENT DETOXIFICATION"),
        eb("A", "IND", SUD, percent="0.4", auth="Y", network="N", hcpcs="H0011"),
        msg("INPATIENT DETOXIFICATION"),
        # Residential.
        eb("1", "", ("RT",)),
        eb("A", "IND", ("RT",), percent="0.2", auth="Y", network="Y"),
        msg("PRIOR AUTHORIZATION REQUIRED BEFORE ADMISSION"),
        eb("A", "IND", ("RT",), percent="0.4", auth="Y", network="N"),
        eb("F", "IND", ("RT",), period="23", qualifier="DY", quantity="30", network="W"),
        eb("F", "IND", ("RT",), period="29", qualifier="DY", quantity="24", network="W"),
        # Partial hospitalization: prior authorization not stated, on purpose.
        eb("1", "", ("BB",)),
        eb("B", "IND", ("BB",), period="7", amount="100", network="Y"),
        eb("A", "IND", ("BB",), percent="0.4", network="N"),
        # Intensive outpatient (HCPCS H0015).
        eb("B", "IND", SUD, period="7", amount="75", auth="N", network="Y", hcpcs="H0015"),
        msg("INTENSIVE OUTPATIENT PROGRAM, PER DAY"),
        # Outpatient.
        eb("1", "", ("A8", "MH")),
        eb("B", "IND", ("A8", "MH"), period="27", amount="30", auth="N", network="Y"),
        eb("A", "IND", ("A8", "MH"), percent="0.4", auth="N", network="N"),
        eb("F", "IND", ("A8", "MH"), period="23", qualifier="VS", quantity="40", network="W"),
        eb("F", "IND", ("A8", "MH"), period="29", qualifier="VS", quantity="32", network="W"),
    ]


def carved_out(inquiry: Inquiry) -> list[list[object]]:
    return [
        eb("1", "", ("30",), insurance="PS", plan="SANDBOX CHOICE POS"),
        eb("C", "IND", ("30",), period="23", amount="2000", network="Y"),
        eb("C", "IND", ("30",), period="29", amount="2000", network="Y"),
        eb("G", "IND", ("30",), period="23", amount="8000", network="Y"),
        eb("G", "IND", ("30",), period="29", amount="7600", network="Y"),
        eb("A", "IND", ("30",), percent="0.25", network="Y"),
        eb("U", "", ("MH", "AI", "AJ", "AK", "RT", "BB")),
        msg("BEHAVIORAL HEALTH BENEFITS ARE ADMINISTERED BY A SEPARATE COMPANY"),
        ["LS", "2120"],
        ["NM1", "Y2", "2", "HARBORLIGHT BEHAVIORAL HEALTH", "", "", "", "", "PI", "HBH01"],
        ["PER", "IC", "PROVIDER SERVICES", "TE", "8775550158"],
        ["LE", "2120"],
    ]


def plan_level(inquiry: Inquiry) -> list[list[object]]:
    # No EB12 anywhere: the payer does not say which network these figures are for.
    return [
        eb("1", "", ("30",), insurance="HM", plan="SANDBOX BASIC HMO"),
        eb("C", "IND", ("30",), period="23", amount="2500"),
        eb("C", "IND", ("30",), period="29", amount="2500"),
        eb("C", "FAM", ("30",), period="23", amount="5000"),
        eb("C", "FAM", ("30",), period="29", amount="4100"),
        eb("G", "IND", ("30",), period="23", amount="7000"),
        eb("G", "IND", ("30",), period="29", amount="6100"),
        eb("G", "FAM", ("30",), period="23", amount="14000"),
        eb("G", "FAM", ("30",), period="29", amount="12000"),
        eb("A", "IND", ("30",), percent="0.3"),
        eb("B", "IND", ("30",), period="27", amount="40"),
    ]


# The payer the two coordination-of-benefits scenarios name: the sandbox cannot know which insurer
# the visitor chose for their other card, so the member ID there is what ties the two together.
OTHER_SANDBOX_PLAN = ("SANDBOX OTHER HEALTH PLAN", "SBXOTHER")


def other_payer(inquiry: Inquiry, role: str, name: str, payer_id: str, member_id: str) -> list[list[object]]:
    """An EB*R row naming another payer of the person's in `role` (PRP, SEP or TTP), since January 1."""
    year = (inquiry.date_of_service or dt.date.today()).year
    return [
        eb("R", "", ("30",), insurance="C1"),
        ["REF", "IG", member_id],
        ["DTP", "290", "D8", f"{year}0101"],
        ["LS", "2120"],
        ["NM1", role, "2", name, "", "", "", "", "PI", payer_id],
        ["LE", "2120"],
    ]


def pays_second(inquiry: Inquiry) -> list[list[object]]:
    return [*plan_level(inquiry), *other_payer(inquiry, "PRP", *OTHER_SANDBOX_PLAN, "LNT600002")]


def pays_first(inquiry: Inquiry) -> list[list[object]]:
    return [*full_benefits(inquiry), *other_payer(inquiry, "SEP", *OTHER_SANDBOX_PLAN, "LNT600001")]


def another_payer_first(inquiry: Inquiry) -> list[list[object]]:
    return [*plan_level(inquiry), *other_payer(inquiry, "PRP", "NORTHSTAR MUTUAL", "NSM01", "NSM-4471")]


def inactive(inquiry: Inquiry) -> list[list[object]]:
    year = (inquiry.date_of_service or dt.date.today()).year - 1
    return [
        eb("6", "", ("30",)),
        ["DTP", "307", "RD8", f"{year}0101-{year}1231"],
    ]


@dataclass(frozen=True)
class Scenario:
    benefits: Callable[[Inquiry], list[list[object]]] | None = None
    # AAA03 at the subscriber (2100C) or at the payer (2100A).
    rejection: str = ""
    payer_rejection: str = ""
    slow: bool = False
    plan_ended: bool = False


def answering_only(scenario: Scenario, code: str) -> Scenario:
    """`scenario` as a payer that answers one service type per request tells it: the rows about
    `code` and the plan-level (30) rows, each narrowed to those types, with the messages and
    related entities that follow them; nothing about any other type asked, and no word that it
    was left out."""
    if scenario.benefits is None:
        return scenario
    kept_types = {code, "30"}
    full = scenario.benefits

    def benefits(inquiry: Inquiry) -> list[list[object]]:
        segments, keeping = [], False
        for segment in full(inquiry):
            if segment[0] == "EB":
                types = [name for name in segment[3] if name in kept_types]
                # A row naming no service type is about the plan (the guide reads it as 30).
                keeping = bool(types) or not segment[3]
                segment = [*segment[:3], types, *segment[4:]]
            if keeping:
                segments.append(segment)
        return segments

    return replace(scenario, benefits=benefits)


SCENARIOS: dict[str, Scenario] = {
    "LNT100001": Scenario(full_benefits),
    "LNT100002": Scenario(carved_out),
    "LNT100003": Scenario(plan_level),
    "LNT200001": Scenario(inactive, plan_ended=True),
    "LNT300001": Scenario(rejection="75"),
    "LNT300002": Scenario(rejection="72"),
    "LNT300003": Scenario(rejection="73"),
    "LNT400001": Scenario(payer_rejection="42"),
    "LNT500001": Scenario(full_benefits, slow=True),
    "LNT600001": Scenario(pays_second),
    "LNT600002": Scenario(pays_first),
    "LNT600003": Scenario(another_payer_first),
}
DEFAULT = Scenario(plan_level)


def scenario_for(member_id: str) -> Scenario:
    return SCENARIOS.get(normalise(member_id), DEFAULT)


# --- The 271 --------------------------------------------------------------------------------------


def build_271(inquiry: Inquiry, scenario: Scenario, *, now: dt.datetime | None = None) -> str:
    """The sandbox payer's 271 answer to `inquiry`, echoing what it was sent as payers do."""
    now = now or dt.datetime.now()
    service = inquiry.date_of_service or now.date()
    year = service.year - 1 if scenario.plan_ended else service.year
    body: list[list[object]] = [
        ["BHT", "0022", "11", inquiry.trace_number, now.strftime("%Y%m%d"), now.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", inquiry.payer_name or "LANTERN SANDBOX PAYER", "", "", "", "", "PI", inquiry.payer_id],
    ]
    if scenario.payer_rejection:
        # The payer cannot look anything up, so it says nothing about the provider or the member.
        body.append(["AAA", "N", "", scenario.payer_rejection, "R"])
        return _envelope(body, now)
    body += [
        ["PER", "IC", "SANDBOX PROVIDER SERVICES", "TE", "8005550100"],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", inquiry.provider_name, "", "", "", "", "XX", inquiry.provider_npi],
    ]
    dependent = inquiry.dependent and not scenario.rejection
    body.append(["HL", "3", "2", "22", "1" if dependent else "0"])
    if not dependent:
        body.append(["TRN", "2", inquiry.trace_number, inquiry.originator_id])
    body.append(
        [
            "NM1",
            "IL",
            "1",
            inquiry.subscriber_last_name,
            inquiry.subscriber_first_name,
            "",
            "",
            "",
            "MI",
            inquiry.member_id,
        ]
    )
    if scenario.rejection:
        body.append(["AAA", "N", "", scenario.rejection, "C"])
        if inquiry.subscriber_date_of_birth:
            body.append(["DMG", "D8", inquiry.subscriber_date_of_birth.strftime("%Y%m%d")])
        return _envelope(body, now)
    body.append(["REF", "6P", inquiry.group_number or "SBX-GRP-01", "SANDBOX EMPLOYER GROUP"])
    if inquiry.subscriber_date_of_birth:
        body.append(["DMG", "D8", inquiry.subscriber_date_of_birth.strftime("%Y%m%d")])
    plan_dates = [["DTP", "346", "D8", f"{year}0101"], ["DTP", "347", "D8", f"{year}1231"]]
    benefits = scenario.benefits(inquiry) if scenario.benefits else []
    if not dependent:
        body.append(["INS", "Y", "18", "001", "25"])
        body += plan_dates + benefits
        return _envelope(body, now)
    body += [
        ["HL", "4", "3", "23", "0"],
        ["TRN", "2", inquiry.trace_number, inquiry.originator_id],
        ["NM1", "03", "1", inquiry.last_name, inquiry.first_name],
    ]
    if inquiry.date_of_birth:
        body.append(["DMG", "D8", inquiry.date_of_birth.strftime("%Y%m%d")])
    body.append(["INS", "N", DEPENDENT_RELATIONSHIPS.get(inquiry.relationship, "34"), "001", "25"])
    body += plan_dates + benefits
    return _envelope(body, now)


def _envelope(body: list[list[object]], now: dt.datetime) -> str:
    # Newlines after each segment: the raw answer staff may open should be readable.
    return Writer(newlines=True).interchange(
        [("271", "0001", body)],
        functional_id="HB",
        sender_id="LANTERNSANDBOX",
        receiver_id="LANTERN",
        control_number=1 + secrets.randbelow(999_999_998),
        now=now,
        usage="T",
    )
