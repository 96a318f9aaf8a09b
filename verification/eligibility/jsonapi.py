"""A Stedi-style JSON eligibility answer onto the same `BenefitSummary` as a 271.

Clearinghouses that speak JSON wrap the 271's data: `benefitsInformation[]` holds the EB rows
(`code`, `serviceTypeCodes`, `coverageLevelCode`, `timeQualifierCode`, `benefitAmount`,
`benefitPercent`, `quantityQualifierCode`, `benefitQuantity`, `authOrCertIndicator`,
`inPlanNetworkIndicatorCode`, `additionalInformation[]`, `benefitsRelatedEntities[]`),
`planStatus[]` the active/inactive lines, and `errors[]` (and `aaaErrors[]` on the payer,
provider, subscriber and dependents) the AAA rejections. The mapping is as tolerant as the 271
reader: unknown codes are kept, and keys missing from an answer are simply not there.
"""

import datetime as dt
from typing import Any

from .codes import (
    ACTIVE_CODES,
    COVERAGE_LEVELS,
    ELIGIBILITY_CODES,
    ENTITY_CODES,
    INACTIVE_CODES,
    INSURANCE_TYPES,
    NETWORK,
    PLACES_OF_SERVICE,
    QUANTITY_QUALIFIERS,
    SERVICE_TYPES,
    TIME_PERIODS,
    describe,
    follow_up_code,
)
from .doubts import check_row
from .errors import EligibilityError
from .finish import finish
from .rejections import make_rejection
from .summary import (
    BenefitRow,
    BenefitSummary,
    DateInfo,
    EligibilityRequest,
    Reference,
    Rejection,
    RelatedEntity,
    SubscriberSummary,
)
from .x12 import parse_date_range
from .x270 import DEPENDENT_RELATIONSHIPS
from .x271 import to_decimal

CONTACT_MODES = {
    "telephone": "phone",
    "te": "phone",
    "facsimile": "fax",
    "fx": "fax",
    "uniform resource locator (url)": "web",
    "ur": "web",
    "electronic mail": "email",
    "em": "email",
}


def request_body(request: EligibilityRequest, *, control_number: str) -> dict[str, Any]:
    """The JSON eligibility request for `request`."""
    subscriber_first = request.subscriber_first_name if request.is_dependent else request.first_name
    subscriber_last = request.subscriber_last_name if request.is_dependent else request.last_name
    subscriber: dict[str, Any] = {
        "memberId": request.member_id,
        "firstName": subscriber_first,
        "lastName": subscriber_last,
    }
    subscriber_dob = request.subscriber_date_of_birth if request.is_dependent else request.date_of_birth
    if subscriber_dob:
        subscriber["dateOfBirth"] = subscriber_dob.strftime("%Y%m%d")
    if request.group_number:
        subscriber["groupNumber"] = request.group_number
    body: dict[str, Any] = {
        "controlNumber": control_number,
        "tradingPartnerServiceId": request.payer_id,
        "provider": {"organizationName": request.provider_name, "npi": request.provider_npi},
        "subscriber": subscriber,
        "encounter": {
            "serviceTypeCodes": list(request.service_types),
            "dateOfService": request.date_of_service.strftime("%Y%m%d"),
        },
    }
    if request.is_dependent:
        body["dependents"] = [
            {
                "firstName": request.first_name,
                "lastName": request.last_name,
                "dateOfBirth": request.date_of_birth.strftime("%Y%m%d"),
                "individualRelationshipCode": DEPENDENT_RELATIONSHIPS.get(request.relationship, "34"),
            }
        ]
    return body


