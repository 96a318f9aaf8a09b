"""The reader on shapes real payers send: each fixture is our own, modelled on a public answer's structure.

Each of the first tests reproduces a fault found by running the reader on public 271s (issue 16):
a web address read as a level of care, a benefit's name taken for the plan's, a name after the
benefit rows taken for the subscriber's, impossible figures shown as fact, a deductible row without
an amount said to be no deductible, and a card holder's member ID lost beside a dependent's.
"""

import datetime as dt
from decimal import Decimal

import pytest

from verification.eligibility import BenefitSummary, read_271

from .test_eligibility_271 import FIXTURES, read


@pytest.fixture(scope="module")
def medicaid() -> BenefitSummary:
    """Mara Lindqvist's state Medicaid answer: one active row per programme, each with three notices."""
    return read("271_medicaid_messages.x12")


# --- 1. Message text and where a level's figures came from ------------------------------------------


def test_it_does_not_read_a_web_address_in_the_payers_notices_as_partial_hospitalization(medicaid):
    php = medicaid.levels["php"]

    # The notices link to ".../SERVICELOOKUP.PHP}": that is an address, not a level of care.
    assert php.sources["covered"] == "general substance-use benefits (AI)"
    every_source = [text for level in medicaid.levels.values() for text in level.sources.values()]
    assert not any("BB" in text or "BC" in text for text in every_source)


def test_it_reads_the_medicaid_mental_health_and_substance_use_programmes_for_each_level(medicaid):
    levels = medicaid.levels

    assert {name: level.covered for name, level in levels.items()} == {
        "detox": True,
        "residential": True,
        "php": True,
        "iop": True,
        "outpatient": True,
        "plan": True,
    }
    # The mental-health rows' descriptions say "INPATIENT" and "OUTPATIENT", but their codes (MH)
    # name no setting: every level is covered because the substance-use programme (AI) is active.
    assert {name: level.sources["covered"] for name, level in levels.items() if name != "plan"} == {
        "detox": "general substance-use benefits (AI)",
        "residential": "general substance-use benefits (AI)",
        "php": "general substance-use benefits (AI)",
        "iop": "general substance-use benefits (AI)",
        "outpatient": "general substance-use benefits (AI)",
    }
    # Medicaid's costs are the plan's zeros: shown as the plan's, not as the level's own.
    assert levels["residential"].from_plan_level
    assert levels["residential"].in_network.copay is None
    assert levels["residential"].network_unstated.copay == Decimal("0")
    # The notices reach staff as the payer wrote them, web address and all.
    assert (
        "FOR REQUIREMENTS BY SERVICE CODE USE THE LOOKUP AT {WWW.PRAIRIESTATE.EXAMPLE.GOV/PROVIDERS/LOOKUP/"
        "SERVICELOOKUP.PHP}" in levels["php"].notes
    )


def test_a_zero_deductible_and_out_of_pocket_maximum_leave_nothing_to_pay(medicaid):
    residential = medicaid.levels["residential"].network_unstated

    assert (residential.deductible_individual.total, residential.deductible_individual.remaining) == (0, 0)
    assert residential.out_of_pocket_individual.remaining == 0
    assert not any("deductible" in line for line in medicaid.not_stated)


# --- 2. The plan's name --------------------------------------------------------------------------


def test_it_names_the_plan_from_the_plans_own_row_not_a_benefits(medicaid):
    person = medicaid.subscriber

    assert person.plan_name == "PRAIRIE ADULT EXPANSION"
    assert person.insurance_type == "MC"
    assert medicaid.payer_contacts == [
        "MEDICAID PROVIDER SERVICES: phone 8005550134",
        "MEDICAID PROVIDER SERVICES: phone 8005550135",
    ]


# --- 3. A name after the benefit rows ---------------------------------------------------------------


def test_a_name_after_the_benefit_rows_never_replaces_the_subscriber():
    summary = read("271_name_after_benefits.x12")
    person = summary.subscriber

    assert (person.first_name, person.middle_name, person.last_name) == ("DEVIN", "T", "OKAFOR")
    assert person.member_id == "GPH60031877"
    # The primary care provider the payer named without an LS/LE loop belongs to its row.
    pcp_row = next(row for row in person.benefits if row.eb01 == "L")
    assert [(entity.entity, entity.name, entity.phone) for entity in pcp_row.related_entities] == [
        ("primary care provider", "DANA WELLS", "3035550177")
    ]
    assert summary.warnings == [
        "A name the payer sent after a benefit row without a related-entity loop (segment 19, primary care "
        "provider) was read as that row's contact.",
        "The payer repeated a person's name after the benefit rows (segment 23); the subscriber's name and "
        "member ID were kept as first given.",
    ]


