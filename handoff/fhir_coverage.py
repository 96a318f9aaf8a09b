"""Insurance in the bundle: a Coverage for each plan, the payer's answer about it as a
CoverageEligibilityResponse (one item per level of care and network, with the sentence staff read
out on the call), and the card photos as DocumentReferences."""

import base64
import logging

from cryptography.fernet import InvalidToken

from verification import cards
from verification.eligibility import CoverageStatus
from verification.readout import LABELS, sentence

from .terms import (
    BENEFIT_NETWORK,
    BENEFIT_TYPE,
    BENEFIT_UNIT,
    COVERAGE_CLASS,
    SUBSCRIBER_RELATIONSHIP,
    V3_CONFIDENTIALITY,
    X12_SERVICE_TYPES,
    Entries,
    concept,
    identifier,
    ref,
    site,
)

log = logging.getLogger(__name__)

RELATIONSHIPS = {"self": "Self", "spouse": "Spouse", "child": "Child", "other": "Other"}
NETWORKS = {
    "in_network": concept(BENEFIT_NETWORK, "in", "In Network"),
    "out_of_network": concept(BENEFIT_NETWORK, "out", "Out of Network"),
    # Figures the payer tied to no network: said so in the item's words, not coded.
    "network_unstated": None,
}
UNITS = {
    "individual": concept(BENEFIT_UNIT, "individual", "Individual"),
    "family": concept(BENEFIT_UNIT, "family", "Family"),
}
DEDUCTIBLE = concept(BENEFIT_TYPE, "deductible", "Deductible")
COPAY = concept(BENEFIT_TYPE, "copay", "Copayment per service")
COINSURANCE = concept(BENEFIT_TYPE, "copay-percent", "Copayment Percent per service", text="Coinsurance")
OUT_OF_POCKET = {"text": "Out-of-pocket maximum"}
# The X12 service type that names a level of care, where one does: X12 has none for detox, intensive
# outpatient or substance-use outpatient care, which are then named in words only.
LEVEL_SERVICE_TYPES = {"residential": "RT", "php": "BB", "plan": "30"}


def coverage(entries: Entries, record, plan, patient_url: str, holder_url: str | None) -> str:
    resource = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": ref(patient_url),
        "subscriber": ref(holder_url or patient_url),
        "relationship": concept(SUBSCRIBER_RELATIONSHIP, plan.relationship, RELATIONSHIPS.get(plan.relationship, "")),
        "payor": [_payer(plan)],
    }
    if plan.member_id:
        resource["subscriberId"] = plan.member_id
    if plan.group_number:
        resource["class"] = [{"type": concept(COVERAGE_CLASS, "group", "Group"), "value": plan.group_number}]
    # Which plan pays first, as the payers' answers say (verification.coordination); never assumed.
    order = record.order_of(plan.which)
    if order:
        resource["order"] = order
    summary = record.summary_of(plan.which)
    person = summary.subscriber if summary else None
    if person and (person.plan_begin or person.plan_end):
        resource["period"] = {
            key: day.isoformat() for key, day in (("start", person.plan_begin), ("end", person.plan_end)) if day
        }
    return entries.add(resource, f"{record.lead.reference}-{plan.which}-coverage")


def _payer(plan) -> dict:
    # A reference by name (and clearinghouse payer id): the clinical record keeps its own insurers.
    payer = {"display": plan.payer_name or "Insurer not named"}
    if plan.payer is not None and plan.payer.payer_id:
        payer["identifier"] = identifier(plan.payer.payer_id, f"{site()}/ids/payer")
    return payer


def benefits(entries: Entries, record, plan, coverage_url: str, patient_url: str) -> str | None:
    """The latest answer about this plan, or None when there is none (or retention removed it)."""
    # `check`: the plan's current answer (verification.answers.Answer): one check, or the merged
    # answers to a round's requests.
    check, summary = record.answers.get(plan.which), record.summary_of(plan.which)
    if check is None or summary is None:
        return None
    answered = summary.checked_at or check.answered_at
    first = check.checks[0] if check.checks else None
    inquiry = summary.trace_number or (first.trace_number if first else "") or f"check-{first.pk if first else 0}"
    rejected = summary.status in (CoverageStatus.REJECTED, CoverageStatus.ERROR)
    resource = {
        "resourceType": "CoverageEligibilityResponse",
        "status": "active",
        "purpose": ["benefits"],
        "patient": ref(patient_url),
        "created": answered.isoformat(),
        "request": {
            "identifier": identifier(inquiry, f"{site()}/ids/eligibility-inquiry"),
            "display": "Eligibility inquiry (X12 270/271)" if not check.manual else "Entered after a call to the payer",
        },
        "insurer": {"display": plan.payer_name or summary.payer_name or "Insurer not named"},
        "outcome": "error" if rejected else "complete",
        "disposition": _disposition(check, summary),
        "insurance": [{"coverage": ref(coverage_url), "inforce": summary.status == CoverageStatus.ACTIVE}],
    }
    items = [item for level, care in summary.levels.items() for item in _items(level, care)]
    if items:
        resource["insurance"][0]["item"] = items
    if rejected and summary.rejections:
        resource["error"] = [{"code": {"text": r.text or r.description or r.code}} for r in summary.rejections]
    return entries.add(resource, f"{record.lead.reference}-{plan.which}-benefits")


