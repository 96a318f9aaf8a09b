"""What a re-check says changed, from two answers about the same plan (constructed, no payer asked)."""

import copy
import datetime as dt
from decimal import Decimal

from verification.changes import headlines, what_changed
from verification.eligibility import (
    BenefitSummary,
    CareLevel,
    CarveOut,
    Money,
    NetworkTerms,
    SubscriberSummary,
)
from verification.eligibility.rejections import make_rejection


def terms(*, left="800", total="1500", family_left="2400", oop_left="4000", coinsurance="0.2", copay=None):
    return NetworkTerms(
        deductible_individual=Money(total=Decimal(total), remaining=Decimal(left)),
        deductible_family=Money(total=Decimal("3000"), remaining=Decimal(family_left)),
        out_of_pocket_individual=Money(total=Decimal("6000"), remaining=Decimal(oop_left)),
        coinsurance=Decimal(coinsurance) if coinsurance else None,
        copay=Decimal(copay) if copay else None,
        copay_per="day" if copay else "",
    )


def answer(status="active", *, plan="SANDBOX PPO GOLD", group="GRP-7741", plan_end=None, rejections=(), **money):
    in_network = terms(**money)
    levels = {
        "plan": CareLevel(level="plan", label="Plan as a whole", in_network=copy.deepcopy(in_network)),
        "residential": CareLevel(
            level="residential", label="Residential", covered=True, prior_auth=False, in_network=in_network
        ),
    }
    subscriber = SubscriberSummary(
        status=status,
        member_id="LNT100001",
        plan_name=plan,
        group_number=group,
        plan_begin=dt.date(2026, 1, 1),
        plan_end=plan_end,
        levels=levels,
    )
    return BenefitSummary(
        status=status, payer_id="60054", payer_name="Aetna", subscribers=[subscriber], rejections=list(rejections)
    )


def texts(before, after, **kwargs) -> list[str]:
    return [change.text for change in what_changed(before, after, **kwargs)]


def test_it_finds_nothing_when_the_payer_says_the_same_again():
    assert what_changed(answer(), answer(), level="residential") == []


def test_it_says_when_coverage_ended():
    ended = answer("inactive", plan_end=dt.date(2026, 11, 30))

    changes = what_changed(answer(), ended, level="residential")

    assert [change.text for change in changes] == ["Coverage ended on 11/30/2026."]
    assert headlines(changes) == ["coverage ended"]


def test_it_says_coverage_is_no_longer_active_when_the_payer_gives_no_end_date():
    assert texts(answer(), answer("inactive")) == ["Coverage is no longer active."]


def test_it_says_the_payer_now_rejects_the_member_id_in_the_payers_words():
    rejected = answer("rejected", rejections=[make_rejection("2100C", "72", "C")])

    (change,) = what_changed(answer(), rejected)

    assert change.headline == "now rejected by the payer"
    assert change.text.startswith("The payer now rejects the request: ")
    assert "member ID" in change.text


def test_it_says_coverage_is_active_again():
    assert texts(answer("inactive"), answer()) == [
        "Coverage is active now (at the last check the payer said it was not active)."
    ]


def test_it_names_a_new_plan_and_group():
    changes = what_changed(answer(), answer(plan="SANDBOX HMO SILVER", group="GRP-9001"))

    assert [change.text for change in changes] == [
        "Plan changed: SANDBOX HMO SILVER (was SANDBOX PPO GOLD).",
        "Group number changed: GRP-9001 (was GRP-7741).",
    ]
    assert headlines(changes) == ["new plan"]


def test_it_says_a_plan_now_ends_before_it_did():
    assert texts(answer(), answer(plan_end=dt.date(2026, 12, 15))) == [
        "Plan dates changed: 01/01/2026–12/15/2026 (were from 01/01/2026)."
    ]


def test_it_says_the_deductible_was_met_with_the_money_in_dollars_and_cents():
    changes = what_changed(answer(left="800"), answer(left="0"))

    assert [change.text for change in changes] == [
        "Individual deductible (in network) met: $0.00 left of $1,500.00 (was $800.00 left)."
    ]
    assert headlines(changes) == ["deductible met"]


def test_it_says_how_much_of_the_deductible_is_left_now_and_when_the_deductible_itself_changed():
    assert texts(answer(left="2500", total="2500"), answer(left="1234", total="3000")) == [
        "Individual deductible (in network) is now $3,000.00 (was $2,500.00).",
        "Individual deductible (in network): $1,234.00 left (was $2,500.00 left).",
    ]


def test_it_says_the_family_deductible_and_the_out_of_pocket_maximum_apart():
    changes = what_changed(answer(), answer(family_left="0", oop_left="3100.5"))

    assert [change.text for change in changes] == [
        "Family deductible (in network) met: $0.00 left of $3,000.00 (was $2,400.00 left).",
        "Individual out-of-pocket maximum (in network): $3,100.50 left (was $4,000.00 left).",
    ]
    assert headlines(changes) == ["deductible met", "out-of-pocket changed"]


def test_it_compares_the_admissions_level_of_care_only_when_it_is_known():
    before = answer(coinsurance="0.2")
    after = answer(coinsurance="0.3")
    after.levels["residential"].prior_auth = True

    assert texts(before, after) == []
    assert texts(before, after, level="residential") == [
        "Residential care now needs prior authorization.",
        "Residential coinsurance (in network): 30% (was 20%).",
    ]


def test_it_says_a_copay_changed_with_what_it_is_per():
    assert texts(answer(copay="100"), answer(copay="250"), level="residential") == [
        "Residential copay (in network): $250.00 per day (was $100.00 per day)."
    ]


def test_it_says_the_admissions_care_is_no_longer_covered():
    after = answer()
    after.levels["residential"].covered = False

    assert texts(answer(), after, level="residential") == ["Residential care is no longer covered."]


def test_it_says_when_treatment_is_newly_handed_to_another_company():
    after = answer()
    after.carve_outs = [
        CarveOut(eb01="U", name="HARBORLIGHT BEHAVIORAL HEALTH", text="Contact HARBORLIGHT BEHAVIORAL HEALTH.")
    ]
    contact = CarveOut(eb01="U", name="UM CO", for_authorization=True, text="For authorizations, contact UM CO.")
    after.carve_outs.append(contact)

    changes = what_changed(answer(), after)

    assert [change.text for change in changes] == ["New carve-out: Contact HARBORLIGHT BEHAVIORAL HEALTH."]
    assert headlines(changes) == ["care handed to another company"]
    assert what_changed(after, copy.deepcopy(after)) == []


def test_a_figure_the_payer_left_out_this_time_is_not_a_change():
    after = answer(plan="")
    after.levels["plan"].in_network.deductible_individual = Money()

    assert texts(answer(), after) == []


def test_an_answer_that_says_nothing_about_coverage_is_not_compared():
    assert what_changed(answer(), answer("error")) == []
    assert what_changed(answer("error"), answer("inactive")) == []


def test_it_reads_the_in_network_figure_first_and_names_the_network_it_read():
    before, after = answer(), answer(left="0")
    after.levels["plan"].out_of_network = terms(left="100")
    before.levels["plan"].out_of_network = terms(left="500")

    assert texts(before, after) == [
        "Individual deductible (in network) met: $0.00 left of $1,500.00 (was $800.00 left)."
    ]

    for summary in (before, after):
        summary.levels["plan"].in_network = NetworkTerms()
    assert texts(before, after) == ["Individual deductible (out of network): $100.00 left (was $500.00 left)."]