# --- 4 and 5. Impossible values and rows without an amount -------------------------------------------


@pytest.fixture(scope="module")
def shifted() -> BenefitSummary:
    """Avery Santos's answer, where several elements slid one place along."""
    return read("271_shifted_elements.x12")


def test_it_keeps_an_impossible_coinsurance_out_of_the_figures_and_says_so(shifted):
    residential = shifted.levels["residential"]
    row = next(row for row in shifted.subscriber.benefits if row.eb01 == "A" and row.service_types == ["RT"])

    assert (row.percent, row.doubtful) == (None, {"percent": "1,840"})
    assert residential.in_network.coinsurance is None
    assert residential.unusable["coinsurance"] == "doubtful"
    assert "The payer sent a coinsurance for this care that cannot be right (1,840)." in residential.warnings
    assert (
        "A coinsurance row for residential psychiatric treatment: the payer sent 1,840 as a percentage, which "
        "cannot be. It is kept in the benefit rows but not shown as a figure."
    ) in shifted.warnings
    assert "The payer sent a coinsurance for residential treatment that cannot be right." in shifted.not_stated


def test_it_does_not_quote_an_amount_sent_as_a_number_of_days(shifted):
    residential = shifted.levels["residential"]
    row = next(row for row in shifted.subscriber.benefits if row.eb01 == "F")

    assert (row.quantity, row.doubtful) == (None, {"quantity": "2,500.00"})
    assert residential.limits == []
    assert "The payer sent a visit or day limit for residential treatment that cannot be right." in shifted.not_stated


def test_it_flags_a_coinsurance_of_one_and_a_half_rather_than_guessing_what_it_meant(shifted):
    outpatient = shifted.levels["outpatient"]

    assert outpatient.in_network.coinsurance is None
    assert outpatient.out_of_network.coinsurance == Decimal("0.2")  # sent as 20: whole numbers read as percent
    assert "The payer sent a coinsurance for this care that cannot be right (1.5)." in outpatient.warnings


def test_it_says_the_payer_sent_a_deductible_row_without_an_amount(shifted):
    detox = shifted.levels["detox"]

    assert detox.unusable == {"deductible": "missing", "out_of_pocket": "missing"}
    assert detox.in_network.deductible_individual.total is None
    levels = (
        "detox, residential treatment, partial hospitalization (PHP), intensive outpatient (IOP) and outpatient care"
    )
    assert f"The payer sent a deductible row without an amount for {levels}." in shifted.not_stated
    assert f"The payer sent an out-of-pocket maximum row without an amount for {levels}." in shifted.not_stated
    assert not any("did not state a deductible for detox" in line for line in shifted.not_stated)


# --- 6. A dependent with an ID of their own ---------------------------------------------------------


@pytest.mark.parametrize(
    "own_id",
    [
        pytest.param("NM1*03*1*HALVORSEN*ELI****MI*GPH55001202~", id="NM109"),
        pytest.param("NM1*03*1*HALVORSEN*ELI~\nREF*1W*GPH55001202~", id="REF 1W"),
    ],
)
def test_it_keeps_the_card_holders_member_id_beside_the_dependents_own(own_id):
    text = (FIXTURES / "271_dependent_own_id.x12").read_text()
    if "REF*1W" in own_id:
        # One more segment in the transaction: the SE count follows.
        text = text.replace("NM1*03*1*HALVORSEN*ELI****MI*GPH55001202~", own_id).replace("SE*19*", "SE*20*")
    (patient,) = read_271(text).subscribers

    assert patient.is_dependent
    assert (patient.first_name, patient.member_id) == ("ELI", "GPH55001202")
    assert patient.subscriber_member_id == "GPH55001200"
    assert (patient.subscriber_first_name, patient.subscriber_last_name) == ("RUTH", "HALVORSEN")


# --- More shapes from public answers ---------------------------------------------------------------


