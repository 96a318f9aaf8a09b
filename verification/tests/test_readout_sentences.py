"""The read-out sentence on answers that are not tidy: figures the payer sent but that cannot be used,
$0 figures, a level's own copay beside the plan's coinsurance, limits in unknown codes, nothing
said at all, levels that disagree. Every sentence below is written out by hand from the answer."""

from decimal import Decimal
from pathlib import Path

from verification.eligibility import read_271
from verification.eligibility.sources import PLAN_DESCRIPTION
from verification.eligibility.summary import BenefitSummary, CareLevel, Limit, Money, NetworkTerms, SubscriberSummary
from verification.readout import SHARED_DIFFERS, read_out, sentence
from verification.stays import TypicalStay

from .test_readout import sandbox_answer

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> BenefitSummary:
    return read_271((FIXTURES / name).read_text())


def read_levels(summary: BenefitSummary, stays=None) -> dict:
    return {level.level: level for level in read_out(summary, stays or {}).levels}


def covered_residential(unusable: dict | None = None, **in_network) -> CareLevel:
    """Residential, covered, with these in-network terms."""
    return CareLevel(level="residential", covered=True, in_network=NetworkTerms(**in_network), unusable=unusable or {})


def read_one(care: CareLevel, length: int, unit: str, price: int):
    """The read-out of an answer holding only `care`, with a typical stay at its level."""
    stays = {care.level: TypicalStay(level=care.level, length=length, unit=unit, price=D(price))}
    (level,) = read_out(BenefitSummary(subscribers=[SubscriberSummary(levels={care.level: care})]), stays).levels
    return level


def test_it_says_the_payer_sent_a_deductible_without_an_amount_not_that_it_stated_none():
    care = CareLevel(
        level="iop",
        covered=True,
        in_network=NetworkTerms(coinsurance=D("0.2"), out_of_pocket_individual=Money(total=D(3000), remaining=D(3000))),
        unusable={"deductible": "missing"},
    )

    assert sentence(care, "Intensive outpatient (IOP)") == (
        "Intensive outpatient (IOP): covered at in-network rates, with a deductible the payer sent without an "
        "amount, then 20%, the payer did not say whether prior authorization is needed; out of pocket at most "
        "$3,000 more this year."
    )


def test_a_level_whose_only_cost_rows_are_unusable_says_so_and_its_card_lists_the_readers_warnings():
    # 271_shifted_elements: residential's deductible and out-of-pocket rows have no amount, and its
    # coinsurance row says 1,840 %. "Covered but the payer gave no costs for it" was untrue.
    stays = {"residential": TypicalStay(level="residential", length=28, unit="day", price=D(1200))}
    levels = read_levels(fixture("271_shifted_elements.x12"), stays)

    residential = levels["residential"]
    assert residential.estimate.not_estimated.startswith("Not estimated: the payer sent a deductible without an amount")
    assert residential.sentence.startswith(
        "Residential: covered, but no cost can be quoted: the payer sent a deductible"
    )
    assert "a coinsurance that cannot be right" in residential.sentence
    assert any("1,840" in warning for warning in residential.warnings)
    for level in levels.values():
        assert "did not state a deductible" not in level.sentence
        assert "gave no costs for it" not in level.sentence


def test_a_zero_dollar_deductible_and_maximum_are_said_as_zero_not_as_unstated():
    care = covered_residential(
        deductible_individual=Money(total=D(0)), out_of_pocket_individual=Money(total=D(0)), coinsurance=D(0)
    )
    level = read_one(care, 28, "day", 1200)

    assert level.sentence == (
        "Residential: covered at in-network rates, with no deductible, then 0%, the payer did not say whether "
        "prior authorization is needed; no out-of-pocket costs this year (a $0 maximum)."
    )
    # 28 × 1,200 = 33,600; nothing to the deductible, 0 % of it is $0, and the maximum is $0.
    assert level.estimate.amount == D(0)
    assert level.estimate.working == ("28 days × $1,200 = $33,600; no deductible + 0% of $33,600 = $0 → $0; about $0.")


def test_the_medicaid_answers_zero_deductible_is_read_out_on_every_level():
    stays = {"residential": TypicalStay(level="residential", length=28, unit="day", price=D(1200))}
    levels = read_levels(fixture("271_medicaid_messages.x12"), stays)

    for level in levels.values():
        assert "did not state a deductible" not in level.sentence
        assert "deductible" not in level.estimate.not_estimated
    assert "with no deductible" in levels["residential"].sentence


