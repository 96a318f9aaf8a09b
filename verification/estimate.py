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

from .eligibility.codes import join_words, with_article
from .eligibility.levels import FIGURE_WORDS
from .eligibility.summary import CareLevel, Limit, Money, NetworkTerms
from .eligibility.unsaid import PHRASES
from .stays import StayUnit, TypicalStay

CAVEAT = (
    "An estimate from the payer's answer today, not a promise: the payer decides what it pays when "
    "the claim comes in, and the figures change as the person's other care is billed."
)
# A copay counted once per stay, whatever its length.
ONCE_PER_STAY = {"admission", "episode"}
# The copay that is charged for each day or session of a stay priced that way.
COPAY_PER_UNIT = {StayUnit.DAY: "day", StayUnit.SESSION: "visit"}
# The limits (X12 quantity qualifiers) that count what a stay priced per day or session uses: its
# own unit first, then the other one, read as one visit (or session) a day.
LIMIT_QUALIFIERS = {StayUnit.DAY: ("DY", "VS"), StayUnit.SESSION: ("VS", "DY")}
OTHER_UNIT_ASSUMED = {
    StayUnit.DAY: "The payer's limit counts visits and this stay is priced per day: this assumes one visit a day.",
    StayUnit.SESSION: (
        "The payer's limit counts days and this stay is priced per session: this assumes one session a day."
    ),
}
# The network column a level's figures are quoted from, in the order tried: in network first
# (what the centre hopes to bill), then figures for no stated network, then out of network only.
NETWORK_ORDER = ("in_network", "network_unstated", "out_of_network")
CENT = Decimal("0.01")
NO_COSTS = "Not estimated: the payer gave no costs for this care."
# A figure's rows the payer sent without a usable value (`CareLevel.unusable`), by why.
UNUSABLE_WORDS = {"missing": "{figure} without an amount", "doubtful": "{figure} that cannot be right"}


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


def estimate(care: CareLevel, stay: TypicalStay | None) -> Estimate:
    """What a typical stay at `care`'s level would cost the person, or why that cannot be said."""
    if stay is None:
        name = PHRASES.get(care.level, care.level)
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
    column, terms = quoted_terms(care)
    if column == "out_of_network":
        result.not_estimated = (
            "Not estimated: the payer gave only out-of-network terms, and out-of-network care is paid on "
            "an allowed amount its answer does not give."
        )
        return result
    if terms is None:
        sent = unusable_costs_sent(care)
        result.not_estimated = f"Not estimated: the payer sent {sent}." if sent else NO_COSTS
        return result
    if column == "network_unstated":
        result.notes.append("The payer did not say which network these figures are for.")
    if care.covered is None:
        result.notes.append("The payer did not say whether this care is covered: this is the cost if it is.")
    missing = _missing(care, terms, stay)
    if missing:
        result.not_estimated = f"Not estimated: {missing}."
        return result
    _work_out(result, care, terms, stay, full_working)
    return result


def quoted_terms(care: CareLevel) -> tuple[str, NetworkTerms | None]:
    """The network column a level's sentence and estimate quote (see NETWORK_ORDER), or ("", None)."""
    for column in NETWORK_ORDER:
        if getattr(care, column).stated:
            return column, getattr(care, column)
    return "", None


def plan_coinsurance_beside_own_copay(care: CareLevel, terms: NetworkTerms) -> bool:
    """The coinsurance is the plan's as a whole while the level has a copay of its own.

    The plan's 20 % is not known to apply on top of a visit's own $35 copay: read out and charged
    as one, it would double what the person is told they pay.
    """
    plan = care.figure_from_plan("coinsurance") and not care.figure_from_plan("copay")
    return plan and terms.copay is not None and terms.coinsurance is not None


def charged_coinsurance(care: CareLevel, terms: NetworkTerms) -> Decimal | None:
    """The coinsurance that applies to this level's care (see `plan_coinsurance_beside_own_copay`);
    None for one that cannot be a share of anything, whatever let it through."""
    if impossible_share(terms) or plan_coinsurance_beside_own_copay(care, terms):
        return None
    return terms.coinsurance


def impossible_share(terms: NetworkTerms) -> bool:
    return terms.coinsurance is not None and not 0 <= terms.coinsurance <= 1


