"""The request a gateway sends and the `BenefitSummary` every gateway answers with.

A summary holds PHI (names, member IDs, dates of birth): store it encrypted, like the raw answer.
Its `repr` is kept free of PHI so a summary that slips into a log or a traceback does not leak.

`to_dict()` gives JSON-safe data (Decimals as strings, dates ISO) and `BenefitSummary.from_dict()`
reads it back; unknown keys are ignored and missing ones take their defaults, so summaries stored
by an older version of this code still load.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from .codes import PAYER_UNAVAILABLE
from .coverage import CoverageStatus
from .stored_json import from_json, to_json

# How a figure from the plan-as-a-whole rows names its source (`CareLevel.sources`).
PLAN_DESCRIPTION = "plan-level benefits (30)"
LEVELS = ("detox", "residential", "php", "iop", "outpatient", "plan")
DEFAULT_SERVICE_TYPES = ["30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"]
RELATIONSHIPS = ("self", "spouse", "child", "other")


def _new_trace_number() -> str:
    return uuid.uuid4().hex[:20].upper()


@dataclass(kw_only=True)
class EligibilityRequest:
    """What we ask a payer: who the patient is, under which card, for which kinds of care."""

    payer_id: str
    payer_name: str
    provider_name: str
    provider_npi: str
    member_id: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    group_number: str = ""
    # The patient's relationship to the subscriber (the card holder); anything but "self" makes
    # the patient a dependent, asked about under the subscriber.
    relationship: str = "self"
    subscriber_first_name: str = ""
    subscriber_last_name: str = ""
    subscriber_date_of_birth: dt.date | None = None
    service_types: list[str] = field(default_factory=lambda: list(DEFAULT_SERVICE_TYPES))
    date_of_service: dt.date = field(default_factory=dt.date.today)
    trace_number: str = field(default_factory=_new_trace_number)

    @property
    def is_dependent(self) -> bool:
        return self.relationship != "self"

    def __repr__(self) -> str:
        return (
            f"EligibilityRequest(payer_id={self.payer_id!r}, relationship={self.relationship!r}, "
            f"trace_number={self.trace_number!r})"
        )


# --- The answer -------------------------------------------------------------------------------


@dataclass
class Rejection:
    """One AAA segment: the payer refused (part of) the request, and why."""

    loop: str = ""
    code: str = ""
    follow_up: str = ""
    description: str = ""
    follow_up_description: str = ""
    # Plain words for staff, and what to ask the visitor (or whom to tell) to put it right.
    text: str = ""
    hint: str = ""
    valid_request: str = ""


@dataclass
class DateInfo:
    """A DTP segment: a date or a range, with what it is the date of."""

    qualifier: str = ""
    description: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class Reference:
    qualifier: str = ""
    description: str = ""
    value: str = ""
    text: str = ""


@dataclass
class RelatedEntity:
    """The NM1 of an LS/LE loop: who else the payer names for a benefit (a carve-out, a PCP)."""

    entity_code: str = ""
    entity: str = ""
    name: str = ""
    id_qualifier: str = ""
    id: str = ""
    contact_name: str = ""
    phone: str = ""
    # Every way to reach them, readable: "phone 8005550142", "web https://...".
    contacts: list[str] = field(default_factory=list)
    address: str = ""


@dataclass
class BenefitRow:
    """One EB segment with what follows it (HSD, REF, DTP, AAA, MSG, LS/LE), every code kept."""

    loop: str = ""
    eb01: str = ""
    eb01_description: str = ""
    coverage_level: str = ""
    coverage_level_description: str = ""
    service_types: list[str] = field(default_factory=list)
    service_type_descriptions: list[str] = field(default_factory=list)
    insurance_type: str = ""
    insurance_type_description: str = ""
    plan_description: str = ""
    time_period: str = ""
    time_period_description: str = ""
    amount: Decimal | None = None
    # A fraction: 0.2 is 20 %.
    percent: Decimal | None = None
    # The percentage element (EB08) as the payer sent it: "20" when a payer meant 20 % (see `doubts`).
    percent_sent: str = ""
    quantity_qualifier: str = ""
    quantity_qualifier_description: str = ""
    quantity: Decimal | None = None
    auth_required: str = ""
    network: str = ""
    network_description: str = ""
    procedure: str = ""
    messages: list[str] = field(default_factory=list)
    dates: list[DateInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)
    # Place-of-service codes (III*ZZ in 2115C/D): where the row's care is given.
    places_of_service: list[str] = field(default_factory=list)
    place_of_service_descriptions: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    related_entities: list[RelatedEntity] = field(default_factory=list)
    # Values that cannot be what their element claims (a percentage of 1840), as the payer sent
    # them, by element name ("percent", "amount", "quantity"); see `doubts`.
    doubtful: dict[str, str] = field(default_factory=dict)

    @property
    def related_entity(self) -> RelatedEntity | None:
        return self.related_entities[0] if self.related_entities else None


@dataclass
class Money:
    """An accumulator amount: the full amount, what has been met and what is left."""

    total: Decimal | None = None
    met: Decimal | None = None
    remaining: Decimal | None = None

    @property
    def stated(self) -> bool:
        return self.total is not None or self.remaining is not None or self.met is not None


@dataclass
class NetworkTerms:
    """What a level of care costs in one network column (in, out, or network not stated)."""

    deductible_individual: Money = field(default_factory=Money)
    deductible_family: Money = field(default_factory=Money)
    out_of_pocket_individual: Money = field(default_factory=Money)
    out_of_pocket_family: Money = field(default_factory=Money)
    copay: Decimal | None = None
    # What one copay pays for: "visit", "day", "admission", or "" when the payer did not say.
    copay_per: str = ""
    coinsurance: Decimal | None = None

    @property
    def stated(self) -> bool:
        moneys = (self.deductible_individual, self.deductible_family)
        moneys += (self.out_of_pocket_individual, self.out_of_pocket_family)
        return any(money.stated for money in moneys) or self.copay is not None or self.coinsurance is not None


@dataclass
class Limit:
    """A visit, day or other quantity limit, e.g. "30 days per calendar year (in and out of network)"."""

    quantity: Decimal | None = None
    qualifier: str = ""
    unit: str = ""
    time_period: str = ""
    time_period_description: str = ""
    network: str = ""
    remaining: bool = False
    text: str = ""


@dataclass
class CareLevel:
    """What the payer said about one level of care, gathered from every row that applies to it.

    See `sources` for which service types feed which level and the order they are tried in.
    """

    level: str = ""
    label: str = ""
    # True when the payer answered active coverage for this kind of care, False for non-covered
    # or inactive, None when it did not say (plan-level answers do not count).
    covered: bool | None = None
    prior_auth: bool | None = None
    in_network: NetworkTerms = field(default_factory=NetworkTerms)
    out_of_network: NetworkTerms = field(default_factory=NetworkTerms)
    network_unstated: NetworkTerms = field(default_factory=NetworkTerms)
    limits: list[Limit] = field(default_factory=list)
    # Name of the company a carve-out hands this care to; the payer's own figures then do not apply.
    carved_out_to: str = ""
    # Where each figure came from, e.g. {"deductible": "plan-level benefits (30)"}.
    sources: dict[str, str] = field(default_factory=dict)
    from_plan_level: bool = False
    service_types: list[str] = field(default_factory=list)
    # Figures the payer sent rows for that could not be used, before any row that stated them:
    # {"deductible": "missing"} for a row without an amount, "doubtful" for an impossible value.
    unusable: dict[str, str] = field(default_factory=dict)
    # Plain words about this level's doubtful values, for staff; also in the summary's warnings.
    warnings: list[str] = field(default_factory=list)
    # The payer's messages (MSG) on the rows this level's figures came from, as written: staff read
    # them, the reader never does (a message never decides a level of care, see `sources`).
    notes: list[str] = field(default_factory=list)

    def cost_figures(self) -> list[str]:
        """The cost figures this level states (not its coverage, limits or prior authorization)."""
        return [name for name in self.sources if name not in ("covered", "limits", "prior_auth")]

    def figure_from_plan(self, figure: str) -> bool:
        """`figure` came from the plan-as-a-whole rows, not rows about this kind of care. The reader
        records where a figure came from only as its source's description: compared here alone."""
        return self.sources.get(figure) == PLAN_DESCRIPTION

    def costs_from_plan_only(self) -> bool:
        """Every cost figure this level states is the plan's as a whole."""
        costs = self.cost_figures()
        return bool(costs) and all(self.figure_from_plan(name) for name in costs)


