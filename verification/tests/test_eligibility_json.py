"""A clearinghouse's JSON answer (Stedi-style) lands on the same summary as a 271."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from verification.eligibility import EligibilityError, EligibilityRequest, summary_from_json
from verification.eligibility.jsonapi import request_body

FIXTURES = Path(__file__).parent / "fixtures"


def answer(name: str):
    return summary_from_json(json.loads((FIXTURES / name).read_text()))


def test_it_maps_a_recorded_json_answer_onto_the_benefit_summary():
    summary = answer("stedi_active.json")
    person = summary.subscriber
    residential = summary.levels["residential"]

    assert summary.status == "active"
    assert (summary.payer_name, summary.payer_id, summary.trace_number) == (
        "PACIFIC NORTHWOODS HEALTH",
        "PNW44",
        "TRC-JSON-1",
    )
    assert (person.first_name, person.member_id, person.date_of_birth) == (
        "AVERY",
        "PNW-6620-0193",
        dt.date(1991, 8, 3),
    )
    assert (person.plan_name, person.group_number) == ("NORTHWOODS OPEN ACCESS", "PNW-G-5510")
    assert (person.plan_begin, person.eligibility_begin) == (dt.date(2026, 1, 1), dt.date(2023, 8, 15))
    assert (residential.in_network.coinsurance, residential.out_of_network.coinsurance) == (
        Decimal("0.2"),
        Decimal("0.45"),
    )
    assert residential.prior_auth is True
    assert [limit.text for limit in residential.limits] == ["21 days remaining (in and out of network)"]
    # Residential has no deductible of its own: the plan's is shown, and the source says so.
    assert residential.in_network.deductible_individual.remaining == Decimal("612.4")
    assert residential.sources["deductible"] == "plan-level benefits (30)"
    assert summary.payer_contacts == ["phone 8005550166"]


def test_it_lists_a_utilization_management_line_as_a_contact_not_a_carve_out():
    summary = answer("stedi_active.json")
    (contact,) = summary.carve_outs

    assert contact.for_authorization
    assert (contact.name, contact.id, contact.phone) == ("NORTHWOODS CARE REVIEW", "NCR-01", "8005550188")
    assert contact.text == "For authorizations (mental health), contact NORTHWOODS CARE REVIEW, phone 8005550188."
    assert summary.levels["residential"].carved_out_to == ""


def test_it_reads_a_json_rejection_once_with_what_to_ask_the_visitor():
    summary = answer("stedi_rejected.json")
    (rejection,) = summary.rejections  # listed under the subscriber and again at the top: one rejection

    assert summary.status == "rejected"
    assert (rejection.loop, rejection.code, rejection.follow_up) == ("2100C", "73", "C")
    assert "exactly as it is printed on the insurance card" in rejection.hint
    assert summary.subscriber.rejections == [rejection]


def test_it_sees_a_payer_that_cannot_answer_now():
    summary = answer("stedi_payer_unavailable.json")

    assert summary.payer_unavailable
    assert summary.status == "error"
    assert summary.rejections[0].loop == "2100A"


def test_it_asks_for_a_dependent_under_the_subscribers_card():
    body = request_body(
        EligibilityRequest(
            payer_id="PNW44",
            payer_name="Pacific Northwoods Health",
            provider_name="Lantern Recovery Center",
            provider_npi="1234567893",
            member_id="PNW-6620-0193",
            first_name="Drew",
            last_name="Lopez",
            date_of_birth=dt.date(2009, 1, 12),
            relationship="child",
            subscriber_first_name="Avery",
            subscriber_last_name="Lopez",
            date_of_service=dt.date(2026, 11, 21),
        ),
        control_number="000000123",
    )

    assert body["tradingPartnerServiceId"] == "PNW44"
    assert body["subscriber"] == {"memberId": "PNW-6620-0193", "firstName": "Avery", "lastName": "Lopez"}
    assert body["dependents"] == [
        {"firstName": "Drew", "lastName": "Lopez", "dateOfBirth": "20090112", "individualRelationshipCode": "19"}
    ]
    assert body["encounter"]["dateOfService"] == "20261121"


@pytest.mark.parametrize("data", [[], "active", None])
def test_it_refuses_an_answer_that_is_not_a_json_object(data):
    with pytest.raises(EligibilityError, match="not an object"):
        summary_from_json(data)


def test_a_json_answer_keeps_both_member_ids_and_flags_an_impossible_coinsurance():
    summary = summary_from_json(
        {
            "subscriber": {"memberId": "PNW7000100", "firstName": "LEE", "lastName": "MARSH"},
            "dependents": [{"memberId": "PNW7000102", "firstName": "ROWAN", "lastName": "MARSH"}],
            "benefitsInformation": [
                {"code": "1", "serviceTypeCodes": ["30", "RT"]},
                {"code": "A", "serviceTypeCodes": ["RT"], "benefitPercent": "1840", "inPlanNetworkIndicatorCode": "Y"},
            ],
        }
    )
    patient = summary.subscriber

    assert (patient.member_id, patient.subscriber_member_id) == ("PNW7000102", "PNW7000100")
    assert summary.levels["residential"].in_network.coinsurance is None
    assert summary.levels["residential"].warnings == [
        "The payer sent a coinsurance for this care that cannot be right (1,840)."
    ]


def test_a_json_answer_reads_the_place_of_service_a_benefit_is_for():
    summary = summary_from_json(
        {
            "subscriber": {"memberId": "PNW7000100", "firstName": "LEE", "lastName": "MARSH"},
            "benefitsInformation": [
                {"code": "1", "serviceTypeCodes": ["30", "AI"]},
                {
                    "code": "B",
                    "serviceTypeCodes": ["AI"],
                    "benefitAmount": "175",
                    "timeQualifierCode": "7",
                    "inPlanNetworkIndicatorCode": "Y",
                    "eligibilityAdditionalInformationList": [{"codeListQualifierCode": "ZZ", "industryCode": "55"}],
                },
            ],
        }
    )

    assert summary.levels["residential"].in_network.copay == Decimal("175")
    assert summary.levels["outpatient"].in_network.copay is None
