"""The sentence a worker reads out on the call, per level of care, from the sandbox payer's answers."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from verification.eligibility import EligibilityRequest, get_gateway
from verification.eligibility.summary import BenefitSummary, CarveOut, SubscriberSummary
from verification.readout import read_out
from verification.stays import TypicalStay


def sandbox_answer(member_id: str) -> BenefitSummary:
    """What the sandbox payer answers about Maya under `member_id`, read by our 271 reader."""
    request = EligibilityRequest(
        payer_id="60054",
        payer_name="Aetna",
        provider_name="Lantern Recovery",
        provider_npi="1234567893",
        member_id=member_id,
        first_name="Maya",
        last_name="Okonkwo",
        date_of_birth=dt.date(1991, 3, 14),
    )
    return get_gateway("sandbox").check(request).summary


def sentences(summary: BenefitSummary) -> dict[str, str]:
    return {level.level: level.sentence for level in read_out(summary, {}).levels}


def test_it_reads_out_each_level_of_the_active_member_with_the_payers_figures():
    # The sandbox's active member (sandbox.full_benefits), in network: $1,500 deductible with $900
    # left, $6,000 out-of-pocket maximum with $4,850 left, and per level its own share, prior
    # authorization and limits.
    said = sentences(sandbox_answer("LNT100001"))

    assert list(said) == ["detox", "residential", "php", "iop", "outpatient"]  # no "plan" line
    assert said["residential"] == (
        "Residential: covered at in-network rates, after the $900 left of the deductible, then 20%, prior "
        "authorization needed, 24 of the 30 days a calendar year left; out of pocket at most $4,850 more this year."
    )
    assert said["detox"] == (
        "Detox: covered at in-network rates, after the $900 left of the deductible, then a $250 copay per admission "
        "and 10%, prior authorization needed; out of pocket at most $4,850 more this year."
    )
    assert said["outpatient"] == (
        "Outpatient: covered at in-network rates, after the $900 left of the deductible, then a $30 copay per visit, "
        "no prior authorization needed, 32 of the 40 visits a calendar year left; out of pocket at most $4,850 "
        "more this year."
    )
    # The payer did not say whether PHP needs prior authorization: the sentence says so.
    assert "the payer did not say whether prior authorization is needed" in said["php"]
    assert "prior authorization needed" not in said["php"].replace("whether prior authorization is needed", "")


def test_it_states_the_figures_every_level_shares_once():
    readout = read_out(sandbox_answer("LNT100001"), {})

    assert readout.shared_columns == ["In network", "Out of network"]
    rows = {row.label: row.cells for row in readout.shared_rows}
    assert rows == {
        "Deductible (the person)": ["$900 left of $1,500", "$3,000, none of it used yet"],
        "Deductible (the family)": ["$2,250 left of $3,000", "$6,000, none of it used yet"],
        "Out-of-pocket maximum (the person)": ["$4,850 left of $6,000", "$12,000, none of it used yet"],
        "Out-of-pocket maximum (the family)": ["$10,400 left of $12,000", "$24,000, none of it used yet"],
        "Coinsurance or copay, the plan as a whole": ["20%", "40%"],
    }
    # A level's folded detail holds only what is its own: not the shared accumulators again.
    residential = next(level for level in readout.levels if level.level == "residential")
    details = " ".join(residential.details)
    assert "Out of network: 40%." in details
    for figure in ["$1,500", "$6,000", "$3,000", "$12,000", "$2,250", "$10,400"]:
        assert figure not in details


@pytest.mark.parametrize("member_id", ["LNT100001", "LNT100002", "LNT100003"])
def test_it_keeps_codes_out_of_every_label_and_line(member_id):
    readout = read_out(sandbox_answer(member_id), {})

    text = str(dataclasses.asdict(readout))
    assert "(30)" not in text and "(AI, AJ, AK)" not in text and "Plan as a whole (30)" not in text


def test_it_says_the_payer_did_not_say_when_only_plan_figures_came_back():
    readout = read_out(sandbox_answer("LNT100003"), {})
    residential = next(level for level in readout.levels if level.level == "residential")
    assert residential.sentence.startswith(
        "Residential: the payer did not say whether it is covered; if it is, at rates the payer did not tie to a "
        "network, after the $2,500 left of the deductible"
    )
    assert residential.sentence.endswith("these are the plan's figures, none were given for this care.")
    # The plan's $40 copay is per visit: a stay priced per day cannot be worked out from it.
    stays = {"residential": TypicalStay(level="residential", length=28, unit="day", price=Decimal(1200))}
    levels = read_out(sandbox_answer("LNT100003"), stays).levels
    (estimate,) = [level.estimate for level in levels if level.estimate.stay]
    assert (estimate.amount, estimate.not_estimated) == (
        None,
        "Not estimated: the payer's copay is per visit, and a typical stay here is priced per day.",
    )


def test_it_gives_the_carve_out_companys_own_phone_never_the_centres(settings):
    readout = read_out(sandbox_answer("LNT100002"), {})

    (company,) = readout.carve_outs
    assert company.name == "HARBORLIGHT BEHAVIORAL HEALTH"
    assert company.phone == "+18775550158" != settings.CENTRE_PHONE
    assert [level.sentence for level in readout.levels][1] == (
        "Residential: handled by HARBORLIGHT BEHAVIORAL HEALTH, not this payer; ask them for the benefits."
    )


def test_it_does_not_show_the_centres_own_number_as_a_companys(settings):
    settings.CENTRE_PHONE = "+18005550142"
    summary = BenefitSummary(
        subscribers=[SubscriberSummary()],
        carve_outs=[CarveOut(eb01="U", name="ELSEWHERE HEALTH", phone="8005550142")],
    )

    (company,) = read_out(summary, {}).carve_outs
    assert (company.phone, company.gave_centre_phone) == ("", True)


def test_it_passes_on_the_answers_warnings():
    summary = sandbox_answer("LNT100001")
    summary.warnings = ["A coinsurance of 1840% was read where a percentage belongs: not shown as fact."]

    assert read_out(summary, {}).warnings == summary.warnings
