"""Coordination of benefits: which of a person's plans pays first, from the payers' own answers.

Nothing is assumed from the order the visitor gave their cards in. A payer says it in its answer: an
other-payer row naming the other plan's payer as primary, secondary or tertiary (see
`eligibility.other_payers`). Where neither answer says so, or they disagree, the primary is left
unknown and staff are told what to ask. A payer an answer names that the visitor did not give is
reported: the person may have a plan they did not mention, and it may pay before both.

`coordinate(verification)` reads the latest answer of each plan (`verification.answer(which)`);
`decide(plans, answers)` is the same on plans and summaries given, for tests and callers that
already hold them. `estimate_plan` picks the answer an estimate is worked out from.
"""

from dataclasses import dataclass, field

from .eligibility.other_payers import OtherPayer, other_payers, same_id, same_name
from .eligibility.summary import BenefitSummary
from .insurances import Plan, Which

DO_NOT_SAY = (
    "The payers' answers do not say which pays first: ask the person (the birthday rule for a child on "
    "two parents' plans; an employer's plan usually pays before a parent's or spouse's) and confirm with "
    "the payers."
)
NOT_ANSWERED = "Which insurance pays first is not known yet: no payer has answered."
ONLY_ONE = "Only one insurance was given."


@dataclass
class Coordination:
    # "first" / "second" (insurances.Which), or "" when the answers do not say.
    primary: str = ""
    secondary: str = ""
    # In words for staff: what said so (or that nothing did).
    basis: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.primary)

    def order_of(self, which: str) -> str:
        """ "pays first", "pays second", or "" when not known (or only one plan)."""
        if self.secondary and which == self.primary:
            return "pays first"
        if self.secondary and which == self.secondary:
            return "pays second"
        return ""


def summary_of(answer) -> BenefitSummary | None:
    """The summary of what `verification.answer(which)` gives (a check, or a summary itself)."""
    if answer is None or isinstance(answer, BenefitSummary):
        return answer
    return answer.summary


@dataclass
class PlanAnswer:
    """One plan of a request and its latest answer (None while it has none)."""

    plan: Plan
    # What `verification.answer(which)` gives: the answered check (its time, gateway, who entered it).
    answer: object = None
    summary: BenefitSummary | None = None


def answers_of(verification) -> list[PlanAnswer]:
    """Each plan of `verification` with its latest answer, read once for the page that needs them all."""
    found = []
    for plan in verification.plans():
        answer = verification.answer(plan.which)
        found.append(PlanAnswer(plan=plan, answer=answer, summary=summary_of(answer)))
    return found


def coordinate(verification, answers: list[PlanAnswer] | None = None) -> Coordination:
    answers = answers if answers is not None else answers_of(verification)
    return decide([one.plan for one in answers], {one.plan.which: one.summary for one in answers})


def decide(plans: list[Plan], answers: dict[str, BenefitSummary | None]) -> Coordination:
    """Which of `plans` pays first, from `answers` (by plan, None for a plan not answered)."""
    notes: list[str] = []
    claims: list[tuple[str, str]] = []  # (the plan that pays first, why)
    for plan in plans:
        summary = answers.get(plan.which)
        others = [other for other in plans if other.which != plan.which]
        if summary is not None and summary.coordination_of_benefits:
            notes.append(f"{plan.payer_name}'s answer: {summary.coordination_of_benefits}.")
        for named in other_payers(summary):
            claim = _claim(plan, others, named, notes)
            if claim is not None:
                claims.append(claim)
    if len(plans) == 1:
        return Coordination(primary=plans[0].which, basis=ONLY_ONE, notes=notes)
    first = {primary for primary, _ in claims}
    if len(first) == 1:
        primary = first.pop()
        plan = _plan(plans, primary)
        secondary = next(other.which for other in plans if other.which != primary)
        reasons = _sentence([why for _, why in claims])
        basis = f"{plan.label} ({plan.payer_name}) pays first: {reasons}."
        return Coordination(primary=primary, secondary=secondary, basis=basis, notes=notes)
    if first:
        reasons = "; ".join(why for _, why in claims)
        basis = (
            f"The payers' answers disagree about which pays first ({reasons}): "
            "ask the person and confirm with the payers."
        )
        return Coordination(basis=basis, notes=notes)
    if all(answers.get(plan.which) is None for plan in plans):
        return Coordination(basis=NOT_ANSWERED, notes=notes)
    return Coordination(basis=DO_NOT_SAY, notes=notes)


