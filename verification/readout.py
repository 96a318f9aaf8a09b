"""The payer's answer as the benefits workspace shows it: one sentence per level of care that the
worker can read out on the call, the estimate of a typical stay beside it, and the plan's figures
stated once.

A sentence carries the figures that matter for its level (covered, network, the deductible and
out-of-pocket left, coinsurance or copay, prior authorization, limits), so each one can be read on
its own. Everything else is said once on the page: the plan's figures (its deductible and
out-of-pocket maximum, or the ones every level states alike; "differs by level" where they do
not) in one table, and a level's own extras folded away under it. A figure the payer sent but that
cannot be used is said to be so, never quoted. Codes stay in the raw rows: labels and notes are in
words.
"""

import re
from dataclasses import dataclass, field

from intake.models import LevelOfCare
from intake.templatetags.lantern import money, percent

from .carve_out_contacts import CarveOutContact, carve_out_contact
from .eligibility.codes import TIME_PERIODS, join_words
from .eligibility.levels import FIGURE_WORDS as READER_FIGURE_WORDS
from .eligibility.limits import UNITS, format_quantity
from .eligibility.summary import BenefitSummary, CareLevel, Limit, Money, NetworkTerms
from .estimate import (
    Estimate,
    accumulator_left,
    charged_coinsurance,
    estimate,
    impossible_share,
    persons_own_left,
    plan_coinsurance_beside_own_copay,
    quoted_terms,
    sent_unusable,
    unusable,
    unusable_costs_sent,
)
from .stays import TypicalStay

PLAN_LABEL = "The plan as a whole"
PLAN_ONLY_ESTIMATE = (
    "Not estimated: a typical stay's price is per level of care, and this answer is for the plan as a whole."
)
LABELS = {**dict(LevelOfCare.choices), "plan": PLAN_LABEL}
# (attribute, what it is called) for each network column of a level, in the order they are quoted.
COLUMNS = (
    ("in_network", "In network"),
    ("out_of_network", "Out of network"),
    ("network_unstated", "Network not stated"),
)
# Which rates a sentence quotes. "In network" alone would read as the centre being in the
# payer's network, which the answer does not say: it says which network the figures are for.
NETWORK_WORDS = {
    "in_network": "at in-network rates",
    "network_unstated": "at rates the payer did not tie to a network",
    "out_of_network": "at out-of-network rates (the only ones the payer gave)",
}
ACCUMULATORS = (
    ("deductible_individual", "Deductible (the person)"),
    ("deductible_family", "Deductible (the family)"),
    ("out_of_pocket_individual", "Out-of-pocket maximum (the person)"),
    ("out_of_pocket_family", "Out-of-pocket maximum (the family)"),
)
# The reader's words for each figure, plus those only the "where the payer said it" line uses.
FIGURE_WORDS = {
    **READER_FIGURE_WORDS,
    "covered": "coverage",
    "limits": "limits",
    "prior_auth": "prior authorization",
    "all": "everything",
}
# What is said of a deductible or out-of-pocket maximum, by what the payer said of it.
ACCUMULATOR_PHRASES = {
    "deductible": {
        "none": "with no deductible",
        "met": "with the deductible met",
        "left": "after the {left} left of the deductible",
        "at_most": "after at most {left} left of the deductible (the person's own figure was not given)",
        "total_only": "after the deductible (the payer did not say how much of the {total} is left)",
        "missing": "with a deductible the payer sent without an amount",
        "doubtful": "with a deductible the payer sent that cannot be right",
        "unstated": "with no deductible stated by the payer",
    },
    "out_of_pocket": {
        "none": "no out-of-pocket costs this year (a $0 maximum)",
        "met": "the out-of-pocket maximum is met, so nothing more this year",
        "left": "out of pocket at most {left} more this year",
        "at_most": "out of pocket at most {left} more this year",
        "total_only": "the payer did not say how much of the {total} out-of-pocket maximum is left",
        "missing": "the payer sent an out-of-pocket maximum without an amount",
        "doubtful": "the payer sent an out-of-pocket maximum that cannot be right",
        "unstated": "the payer did not state an out-of-pocket maximum",
    },
}
SHARED_DIFFERS = "differs by level (see each level)"
# A parenthesised list of X12 codes, e.g. " (30)" or " (AI, AJ, AK)", in the reader's source
# names and sentences of what it did not say, which carry them for the raw rows; "(PHP)" and
# "(IOP)" are words, and stay.
_CODES = re.compile(r"\s*\((?:[A-Z0-9]{1,2})(?:,\s*[A-Z0-9]{1,2})*\)")