def unusable(care: CareLevel, terms: NetworkTerms) -> dict[str, str]:
    """The figures the payer sent but that cannot be used, by why: the reader's, and a coinsurance
    that is no share at all."""
    found = dict(care.unusable)
    if impossible_share(terms):
        found["coinsurance"] = "doubtful"
    return found


def sent_unusable(reasons: dict[str, str], names: list[str]) -> str:
    """ "a deductible without an amount and a coinsurance that cannot be right", or ""."""
    phrases = []
    for name in names:
        if reasons.get(name) in UNUSABLE_WORDS:
            phrases.append(with_article(UNUSABLE_WORDS[reasons[name]].format(figure=FIGURE_WORDS[name])))
    return join_words(phrases)


def unusable_costs_sent(care: CareLevel) -> str:
    """The cost figures (not limits) the payer sent for this level in a form that cannot be used."""
    return sent_unusable(care.unusable, [name for name in care.unusable if name != "limits"])


def persons_own_left(individual: Money) -> Decimal | None:
    """What the payer said is left of the person's own deductible or out-of-pocket maximum.

    A $0 total leaves $0 whatever else was said: nothing to meet is not a figure left unstated.
    """
    if individual.remaining is not None:
        return individual.remaining
    if individual.total is not None and (individual.met is not None or individual.total == 0):
        return max(individual.total - (individual.met or Decimal(0)), Decimal(0))
    return None


def accumulator_left(individual: Money, family: Money) -> Decimal | None:
    """What is left of an accumulator for the person: their own, or the family's when that is less
    (a family that has met its total has met everyone's).

    When only the family's is known it is capped at the person's whole amount: a person's
    deductible cannot have more left than it is. Callers say "at most" then (see `persons_own_left`).
    """
    own = persons_own_left(individual)
    family_left = family.remaining
    if family_left is None and family.total == 0:
        family_left = Decimal(0)
    amounts = [amount for amount in (own, family_left) if amount is not None]
    if not amounts:
        return None
    left = min(amounts)
    if own is None and individual.total is not None:
        left = min(left, individual.total)
    return left


def _missing(care: CareLevel, terms: NetworkTerms, stay: TypicalStay) -> str:
    """Why the arithmetic cannot be done, or "": the figures the payer did not say, and those it
    sent but that cannot be used."""
    reasons = unusable(care, terms)
    lacking = []
    if accumulator_left(terms.deductible_individual, terms.deductible_family) is None:
        lacking.append((["deductible"], "how much of the deductible is left"))
    if charged_coinsurance(care, terms) is None and terms.copay is None or impossible_share(terms):
        lacking.append((["copay", "coinsurance"], "what share the person pays (a copay or coinsurance)"))
    if accumulator_left(terms.out_of_pocket_individual, terms.out_of_pocket_family) is None:
        lacking.append((["out_of_pocket"], "how much of the out-of-pocket maximum is left"))
    sent = sent_unusable(reasons, [name for names, _ in lacking for name in names])
    unsaid = [words for names, words in lacking if not any(name in reasons for name in names)]
    gaps = [f"the payer sent {sent}"] if sent else []
    if unsaid:
        gaps.append("the payer did not say " + "; nor ".join(unsaid))
    if gaps:
        return "; ".join(gaps)
    # A $0 copay costs nothing, whatever it is counted per.
    if terms.copay and not _copay_fits(terms, stay):
        if not terms.copay_per:
            return f"the payer did not say what its {money(terms.copay)} copay is charged per"
        return f"the payer's copay is per {terms.copay_per}, and a typical stay here is priced per {stay.unit}"
    return ""


def _copay_fits(terms: NetworkTerms, stay: TypicalStay) -> bool:
    return terms.copay_per in ONCE_PER_STAY or terms.copay_per == COPAY_PER_UNIT[stay.unit]


def _copays(terms: NetworkTerms, covered_units: int, paid_in_full: int) -> int:
    """How many copays a stay is charged: once per stay, or one for each covered day or session
    after those the deductible paid in full. Days beyond the payer's limit are charged in full
    instead, never a copay as well."""
    if not covered_units:
        return 0
    if terms.copay_per in ONCE_PER_STAY:
        return 1
    return max(covered_units - paid_in_full, 0)