def _claim(plan: Plan, others: list[Plan], named: OtherPayer, notes: list[str]) -> tuple[str, str] | None:
    """What one other payer named in `plan`'s answer says of the order: (the plan that pays first,
    why), or None when it decides nothing between the person's plans (a note may say why)."""
    answering = f"{plan.payer_name}'s answer"
    match = next((other for other in others if _names(named, other)), None)
    if match is None and _names(named, plan):
        # A payer naming its own plan's place in the order.
        if named.order == "primary":
            return plan.which, f"{answering} names {plan.payer_name} itself as the primary payer"
        if named.order == "secondary" and len(others) == 1:
            return others[0].which, f"{answering} names {plan.payer_name} itself as the secondary payer"
        return None
    if match is None:
        order = f"as {named.order}" if named.order else "as another payer"
        notes.append(f"{answering} names another payer, {named.described}, {order}: ask the person about it.")
        return None
    how = _how_matched(named, match)
    if how:
        notes.append(f"{answering} names {named.name or 'a payer'} {how}: read as the {_named(match)}.")
    since = f" since {named.since:%m/%d/%Y}" if named.since else ""
    if named.order == "primary":
        return match.which, f"{answering} names {match.payer_name} as the primary payer{since}"
    if named.order == "secondary":
        return plan.which, f"{answering} names {match.payer_name} as the secondary payer{since}"
    if named.order == "tertiary":
        notes.append(f"{answering} names {match.payer_name} as a tertiary payer: a third plan may pay before it.")
    else:
        notes.append(f"{answering} names {match.payer_name} as another payer without saying which pays first.")
    return None


def _names(named: OtherPayer, plan: Plan) -> bool:
    """The payer an answer names is this plan's: by payer ID, by the member ID on its card, or by name."""
    payer_id = plan.payer.payer_id if plan.payer else ""
    return (
        same_id(named.payer_id, payer_id)
        or same_id(named.member_id, plan.member_id)
        or same_name(named.name, plan.payer_name)
    )


def _how_matched(named: OtherPayer, plan: Plan) -> str:
    """How a payer named under another name was recognised; "" when the name itself matched."""
    if same_name(named.name, plan.payer_name):
        return ""
    if same_id(named.member_id, plan.member_id):
        return f"with the member ID of the {plan.label.lower()}"
    return f"with {plan.payer_name}'s payer ID"


def _plan(plans: list[Plan], which: str) -> Plan:
    return next(plan for plan in plans if plan.which == which)


def _sentence(reasons: list[str]) -> str:
    reasons = list(dict.fromkeys(reasons))
    return reasons[0] if len(reasons) == 1 else f"{', '.join(reasons[:-1])}, and {reasons[-1]}"


# --- The answer an estimate uses ------------------------------------------------------------------


@dataclass
class EstimatePlan:
    """The plan whose answer an estimate is worked out from, and a sentence saying which and why."""

    plan: Plan | None = None
    answer: object = None
    summary: BenefitSummary | None = None
    note: str = ""

    @property
    def which(self) -> str:
        return self.plan.which if self.plan else Which.FIRST


def estimate_plan(
    verification, coordination: Coordination | None = None, answers: list[PlanAnswer] | None = None
) -> EstimatePlan:
    """The primary plan's answer; with the primary unknown (or not answered yet), the first plan's
    (or the only one answered), and a note that says so. A single plan needs no note."""
    answers = answers if answers is not None else answers_of(verification)
    coordination = coordination or coordinate(verification, answers)
    answered = [one for one in answers if one.summary is not None]
    if not answered:
        return EstimatePlan(plan=answers[0].plan if answers else None)
    chosen = next((one for one in answered if one.plan.which == coordination.primary), None)
    if len(answers) == 1:
        note = ""
    elif chosen is not None:
        note = f"Worked out from the answer for the {_named(chosen.plan)}, which pays first."
    else:
        chosen = answered[0]
        if coordination.primary:
            primary = _plan([one.plan for one in answers], coordination.primary)
            why = f"the {_named(primary)} pays first but has not answered yet"
        else:
            why = "which insurance pays first is not known"
        note = f"Worked out from the answer for the {_named(chosen.plan)}: {why}. Check that before quoting it."
    return EstimatePlan(plan=chosen.plan, answer=chosen.answer, summary=chosen.summary, note=note)


def _named(plan: Plan) -> str:
    return f"{plan.label.lower()} ({plan.payer_name})"