def without_codes(text: str) -> str:
    return _CODES.sub("", text)


@dataclass
class LevelReadout:
    level: str
    label: str
    covered: bool | None
    sentence: str
    estimate: Estimate
    # What is particular to this level beyond its sentence (out-of-network share, where the
    # figures came from), for the folded detail.
    details: list[str] = field(default_factory=list)
    # The reader's plain words about this level's values that cannot be right: never quoted.
    warnings: list[str] = field(default_factory=list)
    # The company that handles this level instead of the payer (a carve-out), if any.
    carved_out_to: str = ""


@dataclass
class SharedRow:
    label: str
    # One cell per network column shown: "" where no level states it, SHARED_DIFFERS where levels
    # state different figures.
    cells: list[str]


@dataclass
class Readout:
    levels: list[LevelReadout]
    # True when the only level read out is the plan as a whole.
    plan_only: bool
    shared_columns: list[str]
    shared_rows: list[SharedRow]
    carve_outs: list[CarveOutContact]
    not_stated: list[str]
    warnings: list[str]

    @property
    def carved_out_levels(self) -> list[str]:
        """The levels another company handles: the plan's figures say nothing of them."""
        return [level.label for level in self.levels if level.carved_out_to]

    @property
    def benefits_elsewhere(self) -> bool:
        """Another company holds (some of) the benefits, not only the authorizations."""
        return any(not contact.for_authorization for contact in self.carve_outs)


def read_out(summary: BenefitSummary, stays: dict[str, TypicalStay]) -> Readout:
    """What the workspace shows of `summary`, with estimates from the centre's `stays`."""
    person = summary.subscriber
    cares = summary.levels
    columns = [(name, words) for name, words in COLUMNS if any(getattr(c, name).stated for c in cares.values())]
    shared = {(column, kind): _shared(cares, column, kind) for column, _ in columns for kind, _ in ACCUMULATORS}
    rows = [
        SharedRow(words, [_shared_words(shared[column, kind]) for column, _ in columns])
        for kind, words in ACCUMULATORS
        if any(shared[column, kind] is not None for column, _ in columns)
    ]
    if "plan" in cares:
        plan = cares["plan"]
        plan_share = [_share(plan, getattr(plan, column)) for column, _ in columns]
        if any(plan_share):
            rows.append(SharedRow("Coinsurance or copay, the plan as a whole", plan_share))
    levels = [
        LevelReadout(
            level=level,
            label=LABELS.get(level, level),
            covered=care.covered,
            sentence=sentence(care, LABELS.get(level, level)),
            estimate=_estimate(care, stays),
            details=_details(care, shared),
            warnings=list(care.warnings),
            carved_out_to=care.carved_out_to,
        )
        for level, care in _read_levels(cares)
    ]
    lines = (person.not_stated if person else []) + summary.not_stated
    return Readout(
        levels=levels,
        plan_only=[level.level for level in levels] == ["plan"],
        shared_columns=[words for _, words in columns],
        shared_rows=rows,
        carve_outs=[carve_out_contact(carve_out) for carve_out in summary.carve_outs],
        not_stated=list(dict.fromkeys(without_codes(line) for line in lines)),
        warnings=list(dict.fromkeys(summary.warnings)),
    )


def _read_levels(cares: dict[str, CareLevel]) -> list[tuple[str, CareLevel]]:
    """The levels of care to read out; the plan as a whole only when it is all there is (a phone
    verification, or a payer that answered nothing per level)."""
    levels = [(level, care) for level, care in cares.items() if level != "plan"]
    return levels or [(level, care) for level, care in cares.items() if level == "plan"]