@dataclass
class CarveOut:
    """A company an EB*R or EB*U row names for (part of) the benefits, e.g. a behavioural-health manager."""

    eb01: str = ""
    name: str = ""
    id: str = ""
    id_qualifier: str = ""
    entity_code: str = ""
    entity: str = ""
    phone: str = ""
    contacts: list[str] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    service_type_descriptions: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # True when the company is named only for authorizations (a utilization-management line):
    # a contact, not a company holding the benefits.
    for_authorization: bool = False
    text: str = ""


@dataclass
class SubscriberSummary:
    """One person the payer answered about: a subscriber, or a dependent under one."""

    status: CoverageStatus = CoverageStatus.ERROR
    member_id: str = ""
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = ""
    is_dependent: bool = False
    relationship: str = ""
    subscriber_first_name: str = ""
    subscriber_last_name: str = ""
    # A dependent's card holder's own member ID, kept beside the dependent's when they have one.
    subscriber_member_id: str = ""
    plan_name: str = ""
    group_number: str = ""
    group_name: str = ""
    insurance_type: str = ""
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None
    eligibility_begin: dt.date | None = None
    eligibility_end: dt.date | None = None
    dates: list[DateInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    trace_numbers: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[BenefitRow] = field(default_factory=list)
    levels: dict[str, CareLevel] = field(default_factory=dict)
    carve_outs: list[CarveOut] = field(default_factory=list)
    not_stated: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def __repr__(self) -> str:
        return f"SubscriberSummary(status={str(self.status)!r}, benefits={len(self.benefits)})"


@dataclass
class BenefitSummary:
    """Everything a payer said, and did not say, about a patient's coverage."""

    status: CoverageStatus = CoverageStatus.ERROR
    payer_id: str = ""
    payer_name: str = ""
    payer_contacts: list[str] = field(default_factory=list)
    provider_name: str = ""
    provider_npi: str = ""
    subscribers: list[SubscriberSummary] = field(default_factory=list)
    # Every rejection in the answer, whatever its loop; a person's own are also on their summary.
    rejections: list[Rejection] = field(default_factory=list)
    carve_outs: list[CarveOut] = field(default_factory=list)
    not_stated: list[str] = field(default_factory=list)
    # Parts of the answer that could not be read (an amount that is not a number); never PHI.
    warnings: list[str] = field(default_factory=list)
    # Service types asked about that the payer answered with plan-level (30) rows only, or not at
    # all, or whose request has no answer yet (see `merge`); said in words in `not_stated`.
    unanswered_service_types: list[str] = field(default_factory=list)
    # What the answer says of coordination of benefits as a whole, in words (the JSON API's
    # coordination-of-benefits classification); "" when it says nothing. The other payers
    # themselves are benefit rows (EB*R): see `other_payers`.
    coordination_of_benefits: str = ""
    trace_number: str = ""
    gateway: str = ""
    checked_at: dt.datetime | None = None

    @property
    def subscriber(self) -> SubscriberSummary | None:
        """The person the check was about (the first one when a payer answers with several)."""
        return self.subscribers[0] if self.subscribers else None

    @property
    def levels(self) -> dict[str, CareLevel]:
        return self.subscriber.levels if self.subscriber else {}

    @property
    def payer_unavailable(self) -> bool:
        """The payer said it cannot answer now (AAA 42): worth trying again later."""
        return any(rejection.code == PAYER_UNAVAILABLE for rejection in self.rejections)

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return from_json(cls, data)

    def __repr__(self) -> str:
        return (
            f"BenefitSummary(status={str(self.status)!r}, payer_id={self.payer_id!r}, gateway={self.gateway!r}, "
            f"subscribers={len(self.subscribers)}, rejections={[r.code for r in self.rejections]!r})"
        )


@dataclass
class CheckResult:
    """A gateway's answer: the summary, and the raw 271 or JSON to store (encrypted) beside it."""

    summary: BenefitSummary
    raw: str

    def __repr__(self) -> str:
        return f"CheckResult(summary={self.summary!r}, raw=<{len(self.raw)} characters>)"
