"""What a person would pay for a typical stay at one level of care, worked out from the payer's answer.

The order is the one plans apply: the deductible left is paid first, then the coinsurance share of
the rest (and any copay per day, visit or admission), and the whole is capped by what is left of
the out-of-pocket maximum. Days or visits beyond a limit the payer stated are not covered: they are
charged at the full price and do not count towards the cap.

Nothing is guessed. When a figure the arithmetic needs was not in the answer, the estimate says
which one and gives no amount; the worker asks the payer instead.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from intake.templatetags.lantern import money, percent

from .eligibility.summary import CareLevel, Limit, Money, NetworkTerms
from .stays import StayUnit, TypicalStay

CAVEAT = (
    "An estimate from the payer's answer today, not a promise: the payer decides what it pays when "
    "the claim comes in, and the figures change as the person's other care is billed."
)
# A copay counted once per stay, whatever its length.
ONCE_PER_STAY = {"admission", "episode"}
# The copay that is charged for each day or session of a stay priced that way.
COPAY_PER_UNIT = {StayUnit.DAY: "day", StayUnit.SESSION: "visit"}
# The limits (X12 quantity qualifiers) that count what a stay priced per day or session uses.
LIMIT_QUALIFIER = {StayUnit.DAY: "DY", StayUnit.SESSION: "VS"}
CENT = Decimal("0.01")


@dataclass
class Estimate:
    """The estimate for one level: an amount with its working, or why there is none."""

    stay: TypicalStay | None = None
    amount: Decimal | None = None
    # "28 days × $1,200 = $33,600; first $900 (deductible left) + ... → about $4,850".
    working: str = ""
    # Why no amount could be given, in words for the worker.
    not_estimated: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def about(self) -> str:
        """The amount in whole dollars, as it is said on the phone."""
        if self.amount is None:
            return ""
        return money(self.amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def estimate(care: CareLevel, stay: TypicalStay | None, label: str) -> Estimate:
    """What a typical stay at `care`'s level would cost the person, or why that cannot be said."""
    if stay is None:
        # "Partial hospitalization (PHP)" reads "partial hospitalization (PHP)" mid-sentence.
        name = label[:1].lower() + label[1:]
        return Estimate(not_estimated=f"No typical stay is set for {name}: an admin can set one.")
    result = Estimate(stay=stay)
    full = stay.length * stay.price
    full_working = f"{stay.length} {stay.units} × {money(stay.price)} = {money(full)}"
    if care.carved_out_to:
        result.not_estimated = f"Not estimated: {care.carved_out_to} holds these benefits, not this payer."
        return result
    if care.covered is False:
        result.amount = full
        result.working = f"Not covered: the full price, {full_working}."
        return result
    terms, note = _terms(care)
    if terms is None:
        result.not_estimated = note
        return result
    if note:
        result.notes.append(note)
    if care.covered is None:
        result.notes.append("The payer did not say whether this care is covered: this is the cost if it is.")
    missing = _missing(terms, stay)
    if missing:
        result.not_estimated = f"Not estimated: {missing}."
        return result
    _work_out(result, care, terms, stay, full_working)
    return result


def _terms(care: CareLevel) -> tuple[NetworkTerms | None, str]:
    """The network column to estimate from, with a note; None and the reason when there is none."""
    if care.in_network.stated:
        return care.in_network, ""
    if care.network_unstated.stated:
        return care.network_unstated, "The payer did not say which network these figures are for."
    if care.out_of_network.stated:
        return None, (
            "Not estimated: the payer gave only out-of-network terms, and out-of-network care is paid on "
            "an allowed amount its answer does not give."
        )
    return None, "Not estimated: the payer gave no costs for this care."


def left(individual: Money, family: Money) -> Decimal | None:
    """What is left of an accumulator for the person: their own, or the family's when that is less
    (a family that has met its total has met everyone's)."""
    amounts = [money.remaining for money in (individual, family) if money.remaining is not None]
    return min(amounts) if amounts else None