def test_it_keeps_in_and_out_of_network_rows_apart_and_works_out_what_is_left():
    summary = read("271_network_tiers.x12")
    plan = summary.levels["plan"]
    detox = summary.levels["detox"]
    outpatient = summary.levels["outpatient"]

    assert (plan.in_network.deductible_individual.total, plan.in_network.deductible_individual.remaining) == (
        Decimal("1750"),
        Decimal("1105.25"),
    )
    assert plan.out_of_network.deductible_individual.remaining == Decimal("3500")
    # Year to date met 1975 of 6350: 4375 left; out of network the yearly maximum beats the lifetime one.
    assert plan.in_network.out_of_pocket_individual.remaining == Decimal("4375")
    assert plan.out_of_network.out_of_pocket_individual.total == Decimal("12700")
    assert (detox.in_network.coinsurance, detox.out_of_network.coinsurance) == (Decimal("0.1"), Decimal("0.5"))
    assert (detox.in_network.copay, detox.in_network.copay_per, detox.prior_auth) == (Decimal("400"), "admission", True)
    assert detox.sources["copay"] == "substance-use detox or inpatient benefits (CI)"
    assert [limit.text for limit in summary.levels["residential"].limits] == [
        "60 days per calendar year (in and out of network)",
        "51 days remaining (in and out of network)",
    ]
    assert (outpatient.in_network.copay, outpatient.out_of_network.copay) == (Decimal("40"), Decimal("80"))
    assert [limit.text for limit in outpatient.limits] == ["30 visits per calendar year (in network)"]
    assert summary.levels["php"].covered is None  # only the plan's rows speak for it
    assert (summary.subscriber.plan_begin, summary.subscriber.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_it_places_each_rejection_at_the_loop_it_came_from():
    summary = read("271_rejections_by_loop.x12")

    assert summary.status == "rejected"
    assert [(r.loop, r.code, r.follow_up) for r in summary.rejections] == [
        ("2100B", "51", "N"),
        ("2100C", "72", "C"),
        ("2100D", "67", "C"),
    ]
    subscriber, dependent = summary.subscribers
    assert [r.code for r in subscriber.rejections] == ["72"]
    assert [r.code for r in dependent.rejections] == ["67"]
    assert dependent.subscriber_member_id == "HVH40099001"
    assert summary.rejections[2].text == "The payer could not find the patient under this subscriber."


def test_it_gives_each_carve_out_its_own_phone_from_the_payers_answer():
    summary = read("271_carve_out_um.x12")
    manager, reviewer = summary.carve_outs

    assert (manager.entity, manager.name, manager.phone) == (
        "managed care organization",
        "NORTHSTAR BEHAVIORAL PARTNERS",
        "8665550188",
    )
    assert not manager.for_authorization
    assert (reviewer.name, reviewer.phone, reviewer.for_authorization) == (
        "CLEARPATH UTILIZATION REVIEW",
        "8885550199",
        True,
    )
    # The payer's own provider line is not either company's number.
    assert "8005550121" not in (manager.phone, reviewer.phone)
    assert {level.carved_out_to for name, level in summary.levels.items() if name != "plan"} == {
        "NORTHSTAR BEHAVIORAL PARTNERS"
    }


def test_a_summary_stored_before_these_fields_existed_still_loads(shifted):
    stored = shifted.to_dict()
    person = stored["subscribers"][0]
    del person["subscriber_member_id"]
    for row in person["benefits"]:
        del row["doubtful"]
    for level in person["levels"].values():
        del level["unusable"], level["warnings"]

    loaded = BenefitSummary.from_dict(stored)

    assert loaded.subscriber.subscriber_member_id == ""
    assert loaded.levels["residential"].unusable == {}
    assert loaded.subscriber.benefits[0].doubtful == {}
    assert loaded.levels["plan"].covered is True


def test_it_reads_where_care_is_given_from_the_place_of_service_codes():
    summary = read("271_places_of_service.x12")
    levels = summary.levels
    residential_row = summary.subscriber.benefits[3]

    assert residential_row.place_of_service_descriptions == ["residential substance abuse treatment facility"]
    assert (levels["outpatient"].in_network.copay, levels["outpatient"].in_network.copay_per) == (
        Decimal("30"),
        "visit",
    )
    assert (levels["residential"].in_network.copay, levels["residential"].in_network.copay_per) == (
        Decimal("175"),
        "day",
    )
    assert (levels["residential"].in_network.coinsurance, levels["residential"].prior_auth) == (Decimal("0.15"), True)
    assert (levels["php"].in_network.copay, levels["php"].in_network.copay_per) == (Decimal("95"), "day")
    assert (levels["detox"].in_network.copay, levels["detox"].in_network.copay_per) == (Decimal("500"), "admission")
    assert levels["php"].sources["copay"] == "partial hospitalization benefits (AI, place of service 52)"
