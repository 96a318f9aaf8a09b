"""The level-of-care mapping documented in `verification.eligibility.sources` and `.levels`, rule by rule."""

from decimal import Decimal

import pytest

from verification.eligibility.doubts import check_row
from verification.eligibility.levels import summarise_level
from verification.eligibility.sources import setting
from verification.eligibility.summary import BenefitRow, SubscriberSummary
from verification.eligibility.unsaid import not_stated


def row(eb01: str, *types: str, **fields) -> BenefitRow:
    return BenefitRow(eb01=eb01, service_types=list(types), **fields)


@pytest.mark.parametrize(
    ("places", "types", "expected"),
    [
        (["55"], ["AI"], "residential"),
        (["52"], ["MH"], "php"),
        (["21"], ["AJ"], "inpatient"),
        (["11", "22"], ["AI"], "outpatient"),  # two outpatient places agree
        (["11", "55"], ["AI"], None),  # places that disagree say nothing
        ([], ["CI"], "inpatient"),
        ([], ["CJ"], "outpatient"),
        ([], ["AI", "48"], "inpatient"),
        ([], ["AI", "RT", "BB", "A8"], None),  # several settings at once: none of them
        ([], ["AI"], None),
    ],
)
def test_it_reads_where_care_happens_from_places_of_service_then_from_other_codes(places, types, expected):
    assert setting(row("1", *types, places_of_service=places)) == expected


@pytest.mark.parametrize(
    ("procedure", "places", "expected"),
    [
        ("HC:H0015", ["11"], "iop"),  # an intensive outpatient programme given at an office
        ("HC:S9480:HF", [], "iop"),  # a modifier does not change the procedure
        ("HC:H0011", ["55"], "detox"),  # detox in a residential programme
        ("HC:H0035", [], "php"),
        ("HC:99213", ["11"], "outpatient"),  # an office visit names no programme: the place decides
        ("ZZ:H0015", [], None),  # only HCPCS codes are read
    ],
)
def test_a_hcpcs_procedure_names_the_programme_before_the_place_of_service(procedure, places, expected):
    assert setting(row("1", "AI", procedure=procedure, places_of_service=places)) == expected


def test_an_intensive_outpatient_procedure_row_speaks_for_iop_alone():
    rows = [
        row("B", "AI", "AJ", "AK", amount=Decimal("75"), time_period="7", network="Y", procedure="HC:H0015"),
        row("B", "A8", amount=Decimal("30"), time_period="27", network="Y"),
    ]

    levels = {level: summarise_level(level, rows, []) for level in ("detox", "residential", "iop", "outpatient")}

    assert (levels["iop"].in_network.copay, levels["iop"].sources["copay"]) == (
        Decimal("75"),
        "intensive outpatient benefits (AI, AJ, AK, procedure H0015)",
    )
    assert levels["outpatient"].in_network.copay == Decimal("30")
    assert levels["detox"].in_network.copay is levels["residential"].in_network.copay is None


@pytest.mark.parametrize(
    "words",
    [
        "INPATIENT DETOX",
        "WITHDRAWAL MANAGEMENT",
        "INTENSIVE OUTPATIENT PROGRAM (IOP)",
        "PARTIAL HOSPITALIZATION",
        "OUTPATIENT OFFICE VISIT",
        "RESIDENTIAL TREATMENT NOT COVERED",
        "SEE {WWW.STATE.EXAMPLE.GOV/LOOKUP/COVERAGELOOKUP.PHP}",
    ],
)
def test_the_payers_words_never_give_a_row_a_setting(words):
    assert setting(row("1", "AI", messages=[words])) is None
    assert setting(row("1", "AI", plan_description=words)) is None
    # Nor do they take away the setting its codes give.
    assert setting(row("1", "AI", messages=[words], places_of_service=["55"])) == "residential"


def test_a_message_denying_residential_care_neither_makes_nor_unmakes_a_level():
    rows = [row("1", "AI", "AJ", "AK", messages=["RESIDENTIAL TREATMENT NOT COVERED"])]

    levels = {level: summarise_level(level, rows, []) for level in ("detox", "residential", "iop", "outpatient")}

    # The row's codes say substance-use care in general is active: so it speaks for every level alike.
    assert {level: care.sources["covered"] for level, care in levels.items()} == dict.fromkeys(
        levels, "general substance-use benefits (AI, AJ, AK)"
    )
    # Staff read the payer's words beside the level, to ask about on the call.
    assert levels["residential"].notes == ["RESIDENTIAL TREATMENT NOT COVERED"]


def test_a_detox_message_on_a_facility_inpatient_row_still_lets_it_speak_for_residential():
    rows = [row("B", "CI", amount=Decimal("225"), time_period="7", network="Y", messages=["DETOX ONLY"])]

    residential = summarise_level("residential", rows, [])

    assert residential.in_network.copay == Decimal("225")
    assert residential.sources["copay"] == "behavioural inpatient benefits (CI)"


def test_outpatient_rows_standing_in_for_iop_never_say_it_needs_no_prior_authorization():
    rows = [row("1", "A8", auth_required="N")]

    assert summarise_level("outpatient", rows, []).prior_auth is False
    assert summarise_level("iop", rows, []).prior_auth is None
    assert summarise_level("iop", [row("1", "A8", auth_required="Y")], []).prior_auth is True


@pytest.mark.parametrize(
    ("total", "met", "left"),
    [
        (Decimal("0"), None, Decimal("0")),  # a $0 deductible leaves $0 to pay
        (Decimal("1500"), Decimal("600"), Decimal("900")),
        (Decimal("1500"), None, None),  # what is left is not known
    ],
)
def test_it_works_out_what_is_left_of_a_deductible(total, met, left):
    rows = [row("C", "AI", coverage_level="IND", time_period="23", amount=total, network="Y")]
    if met is not None:
        rows.append(row("C", "AI", coverage_level="IND", time_period="24", amount=met, network="Y"))

    detox = summarise_level("detox", rows, [])

    assert detox.in_network.deductible_individual.remaining == left


