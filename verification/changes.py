"""What changed between two answers about the same plan, in words a worker acts on before an admission.

A re-check (`rounds.EligibilityRound.finish`) compares its answer with the one before it. Only
what matters for the admission is said: coverage ending or the payer no longer finding the
member, a different plan, a deductible or out-of-pocket maximum met or moved, and, for the level
of care the person is coming in for, its copay, coinsurance, prior authorization and whether it is
covered at all; and a company the care is newly handed to (a carve-out). A figure the payer left
out of one answer is not a change: payers often say less one day than the next.

Each `Change` has two faces: `text` names plans and figures (encrypted where stored, shown on
audited pages only), `headline` names only the kind of change ("deductible met") and is safe for
the timeline's heading and a command's output.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .eligibility import BenefitSummary, CareLevel, CoverageStatus, Money, NetworkTerms
from .eligibility.levels import LABELS

HEADLINES = {
    "coverage_ended": "coverage ended",
    "rejected": "now rejected by the payer",
    "coverage_active": "coverage active again",
    "new_plan": "new plan",
    "deductible_met": "deductible met",
    "deductible": "deductible changed",
    "out_of_pocket_met": "out-of-pocket maximum met",
    "out_of_pocket": "out-of-pocket changed",
    "cost_share": "copay or coinsurance changed",
    "prior_auth": "prior authorization changed",
    "not_covered": "care no longer covered",
    "covered": "care now covered",
    "carve_out": "care handed to another company",
}

# Where a figure is looked for, in this order: the network the centre most often bills first.
NETWORKS = (
    ("in_network", "in network"),
    ("network_unstated", "network not stated"),
    ("out_of_network", "out of network"),
)
ACCUMULATORS = (
    ("deductible", "individual", "Individual deductible"),
    ("deductible", "family", "Family deductible"),
    ("out_of_pocket", "individual", "Individual out-of-pocket maximum"),
    ("out_of_pocket", "family", "Family out-of-pocket maximum"),
)


@dataclass(frozen=True)
class Change:
    kind: str
    text: str

    @property
    def headline(self) -> str:
        return HEADLINES.get(self.kind, "changed")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> "Change":
        return cls(kind=data.get("kind", ""), text=data.get("text", ""))


def headlines(changes: list[Change]) -> list[str]:
    """Each kind of change once, in the order found: "coverage ended", "deductible met"."""
    return list(dict.fromkeys(change.headline for change in changes))


def what_changed(before: BenefitSummary, after: BenefitSummary, *, level: str = "") -> list[Change]:
    """What differs in `after` (the new answer) from `before` about one plan; empty when nothing
    that matters did. `level`: the level of care of the admission ("residential"), when known.
    An answer that says nothing about coverage (status error) is not compared."""
    statuses = {before.status, after.status}
    if CoverageStatus.ERROR in statuses:
        return []
    if before.status != after.status:
        return _status_changed(before, after)
    if after.status != CoverageStatus.ACTIVE:
        return []
    changes = _plan_changed(before, after)
    changes += _accumulators_changed(_accumulator_levels(before, after, level))
    if level and level != "plan" and level in LABELS:
        changes += _care_changed(before.levels.get(level), after.levels.get(level), LABELS[level])
    changes += _carve_outs_appeared(before, after)
    return changes


# --- Coverage itself -------------------------------------------------------------------------------


def _status_changed(before: BenefitSummary, after: BenefitSummary) -> list[Change]:
    sub = after.subscriber
    if after.status == CoverageStatus.INACTIVE:
        ended = (sub.plan_end or sub.eligibility_end) if sub else None
        text = f"Coverage ended on {_date(ended)}." if ended else "Coverage is no longer active."
        if before.status == CoverageStatus.REJECTED:
            text = "The payer now finds the member, but coverage is not active."
        return [Change("coverage_ended", text)]
    if after.status == CoverageStatus.REJECTED:
        reasons = [r.text or (r.description[:1].upper() + r.description[1:]) for r in after.rejections]
        reasons = [reason.rstrip(".") + "." for reason in dict.fromkeys(reasons) if reason]
        text = "The payer now rejects the request" + (f": {' '.join(reasons)}" if reasons else ".")
        return [Change("rejected", text)]
    was = "had rejected the request" if before.status == CoverageStatus.REJECTED else "said it was not active"
    return [Change("coverage_active", f"Coverage is active now (at the last check the payer {was}).")]


def _plan_changed(before: BenefitSummary, after: BenefitSummary) -> list[Change]:
    changes = []
    if _differ(before.payer_id, after.payer_id) or (
        not (before.payer_id and after.payer_id) and _differ(before.payer_name, after.payer_name)
    ):
        changes.append(Change("new_plan", f"Insurer changed: {after.payer_name} (was {before.payer_name})."))
    old, new = before.subscriber, after.subscriber
    if old is None or new is None:
        return changes
    if _differ(old.plan_name, new.plan_name):
        changes.append(Change("new_plan", f"Plan changed: {new.plan_name} (was {old.plan_name})."))
    if _differ(old.group_number, new.group_number):
        changes.append(Change("new_plan", f"Group number changed: {new.group_number} (was {old.group_number})."))
    if _differ(_alnum(old.member_id), _alnum(new.member_id)):
        changes.append(Change("new_plan", "The payer has the member under a different member ID now."))
    for what, start, end in (
        ("Plan", "plan_begin", "plan_end"),
        ("Eligibility", "eligibility_begin", "eligibility_end"),
    ):
        old_range = (getattr(old, start), getattr(old, end))
        new_range = (getattr(new, start), getattr(new, end))
        begin_moved = old_range[0] and new_range[0] and old_range[0] != new_range[0]
        # A plan that now has an end date (or a new one) matters even when the last answer gave none.
        end_moved = new_range[1] is not None and new_range[1] != old_range[1]
        if begin_moved or end_moved:
            changes.append(
                Change("new_plan", f"{what} dates changed: {_range(*new_range)} (were {_range(*old_range)}).")
            )
    return changes


# --- Deductibles and out-of-pocket maximums -----------------------------------------------------------


def _accumulator_levels(before: BenefitSummary, after: BenefitSummary, level: str) -> list[tuple]:
    """Where deductibles and out-of-pocket maximums are read: the admission's level first, then
    the plan as a whole (a level states them only when the payer gave them for that care)."""
    names = [level, "plan"] if level and level != "plan" else ["plan"]
    pairs = [(before.levels.get(name), after.levels.get(name)) for name in names]
    return [(old, new) for old, new in pairs if old is not None and new is not None]


def _accumulators_changed(pairs: list[tuple]) -> list[Change]:
    changes = []
    for figure, who, label in ACCUMULATORS:
        field = f"{figure}_{who}"
        for old, new in pairs:
            found = _in_both(old, new, lambda terms, field=field: getattr(terms, field).stated)
            if found is not None:
                network, old_terms, new_terms = found
                changes += _money_changed(figure, label, network, getattr(old_terms, field), getattr(new_terms, field))
                break
    return changes


def _money_changed(figure: str, label: str, network: str, old: Money, new: Money) -> list[Change]:
    where = f"{label} ({network})"
    old_left, new_left = _left(old), _left(new)
    if new_left == 0 and old_left != 0:
        of = f" of {_dollars(new.total)}" if new.total is not None else ""
        was = f" (was {_dollars(old_left)} left)" if old_left is not None else ""
        return [Change(f"{figure}_met", f"{where} met: {_dollars(0)} left{of}{was}.")]
    changes = []
    if old.total is not None and new.total is not None and old.total != new.total:
        changes.append(Change(figure, f"{where} is now {_dollars(new.total)} (was {_dollars(old.total)})."))
    if old_left is not None and new_left is not None and old_left != new_left:
        changes.append(Change(figure, f"{where}: {_dollars(new_left)} left (was {_dollars(old_left)} left)."))
    return changes


def _left(money: Money) -> Decimal | None:
    if money.remaining is not None:
        return money.remaining
    if money.total is not None and money.met is not None:
        return max(money.total - money.met, Decimal(0))
    return None


# --- The admission's level of care ---------------------------------------------------------------------


def _care_changed(old: CareLevel | None, new: CareLevel | None, label: str) -> list[Change]:
    if old is None or new is None:
        return []
    changes = []
    if old.covered is True and new.covered is False:
        changes.append(Change("not_covered", f"{label} care is no longer covered."))
    elif old.covered is False and new.covered is True:
        changes.append(Change("covered", f"{label} care is covered now (it was not at the last check)."))
    if old.prior_auth is not None and new.prior_auth is not None and old.prior_auth != new.prior_auth:
        now = "now needs" if new.prior_auth else "no longer needs"
        changes.append(Change("prior_auth", f"{label} care {now} prior authorization."))
    found = _in_both(old, new, lambda terms: terms.copay is not None)
    if found and found[1].copay != found[2].copay:
        network, was, now = found
        text = f"{label} copay ({network}): {_copay(now)} (was {_copay(was)})."
        changes.append(Change("cost_share", text))
    found = _in_both(old, new, lambda terms: terms.coinsurance is not None)
    if found and found[1].coinsurance != found[2].coinsurance:
        network, was, now = found
        text = f"{label} coinsurance ({network}): {_percent(now.coinsurance)} (was {_percent(was.coinsurance)})."
        changes.append(Change("cost_share", text))
    return changes


def _carve_outs_appeared(before: BenefitSummary, after: BenefitSummary) -> list[Change]:
    """A company newly named as holding (part of) the benefits: the payer's own figures may no
    longer be the ones that apply. Contacts for authorizations only are not carve-outs."""
    known = {_alnum(c.name) or c.text for c in before.carve_outs if not c.for_authorization}
    changes = []
    for carve_out in after.carve_outs:
        if carve_out.for_authorization or (_alnum(carve_out.name) or carve_out.text) in known:
            continue
        changes.append(Change("carve_out", f"New carve-out: {carve_out.text}"))
    return changes


# --- Small words -----------------------------------------------------------------------------------------


def _in_both(old: CareLevel, new: CareLevel, stated) -> tuple[str, NetworkTerms, NetworkTerms] | None:
    """The first network column (in network first) where both answers state a figure."""
    for name, words in NETWORKS:
        old_terms, new_terms = getattr(old, name), getattr(new, name)
        if stated(old_terms) and stated(new_terms):
            return words, old_terms, new_terms
    return None


def _differ(old: str, new: str) -> bool:
    return bool(old and new and old.strip().upper() != new.strip().upper())


def _alnum(text: str) -> str:
    return "".join(char for char in (text or "").upper() if char.isalnum())


def _dollars(amount) -> str:
    """$1,234.00: always cents, so a figure that moved by a few cents reads as moved."""
    return f"${Decimal(amount):,.2f}"


def _copay(terms: NetworkTerms) -> str:
    return _dollars(terms.copay) + (f" per {terms.copay_per}" if terms.copay_per else "")


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


def _date(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


def _range(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{_date(start)}–{_date(end)}"
    if start:
        return f"from {_date(start)}"
    if end:
        return f"until {_date(end)}"
    return "not stated"
