"""One summary from the answers of one round: what staff read when a payer was asked one service
type per request. And the sandbox payer that only answers the first type it is asked about."""

from verification.eligibility import DEFAULT_SERVICE_TYPES, BenefitSummary, CoverageStatus, read_271
from verification.eligibility.merge import merge_summaries
from verification.eligibility.sandbox import Scenario, build_271
from verification.eligibility.x270 import build_270, read_270
from verification.tests.test_eligibility_sandbox import check, request


def single_type(member_id: str, *types: str) -> BenefitSummary:
    return check(member_id, payer_id="SBXONE", service_types=list(types)).summary


def fanned_out(member_id: str) -> list[BenefitSummary]:
    return [single_type(member_id, code) for code in DEFAULT_SERVICE_TYPES]


def one_per_type() -> list[list[str]]:
    return [[code] for code in DEFAULT_SERVICE_TYPES]


def test_the_single_type_payer_answers_the_first_service_type_of_a_request_and_nothing_else():
    answer = single_type("LNT100001", "AI", "RT")

    types = {code for row in answer.subscriber.benefits for code in row.service_types}
    assert types == {"30", "AI"}
    assert answer.levels["residential"].sources["deductible"] == "general substance-use benefits (AI)"
    assert answer.levels["residential"].sources["coinsurance"] == "plan-level benefits (30)"
    assert answer.levels["residential"].limits == []
    # Asked about residential alone, it answers residential in full.
    residential = single_type("LNT100001", "RT").levels["residential"]
    assert residential.sources["coinsurance"] == "residential and psychiatric inpatient benefits (RT)"
    assert [limit.quantity for limit in residential.limits] == [30, 24]


def test_it_keeps_a_plan_level_row_every_answer_repeats_once():
    answers = fanned_out("LNT100001")
    deductible = [row for row in answers[0].subscriber.benefits if row.eb01 == "C" and row.service_types == ["30"]]
    assert all(deductible[0] in answer.subscriber.benefits for answer in answers)

    merged = merge_summaries(answers, asked=one_per_type())

    assert len(merged.subscribers) == 1
    assert merged.subscriber.benefits.count(deductible[0]) == 1
    rows = merged.subscriber.benefits
    assert all(rows.count(row) == 1 for row in rows)
    assert merged.levels["plan"].network_unstated == answers[0].levels["plan"].network_unstated
    assert merged.levels["plan"].in_network == answers[0].levels["plan"].in_network


def test_it_reads_the_levels_of_care_from_the_merged_rows_as_from_one_whole_answer():
    merged = merge_summaries(fanned_out("LNT100001"), asked=one_per_type())
    whole = check("LNT100001").summary

    assert merged.status == CoverageStatus.ACTIVE
    assert merged.levels == whole.levels
    assert merged.not_stated == whole.not_stated and merged.unanswered_service_types == []
    assert merged.subscriber.plan_name == "SANDBOX PPO GOLD"


def test_it_names_the_service_types_the_payer_answered_with_plan_level_rows_only():
    # A payer taking one type per request, asked all eight in one: only the first (30) is answered.
    merged = merge_summaries([single_type("LNT100001", *DEFAULT_SERVICE_TYPES)], asked=[[]])

    assert merged.unanswered_service_types == ["AI", "AJ", "AK", "MH", "A8", "RT", "BB"]
    assert merged.not_stated[-1] == (
        "The payer answered the questions about substance abuse (AI), alcoholism (AJ), drug addiction (AK), "
        "mental health (MH), psychiatric outpatient (A8), residential psychiatric treatment (RT) and partial "
        "hospitalization (psychiatric) (BB) with plan-level benefits (30) only, or not at all: any figure shown "
        "for that care is the plan's as a whole, not its own."
    )


def test_it_names_the_service_types_whose_request_has_no_answer_yet():
    answers = fanned_out("LNT100001")
    answered = [answer for code, answer in zip(DEFAULT_SERVICE_TYPES, answers, strict=True) if code not in ("RT", "BB")]
    asked = [[code] for code in DEFAULT_SERVICE_TYPES if code not in ("RT", "BB")]

    merged = merge_summaries(answered, asked=asked, missing=[["RT"], ["BB"]])

    assert merged.unanswered_service_types == ["RT", "BB"]
    assert merged.not_stated[-1] == (
        "No answer yet to the requests about residential psychiatric treatment (RT) and partial hospitalization "
        "(psychiatric) (BB): the figures for that care are missing from this summary."
    )


def test_an_inactive_plan_is_not_said_to_leave_service_types_unanswered():
    merged = merge_summaries(fanned_out("LNT200001"), asked=one_per_type())

    assert merged.status == CoverageStatus.INACTIVE
    assert merged.unanswered_service_types == [] and merged.warnings == []


def test_it_shows_the_best_status_and_warns_when_the_answers_disagree():
    active = single_type("LNT100001", "30")
    inquiry = read_270(build_270(request("LNT100001", payer_id="SBXONE", service_types=["RT"])))
    rejected = read_271(build_271(inquiry, Scenario(rejection="75")))
    assert rejected.status == CoverageStatus.REJECTED

    merged = merge_summaries([active, rejected], asked=[["30"], ["RT"]])

    assert merged.status == CoverageStatus.ACTIVE and len(merged.subscribers) == 1
    assert [rejection.code for rejection in merged.rejections] == ["75"]
    assert merged.warnings == [
        "The payer's answers to this check's requests disagree (coverage active for health benefit plan coverage "
        "(30); request rejected for residential psychiatric treatment (RT)). The summary shows the best of them "
        "(coverage active): ask the payer which is right."
    ]


def test_it_leaves_the_answers_it_merges_as_they_were():
    answers = fanned_out("LNT100001")
    before = [answer.to_dict() for answer in answers]

    merge_summaries(answers, asked=one_per_type(), missing=[["RT"]])

    assert [answer.to_dict() for answer in answers] == before


def test_a_summary_stored_before_the_note_of_unanswered_service_types_still_loads():
    stored = check("LNT100001").summary.to_dict()
    del stored["unanswered_service_types"]

    assert BenefitSummary.from_dict(stored).unanswered_service_types == []
