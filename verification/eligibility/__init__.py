"""The eligibility engine: ask a payer about a patient's coverage and read its answer for staff.

    from verification.eligibility import EligibilityRequest, get_gateway

    result = get_gateway().check(request)      # settings.ELIGIBILITY_GATEWAY, "sandbox" by default
    result.summary                             # BenefitSummary: status, levels of care, rejections
    result.raw                                 # the 271 (or JSON) as received: store it encrypted

Modules: `summary` (the data classes, stored through `stored_json`), `coverage` (the coverage
statuses), `codes` (X12 code tables, the longer ones in `code_tables` and `service_types`),
`rejections` (a payer's rejection in plain words), `x12` (envelopes, delimiters), `x270` (the
inquiry), `x271` (the response reader), `jsonapi` (Stedi-style JSON); then, for both readers,
`doubts` (impossible values flagged), `finish` (statuses and what was not said, in `unsaid`),
`sources` (which rows speak for which level of care), `levels` (one level's figures), `limits`,
`carve_outs`, `other_payers` (the person's other plans an answer names, and the order they pay in);
`transport` (HTTP), `gateways`, `sandbox`.

Errors: TransientEligibilityError (try again later: AAA 42, timeouts, HTTP 5xx) and
EligibilityError (bad settings, malformed answers: a person must look). They are not subclasses
of each other. A payer rejecting the visitor's details is not an error: the summary has status
`CoverageStatus.REJECTED` and its rejections say what to ask the visitor.
"""

from .coverage import CoverageStatus
from .errors import EligibilityError, TransientEligibilityError, X12Error
from .gateways import EligibilityGateway, Gateway, JsonGateway, X12Gateway, get_gateway
from .jsonapi import summary_from_json
from .sandbox import SANDBOX_MEMBERS, SANDBOX_PAYERS, SandboxGateway
from .summary import (
    DEFAULT_SERVICE_TYPES,
    LEVELS,
    BenefitRow,
    BenefitSummary,
    CareLevel,
    CarveOut,
    CheckResult,
    EligibilityRequest,
    Limit,
    Money,
    NetworkTerms,
    Rejection,
    RelatedEntity,
    SubscriberSummary,
)
from .transport import HttpTransport, Transport
from .x270 import build_270, read_270
from .x271 import read_271

__all__ = [
    "DEFAULT_SERVICE_TYPES",
    "LEVELS",
    "SANDBOX_MEMBERS",
    "SANDBOX_PAYERS",
    "BenefitRow",
    "BenefitSummary",
    "CareLevel",
    "CarveOut",
    "CheckResult",
    "CoverageStatus",
    "EligibilityError",
    "EligibilityGateway",
    "EligibilityRequest",
    "Gateway",
    "HttpTransport",
    "JsonGateway",
    "Limit",
    "Money",
    "NetworkTerms",
    "Rejection",
    "RelatedEntity",
    "SandboxGateway",
    "SubscriberSummary",
    "Transport",
    "TransientEligibilityError",
    "X12Error",
    "X12Gateway",
    "build_270",
    "get_gateway",
    "read_270",
    "read_271",
    "summary_from_json",
]
