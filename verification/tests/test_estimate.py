"""What a typical stay would cost the person: every figure below is worked out by hand from the
payer's answer and the centre's price, in the order plans apply them."""

from decimal import Decimal

import pytest

from verification.demo import seed_demo_stays
from verification.eligibility.summary import CareLevel, Limit, Money, NetworkTerms
from verification.estimate import accumulator_left, estimate
from verification.readout import read_out, sentence
from verification.stays import TypicalStay

from .test_readout import sandbox_answer
from .test_readout_sentences import covered_residential, fixture

D = Decimal


def stay(level="residential", length=28, unit="day", price="1200") -> TypicalStay:
    return TypicalStay(level=level, length=length, unit=unit, price=D(price))


def in_network(deductible_left="600", out_of_pocket_left="2150", **terms) -> CareLevel:
    return CareLevel(
        level="residential",
        covered=True,
        in_network=NetworkTerms(
            deductible_individual=Money(total=D("1500"), remaining=D(deductible_left) if deductible_left else None),
            out_of_pocket_individual=Money(
                total=D("6000"), remaining=D(out_of_pocket_left) if out_of_pocket_left else None
            ),
            **terms,
        ),
    )


def test_it_applies_the_deductible_then_coinsurance_capped_by_what_is_left_of_the_out_of_pocket():
    # 28 × 1,200 = 33,600. The first 600 is the deductible; 20 % of the other 33,000 is 6,600;
    # 600 + 6,600 = 7,200, more than the 2,150 left before the out-of-pocket maximum: 2,150.
    result = estimate(in_network(coinsurance=D("0.2")), stay())

    assert result.amount == D("2150")
    assert result.working == (
        "28 days × $1,200 = $33,600; first $600 (deductible left) + 20% of $33,000 = $6,600 → $7,200; "
        "capped at $2,150 out of pocket left → $2,150; about $2,150."
    )


def test_it_shows_the_estimate_for_each_level_of_the_sandboxs_active_member():
    stays = {
        "detox": stay("detox", 7, "day", "1500"),
        "residential": stay("residential", 28, "day", "1200"),
        "php": stay("php", 20, "day", "700"),
        "iop": stay("iop", 36, "day", "400"),
        "outpatient": stay("outpatient", 12, "session", "150"),
    }
    estimates = {level.level: level.estimate for level in read_out(sandbox_answer("LNT100001"), stays).levels}

    # Detox: 7 × 1,500 = 10,500; 900 deductible + 10 % of 9,600 (960) + one 250 copay per admission
    # = 2,110, under the 4,850 left.
    assert estimates["detox"].amount == D("2110")
    # Residential: 24 of its 30 days are left, so 24 × 1,200 = 28,800 is covered and 4 days (4,800)
    # are not. 900 + 20 % of 27,900 (5,580) = 6,480, capped at 4,850; plus the 4,800: 9,650.
    assert estimates["residential"].amount == D("9650")
    assert estimates["residential"].working == (
        "28 days × $1,200 = $33,600; 24 days covered ($28,800), 4 beyond the limit ($4,800); first $900 "
        "(deductible left) + 20% of $27,900 = $5,580 → $6,480; capped at $4,850 out of pocket left → $4,850; "
        "plus the 4 days beyond the limit at the full price → $9,650; about $9,650."
    )
    # PHP: 20 × 700 = 14,000; the 900 deductible pays the first day in full, then a 100 copay for
    # each of the other 19 days: 900 + 1,900 = 2,800.
    assert estimates["php"].amount == D("2800")
    # IOP: 36 days at 400, but only 32 of the 40 visits are left: one visit a day, 32 days covered
    # (12,800) and 4 (1,600) beyond. 900 pays two 400 days in full; 30 × 75 = 2,250; 900 + 2,250
    # = 3,150, under the 4,850 left; plus 1,600: 4,750.
    assert estimates["iop"].amount == D("4750")
    assert estimates["iop"].notes == [
        "The payer's limit counts visits and this stay is priced per day: this assumes one visit a day."
    ]
    # Outpatient: 900 pays six 150 sessions; 6 × 30 = 180; 1,080.
    assert estimates["outpatient"].working == (
        "12 sessions × $150 = $1,800; first $900 (deductible left) + $30 copay × 6 sessions after the "
        "deductible = $180 → $1,080; about $1,080."
    )


def test_it_charges_the_full_price_when_the_care_is_not_covered():
    result = estimate(CareLevel(level="residential", covered=False), stay())

    assert result.amount == D("33600")
    assert result.working == "Not covered: the full price, 28 days × $1,200 = $33,600."


@pytest.mark.parametrize(
    ("care", "reason"),
    [
        (
            in_network(deductible_left=None, coinsurance=D("0.2")),
            "Not estimated: the payer did not say how much of the deductible is left.",
        ),
        (
            in_network(out_of_pocket_left=None),
            "Not estimated: the payer did not say what share the person pays (a copay or coinsurance); nor how "
            "much of the out-of-pocket maximum is left.",
        ),
        (
            in_network(copay=D("40"), copay_per="visit"),
            "Not estimated: the payer's copay is per visit, and a typical stay here is priced per day.",
        ),
        (
            CareLevel(level="residential", covered=True, out_of_network=NetworkTerms(coinsurance=D("0.4"))),
            "Not estimated: the payer gave only out-of-network terms, and out-of-network care is paid on an "
            "allowed amount its answer does not give.",
        ),
        (
            CareLevel(level="residential", carved_out_to="HARBORLIGHT BEHAVIORAL HEALTH"),
            "Not estimated: HARBORLIGHT BEHAVIORAL HEALTH holds these benefits, not this payer.",
        ),
    ],
)
def test_it_gives_no_amount_when_the_payer_did_not_state_a_figure_it_needs(care, reason):
    result = estimate(care, stay())

    assert (result.amount, result.not_estimated) == (None, reason)


