"""Standard X12 codes are described in words, never as "unknown code" (issue 16: reject reason 70, REF EJ)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from verification.eligibility import read_271
from verification.eligibility.codes import (
    COVERAGE_LEVELS,
    ELIGIBILITY_CODES,
    QUANTITY_QUALIFIERS,
    REFERENCE_QUALIFIERS,
    REJECT_REASONS,
    SERVICE_TYPES,
    TIME_PERIODS,
    describe,
    with_article,
)
from verification.eligibility.doubts import check_row
from verification.eligibility.rejections import make_rejection
from verification.eligibility.summary import BenefitRow

FIXTURES = Path(__file__).parent / "fixtures"


def test_it_describes_every_code_of_an_answer_full_of_less_common_standard_codes():
    summary = read_271((FIXTURES / "271_standard_codes.x12").read_text())
    person = summary.subscriber

    assert "unknown code" not in json.dumps(summary.to_dict())
    assert [(ref.qualifier, ref.description) for ref in person.references] == [
        ("EJ", "patient account number"),
        ("F6", "health insurance claim (HIC) number"),
        ("Q4", "prior ID number"),
        ("1W", "member identification number"),
    ]
    # A second member ID of the subscriber's own does not replace the one the payer answered for.
    assert person.member_id == "GPH80094411"
    plan, deductible, not_processed, not_necessary, age_limit = person.benefits
    assert (plan.coverage_level_description, plan.insurance_type_description) == (
        "two people",
        "exclusive provider organization (EPO)",
    )
    assert (deductible.coverage_level_description, deductible.time_period_description) == (
        "employee and one or more dependents",
        "outlier",
    )
    assert not_processed.service_type_descriptions == ["cognitive therapy"]
    assert (not_necessary.eb01_description, not_necessary.service_type_descriptions) == (
        "not deemed a medical necessity",
        ["substance abuse facility outpatient"],
    )
    assert (age_limit.time_period_description, age_limit.quantity_qualifier_description) == (
        "exceeded",
        "age, low value",
    )


def test_it_explains_reject_reason_70_in_plain_words():
    (rejection,) = read_271((FIXTURES / "271_standard_codes.x12").read_text()).rejections

    assert (rejection.loop, rejection.code, rejection.follow_up_description) == (
        "2110C",
        "70",
        "resubmission not allowed",
    )
    assert rejection.description == "does not fit the patient's gender"
    assert rejection.text == "The payer says the care asked about does not fit the patient's gender on its records."


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (REJECT_REASONS, ["04", "33", "35", "52", "60", "64", "67", "70", "77", "80", "97", "AA", "T4"]),
        (
            REFERENCE_QUALIFIERS,
            ["EJ", "18", "1L", "6P", "F6", "IG", "N6", "NQ", "Q4", "SY", "49", "3H", "1W", "HJ", "Y4"],
        ),
        (ELIGIBILITY_CODES, ["1", "5", "8", "CB", "MC", "O", "P", "Q", "S", "T", "W", "X", "Y"]),
        (SERVICE_TYPES, ["2", "60", "96", "A9", "BD", "CG", "CH", "CI", "CJ", "CQ", "GY", "TN", "UC"]),
        (COVERAGE_LEVELS, ["E2D", "E9D", "TWO", "DEP"]),
        (TIME_PERIODS, ["28", "30", "31", "36"]),
        (QUANTITY_QUALIFIERS, ["8H", "D3", "LE", "S7", "YY"]),
    ],
)
def test_it_knows_the_standard_codes_of_each_list(table, codes):
    assert [code for code in codes if describe(table, code).startswith("unknown code")] == []


def test_it_still_says_when_a_payer_sends_a_code_no_list_has():
    assert describe(SERVICE_TYPES, "ZX") == "unknown code ZX"
    assert make_rejection("2100C", "Q9").text == "The payer rejected the request (unknown code Q9)."


def test_a_figure_is_named_with_the_article_its_first_sound_takes():
    assert with_article("deductible") == "a deductible"
    assert with_article("out-of-pocket maximum") == "an out-of-pocket maximum"
    assert with_article("") == ""


def test_an_impossible_out_of_pocket_row_is_told_in_good_english():
    row = BenefitRow(eb01="G", percent=Decimal("0.2"), service_types=["30"])
    warnings = []

    check_row(row, warnings)

    assert warnings and warnings[0].startswith("An out-of-pocket maximum row for ")