def _disposition(check, summary) -> str:
    words = {
        CoverageStatus.ACTIVE: "Coverage active",
        CoverageStatus.INACTIVE: "Coverage not active",
        CoverageStatus.REJECTED: "The payer rejected the inquiry",
        CoverageStatus.ERROR: "No answer about coverage",
    }.get(summary.status, "Answered")
    if check.gateway == "sandbox" and not check.manual:
        words += " (a simulated answer from Lantern's sandbox, not a payer)"
    return f"{words}."


def _money(amount) -> dict:
    return {"value": float(amount), "currency": "USD"}


def _accumulator(kind: dict, money) -> dict | None:
    if not money.stated:
        return None
    benefit = {"type": kind}
    if money.total is not None:
        benefit["allowedMoney"] = _money(money.total)
        if money.met is not None:
            benefit["usedMoney"] = _money(money.met)
    elif money.remaining is not None:
        benefit["allowedString"] = f"{money.remaining:.2f} USD remaining"
    elif money.met is not None:
        benefit["usedMoney"] = _money(money.met)
    return benefit


def _items(level: str, care) -> list[dict]:
    """One item per network column and unit the payer stated figures for; the level's sentence
    and its coverage, prior authorization and exclusion on each."""
    label = LABELS.get(level, level)
    code = LEVEL_SERVICE_TYPES.get(level)
    category = {"coding": [{"system": X12_SERVICE_TYPES, "code": code}], "text": label} if code else {"text": label}
    common = {"category": category, "description": sentence(care, label)}
    if care.prior_auth is not None:
        common["authorizationRequired"] = care.prior_auth
    if care.covered is False:
        common["excluded"] = True
    items = []
    for column, network in NETWORKS.items():
        terms = getattr(care, column)
        if not terms.stated:
            continue
        for unit in ("individual", "family"):
            found = [
                _accumulator(DEDUCTIBLE, getattr(terms, f"deductible_{unit}")),
                _accumulator(OUT_OF_POCKET, getattr(terms, f"out_of_pocket_{unit}")),
            ]
            if unit == "individual" and terms.copay is not None:
                found.append({"type": COPAY, "allowedMoney": _money(terms.copay)})
            if unit == "individual" and terms.coinsurance is not None:
                found.append({"type": COINSURANCE, "allowedUnsignedInt": int(round(terms.coinsurance * 100))})
            stated = [benefit for benefit in found if benefit]
            if stated:
                item = {**common, "unit": UNITS[unit], "benefit": stated}
                if network:
                    item["network"] = network
                items.append(item)
    return items or [common]


def card_photos(entries: Entries, record, patient_url: str, coverage_url: str | None) -> list[str]:
    verification = record.verification
    urls = []
    for side, name in (("front", verification.card_front), ("back", verification.card_back)):
        if not name:
            continue
        try:
            image = cards.load(name)
        except (OSError, InvalidToken) as exc:
            # The photo is gone or unreadable: the rest of the record still goes. No file name logged.
            log.warning("Card photo (%s) of verification %s left out: %s", side, verification.pk, type(exc).__name__)
            continue
        resource = {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": {"text": f"Insurance card, {side}"},
            "subject": ref(patient_url),
            "date": verification.created_at.isoformat(),
            "description": f"Photo of the insurance card ({side}) the person sent with their request",
            "securityLabel": [concept(V3_CONFIDENTIALITY, "R", "restricted")],
            "content": [
                {
                    "attachment": {
                        "contentType": "image/jpeg",
                        "data": base64.b64encode(image).decode("ascii"),
                        "title": f"Insurance card ({side})",
                    }
                }
            ],
        }
        if coverage_url:
            resource["context"] = {"related": [ref(coverage_url)]}
        urls.append(entries.add(resource, f"VR-{verification.pk}-card-{side}"))
    return urls
