"""The screen's pure rules: the ASQ's published scoring, each red-flag rule, the suggested level
of care and its reasons, and what a complete screen must have."""

import pytest

from admissions import screening
from admissions.screening import Asq
from intake.models import LevelOfCare

from .screen_helpers import CALM_ANSWERS


def codes(answers):
    return {flag.code for flag in screening.red_flags(answers)}


def test_it_scores_the_asq_as_published():
    no = {f"asq_{n}": "no" for n in range(1, 5)}
    assert screening.asq_result({}) == Asq.NOT_ASKED
    assert screening.asq_result(no) == Asq.NEGATIVE
    assert screening.asq_result({**no, "asq_4": "yes"}) == Asq.POSITIVE
    assert screening.asq_result({**no, "asq_2": "yes", "asq_5": "no"}) == Asq.POSITIVE
    assert screening.asq_result({**no, "asq_1": "yes", "asq_5": "yes"}) == Asq.ACUTE
    # Question 5 only counts after a yes to 1-4.
    assert screening.asq_result({**no, "asq_5": "yes"}) == Asq.NEGATIVE


def test_it_raises_no_flag_on_a_calm_screen():
    assert screening.red_flags(CALM_ANSWERS) == []


@pytest.mark.parametrize(
    ("change", "code", "kind"),
    [
        ({"withdrawal_history": ["seizures"]}, "complicated_withdrawal", "medical"),
        ({"withdrawal_history": ["delirium_tremens"]}, "complicated_withdrawal", "medical"),
        ({"substances": ["alcohol"], "daily_use": True, "last_use": "within_24h"}, "sedative_withdrawal", "medical"),
        (
            {"substances": ["benzodiazepines"], "daily_use": True, "last_use": "1_3_days"},
            "sedative_withdrawal",
            "medical",
        ),
        ({"pregnancy": "yes", "substances": ["heroin"]}, "pregnancy_opioids", "medical"),
        ({"overdose_recent": "yes"}, "recent_overdose", "medical"),
        ({"substances": ["fentanyl"], "routes": ["injected"], "last_use": "within_24h"}, "injected_opioids", "medical"),
        ({"dim2_rating": "4"}, "asam_severe", "medical"),
        ({"asq_3": "yes", "asq_5": "no"}, "asq_positive", "safety"),
        ({"asq_3": "yes", "asq_5": "yes"}, "asq_acute", "safety"),
    ],
)
def test_it_raises_each_red_flag_with_its_reason(change, code, kind):
    flags = [flag for flag in screening.red_flags({**CALM_ANSWERS, **change}) if flag.code == code]
    assert len(flags) == 1
    assert flags[0].kind == kind and flags[0].reason.endswith(".")
    assert flags[0].title == ("Safety" if kind == "safety" else "Medical urgency")


@pytest.mark.parametrize(
    "change",
    [
        {"substances": ["alcohol"], "daily_use": True, "last_use": "over_week"},  # not recent
        {"substances": ["alcohol"], "last_use": "within_24h"},  # not daily
        {"pregnancy": "yes", "substances": ["alcohol"]},  # no opioid
        {"substances": ["fentanyl"], "routes": ["injected"], "last_use": "4_7_days"},
        {"dim1_rating": "3"},
    ],
)
def test_it_raises_no_medical_flag_short_of_the_rule(change):
    assert not {code for code in codes({**CALM_ANSWERS, **change}) if code != "asq_positive"}


def test_it_suggests_detox_for_withdrawal_risk_and_says_why():
    suggestion = screening.suggest_level({**CALM_ANSWERS, "withdrawal_history": ["seizures"]})
    assert suggestion.level == LevelOfCare.DETOX
    assert suggestion.reasons == ("Withdrawal risk (see the medical red flags).",)


def test_it_suggests_residential_when_a_dimension_is_high_or_there_is_no_home():
    assert screening.suggest_level({**CALM_ANSWERS, "dim5_rating": "3"}).reasons == ("ASAM dimension 5 rated 3.",)
    homeless = screening.suggest_level({**CALM_ANSWERS, "housing": "homeless"})
    assert homeless.level == LevelOfCare.RESIDENTIAL
    assert "No home to return to each night." in homeless.reasons


def test_it_suggests_php_iop_or_outpatient_by_risk_and_housing():
    moderate = {**CALM_ANSWERS, "dim3_rating": "2"}
    assert screening.suggest_level({**moderate, "housing": "unstable"}).level == LevelOfCare.PHP
    assert screening.suggest_level(moderate).level == LevelOfCare.IOP
    calm = screening.suggest_level(CALM_ANSWERS)
    assert calm.level == LevelOfCare.OUTPATIENT
    assert calm.reasons == ("Every ASAM dimension rated 0 or 1.", "Stable housing.")


def test_it_puts_an_emergency_evaluation_first_on_acute_risk():
    suggestion = screening.suggest_level({**CALM_ANSWERS, "asq_1": "yes", "asq_5": "yes"})
    assert suggestion.reasons[0].startswith("Acute suicide risk")


def test_it_names_what_a_complete_screen_still_needs():
    assert screening.missing_for_completion(CALM_ANSWERS) == {}
    missing = screening.missing_for_completion({**CALM_ANSWERS, "housing": "", "asq_2": "yes"})
    assert set(missing) == {"housing", "asq_5"}
    assert set(screening.missing_for_completion({})) >= {"substances", "asq_1", "dim6_rating"}