def summary_from_json(data: Any, *, gateway: str = "json", checked_at: dt.datetime | None = None) -> BenefitSummary:
    """The benefit summary of a JSON eligibility answer; EligibilityError if it is not one."""
    if not isinstance(data, dict):
        raise EligibilityError("The JSON eligibility answer is not an object.")
    summary = BenefitSummary(gateway=gateway, checked_at=checked_at or dt.datetime.now(dt.UTC))
    warnings = summary.warnings
    payer = _dict(data.get("payer"))
    summary.payer_name = _str(payer.get("name") or payer.get("organizationName"))
    summary.payer_id = _str(
        payer.get("payorIdentification")
        or payer.get("payerIdentification")
        or payer.get("entityIdentificationValue")
        or data.get("tradingPartnerServiceId")
    )
    summary.payer_contacts = _contacts(payer.get("contactInformation"))
    classification = _str(_dict(data.get("coordinationOfBenefits")).get("classification"))
    summary.coordination_of_benefits = COB_CLASSIFICATIONS.get(classification, classification)
    provider = _dict(data.get("provider"))
    summary.provider_name = _str(
        provider.get("providerName") or provider.get("providerOrgName") or provider.get("organizationName")
    )
    summary.provider_npi = _str(provider.get("npi"))
    for source, loop in ((payer, "2100A"), (provider, "2100B")):
        summary.rejections += [_rejection(error, loop) for error in _list(source.get("aaaErrors"))]

    subscriber = _dict(data.get("subscriber"))
    dependents = [_dict(item) for item in _list(data.get("dependents"))]
    # With a dependent, the benefits are the dependent's: the subscriber is only whose card it is.
    patient, letter = (dependents[0], "D") if dependents else (subscriber, "C")
    person = SubscriberSummary(
        # A dependent with an ID of their own keeps it; the card holder's is kept beside it.
        member_id=_str(patient.get("memberId") or subscriber.get("memberId")),
        first_name=_str(patient.get("firstName")),
        last_name=_str(patient.get("lastName")),
        middle_name=_str(patient.get("middleName")),
        date_of_birth=_date(patient.get("dateOfBirth")),
        gender={"M": "male", "F": "female", "U": "unknown"}.get(
            _str(patient.get("gender")), _str(patient.get("gender"))
        ),
        is_dependent=bool(dependents),
        relationship=_str(patient.get("relationToSubscriber")) or ("" if dependents else "self"),
    )
    if dependents:
        person.subscriber_first_name = _str(subscriber.get("firstName"))
        person.subscriber_last_name = _str(subscriber.get("lastName"))
        person.subscriber_member_id = _str(subscriber.get("memberId"))
    plan = _dict(data.get("planInformation"))
    person.group_number = _str(plan.get("groupNumber") or subscriber.get("groupNumber"))
    person.group_name = _str(plan.get("groupDescription") or subscriber.get("groupDescription"))
    _plan_dates(person, _dict(data.get("planDateInformation")))
    for trace in _list(data.get("subscriberTraceNumbers")) + _list(data.get("dependentTraceNumbers")):
        trace = _dict(trace)
        number = _str(trace.get("referenceIdentification"))
        if number:
            person.trace_numbers.append(number)
            if _str(trace.get("traceTypeCode")) == "2" and not summary.trace_number:
                summary.trace_number = number

    for source in (subscriber, *dependents):
        person.rejections += [_rejection(error, f"2100{letter}") for error in _list(source.get("aaaErrors"))]
    known = summary.rejections + person.rejections
    for error in _list(data.get("errors")):
        found = _rejection(error, "")
        if any(_same(found, other) for other in known):
            continue  # the same AAA again, listed once more at the top of the answer
        known.append(found)
        if found.loop in ("2000A", "2100A", "2100B"):
            summary.rejections.append(found)
        else:
            person.rejections.append(found)
    summary.rejections += person.rejections

    rows = [_row(_dict(item), f"2110{letter}", warnings) for item in _list(data.get("benefitsInformation"))]
    if not any(row.eb01 in ACTIVE_CODES | INACTIVE_CODES for row in rows):
        # Only the plan status lines say whether coverage is active at all.
        rows = [_status_row(_dict(item), f"2110{letter}") for item in _list(data.get("planStatus"))] + rows
    person.benefits = rows
    if rows or person.rejections or subscriber or dependents:
        summary.subscribers.append(person)
    return finish(summary)