def test_it_uses_hospital_inpatient_for_detox_when_the_payer_says_nothing_about_substance_use():
    detox = summarise_level("detox", [row("A", "48", percent=Decimal("0.3"), network="Y")], [])

    assert detox.in_network.coinsurance == Decimal("0.3")
    assert detox.sources["coinsurance"] == "hospital inpatient benefits (48)"
    assert not detox.from_plan_level


def test_it_never_reads_prior_auth_not_required_from_the_plan_level():
    rows = [row("1", "30"), row("A", "30", percent=Decimal("0.2"), auth_required="N", network="Y")]

    residential = summarise_level("residential", rows, [])

    assert residential.prior_auth is None
    assert residential.from_plan_level
    assert residential.in_network.coinsurance == Decimal("0.2")


def test_it_counts_prior_auth_as_required_when_general_substance_use_rows_say_so():
    rows = [row("1", "RT", auth_required="N"), row("1", "AI", "AJ", "AK", auth_required="Y")]

    assert summarise_level("residential", rows, []).prior_auth is True


def test_it_reads_prior_auth_not_required_only_from_the_levels_own_rows():
    rows = [row("1", "AI", auth_required="N")]

    assert summarise_level("residential", rows, []).prior_auth is None
    assert summarise_level("residential", [row("1", "RT", auth_required="N")], []).prior_auth is False


def test_it_prefers_the_yearly_deductible_to_the_lifetime_one():
    rows = [
        row("C", "AI", coverage_level="IND", time_period="32", amount=Decimal("10000"), network="Y"),
        row("C", "AI", coverage_level="IND", time_period="23", amount=Decimal("1500"), network="Y"),
        row("C", "AI", coverage_level="IND", time_period="33", amount=Decimal("9000"), network="Y"),
        row("C", "AI", coverage_level="IND", time_period="29", amount=Decimal("700"), network="Y"),
    ]

    deductible = summarise_level("detox", rows, []).in_network.deductible_individual

    assert (deductible.total, deductible.remaining) == (Decimal("1500"), Decimal("700"))


def test_it_puts_amounts_that_apply_regardless_of_network_in_both_columns():
    outpatient = summarise_level("outpatient", [row("B", "A8", amount=Decimal("20"), network="W")], [])

    assert outpatient.in_network.copay == outpatient.out_of_network.copay == Decimal("20")
    assert outpatient.network_unstated.copay is None


def test_it_does_not_add_up_a_coverage_level_it_does_not_know():
    rows = [row("C", "AI", coverage_level="QQQ", time_period="23", amount=Decimal("500"), network="Y")]

    detox = summarise_level("detox", rows, [])

    assert detox.in_network.deductible_individual.total is None
    assert detox.in_network.deductible_family.total is None


def test_plan_level_active_coverage_alone_does_not_make_a_level_covered():
    residential = summarise_level("residential", [row("1", "30", plan_description="STATE PLAN")], [])

    assert residential.covered is None
    assert residential.sources == {}


def test_a_medicaid_row_listing_behavioural_services_speaks_for_the_levels_its_codes_imply():
    # One active row for mental-health and substance-use services, its notice linking to a ".PHP" page.
    rows = [
        row(
            "1",
            "MH",
            "A6",
            "A7",
            "A8",
            "AI",
            "AJ",
            "AK",
            "BD",
            messages=["CODE RULES: {WWW.STATE.EXAMPLE.GOV/LOOKUP/COVERAGELOOKUP.PHP}"],
        )
    ]

    levels = {level: summarise_level(level, rows, []) for level in ("detox", "residential", "php", "iop", "outpatient")}

    assert {level: care.covered for level, care in levels.items()} == dict.fromkeys(levels, True)
    assert levels["residential"].sources["covered"] == "residential and psychiatric inpatient benefits (A7)"
    assert levels["outpatient"].sources["covered"] == "outpatient behavioural benefits (A6, A8, BD)"
    assert levels["iop"].sources["covered"] == "behavioural outpatient benefits (A8)"
    # Partial hospitalization has no code on the row: only the general substance-use services speak for it.
    assert levels["php"].sources["covered"] == "general substance-use benefits (AI, AJ, AK)"
    assert levels["detox"].sources["covered"] == "general substance-use benefits (AI, AJ, AK)"


def test_a_mental_health_inpatient_row_does_not_speak_for_detox():
    rows = [row("1", "MH", places_of_service=["51"])]

    assert summarise_level("detox", rows, []).covered is None
    assert summarise_level("residential", rows, []).covered is True


def test_a_plan_description_naming_a_setting_does_not_place_a_mental_health_row():
    rows = [row("1", "MH", plan_description="MENTAL HEALTH INPATIENT")]

    assert summarise_level("residential", rows, []).covered is None
    assert summarise_level("outpatient", rows, []).sources["covered"] == "mental health and office visit benefits (MH)"


def test_a_level_whose_only_rows_lack_their_amounts_is_not_said_to_have_nothing():
    person = SubscriberSummary(
        benefits=[row("1", "30"), row("C", "RT", coverage_level="IND", time_period="23", percent=Decimal("2500"))]
    )
    check_row(person.benefits[1], [])
    person.levels = {"residential": summarise_level("residential", person.benefits, [])}

    sentences = not_stated(person)

    assert "The payer sent a deductible row without an amount for residential treatment." in sentences
    assert "The payer said nothing about residential treatment." not in sentences
