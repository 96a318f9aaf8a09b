"""From a payer's benefit rows to what staff read about one level of care.

Which rows speak for which level, and in which order, is in `sources`. Each figure (deductible,
out-of-pocket maximum, copay, coinsurance, limits, covered) comes from the first source that states
it, so residential can show RT's coinsurance and day limit beside the general substance-use
deductible; `CareLevel.sources` says which source gave which figure. Three exceptions, all to avoid
telling staff something the payer did not say:

- Prior authorization counts as required when any behavioural source says so (being told to get
  one that was not needed costs a phone call; missing one costs the claim), but as not required
  only when the level's own first source says so, and never from rows standing in for a level no
  code names (outpatient rows for IOP). The plan level never answers it.
- Limits and "covered" never come from the plan level: a plan-level answer does not say whether
  residential care is covered or limited.
- A level carved out to another company (see `carve_outs.carved_out_to`) takes nothing from the
  plan level: those figures are not that company's.

The payer's messages on the rows a level's figures came from are kept as `CareLevel.notes`, word
for word: staff read them, nothing here does. A whole-number coinsurance read as a percentage
(see `doubts`) is said on the level, in its warnings.

Network columns: EB12 Y is in network, N out of network, W (not applicable) applies to both, and
U or nothing goes to "network not stated".
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .carve_outs import carved_out_to
from .codes import (
    ACTIVE_CODES,
    FAMILY_LEVELS,
    INACTIVE_CODES,
    INDIVIDUAL_LEVELS,
    MET_PERIODS,
    REMAINING_PERIODS,
    with_article,
)
from .limits import is_limit, limit_of
from .sources import SOURCES, Source, matches
from .summary import BenefitRow, CareLevel, CarveOut, Money, NetworkTerms

LABELS = {
    "detox": "Detox",
    "residential": "Residential",
    "php": "Partial hospitalization (PHP)",
    "iop": "Intensive outpatient (IOP)",
    "outpatient": "Outpatient",
    "plan": "Plan as a whole",
}
PER = {"27": "visit", "7": "day", "36": "admission", "26": "episode", "6": "hour", "35": "week", "34": "month"}
LIFETIME_PERIODS = frozenset({"32", "33"})

# The EB01 of the rows that state each figure and the element holding it, and how staff read it.
FIGURE_CODES = {
    "deductible": ("C", "amount"),
    "out_of_pocket": ("G", "amount"),
    "copay": ("B", "amount"),
    "coinsurance": ("A", "percent"),
    "limits": ("F", "quantity"),
}
FIGURE_WORDS = {
    "deductible": "deductible",
    "out_of_pocket": "out-of-pocket maximum",
    "copay": "copay",
    "coinsurance": "coinsurance",
    "limits": "visit or day limit",
}

# The rows a level's sources gave, source by source, in the order they are tried.
Matched = list[tuple[Source, list[BenefitRow]]]


# --- What states each figure ----------------------------------------------------------------------


def states_deductible(row: BenefitRow) -> bool:
    """A deductible row (C) with an amount; one without an amount gives staff nothing to quote."""
    return row.eb01 == "C" and row.amount is not None


def states_out_of_pocket(row: BenefitRow) -> bool:
    """An out-of-pocket (stop loss, G) row with an amount."""
    return row.eb01 == "G" and row.amount is not None


def states_copay(row: BenefitRow) -> bool:
    """A co-payment row (B) with an amount."""
    return row.eb01 == "B" and row.amount is not None


def states_coinsurance(row: BenefitRow) -> bool:
    """A co-insurance row (A) with a percent."""
    return row.eb01 == "A" and row.percent is not None


def states_coverage(row: BenefitRow) -> bool:
    """An active, inactive or non-covered (I) row: one that says whether the care is covered at all."""
    return row.eb01 in ACTIVE_CODES | INACTIVE_CODES | {"I"}


@dataclass(frozen=True)
class Figure:
    """A figure staff read per level, the rule for the rows that state it, and whether the plan may give it."""

    name: str
    states: Callable[[BenefitRow], bool]
    # Limits (and "covered") of the plan as a whole do not say whether this kind of care is limited.
    from_plan: bool = True


FIGURES = (
    Figure("deductible", states_deductible),
    Figure("out_of_pocket", states_out_of_pocket),
    Figure("copay", states_copay),
    Figure("coinsurance", states_coinsurance),
    Figure("limits", is_limit, from_plan=False),
)
COVERED = Figure("covered", states_coverage, from_plan=False)


# --- One level ------------------------------------------------------------------------------------


def summarise_level(level: str, rows: list[BenefitRow], carve_outs: list[CarveOut]) -> CareLevel:
    """What the payer said about `level`, figure by figure, from the first source that says it."""
    sources = SOURCES[level]
    care = CareLevel(level=level, label=LABELS[level])
    matched: Matched = []
    for source in sources:
        found = [row for row in rows if matches(source, row)]
        if found:
            matched.append((source, found))
    not_plan = [(source, found) for source, found in matched if not source.plan]
    if level != "plan" and not not_plan:
        care.carved_out_to = carved_out_to(sources, carve_outs)
        if care.carved_out_to:
            matched = []
    # At the plan level, the plan's own rows are the level's own.
    own = matched if level == "plan" else not_plan

    covered_source, covered_rows = _first_stating(COVERED, matched, own)
    used = list(covered_rows)
    if covered_source:
        care.covered = any(row.eb01 in ACTIVE_CODES for row in covered_rows)
        care.sources["covered"] = covered_source.describe(covered_rows)
    from_plan = False
    for figure in FIGURES:
        source, found = _first_stating(figure, matched, own)
        _note_unusable(care, figure, matched if figure.from_plan else own, source)
        if source:
            care.sources[figure.name] = source.describe(found)
            from_plan = from_plan or source.plan
            _apply(care, figure.name, found)
            used += found
    care.from_plan_level = from_plan
    care.prior_auth, auth_source, auth_rows = _prior_auth(level, not_plan, sources)
    if auth_source:
        care.sources["prior_auth"] = auth_source
    care.notes = list(dict.fromkeys(message for row in used + auth_rows for message in row.messages))
    care.service_types = sorted({code for _, found in matched for row in found for code in row.service_types})
    for terms in (care.in_network, care.out_of_network, care.network_unstated):
        for money in (terms.deductible_individual, terms.deductible_family):
            _fill_remaining(money)
        for money in (terms.out_of_pocket_individual, terms.out_of_pocket_family):
            _fill_remaining(money)
    return care


def _first_stating(figure: Figure, matched: Matched, own: Matched) -> tuple[Source | None, list[BenefitRow]]:
    """The first source with rows stating `figure`, and those rows."""
    for source, found in matched if figure.from_plan else own:
        picked = [row for row in found if figure.states(row)]
        if picked:
            return source, picked
    return None, []


def _note_unusable(care: CareLevel, figure: Figure, matched: Matched, stating: Source | None) -> None:
    """Rows of this figure's kind whose value is missing or impossible, up to the source that stated it.

    "Did not state a deductible" would be untrue when the payer sent a deductible row whose amount
    is missing or impossible: staff are told which it was (see `unsaid`). A limitation row may be
    words alone, so a limit only counts here when its quantity is impossible.
    """
    if figure.name not in FIGURE_CODES:
        return
    eb01, element = FIGURE_CODES[figure.name]
    for source, found in matched:
        for row in found:
            if row.eb01 != eb01 or figure.states(row):
                continue
            if element in row.doubtful:
                care.unusable.setdefault(figure.name, "doubtful")
                sent = f"{with_article(FIGURE_WORDS[figure.name])} for this care"
                sentence = f"The payer sent {sent} that cannot be right ({row.doubtful[element]})."
                if sentence not in care.warnings:
                    care.warnings.append(sentence)
            elif source is not stating and figure.name != "limits":
                care.unusable.setdefault(figure.name, "missing")
        if source is stating:
            return


def _prior_auth(level: str, not_plan: Matched, sources: list[Source]) -> tuple[bool | None, str, list[BenefitRow]]:
    """Whether prior authorization is needed, the source that says so, and its rows."""
    if level == "plan":
        return None, "", []
    for source, found in not_plan:
        saying = [row for row in found if row.auth_required == "Y"]
        if saying:
            return True, source.describe(saying), saying
    own = sources[0]
    for source, found in not_plan:
        saying = [row for row in found if row.auth_required == "N"]
        if source is own and not own.stand_in and saying:
            return False, source.describe(saying), saying
    return None, "", []


def _columns(care: CareLevel, network: str) -> list[NetworkTerms]:
    if network == "Y":
        return [care.in_network]
    if network == "N":
        return [care.out_of_network]
    if network == "W":
        return [care.in_network, care.out_of_network]
    return [care.network_unstated]


def _apply(care: CareLevel, figure: str, rows: list[BenefitRow]) -> None:
    if figure == "limits":
        care.limits = [limit_of(row) for row in rows]
        return
    # Accumulator amounts: the first of each kind wins, but a yearly amount beats a lifetime one.
    candidates: dict[tuple[int, str], list[tuple[bool, Decimal]]] = {}
    moneys: dict[int, Money] = {}
    for row in rows:
        for terms in _columns(care, row.network):
            if figure == "copay" and terms.copay is None:
                terms.copay = row.amount
                terms.copay_per = PER.get(row.time_period, "")
            elif figure == "coinsurance" and terms.coinsurance is None:
                terms.coinsurance = row.percent
                _note_whole_percent(care, row)
            elif figure in ("deductible", "out_of_pocket"):
                money = _money(terms, figure, row.coverage_level)
                if money is None:
                    continue  # a coverage level we do not know: the row is kept, but not added up
                moneys[id(money)] = money
                lifetime = row.time_period in LIFETIME_PERIODS
                candidates.setdefault((id(money), _accumulator_kind(row)), []).append((lifetime, row.amount))
    for (key, kind), amounts in candidates.items():
        yearly = [amount for lifetime, amount in amounts if not lifetime]
        setattr(moneys[key], kind, (yearly or [amount for _, amount in amounts])[0])


def _accumulator_kind(row: BenefitRow) -> str:
    """Which part of a `Money` a deductible or out-of-pocket row states, from its time period."""
    if row.time_period in REMAINING_PERIODS:
        return "remaining"
    if row.time_period in MET_PERIODS:
        return "met"
    return "total"


def _money(terms: NetworkTerms, figure: str, coverage_level: str) -> Money | None:
    if coverage_level in FAMILY_LEVELS:
        return terms.deductible_family if figure == "deductible" else terms.out_of_pocket_family
    if coverage_level in INDIVIDUAL_LEVELS or not coverage_level:
        return terms.deductible_individual if figure == "deductible" else terms.out_of_pocket_individual
    return None


def _note_whole_percent(care: CareLevel, row: BenefitRow) -> None:
    """Say on the level when its coinsurance was sent as a whole number and read as a percentage."""
    if row.percent is not None and row.percent_sent and Decimal(row.percent_sent) != row.percent:
        sentence = (
            f"The payer sent this coinsurance as {row.percent_sent}, not as the fraction the standard asks for; "
            f"it is read as {row.percent_sent}%."
        )
        if sentence not in care.warnings:
            care.warnings.append(sentence)


def _fill_remaining(money: Money) -> None:
    if money.remaining is not None or money.total is None:
        return
    if money.total == 0:
        # A $0 deductible or out-of-pocket maximum: nothing is left to pay towards it.
        money.remaining = Decimal(0)
    elif money.met is not None:
        # "Year to date" says what has been met; with the total, that is what is left.
        money.remaining = max(money.total - money.met, Decimal(0))