def _row(item: dict, loop: str, warnings: list[str]) -> BenefitRow:
    codes = [_str(code) for code in _list(item.get("serviceTypeCodes")) if _str(code)]
    where = f"benefit {_str(item.get('code')) or '?'}:"
    row = BenefitRow(
        loop=loop,
        eb01=_str(item.get("code")),
        eb01_description=describe(ELIGIBILITY_CODES, _str(item.get("code"))),
        coverage_level=_str(item.get("coverageLevelCode")),
        coverage_level_description=describe(COVERAGE_LEVELS, _str(item.get("coverageLevelCode"))),
        service_types=codes,
        service_type_descriptions=[describe(SERVICE_TYPES, code) for code in codes],
        insurance_type=_str(item.get("insuranceTypeCode")),
        insurance_type_description=describe(INSURANCE_TYPES, _str(item.get("insuranceTypeCode"))),
        plan_description=_str(item.get("planCoverage")),
        time_period=_str(item.get("timeQualifierCode")),
        time_period_description=describe(TIME_PERIODS, _str(item.get("timeQualifierCode"))),
        amount=to_decimal(_str(item.get("benefitAmount")), f"{where} amount", warnings),
        percent=to_decimal(_str(item.get("benefitPercent")), f"{where} percent", warnings),
        percent_sent=_str(item.get("benefitPercent")),
        quantity_qualifier=_str(item.get("quantityQualifierCode")),
        quantity_qualifier_description=describe(QUANTITY_QUALIFIERS, _str(item.get("quantityQualifierCode"))),
        quantity=to_decimal(_str(item.get("benefitQuantity")), f"{where} quantity", warnings),
        auth_required=_str(item.get("authOrCertIndicator")),
        network=_str(item.get("inPlanNetworkIndicatorCode")),
        network_description=describe(NETWORK, _str(item.get("inPlanNetworkIndicatorCode"))),
        messages=[_str(_dict(info).get("description")) for info in _list(item.get("additionalInformation"))],
    )
    row.messages = [message for message in row.messages if message]
    extra = _list(item.get("eligibilityAdditionalInformationList")) or [item.get("eligibilityAdditionalInformation")]
    for info in map(_dict, extra):
        if _str(info.get("codeListQualifierCode")) == "ZZ" and _str(info.get("industryCode")):
            row.places_of_service.append(_str(info.get("industryCode")))
            row.place_of_service_descriptions.append(describe(PLACES_OF_SERVICE, _str(info.get("industryCode"))))
    check_row(row, warnings)
    procedure = _dict(item.get("compositeMedicalProcedureIdentifier"))
    if procedure:
        parts = [procedure.get("productOrServiceIDQualifierCode"), procedure.get("procedureCode")]
        parts += _list(procedure.get("procedureModifiers"))
        row.procedure = ":".join(_str(part) for part in parts if part)
    # Numbers the row gives (the other plan's policy or member number on an other-payer row),
    # kept under the API's own names.
    for name, value in _dict(item.get("benefitsAdditionalInformation")).items():
        if _str(value) and not isinstance(value, dict | list):
            row.references.append(Reference(qualifier=name, description=_words(name), value=_str(value)))
    for name, value in _dict(item.get("benefitsDateInformation")).items():
        start, end = _date_range(value)
        if start or end:
            row.dates.append(DateInfo(qualifier=name, description=_words(name), start=start, end=end))
    entities = _list(item.get("benefitsRelatedEntities")) or _list([item.get("benefitsRelatedEntity")])
    row.related_entities = [_entity(_dict(entity)) for entity in entities if entity]
    for delivery in _list(item.get("benefitsServiceDelivery")):
        delivery = _dict(delivery)
        parts = [_str(delivery.get("quantity")), _str(delivery.get("quantityQualifier")).lower()]
        if delivery.get("timePeriodQualifier"):
            parts.append(
                f"per {_str(delivery.get('numOfPeriods'))} {_str(delivery.get('timePeriodQualifier')).lower()}"
            )
        row.delivery.append(" ".join(part for part in parts if part).replace("  ", " "))
    return row


def _status_row(item: dict, loop: str) -> BenefitRow:
    code = _str(item.get("statusCode"))
    codes = [_str(code) for code in _list(item.get("serviceTypeCodes")) if _str(code)]
    return BenefitRow(
        loop=loop,
        eb01=code,
        eb01_description=describe(ELIGIBILITY_CODES, code),
        service_types=codes,
        service_type_descriptions=[describe(SERVICE_TYPES, c) for c in codes],
        plan_description=_str(item.get("planDetails")),
    )


