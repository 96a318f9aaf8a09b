"""What the payer did not say about a person, in sentences staff read before they call the visitor.

Staff quote these figures on the phone; a figure the payer never gave must not look like one it
did. So every gap is written out, one sentence per kind of gap naming all the levels it affects.
"""

from .codes import join_words, with_article
from .levels import FIGURE_WORDS
from .summary import CareLevel, NetworkTerms, SubscriberSummary

# How each level reads inside a sentence.
PHRASES = {
    "detox": "detox",
    "residential": "residential treatment",
    "php": "partial hospitalization (PHP)",
    "iop": "intensive outpatient (IOP)",
    "outpatient": "outpatient care",
    "plan": "the plan as a whole",
}


class _Sentences:
    """Collects (sentence, level) pairs and writes one sentence per kind, naming all its levels."""

    def __init__(self):
        self.groups: dict[str, list[str]] = {}

    def add(self, template: str, level: str) -> None:
        self.groups.setdefault(template, []).append(level)

    def render(self) -> list[str]:
        out = []
        for template, levels in self.groups.items():
            phrases = [PHRASES[level] for level in levels]
            text = template.format(levels=join_words(phrases), need="needs" if len(levels) == 1 else "need")
            out.append(text[0].upper() + text[1:])
        return out


def not_stated(person: SubscriberSummary) -> list[str]:
    """Every gap in what the payer said about `person`'s coverage, level by level."""
    sentences = []
    stated_network = [row for row in person.benefits if row.network in ("Y", "N")]
    if not stated_network:
        sentences.append("Network status was not stated.")
    if not (person.plan_begin or person.eligibility_begin):
        sentences.append("The payer did not give the plan's start date.")
    unsaid = _Sentences()
    carved: dict[str, list[str]] = {}
    for level, care in person.levels.items():
        if care.carved_out_to:
            carved.setdefault(care.carved_out_to, []).append(level)
            continue
        if not care.sources and not care.unusable:
            unsaid.add("The payer said nothing about {levels}.", level)
            continue
        if level != "plan":
            _add_plan_level_figures(unsaid, level, care)
        terms = (care.in_network, care.out_of_network, care.network_unstated)
        _add_unusable(unsaid, level, care)
        if "deductible" not in care.sources:
            if "deductible" not in care.unusable:
                unsaid.add("The payer did not state a deductible for {levels}.", level)
        elif _remaining_missing(terms, "deductible"):
            unsaid.add("The payer did not say how much of the deductible is left for {levels}.", level)
        if "out_of_pocket" not in care.sources:
            if "out_of_pocket" not in care.unusable:
                unsaid.add("The payer did not state an out-of-pocket maximum for {levels}.", level)
        elif _remaining_missing(terms, "out_of_pocket"):
            unsaid.add("The payer did not say how much of the out-of-pocket maximum is left for {levels}.", level)
        cost_share = ("copay", "coinsurance")
        if not any(name in care.sources or name in care.unusable for name in cost_share):
            unsaid.add("The payer did not state a copay or coinsurance for {levels}.", level)
        if level == "plan":
            continue
        if care.prior_auth is None:
            unsaid.add("The payer did not say whether {levels} {need} prior authorization.", level)
        if not care.limits and "limits" not in care.unusable:
            unsaid.add("The payer did not state visit or day limits for {levels}.", level)
        if stated_network and not _level_states_network(care):
            unsaid.add("Network status was not stated for {levels}.", level)
    for name, levels in carved.items():
        phrases = join_words([PHRASES[level] for level in levels])
        sentences.append(f"The payer did not give its own benefits for {phrases}: it names {name} for them.")
    return sentences + unsaid.render()


def _add_plan_level_figures(unsaid: _Sentences, level: str, care: CareLevel) -> None:
    """Say which of a level's figures are the plan's as a whole, not the level's own."""
    plan_figures = [name for name in care.sources if care.figure_from_plan(name)]
    if not plan_figures:
        return
    if len(plan_figures) == len(care.cost_figures()):
        unsaid.add("The payer gave no costs specific to {levels}; the plan-level (30) figures are shown.", level)
    else:
        figures = join_words([FIGURE_WORDS[name] for name in plan_figures])
        unsaid.add(f"The payer gave no {figures} specific to {{levels}}; the plan-level (30) ones are shown.", level)


def _add_unusable(unsaid: _Sentences, level: str, care: CareLevel) -> None:
    """Say which figures the payer sent rows for without a usable amount, rather than that it said nothing."""
    for name, reason in care.unusable.items():
        figure = with_article(FIGURE_WORDS[name])
        if reason == "missing":
            sentence = f"The payer sent {figure} row without an amount for {{levels}}"
        else:
            sentence = f"The payer sent {figure} for {{levels}} that cannot be right"
        if name in care.sources:
            sentence += "; the figures shown come from its other rows"
        unsaid.add(sentence + ".", level)


def _remaining_missing(terms: tuple[NetworkTerms, ...], figure: str) -> bool:
    for column in terms:
        if figure == "deductible":
            moneys = (column.deductible_individual, column.deductible_family)
        else:
            moneys = (column.out_of_pocket_individual, column.out_of_pocket_family)
        if any(money.total is not None and money.remaining is None for money in moneys):
            return True
    return False


def _level_states_network(care: CareLevel) -> bool:
    return (
        care.in_network.stated
        or care.out_of_network.stated
        or any(limit.network in ("in", "out") for limit in care.limits)
    )