def _missing(terms: NetworkTerms, stay: TypicalStay) -> str:
    gaps = []
    if left(terms.deductible_individual, terms.deductible_family) is None:
        gaps.append("how much of the deductible is left")
    if terms.coinsurance is None and terms.copay is None:
        gaps.append("what share the person pays (a copay or coinsurance)")
    if left(terms.out_of_pocket_individual, terms.out_of_pocket_family) is None:
        gaps.append("how much of the out-of-pocket maximum is left")
    if gaps:
        return "the payer did not say " + "; nor ".join(gaps)
    if terms.copay is not None and not _copays(terms, stay):
        per = terms.copay_per or "what"
        if per == "what":
            return f"the payer did not say what its {money(terms.copay)} copay is charged per"
        return f"the payer's copay is per {per}, and a typical stay here is priced per {stay.unit}"
    return ""


def _copays(terms: NetworkTerms, stay: TypicalStay, paid_in_full: int = 0) -> int:
    """How many copays a stay is charged (0 when the copay's unit does not fit the stay's)."""
    if terms.copay_per in ONCE_PER_STAY:
        return 1
    if terms.copay_per == COPAY_PER_UNIT[stay.unit]:
        return max(stay.length - paid_in_full, 0)
    return 0


def _plural(unit: str, count: int) -> str:
    return unit if count == 1 else f"{unit}s"


def _work_out(result: Estimate, care: CareLevel, terms: NetworkTerms, stay: TypicalStay, full_working: str) -> None:
    steps = [full_working]
    covered_units, limit_note = _within_limit(care.limits, stay)
    beyond = stay.length - covered_units
    covered_cost = covered_units * stay.price
    if beyond:
        within = f"{covered_units} {_plural(stay.unit, covered_units)} covered ({money(covered_cost)})"
        steps.append(f"{within}, {beyond} beyond the limit ({money(beyond * stay.price)})")
    if limit_note:
        result.notes.append(limit_note)

    deductible_left = left(terms.deductible_individual, terms.deductible_family)
    deductible = min(deductible_left, covered_cost)
    rest = covered_cost - deductible
    if not deductible:
        parts = ["deductible already met"]
    elif rest:
        parts = [f"first {money(deductible)} (deductible left)"]
    else:
        parts = [f"all of it towards the {money(deductible_left)} deductible left"]
    share = Decimal(0)
    if terms.coinsurance is not None and rest:
        share += (rest * terms.coinsurance).quantize(CENT)
        parts.append(f"{percent(terms.coinsurance)} of {money(rest)} = {money(share)}")
    if terms.copay is not None:
        # A copay is charged for the care after the deductible: days or sessions paid in full
        # towards it are not charged one too.
        count = _copays(terms, stay, paid_in_full=int(deductible // stay.price))
        copays = terms.copay * count
        share += copays
        if terms.copay_per in ONCE_PER_STAY:
            parts.append(f"{money(terms.copay)} copay per {terms.copay_per}")
        elif count:
            after = " after the deductible" if deductible >= stay.price else ""
            parts.append(f"{money(terms.copay)} copay × {count} {_plural(stay.unit, count)}{after} = {money(copays)}")
    subtotal = deductible + share
    steps.append(" + ".join(parts) + f" → {money(subtotal)}")

    out_of_pocket_left = left(terms.out_of_pocket_individual, terms.out_of_pocket_family)
    pays = min(subtotal, out_of_pocket_left)
    if pays < subtotal:
        steps.append(f"capped at {money(out_of_pocket_left)} out of pocket left → {money(pays)}")
    if beyond:
        pays += beyond * stay.price
        beyond_words = f"{beyond} {_plural(stay.unit, beyond)}"
        steps.append(f"plus the {beyond_words} beyond the limit at the full price → {money(pays)}")
    result.amount = pays
    result.working = "; ".join(steps) + f"; about {result.about}."


def _within_limit(limits: list[Limit], stay: TypicalStay) -> tuple[int, str]:
    """How many of the stay's days or sessions fall within the payer's limit, and a note saying
    what that assumed."""
    qualifier = LIMIT_QUALIFIER[stay.unit]
    fitting = [limit for limit in limits if limit.qualifier == qualifier and limit.network != "out"]
    remaining = [limit.quantity for limit in fitting if limit.remaining and limit.quantity is not None]
    if remaining:
        return min(stay.length, int(min(remaining))), ""
    totals = [limit for limit in fitting if limit.quantity is not None]
    if not totals:
        return stay.length, ""
    total = int(min(limit.quantity for limit in totals))
    allowed = f"{total} {_plural(stay.unit, total)}"
    note = f"The payer did not say how many of the {allowed} allowed are left: this assumes none are used."
    return min(stay.length, total), note
