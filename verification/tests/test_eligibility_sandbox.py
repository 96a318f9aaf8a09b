"""The sandbox payer: every documented member ID answers its scenario, through a real 270 and 271."""

import datetime as dt
import time
from decimal import Decimal

import pytest

from verification.eligibility import (
    SANDBOX_MEMBERS,
    EligibilityError,
    EligibilityRequest,
    SandboxGateway,
    TransientEligibilityError,
    get_gateway,
    read_271,
)
from verification.eligibility.sandbox import SCENARIOS


def request(member_id: str, **changes) -> EligibilityRequest:
    """Morgan Diaz, typing the member ID from their card into the verify form."""
    fields = {
        "payer_id": "60054",
        "payer_name": "Sandbox Health",
        "provider_name": "Lantern Recovery Center",
        "provider_npi": "1234567893",
        "member_id": member_id,
        "first_name": "Morgan",
        "last_name": "Diaz",
        "date_of_birth": dt.date(1992, 6, 2),
        "date_of_service": dt.date(2026, 11, 21),
    }
    return EligibilityRequest(**{**fields, **changes})


def check(member_id: str, **changes):
    return SandboxGateway().check(request(member_id, **changes))


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    settings.ELIGIBILITY_SANDBOX_DELAY = 0


def test_it_is_the_gateway_when_nothing_is_configured(settings):
    settings.ELIGIBILITY_GATEWAY = ""  # ELIGIBILITY_GATEWAY= in the environment

    assert get_gateway().name == "sandbox"


def test_it_refuses_an_unknown_gateway_name(settings):
    settings.ELIGIBILITY_GATEWAY = "carrier-pigeon"

    with pytest.raises(EligibilityError, match="Unknown eligibility gateway 'carrier-pigeon'"):
        get_gateway()


def test_it_documents_exactly_the_member_ids_it_answers():
    assert set(SANDBOX_MEMBERS) == set(SCENARIOS)
    assert all(description.strip() for description in SANDBOX_MEMBERS.values())


def test_it_answers_with_a_real_271_that_the_production_reader_reads():
    result = check("LNT100001")

    assert result.raw.startswith("ISA*") and "ST*271*0001*005010X279A1~" in result.raw
    assert read_271(result.raw).to_dict()["subscribers"] == result.summary.to_dict()["subscribers"]
    assert result.summary.gateway == "sandbox"
    assert result.summary.checked_at is not None


def test_it_echoes_the_requests_trace_number():
    sent = request("LNT100001", trace_number="TRC-SANDBOX-7")

    assert SandboxGateway().check(sent).summary.trace_number == "TRC-SANDBOX-7"


def test_it_gives_full_behavioural_benefits_for_lnt100001():
    summary = check("LNT100001").summary
    levels = summary.levels

    assert summary.status == "active"
    assert summary.subscriber.plan_name == "SANDBOX PPO GOLD"
    assert levels["residential"].in_network.deductible_individual.remaining == Decimal("900")
    assert levels["residential"].out_of_network.deductible_family.total == Decimal("6000")
    assert levels["residential"].in_network.out_of_pocket_family.remaining == Decimal("10400")
    assert (levels["residential"].prior_auth, levels["detox"].prior_auth) == (True, True)
    assert "30 days per calendar year (in and out of network)" in [limit.text for limit in levels["residential"].limits]
    assert "40 visits per calendar year (in and out of network)" in [
        limit.text for limit in levels["outpatient"].limits
    ]
    assert (levels["detox"].in_network.copay, levels["detox"].in_network.copay_per) == (Decimal("250"), "admission")
    assert levels["outpatient"].out_of_network.coinsurance == Decimal("0.4")
    # Detox and IOP are told apart from other substance-use care by their procedures, not the
    # messages beside them, which staff read as notes.
    assert levels["detox"].sources["copay"] == "substance-use detox or inpatient benefits (AI, AJ, AK, procedure H0011)"
    assert "INPATIENT DETOXIFICATION, PER ADMISSION" in levels["detox"].notes
    assert (levels["iop"].in_network.copay, levels["iop"].in_network.copay_per) == (Decimal("75"), "day")
    assert levels["residential"].in_network.copay is None
    assert "The payer did not say whether partial hospitalization (PHP) needs prior authorization." in (
        summary.not_stated
    )


def test_it_carves_behavioural_health_out_for_lnt100002():
    summary = check("LNT100002").summary
    (carve_out,) = summary.carve_outs

    assert summary.status == "active"
    assert (carve_out.eb01, carve_out.name, carve_out.phone) == ("U", "HARBORLIGHT BEHAVIORAL HEALTH", "8775550158")
    assert summary.levels["detox"].carved_out_to == "HARBORLIGHT BEHAVIORAL HEALTH"
    assert summary.levels["plan"].in_network.deductible_individual.total == Decimal("2000")


@pytest.mark.parametrize("member_id", ["LNT100003", "ANY-OTHER-ID"])
def test_it_answers_with_plan_level_data_only_and_says_so(member_id):
    summary = check(member_id).summary
    residential = summary.levels["residential"]

    assert summary.status == "active"
    assert residential.from_plan_level
    assert residential.network_unstated.deductible_individual.remaining == Decimal("2500")
    assert residential.in_network.deductible_individual.total is None
    assert "Network status was not stated." in summary.not_stated
    assert (
        "The payer gave no costs specific to detox, residential treatment, partial hospitalization (PHP), "
        "intensive outpatient (IOP) and outpatient care; the plan-level (30) figures are shown."
    ) in summary.not_stated


def test_it_says_coverage_ended_for_lnt200001():
    summary = check("LNT200001").summary

    assert summary.status == "inactive"
    assert summary.subscriber.plan_end == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("member_id", "code", "ask"),
    [
        ("LNT300001", "75", "ask for the subscriber's name and date of birth"),
        ("lnt-300002", "72", "read the member ID from the card again"),
        ("LNT 300003", "73", "exactly as it is printed on the insurance card"),
    ],
)
def test_it_rejects_with_what_to_ask_the_visitor(member_id, code, ask):
    summary = check(member_id).summary
    (rejection,) = summary.rejections

    assert summary.status == "rejected"
    assert (rejection.loop, rejection.code) == ("2100C", code)
    assert ask in rejection.hint


def test_it_raises_a_retryable_error_for_an_unavailable_payer_with_the_answer_kept():
    with pytest.raises(TransientEligibilityError) as caught:
        check("LNT400001")

    assert caught.value.summary.rejections[0].code == "42"
    assert caught.value.summary.rejections[0].loop == "2100A"
    assert "AAA*N**42*R~" in caught.value.raw
    assert not isinstance(caught.value, EligibilityError)


def test_it_answers_slowly_for_lnt500001_then_active(settings):
    settings.ELIGIBILITY_SANDBOX_DELAY = 0.3
    started = time.monotonic()

    summary = check("LNT500001").summary

    assert time.monotonic() - started >= 0.3
    assert summary.status == "active"


def test_it_answers_for_a_dependent_in_the_dependent_loop():
    result = check(
        "LNT100001",
        relationship="spouse",
        subscriber_first_name="Sam",
        subscriber_last_name="Diaz",
        subscriber_date_of_birth=dt.date(1990, 1, 9),
    )
    (patient,) = result.summary.subscribers

    assert "HL*4*3*23*0~" in result.raw
    assert patient.is_dependent and patient.relationship == "spouse"
    assert (patient.first_name, patient.subscriber_first_name) == ("Morgan", "Sam")
    assert patient.date_of_birth == dt.date(1992, 6, 2)
    assert result.summary.levels["residential"].in_network.deductible_individual.remaining == Decimal("900")
