"""Reading 271 answers into what admissions staff read: levels of care, rejections, what was not said."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from verification.eligibility import BenefitSummary, read_271

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> BenefitSummary:
    return read_271((FIXTURES / name).read_text(), gateway="file")


@pytest.fixture(scope="module")
def active() -> BenefitSummary:
    """Alex Rivera's answer: behavioural-health benefits for every level of care, in and out of network."""
    return read("271_active_behavioural.x12")


def test_it_reads_who_is_covered_by_which_plan(active):
    person = active.subscriber

    assert active.status == person.status == "active"
    assert (active.payer_name, active.payer_id) == ("BRIGHTWATER MUTUAL HEALTH", "BWM01")
    assert (active.provider_name, active.provider_npi) == ("LANTERN RECOVERY CENTER", "1234567893")
    assert (person.first_name, person.last_name, person.member_id) == ("ALEX", "RIVERA", "BWM884120031")
    assert person.date_of_birth == dt.date(1988, 3, 14)
    assert (person.plan_name, person.group_number, person.group_name) == (
        "BRIGHTWATER PPO 2000",
        "GRP-20417",
        "NORTHWIND LOGISTICS",
    )
    assert (person.plan_begin, person.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert active.trace_number == "TRC-55012"
    assert active.payer_contacts == ["PROVIDER LINE: phone 8005550119"]


def test_it_keeps_every_benefit_row_for_every_behavioural_service_type(active):
    rows = active.subscriber.benefits
    codes = {code for row in rows for code in row.service_types}

    assert {"AI", "AJ", "AK", "MH", "A8", "RT", "BB"} <= codes
    assert len(rows) == 38  # every EB segment in the file
    # Residential alone: active, four deductible rows (in/out x total/remaining), two coinsurance, two limits.
    assert [row.eb01 for row in rows if row.service_types == ["RT"]] == ["1", "C", "C", "C", "C", "A", "A", "F", "F"]
    deductible = next(row for row in rows if row.eb01 == "C" and row.amount == Decimal("1250.50"))
    assert deductible.time_period_description == "remaining"
    assert deductible.network_description == "in network"


def test_it_adds_up_the_residential_deductible_staff_quote_to_the_family(active):
    residential = active.levels["residential"]

    # Residential has deductible rows of its own: they win over the general substance-use ones.
    assert residential.in_network.deductible_individual.total == Decimal("2500")
    assert residential.in_network.deductible_individual.remaining == Decimal("1800")
    assert residential.out_of_network.deductible_individual.remaining == Decimal("5000")
    assert residential.in_network.coinsurance == Decimal("0.2")
    assert residential.out_of_network.coinsurance == Decimal("0.5")
    assert [limit.text for limit in residential.limits] == [
        "45 days per calendar year (in and out of network)",
        "38 days remaining (in and out of network)",
    ]
    assert residential.prior_auth is True
    assert residential.sources["deductible"].startswith("residential")


def test_it_gives_detox_the_substance_use_deductible_and_its_inpatient_costs(active):
    detox = active.levels["detox"]

    assert detox.in_network.deductible_individual.remaining == Decimal("1250.50")
    assert detox.in_network.deductible_family.remaining == Decimal("3100")
    assert detox.out_of_network.deductible_individual.total == Decimal("4000")
    # The payer sent year-to-date for the family out-of-pocket: what is left follows from the total.
    assert detox.in_network.out_of_pocket_family.met == Decimal("2600")
    assert detox.in_network.out_of_pocket_family.remaining == Decimal("11400")
    assert (detox.in_network.copay, detox.in_network.copay_per) == (Decimal("300"), "admission")
    assert detox.in_network.coinsurance == Decimal("0.15")
    assert detox.prior_auth is True
    assert detox.sources["deductible"] == "general substance-use benefits (AI, AJ, AK)"


def test_it_reads_php_iop_and_outpatient_costs_and_visit_limits(active):
    levels = active.levels

    assert (levels["php"].in_network.copay, levels["php"].in_network.copay_per) == (Decimal("150"), "day")
    assert (levels["outpatient"].in_network.copay, levels["outpatient"].in_network.copay_per) == (
        Decimal("35"),
        "visit",
    )
    # The $90 a day row says "INTENSIVE OUTPATIENT" only in words; its codes (MH, AI) make it a
    # general substance-use row, so IOP takes the outpatient visit's copay, as no code names IOP.
    assert (levels["iop"].in_network.copay, levels["iop"].sources["copay"]) == (
        Decimal("35"),
        "behavioural outpatient benefits (A8)",
    )
    # The substance-use rows that need prior authorization are, by their codes, about all such care.
    assert levels["outpatient"].prior_auth is True
    assert "47 visits remaining (in and out of network)" in [limit.text for limit in levels["outpatient"].limits]
    assert levels["plan"].in_network.deductible_individual.remaining == Decimal("1250.50")


def test_it_lists_what_the_payer_did_not_say(active):
    assert active.not_stated == [
        "The payer did not state visit or day limits for detox and partial hospitalization (PHP).",
    ]


@pytest.mark.parametrize(
    ("code", "words", "ask"),
    [
        ("72", "does not recognise the member ID", "read the member ID from the card again"),
        ("73", "name does not match", "exactly as it is printed on the insurance card"),
        ("75", "could not find this person", "they are a dependent"),
    ],
)
def test_it_explains_a_rejection_at_the_subscriber_in_plain_words(code, words, ask):
    summary = read(f"271_rejected_{code}.x12")
    (rejection,) = summary.rejections

    assert summary.status == summary.subscriber.status == "rejected"
    assert (rejection.loop, rejection.code, rejection.follow_up) == ("2100C", code, "C")
    assert rejection.follow_up_description == "please correct and resubmit"
    assert words in rejection.text
    assert ask in rejection.hint
    assert summary.subscriber.rejections == [rejection]
    assert summary.levels == {}


def test_it_reads_inactive_coverage_and_when_it_ended():
    summary = read("271_inactive.x12")

    assert summary.status == "inactive"
    assert summary.subscriber.plan_end == dt.date(2025, 9, 30)
    assert summary.subscriber.benefits[0].messages == ["COVERAGE TERMINATED"]
    assert summary.levels == {}


def test_it_keeps_unknown_codes_and_segments_instead_of_refusing_the_answer():
    summary = read("271_unknown_codes.x12")
    odd = summary.subscriber.benefits[1]

    assert summary.status == "active"
    assert (odd.eb01, odd.eb01_description) == ("Z9", "unknown code Z9")
    assert odd.coverage_level_description == "unknown code XYZ"
    assert (odd.time_period_description, odd.quantity_qualifier_description) == ("unknown code 88", "unknown code Q1")
    assert (odd.amount, odd.quantity, odd.network) == (Decimal("125.00"), Decimal("3"), "K")
    assert summary.subscriber.benefits[0].service_type_descriptions == [
        "health benefit plan coverage",
        "professional (physician) visit outpatient",
        "unknown code ZX",
    ]
    (rejection,) = summary.rejections
    assert (rejection.loop, rejection.code, rejection.description) == ("2110C", "A9", "unknown code A9")
    assert rejection.hint == "Call the payer to ask what they need, then run the check again."
    # An amount that is not a number is left out, said so, and the next row still counts.
    assert "EB segment 18: amount 'ABC' is not a number; it was left out." in summary.warnings
    assert summary.levels["detox"].in_network.deductible_individual.total == Decimal("900")


def test_it_names_the_company_behavioural_health_is_carved_out_to():
    summary = read("271_carve_out.x12")
    (carve_out,) = summary.carve_outs

    assert (carve_out.eb01, carve_out.name, carve_out.id) == ("R", "CEDAR RIDGE BEHAVIORAL PLAN", "CRB77")
    assert carve_out.phone == "8885550177"
    assert carve_out.contacts == ["phone 8885550177", "web WWW.CEDARRIDGE.EXAMPLE"]
    assert carve_out.text == (
        "CEDAR RIDGE BEHAVIORAL PLAN is another payer for mental health, substance abuse, alcoholism and "
        "drug addiction, phone 8885550177."
    )
    residential = summary.levels["residential"]
    assert residential.carved_out_to == "CEDAR RIDGE BEHAVIORAL PLAN"
    # The medical plan's deductible is not what the behavioural plan charges: it is not shown there.
    assert residential.in_network.deductible_individual.total is None
    assert summary.levels["plan"].in_network.deductible_individual.total == Decimal("3500")
    assert summary.not_stated[0] == (
        "The payer did not give its own benefits for detox, residential treatment, partial hospitalization "
        "(PHP), intensive outpatient (IOP) and outpatient care: it names CEDAR RIDGE BEHAVIORAL PLAN for them."
    )
    assert summary.subscriber.benefits[-1].related_entity.address == "PO BOX 4410, SALEM, OR 97301"


def test_it_gives_one_summary_per_subscriber_in_the_answer():
    summary = read("271_two_subscribers.x12")
    first, second = summary.subscribers

    assert (first.member_id, first.status) == ("BWM300100001", "active")
    assert (second.member_id, second.status, second.middle_name) == ("BWM300100002", "inactive", "A")
    assert summary.status == "active"
    assert first.levels["plan"].in_network.deductible_individual.remaining == Decimal("450")
    assert second.levels == {}
    assert summary.not_stated[0].startswith("For JORDAN KIM (member ID BWM300100001): ")


def test_it_reads_a_dependent_answered_under_the_subscriber():
    summary = read("271_dependent.x12")
    (patient,) = summary.subscribers

    assert patient.is_dependent
    assert (patient.first_name, patient.last_name, patient.relationship) == ("SKYLER", "FOSTER", "child")
    assert (patient.subscriber_first_name, patient.member_id) == ("QUINN", "BWM771200410")
    assert patient.group_number == "GRP-88310"
    assert summary.trace_number == "TRC-DEP"
    assert summary.levels["residential"].in_network.deductible_individual.remaining == Decimal("800")


def test_it_reports_a_payer_that_cannot_answer_now_as_an_error_not_a_rejection():
    summary = read("271_payer_unavailable.x12")
    (rejection,) = summary.rejections

    assert summary.status == "error"
    assert summary.payer_unavailable
    assert (rejection.loop, rejection.code, rejection.follow_up) == ("2100A", "42", "R")
    assert "tried again automatically" in rejection.hint


def test_it_round_trips_through_json_for_storage(active):
    data = json.loads(json.dumps(active.to_dict()))
    residential = data["subscribers"][0]["levels"]["residential"]

    assert residential["in_network"]["deductible_individual"]["remaining"] == "1800"
    assert data["subscribers"][0]["date_of_birth"] == "1988-03-14"
    assert BenefitSummary.from_dict(data) == active
    assert BenefitSummary.from_dict({**data, "added_later": 1}).status == "active"


def test_it_keeps_phi_out_of_its_repr(active):
    text = repr(active) + repr(active.subscriber)

    for secret in ("RIVERA", "ALEX", "BWM884120031", "1988"):
        assert secret not in text