# The JSON API names an entity's role in words ("Primary Payer"): back to the 271's code, so both
# answers are read alike (coordination of benefits looks for PRP, SEP, TTP and PR).
ENTITY_CODES_BY_WORDS = {words: code for code, words in ENTITY_CODES.items()}
# The coordination-of-benefits classification of the JSON API's COB answer, in words for staff.
COB_CLASSIFICATIONS = {
    "MemberFoundNoCob": "no other plan overlapping this one was found (among the payers that share their records)",
    "CoverageOverlapNoBenefitOverlap": "another plan overlaps in time, but not for the same benefits: "
    "coordination of benefits does not apply",
    "CoverageOverlapExistsNotSubjectToCob": "another plan overlaps, but coordination of benefits does not apply",
    "CobInstanceExistsPrimacyUndetermined": "another plan overlaps and coordination of benefits applies, "
    "but which pays first could not be determined",
    "CobInstanceExistsPrimacyDetermined": "another plan overlaps and coordination of benefits applies",
}


def _entity(entity: dict) -> RelatedEntity:
    code = _str(entity.get("entityIdentifierCode") or entity.get("entityIdentifier"))
    code = ENTITY_CODES_BY_WORDS.get(code.lower(), code) if len(code) > 3 else code
    name = _str(entity.get("entityName") or entity.get("entityOrganizationName"))
    if not name:
        name = " ".join(_str(entity.get(key)) for key in ("entityFirstName", "entityLastName") if entity.get(key))
    contact = _dict(entity.get("contactInformation"))
    contacts = _contacts(contact)
    phone = next((text.split(" ", 1)[1] for text in contacts if text.startswith("phone ")), "")
    address = _dict(entity.get("address"))
    return RelatedEntity(
        entity_code=code,
        entity=describe(ENTITY_CODES, code) if len(code) <= 3 else code.lower(),
        name=name,
        id_qualifier=_str(entity.get("entityIdentification")),
        id=_str(entity.get("entityIdentificationValue")),
        contact_name=_str(contact.get("name")),
        phone=phone,
        contacts=contacts,
        address=", ".join(
            _str(address.get(key))
            for key in ("address1", "address2", "city", "state", "postalCode")
            if address.get(key)
        ),
    )


def _contacts(value: Any) -> list[str]:
    out = []
    for contact in _list(_dict(value).get("contacts")):
        contact = _dict(contact)
        mode = _str(contact.get("communicationMode"))
        number = _str(contact.get("communicationNumber"))
        if number:
            out.append(f"{CONTACT_MODES.get(mode.lower(), mode.lower() or 'contact')} {number}")
    return out


def _rejection(error: Any, loop: str) -> Rejection:
    error = _dict(error)
    location = _str(error.get("location"))
    if location.lower().startswith("loop "):
        loop = location[5:].strip()
    follow_up_text = _str(error.get("followupAction"))
    found = make_rejection(loop, _str(error.get("code")), follow_up_code(follow_up_text), follow_up_text=follow_up_text)
    if not found.follow_up_description:
        found.follow_up_description = follow_up_text.lower()
    return found


def _same(one: Rejection, other: Rejection) -> bool:
    return one.code == other.code and (one.loop == other.loop or not one.loop or not other.loop)


def _plan_dates(person: SubscriberSummary, dates: dict) -> None:
    for name, value in dates.items():
        start, end = _date_range(value)
        if not (start or end):
            continue
        person.dates.append(DateInfo(qualifier=name, description=_words(name), start=start, end=end))
        if name == "plan":
            person.plan_begin, person.plan_end = start, end if "-" in _str(value) else person.plan_end
        elif name == "planBegin":
            person.plan_begin = start
        elif name == "planEnd":
            person.plan_end = start
        elif name == "eligibility":
            person.eligibility_begin, person.eligibility_end = start, end if "-" in _str(value) else None
        elif name == "eligibilityBegin":
            person.eligibility_begin = start
        elif name == "eligibilityEnd":
            person.eligibility_end = start


def _words(name: str) -> str:
    """planBegin -> "plan begin"."""
    return "".join(f" {char.lower()}" if char.isupper() else char for char in name).strip()


def _date(value: Any) -> dt.date | None:
    return _date_range(value)[0]


def _date_range(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """CCYYMMDD, CCYYMMDD-CCYYMMDD, or an ISO date (some clearinghouses reformat dates)."""
    text = _str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            return None, None
        return date, date
    return parse_date_range(text) if text else (None, None)


def _str(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