def _estimate(care: CareLevel, stays: dict[str, TypicalStay]) -> Estimate:
    if care.level == "plan":
        return Estimate(not_estimated=PLAN_ONLY_ESTIMATE)
    return estimate(care, stays.get(care.level))


# --- The sentence ---------------------------------------------------------------------------------


def sentence(care: CareLevel, label: str) -> str:
    """The one sentence a worker reads out about a level of care."""
    if care.carved_out_to:
        return f"{label}: handled by {care.carved_out_to}, not this payer; ask them for the benefits."
    if care.covered is False:
        return f"{label}: not covered."
    column, terms = quoted_terms(care)
    clauses = ", ".join([_prior_auth(care), *_limit_words(care.limits)])
    if terms is None:
        return f"{label}: {_no_costs(care)}; {clauses}."
    covered = "covered" if care.covered else "the payer did not say whether it is covered; if it is,"
    deductible = _accumulator_words(care, terms, "deductible")
    share = _share(care, terms) or _unusable_share(care, terms) or "a share the payer did not state"
    head = f"{label}: {covered} {NETWORK_WORDS[column]}, {deductible}, then {share}"
    tail = _accumulator_words(care, terms, "out_of_pocket")
    if care.level != "plan" and care.costs_from_plan_only():
        tail += "; these are the plan's figures, none were given for this care"
    return f"{head}, {clauses}; {tail}."


def _no_costs(care: CareLevel) -> str:
    """A level the payer gave no usable cost for: whether it is covered, and why there are no costs."""
    sent = unusable_costs_sent(care)
    costs = f"no cost can be quoted: the payer sent {sent}" if sent else ""
    if care.covered:
        return f"covered, but {costs}" if costs else "covered, but the payer gave no costs for it"
    if costs:
        return f"the payer did not say whether it is covered, and {costs}"
    return "the payer did not say whether it is covered, nor what it costs"


def _accumulator_words(care: CareLevel, terms: NetworkTerms, kind: str) -> str:
    """What is left of the deductible or out-of-pocket maximum, in the sentence's words."""
    phrases = ACCUMULATOR_PHRASES[kind]
    individual, family = getattr(terms, f"{kind}_individual"), getattr(terms, f"{kind}_family")
    remaining = accumulator_left(individual, family)
    if remaining is not None:
        if remaining == 0:
            return phrases["none" if individual.total == 0 else "met"]
        own = persons_own_left(individual) is not None
        return phrases["left" if own else "at_most"].format(left=money(remaining))
    total = individual.total if individual.total is not None else family.total
    if total is not None:
        return phrases["total_only"].format(total=money(total))
    return phrases.get(care.unusable.get(kind, "unstated"), phrases["unstated"])


def _share(care: CareLevel, terms: NetworkTerms) -> str:
    """ "20%", "a $75 copay per day", "a $250 copay per admission and 10%", or ""."""
    parts = []
    if terms.copay is not None:
        per = f" per {terms.copay_per}" if terms.copay_per else ""
        parts.append(f"a {money(terms.copay)} copay{per}")
    coinsurance = charged_coinsurance(care, terms)
    if coinsurance is not None:
        parts.append(percent(coinsurance))
    elif parts and impossible_share(terms):
        parts.append("a coinsurance the payer sent that cannot be right")
    return " and ".join(parts)


def _unusable_share(care: CareLevel, terms: NetworkTerms) -> str:
    """Said in place of a copay or coinsurance whose rows could not be used, or ""."""
    sent = sent_unusable(unusable(care, terms), ["copay", "coinsurance"])
    return f"a share that cannot be quoted (the payer sent {sent})" if sent else ""


def _prior_auth(care: CareLevel) -> str:
    if care.prior_auth is True:
        return "prior authorization needed"
    if care.prior_auth is False:
        return "no prior authorization needed"
    return "the payer did not say whether prior authorization is needed"


