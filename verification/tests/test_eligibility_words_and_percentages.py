"""Two ways a payer's answer misled the reader (review of issue 16), each on a fixture of our own.

- Message text decided a level of care: "RESIDENTIAL TREATMENT NOT COVERED" on an active
  substance-use row made residential covered and took the row away from outpatient; a facility
  inpatient row whose notice said "DETOX" stopped counting for residential. Codes decide; the words
  are notes for staff.
- A whole number in the percentage element was read as a percentage on any row, before the check
  for an amount in the wrong element: a $50 deductible became "read as 50%" and "sent 0.5", two
  warnings that disagree.
"""

from decimal import Decimal

import pytest

from verification.eligibility import BenefitSummary

from .test_eligibility_271 import read


@pytest.fixture(scope="module")
def negated() -> BenefitSummary:
    """Tomas Brennan's answer: notices that deny or name a level, on rows whose codes say otherwise."""
    return read("271_negated_messages.x12")


@pytest.fixture(scope="module")
def percentages() -> BenefitSummary:
    """Funmi Oyelaran's answer: figures in the percentage element, some meant as percentages, some not."""
    return read("271_percent_elements.x12")


# --- Message text never decides a level ------------------------------------------------------------


def test_a_notice_denying_residential_care_does_not_make_residential_covered_by_its_words(negated):
    residential = negated.levels["residential"]

    # Residential is covered because the substance-abuse facility inpatient row (CI) is active, and
    # nothing says the notice's row was residential care.
    assert (residential.covered, residential.sources["covered"]) == (True, "behavioural inpatient benefits (CI)")
    assert not any("own words" in text for level in negated.levels.values() for text in level.sources.values())


def test_an_active_substance_use_row_speaks_for_outpatient_whatever_its_notice_says(negated):
    outpatient = negated.levels["outpatient"]

    assert (outpatient.covered, outpatient.sources["covered"]) == (True, "general substance-use benefits (AI, AJ, AK)")
    assert (outpatient.in_network.copay, outpatient.in_network.copay_per) == (Decimal("40"), "visit")
    # The payer's words are for staff to read out and ask about, not for the reader to act on.
    assert outpatient.notes == ["RESIDENTIAL TREATMENT NOT COVERED"]


def test_a_facility_inpatient_row_whose_notice_says_detox_still_counts_for_residential(negated):
    detox, residential = negated.levels["detox"], negated.levels["residential"]

    assert (detox.in_network.copay, detox.sources["copay"]) == (
        Decimal("225"),
        "substance-use detox or inpatient benefits (CI)",
    )
    assert (residential.in_network.copay, residential.in_network.copay_per) == (Decimal("225"), "day")
    assert (residential.sources["copay"], residential.prior_auth) == ("behavioural inpatient benefits (CI)", True)
    assert residential.notes == ["DETOX AND WITHDRAWAL MANAGEMENT, PRIOR AUTHORIZATION REQUIRED"]


# --- Percentages ----------------------------------------------------------------------------------


def test_a_deductible_sent_in_the_percentage_element_gets_one_warning_and_is_never_read_as_a_percentage(
    percentages,
):
    row = next(row for row in percentages.subscriber.benefits if row.eb01 == "C")
    about_it = [line for line in percentages.warnings if "deductible" in line]

    assert (row.percent, row.percent_sent, row.doubtful) == (None, "50", {"percent": "50"})
    assert about_it == [
        "A deductible row for substance abuse, alcoholism and drug addiction: the payer sent 50 in the percentage "
        "element and no amount, so the deductible is not known. It is kept in the benefit rows but not shown as a "
        "figure."
    ]
    assert "The payer sent a deductible row without an amount" in " ".join(percentages.not_stated)


def test_a_coinsurance_sent_as_a_whole_number_is_read_as_a_percentage_and_says_so(percentages):
    residential = percentages.levels["residential"]
    row = next(row for row in percentages.subscriber.benefits if row.eb01 == "A" and row.network == "Y")

    assert (row.percent, row.percent_sent, row.doubtful) == (Decimal("0.2"), "20", {})
    assert (residential.in_network.coinsurance, residential.out_of_network.coinsurance) == (
        Decimal("0.2"),
        Decimal("0.4"),
    )
    assert residential.warnings == [
        "The payer sent this coinsurance as 20, not as the fraction the standard asks for; it is read as 20%."
    ]
    assert (
        "A coinsurance row for residential psychiatric treatment: the payer sent 20 where the standard asks for a "
        "fraction; it is read as 20%."
    ) in percentages.warnings


def test_a_whole_number_on_a_row_that_is_not_coinsurance_is_not_turned_into_a_percentage(percentages):
    limit = next(row for row in percentages.subscriber.benefits if row.eb01 == "F")

    assert (limit.percent, limit.doubtful) == (None, {"percent": "30"})
    # The row's own figure, 30 days, is untouched and still read.
    assert [item.text for item in percentages.levels["residential"].limits] == [
        "30 days per calendar year (in and out of network)"
    ]
    assert len(percentages.warnings) == 3