def _plural(unit: str, count: int) -> str:
    return unit if count == 1 else f"{unit}s"


def _deductible_words(deductible_left: Decimal, applied: Decimal, rest: Decimal, none_at_all: bool) -> str:
    if none_at_all:
        return "no deductible"
    if deductible_left == 0:
        return "deductible already met"
    if not applied:
        return f"nothing covered to put towards the {money(deductible_left)} deductible left"
    if rest:
        return f"first {money(applied)} (deductible left)"
    return f"all of it towards the {money(deductible_left)} deductible left"


def _work_out(result: Estimate, care: CareLevel, terms: NetworkTerms, stay: TypicalStay, full_working: str) -> None:
    steps = [full_working]
    covered_units, limit_notes = _within_limit(care.limits, stay)
    beyond = stay.length - covered_units
    covered_cost = covered_units * stay.price
    if beyond:
        within = f"{covered_units} {_plural(stay.unit, covered_units)} covered ({money(covered_cost)})"
        steps.append(f"{within}, {beyond} beyond the limit ({money(beyond * stay.price)})")
    result.notes.extend(limit_notes)

    deductible_left = accumulator_left(terms.deductible_individual, terms.deductible_family)
    if persons_own_left(terms.deductible_individual) is None:
        result.notes.append(
            f"The payer did not say how much of the person's own deductible is left: this counts at most "
            f"{money(deductible_left)}."
        )
    deductible = min(deductible_left, covered_cost)
    rest = covered_cost - deductible
    none_at_all = terms.deductible_individual.total == 0 and deductible_left == 0
    parts = [_deductible_words(deductible_left, deductible, rest, none_at_all)]
    share = Decimal(0)
    coinsurance = charged_coinsurance(care, terms)
    if coinsurance is not None and rest:
        share += (rest * coinsurance).quantize(CENT)
        parts.append(f"{percent(coinsurance)} of {money(rest)} = {money(share)}")
    if terms.copay:
        # A copay is charged for the care after the deductible: days or sessions paid in full
        # towards it are not charged one too.
        count = _copays(terms, covered_units, paid_in_full=int(deductible // stay.price))
        copays = terms.copay * count
        share += copays
        if terms.copay_per in ONCE_PER_STAY:
            parts.append(f"{money(terms.copay)} copay per {terms.copay_per}")
        elif count:
            after = " after the deductible" if deductible >= stay.price else ""
            parts.append(f"{money(terms.copay)} copay × {count} {_plural(stay.unit, count)}{after} = {money(copays)}")
    subtotal = deductible + share
    steps.append(" + ".join(parts) + f" → {money(subtotal)}")

    out_of_pocket_left = accumulator_left(terms.out_of_pocket_individual, terms.out_of_pocket_family)
    pays = min(subtotal, out_of_pocket_left)
    if pays < subtotal:
        steps.append(f"capped at {money(out_of_pocket_left)} out of pocket left → {money(pays)}")
    if beyond:
        pays += beyond * stay.price
        beyond_words = f"{beyond} {_plural(stay.unit, beyond)}"
        steps.append(f"plus the {beyond_words} beyond the limit at the full price → {money(pays)}")
    result.amount = pays
    result.working = "; ".join(steps) + f"; about {result.about}."


def _within_limit(limits: list[Limit], stay: TypicalStay) -> tuple[int, list[str]]:
    """How many of the stay's days or sessions fall within the payer's limit, and notes saying
    what that assumed."""
    notes = []
    own, other = LIMIT_QUALIFIERS[stay.unit]
    in_network = [limit for limit in limits if limit.network != "out" and limit.quantity is not None]
    fitting = [limit for limit in in_network if limit.qualifier == own]
    if not fitting:
        fitting = [limit for limit in in_network if limit.qualifier == other]
        if fitting:
            notes.append(OTHER_UNIT_ASSUMED[stay.unit])
    remaining = [limit.quantity for limit in fitting if limit.remaining]
    if remaining:
        return min(stay.length, int(min(remaining))), notes
    if not fitting:
        return stay.length, notes
    total = int(min(limit.quantity for limit in fitting))
    allowed = f"{total} {_plural(stay.unit, total)}"
    notes.append(f"The payer did not say how many of the {allowed} allowed are left: this assumes none are used.")
    return min(stay.length, total), notes