def _limit_words(limits: list[Limit]) -> list[str]:
    """ "24 of the 30 days a calendar year left", one phrase per kind of limit, from the limit's
    codes read through the code tables: a limit in codes the tables do not hold is not guessed at."""
    phrases = []
    for qualifier in dict.fromkeys(limit.qualifier for limit in limits):
        same = [limit for limit in limits if limit.qualifier == qualifier]
        total = next((limit for limit in same if not limit.remaining), None)
        remaining = next((limit for limit in same if limit.remaining), None)
        if qualifier not in UNITS or any(limit.time_period not in TIME_PERIODS for limit in same if limit.time_period):
            phrases.append("a limit the payer sent in codes (see the benefit rows)")
            continue
        unit = UNITS[qualifier]
        period = f" a {total.time_period_description}" if total and total.time_period else ""
        if total and remaining:
            phrases.append(
                f"{format_quantity(remaining.quantity)} of the {format_quantity(total.quantity)} {unit}{period} left"
            )
        elif remaining:
            phrases.append(f"{format_quantity(remaining.quantity)} {unit} left")
        else:
            phrases.append(f"a limit of {format_quantity(total.quantity)} {unit}{period}")
    return phrases


# --- Said once: the plan's figures and each level's extras -----------------------------------------


def _shared(cares: dict[str, CareLevel], column: str, kind: str) -> Money | str | None:
    """The plan's own accumulator, else the one every stating level agrees on; SHARED_DIFFERS when
    levels state different ones, None when none states it."""
    if "plan" in cares and getattr(getattr(cares["plan"], column), kind).stated:
        return getattr(getattr(cares["plan"], column), kind)
    stated = [getattr(getattr(care, column), kind) for care in cares.values()]
    stated = [money_ for money_ in stated if money_.stated]
    if not stated:
        return None
    return stated[0] if all(money_ == stated[0] for money_ in stated) else SHARED_DIFFERS


def _shared_words(shared: Money | str | None) -> str:
    if shared is None:
        return ""
    return shared if isinstance(shared, str) else _money_words(shared)


def _money_words(amount: Money) -> str:
    if not amount.stated:
        return ""
    if amount.total == 0:
        return "$0 (nothing to meet)"
    if amount.total is not None and amount.remaining == amount.total:
        return f"{money(amount.total)}, none of it used yet"
    if amount.total is not None and amount.remaining is not None:
        return f"{money(amount.remaining)} left of {money(amount.total)}"
    if amount.remaining is not None:
        return f"{money(amount.remaining)} left (the full amount not stated)"
    if amount.total is not None and amount.met is not None:
        return f"{money(amount.total)}, {money(amount.met)} met"
    if amount.total is not None:
        return f"{money(amount.total)} (how much is left not stated)"
    return f"{money(amount.met)} met (the full amount not stated)"


def _details(care: CareLevel, shared: dict[tuple[str, str], Money | str | None]) -> list[str]:
    if care.carved_out_to or care.covered is False:
        return []
    lines = []
    _, terms = quoted_terms(care)
    for column, words in COLUMNS:
        own = getattr(care, column)
        if own is terms or not own.stated:
            continue
        share = _share(care, own)
        lines.append(f"{words}: {share or 'the payer did not state a copay or coinsurance'}.")
    if terms is not None and plan_coinsurance_beside_own_copay(care, terms):
        lines.append(
            f"The plan as a whole states {percent(terms.coinsurance)} coinsurance; this care has its own copay, "
            "so neither the sentence nor the estimate adds it. Ask the payer if both apply."
        )
    for column, words in COLUMNS:
        own = getattr(care, column)
        for kind, kind_words in ACCUMULATORS:
            amount = getattr(own, kind)
            if amount.stated and amount != shared.get((column, kind)):
                lines.append(f"{kind_words}, {words.lower()}, for this care: {_money_words(amount)}.")
    by_source: dict[str, list[str]] = {}
    for figure, source in care.sources.items():
        by_source.setdefault(without_codes(source), []).append(FIGURE_WORDS.get(figure, figure))
    if by_source:
        said = [f"{join_words(figures)} from {source}" for source, figures in by_source.items()]
        lines.append(f"Where the payer said it: {'; '.join(said)}.")
    return lines