def test_a_levels_own_copay_is_not_read_out_or_charged_with_the_plans_coinsurance():
    care = CareLevel(
        level="outpatient",
        covered=True,
        prior_auth=False,
        in_network=NetworkTerms(
            deductible_individual=Money(total=D(2000), remaining=D(500)),
            out_of_pocket_individual=Money(total=D(7000), remaining=D(5400)),
            copay=D(35),
            copay_per="visit",
            coinsurance=D("0.2"),
        ),
        sources={"copay": "outpatient behavioural benefits (A8)", "coinsurance": PLAN_DESCRIPTION},
    )
    level = read_one(care, 12, "session", 150)

    assert level.sentence == (
        "Outpatient: covered at in-network rates, after the $500 left of the deductible, then a $35 copay per "
        "visit, no prior authorization needed; out of pocket at most $5,400 more this year."
    )
    # 12 × 150 = 1,800: the 500 left pays three sessions in full (450) and 50 of the fourth; a $35
    # copay on each of the other 9 sessions (315), no 20 % on top: 500 + 315 = 815.
    assert level.estimate.amount == D(815)
    assert "The plan as a whole states 20% coinsurance" in " ".join(level.details)


def test_the_active_behavioural_answers_outpatient_takes_its_own_rows_terms_never_the_plans_20():
    outpatient = read_levels(fixture("271_active_behavioural.x12"))["outpatient"]

    # The A8 row's $35 copay and the substance-use (AI, AJ, AK) rows' 15 % both speak for outpatient
    # care; the plan-level 20 % does not, since the level has terms of its own.
    assert "then a $35 copay per visit and 15%," in outpatient.sentence
    assert "20%" not in outpatient.sentence


def test_a_limit_in_codes_the_tables_do_not_hold_is_not_read_out_as_codes():
    care = CareLevel(
        level="detox",
        covered=True,
        limits=[
            Limit(
                quantity=D(3),
                qualifier="Q1",
                unit="unknown code Q1",
                time_period="88",
                time_period_description="unknown code 88",
                text="3 unknown code Q1 per unknown code 88",
            )
        ],
    )
    assert sentence(care, "Detox") == (
        "Detox: covered, but the payer gave no costs for it; the payer did not say whether prior authorization is "
        "needed, a limit the payer sent in codes (see the benefit rows)."
    )
    for level in read_levels(fixture("271_unknown_codes.x12")).values():
        assert "unknown code" not in level.sentence
        assert "a limit the payer sent in codes (see the benefit rows)" in level.sentence


def test_a_level_the_payer_said_nothing_about_reads_as_a_sentence():
    assert sentence(CareLevel(level="detox"), "Detox") == (
        "Detox: the payer did not say whether it is covered, nor what it costs; the payer did not say whether "
        "prior authorization is needed."
    )


def test_the_plans_figures_say_when_levels_differ_rather_than_not_stated():
    # 271_active_behavioural: out of network, detox's deductible is $4,000 and residential's $5,000.
    readout = read_out(fixture("271_active_behavioural.x12"), {})

    rows = {row.label: row.cells for row in readout.shared_rows}
    out_of_network = readout.shared_columns.index("Out of network")
    assert rows["Deductible (the person)"][out_of_network] == SHARED_DIFFERS == "differs by level (see each level)"
    residential = next(level for level in readout.levels if level.level == "residential")
    assert "Deductible (the person), out of network, for this care: $5,000, none of it used yet." in residential.details


def test_no_sentence_says_in_network_as_if_the_centre_were():
    for level in read_levels(sandbox_answer("LNT100001")).values():
        assert ": in network" not in level.sentence
        assert "covered at in-network rates, " in level.sentence


def test_a_figure_that_cannot_be_right_is_never_quoted_or_charged():
    # A coinsurance of 1,840 % that reached the summary, and a deductible row without an amount.
    care = covered_residential(
        {"deductible": "missing"},
        coinsurance=D("18.4"),
        out_of_pocket_individual=Money(total=D(6000), remaining=D(6000)),
    )

    level = read_one(care, 28, "day", 1200)

    assert "1840" not in level.sentence and "1,840" not in level.sentence
    assert "then a share that cannot be quoted (the payer sent a coinsurance that cannot be right)" in level.sentence
    assert level.estimate.amount is None
    assert level.estimate.not_estimated == (
        "Not estimated: the payer sent a deductible without an amount and a coinsurance that cannot be right."
    )