def test_it_says_so_when_no_typical_stay_is_set():
    result = estimate(in_network(coinsurance=D("0.2")), None)

    assert result.not_estimated == "No typical stay is set for residential treatment: an admin can set one."


def test_it_says_what_it_assumed_of_a_limit_with_nothing_said_about_what_is_left():
    care = in_network(coinsurance=D("0.2"), out_of_pocket_left="50000")
    care.limits = [Limit(quantity=D("20"), qualifier="DY", unit="days", time_period="23", network="both")]

    result = estimate(care, stay())

    # 20 days covered (24,000): 600 + 20 % of 23,400 (4,680) = 5,280; plus 8 days at 1,200: 14,880.
    assert result.amount == D("14880")
    assert result.notes == [
        "The payer did not say how many of the 20 days allowed are left: this assumes none are used."
    ]


@pytest.mark.django_db
def test_make_runs_demo_has_a_price_for_every_level_and_keeps_an_admins_own():
    TypicalStay.objects.create(level="residential", length=30, unit="day", price=D("950"))

    seed_demo_stays(sender=None)
    seed_demo_stays(sender=None)  # run again, as `make run` does each time

    stays = TypicalStay.objects.by_level()
    assert set(stays) == {"detox", "residential", "php", "iop", "outpatient"}
    assert (stays["residential"].length, stays["residential"].price) == (30, D("950"))
    assert str(stays["outpatient"]) == "Outpatient: 12 sessions at $150 a session"


def test_days_beyond_the_limit_are_charged_in_full_and_never_a_copay_as_well():
    care = in_network(deductible_left="500", out_of_pocket_left="10000", copay=D("40"), copay_per="visit")
    care.limits = [Limit(quantity=D("30"), qualifier="VS", unit="visits", time_period="23", network="in")]

    result = estimate(care, stay("iop", 36, "session", "250"))

    # 36 × 250 = 9,000; 30 sessions covered (7,500), 6 beyond (1,500). The 500 left pays two
    # sessions in full; a $40 copay on the other 28 covered ones (1,120): 1,620; plus 1,500: 3,120.
    assert result.amount == D("3120")
    assert "$40 copay × 28 sessions after the deductible = $1,120" in result.working


def test_the_network_tiers_answers_iop_charges_26_copays_not_32():
    stays = {"iop": stay("iop", 36, "session", "250")}
    (iop,) = [
        level.estimate for level in read_out(fixture("271_network_tiers.x12"), stays).levels if level.level == "iop"
    ]

    # 30 visits a year: 30 sessions covered (7,500), 6 beyond (1,500). $1,105.25 of the deductible
    # left pays 4 sessions in full; 26 copays of $40 (1,040); the plan's 20 % is not added to the
    # level's own copay: 1,105.25 + 1,040 = 2,145.25; plus 1,500: 3,645.25.
    assert "$40 copay × 26 sessions after the deductible = $1,040" in iop.working
    assert iop.amount == D("3645.25")


def test_a_day_limit_counts_sessions_as_one_a_day():
    care = in_network(deductible_left="0", out_of_pocket_left="10000", coinsurance=D("0.2"))
    care.limits = [Limit(quantity=D("10"), qualifier="DY", unit="days", time_period="29", remaining=True)]

    result = estimate(care, stay("outpatient", 12, "session", "150"))

    # 10 of the 12 sessions covered (1,500): 20 % is 300; plus 2 sessions at 150: 600.
    assert result.amount == D("600")
    assert result.notes == [
        "The payer's limit counts days and this stay is priced per session: this assumes one session a day."
    ]


def test_with_no_days_left_the_deductible_left_is_not_called_met():
    care = in_network(deductible_left="900", out_of_pocket_left="4850", coinsurance=D("0.2"))
    care.limits = [Limit(quantity=D("0"), qualifier="DY", unit="days", time_period="29", remaining=True)]

    result = estimate(care, stay())

    # No day is covered: all 28 at 1,200 are paid in full (33,600), none towards the deductible.
    assert result.amount == D("33600")
    assert "deductible already met" not in result.working
    assert "nothing covered to put towards the $900 deductible left" in result.working


def test_the_familys_deductible_left_never_exceeds_the_persons_whole_deductible():
    care = covered_residential(
        deductible_individual=Money(total=D("1000")),
        deductible_family=Money(total=D("4000"), remaining=D("3100")),
        out_of_pocket_individual=Money(total=D("50000"), remaining=D("50000")),
        coinsurance=D("0.2"),
    )

    assert accumulator_left(care.in_network.deductible_individual, care.in_network.deductible_family) == D("1000")
    assert "after at most $1,000 left of the deductible" in sentence(care, "Residential")
    result = estimate(care, stay())
    # 33,600: at most the person's whole 1,000, then 20 % of 32,600 (6,520): 7,520.
    assert result.amount == D("7520")
