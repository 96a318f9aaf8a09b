"""From a payer's benefit rows to what staff read per level of care, and what the payer left unsaid.

X12 has no service type for detox or for intensive outpatient, and payers answer the same question
in different ways: some send rows for RT or BB, some only general substance-use rows (AI, AJ, AK),
some only the plan as a whole (30). So each level of care has sources, tried in order:

=============  =========================================================================================
level          sources, in order
=============  =========================================================================================
detox          1. behavioural rows (AI, AJ, AK, MH, A4) said to be for detox, withdrawal or inpatient care
               2. general substance-use rows (AI, AJ, AK) with no setting
               3. hospital inpatient (48): medically managed withdrawal is billed as an inpatient stay
               4. the plan (30)
residential    1. RT, A5, A7, CE, and behavioural rows said to be residential
               2. behavioural rows said to be inpatient
               3. general substance-use rows
               4. the plan (30)
php            1. BB, BC, and behavioural rows said to be partial hospitalization or day treatment
               2. general substance-use rows
               3. the plan (30)
iop            1. behavioural rows said to be intensive outpatient (IOP)
               2. A8, CF, and behavioural rows said to be outpatient
               3. general substance-use rows
               4. the plan (30)
outpatient     1. A8, A6, CF, and behavioural rows said to be outpatient (not IOP)
               2. general substance-use rows
               3. MH, A4 and 98 (office visit) with no setting
               4. the plan (30)
plan           30, and rows with no service type (the guide reads a missing EB03 as 30)
=============  =========================================================================================

A row's setting comes from its MSG text ("detox", "withdrawal", "residential", "partial hosp",
"day treatment", "intensive outpatient", "IOP", "inpatient", "outpatient"), or failing that from
the other codes on the same row (48, A7, CE inpatient; RT, A5 residential; BB, BC partial
hospitalization; 50, A8, CF outpatient), when those codes agree on one setting.

Each figure (deductible, out-of-pocket maximum, copay, coinsurance, limits, covered) comes from
the first source that states it, so residential can show RT's coinsurance and day limit beside
the general substance-use deductible; `CareLevel.sources` says which source gave which figure.
Three exceptions, all to avoid telling staff something the payer did not say:

- Prior authorization counts as required when any behavioural source says so (being told to get
  one that was not needed costs a phone call; missing one costs the claim), but as not required
  only when the level's own first source says so. The plan level never answers it.
- Limits and "covered" never come from the plan level: a plan-level answer does not say whether
  residential care is covered or limited.
- A level carved out to another company (an EB*R or EB*U row naming it for the level's codes or
  for behavioural health, when the payer gave no rows of its own for the level) takes nothing from
  the plan level: those figures are not that company's. A company named only for authorizations
  (a utilization-management organization, or a row whose messages are about authorization) is a
  contact, listed with the carve-outs, not a carve-out of the level.

Network columns: EB12 Y is in network, N out of network, W (not applicable) applies to both, and
U or nothing goes to "network not stated".
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .codes import (
    ACTIVE_CODES,
    CARVE_OUT_CODES,
    FAMILY_LEVELS,
    INACTIVE_CODES,
    INDIVIDUAL_LEVELS,
    MET_PERIODS,
    REMAINING_PERIODS,
)
from .summary import (
    BenefitRow,
    BenefitSummary,
    CareLevel,
    CarveOut,
    Limit,
    Money,
    NetworkTerms,
    SubscriberSummary,
)

LABELS = {
    "detox": "Detox",
    "residential": "Residential",
    "php": "Partial hospitalization (PHP)",
    "iop": "Intensive outpatient (IOP)",
    "outpatient": "Outpatient",
    "plan": "Plan as a whole (30)",
}
# How each level reads inside a sentence.
PHRASES = {
    "detox": "detox",
    "residential": "residential treatment",
    "php": "partial hospitalization (PHP)",
    "iop": "intensive outpatient (IOP)",
    "outpatient": "outpatient care",
    "plan": "the plan as a whole",
}

SUBSTANCE_USE = frozenset({"AI", "AJ", "AK"})
BEHAVIOURAL = SUBSTANCE_USE | {"MH", "A4"}
BEHAVIOURAL_WORDS = ("behavioral", "behavioural", "mental health", "substance", "chemical dependency")
AUTHORIZATION_WORDS = ("authoriz", "authoris", "certification", "precert", "pre-cert", "notification")

# Settings named in MSG text, most specific first ("intensive outpatient" before "outpatient").
_SETTING_WORDS = (
    ("detox", re.compile(r"detox|withdrawal")),
    ("residential", re.compile(r"residential")),
    ("php", re.compile(r"partial hosp|day treatment|day program|\bphp\b")),
    ("iop", re.compile(r"intensive outpatient|\biop\b")),
    ("inpatient", re.compile(r"inpatient")),
    ("outpatient", re.compile(r"outpatient")),
)
_SETTING_CODES = (
    ("residential", {"RT", "A5"}),
    ("php", {"BB", "BC"}),
    ("inpatient", {"48", "A7", "CE"}),
    ("outpatient", {"50", "A8", "CF"}),
)


def setting(row: BenefitRow) -> str | None:
    """Where the care of a row happens, as far as the payer says: "detox", "inpatient", ... or None."""
    text = " ".join(row.messages).lower()
    for name, pattern in _SETTING_WORDS:
        if pattern.search(text):
            return name
    codes = set(row.service_types)
    # A row listing RT, BB and A8 together is about all of them, not one setting.
    named = {name for name, names in _SETTING_CODES if codes & names}
    return named.pop() if len(named) == 1 else None


@dataclass(frozen=True)
class Source:
    description: str
    matches: Callable[[set[str], str | None], bool]
    codes: frozenset[str] = frozenset()
    plan: bool = False


def _behavioural_in(*settings: str) -> Callable[[set[str], str | None], bool]:
    return lambda codes, where: bool(codes & BEHAVIOURAL) and where in settings


GENERAL_SUBSTANCE_USE = Source(
    "general substance-use benefits (AI, AJ, AK)",
    lambda codes, where: bool(codes & SUBSTANCE_USE) and where is None,
    SUBSTANCE_USE,
)
PLAN = Source("plan-level benefits (30)", lambda codes, where: "30" in codes or not codes, frozenset({"30"}), True)

SOURCES: dict[str, list[Source]] = {
    "detox": [
        Source(
            "substance-use detox or inpatient benefits",
            _behavioural_in("detox", "inpatient"),
            SUBSTANCE_USE,
        ),
        GENERAL_SUBSTANCE_USE,
        Source("hospital inpatient benefits (48)", lambda codes, where: "48" in codes, frozenset({"48"})),
        PLAN,
    ],
    "residential": [
        Source(
            "residential and psychiatric inpatient benefits (RT, A5, A7, CE)",
            lambda codes, where: (
                bool(codes & {"RT", "A5", "A7", "CE"}) or (bool(codes & BEHAVIOURAL) and where == "residential")
            ),
            frozenset({"RT", "A5", "A7", "CE"}),
        ),
        Source("behavioural inpatient benefits", _behavioural_in("inpatient"), SUBSTANCE_USE),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "php": [
        Source(
            "partial hospitalization benefits (BB, BC)",
            lambda codes, where: bool(codes & {"BB", "BC"}) or (bool(codes & BEHAVIOURAL) and where == "php"),
            frozenset({"BB", "BC"}),
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "iop": [
        Source("intensive outpatient benefits", _behavioural_in("iop"), SUBSTANCE_USE),
        Source(
            "behavioural outpatient benefits (AI, AJ, AK, A8, CF)",
            lambda codes, where: (
                (bool(codes & {"A8", "CF"}) and where in ("outpatient", None))
                or (bool(codes & BEHAVIOURAL) and where == "outpatient")
            ),
            frozenset({"A8", "CF"}),
        ),
        GENERAL_SUBSTANCE_USE,
        PLAN,
    ],
    "outpatient": [
        Source(
            "outpatient behavioural benefits (A8, A6, CF)",
            lambda codes, where: (
                (bool(codes & {"A8", "A6", "CF"}) and where != "iop")
                or (bool(codes & BEHAVIOURAL) and where == "outpatient")
            ),
            frozenset({"A8", "A6", "CF"}),
        ),
        GENERAL_SUBSTANCE_USE,
        Source(
            "mental health and office visit benefits (MH, A4, 98)",
            lambda codes, where: bool(codes & {"MH", "A4", "98"}) and where is None,
            frozenset({"MH", "A4"}),
        ),
        PLAN,
    ],
    "plan": [PLAN],
}

PER = {"27": "visit", "7": "day", "36": "admission", "26": "episode", "6": "hour", "35": "week", "34": "month"}
UNITS = {"DY": "days", "VS": "visits", "HS": "hours", "MN": "months", "YY": "years", "P6": "services"}
# Quantities that describe who a benefit is for, not how much of it there is.
_NOT_LIMITS = frozenset({"S7", "S8"})


# --- One level --------------------------------------------------------------------------------


def summarise_level(level: str, rows: list[BenefitRow], carve_outs: list[CarveOut]) -> CareLevel:
    sources = SOURCES[level]
    care = CareLevel(level=level, label=LABELS[level])
    matched = [(source, [row for row in rows if _matches(source, row)]) for source in sources]
    matched = [(source, found) for source, found in matched if found]
    not_plan = [(source, found) for source, found in matched if not source.plan]
    if level != "plan" and not not_plan:
        care.carved_out_to = _carve_out_for(sources, carve_outs)
        if care.carved_out_to:
            matched = []

    def first(pick: Callable[[BenefitRow], bool], candidates=matched) -> tuple[Source | None, list[BenefitRow]]:
        for source, found in candidates:
            picked = [row for row in found if pick(row)]
            if picked:
                return source, picked
        return None, []

    figures = {
        "deductible": first(lambda row: row.eb01 == "C" and row.amount is not None),
        "out_of_pocket": first(lambda row: row.eb01 == "G" and row.amount is not None),
        "copay": first(lambda row: row.eb01 == "B" and row.amount is not None),
        "coinsurance": first(lambda row: row.eb01 == "A" and row.percent is not None),
        "limits": first(_is_limit, not_plan if level != "plan" else matched),
    }
    status_source, status_rows = first(
        lambda row: row.eb01 in ACTIVE_CODES | INACTIVE_CODES | {"I"}, not_plan if level != "plan" else matched
    )
    if status_source:
        care.covered = any(row.eb01 in ACTIVE_CODES for row in status_rows)
        care.sources["covered"] = status_source.description
    for name, (source, found) in figures.items():
        if source:
            care.sources[name] = source.description
            _apply(care, name, found)
    care.from_plan_level = any(care.sources.get(name) == PLAN.description for name in figures)
    care.prior_auth, auth_source = _prior_auth(level, not_plan, sources)
    if auth_source:
        care.sources["prior_auth"] = auth_source
    used = {code for source, found in matched for row in found for code in row.service_types}
    care.service_types = sorted(used)
    for terms in (care.in_network, care.out_of_network, care.network_unstated):
        for money in (terms.deductible_individual, terms.deductible_family):
            _fill_remaining(money)
        for money in (terms.out_of_pocket_individual, terms.out_of_pocket_family):
            _fill_remaining(money)
    return care


def _matches(source: Source, row: BenefitRow) -> bool:
    if row.eb01 in CARVE_OUT_CODES:
        return False
    return source.matches(set(row.service_types), setting(row))


def _is_limit(row: BenefitRow) -> bool:
    return row.quantity is not None and bool(row.quantity_qualifier) and row.quantity_qualifier not in _NOT_LIMITS


def _prior_auth(level: str, not_plan, sources: list[Source]) -> tuple[bool | None, str]:
    if level == "plan":
        return None, ""
    for source, found in not_plan:
        if any(row.auth_required == "Y" for row in found):
            return True, source.description
    own = sources[0]
    for source, found in not_plan:
        if source is own and any(row.auth_required == "N" for row in found):
            return False, source.description
    return None, ""


def _carve_out_for(sources: list[Source], carve_outs: list[CarveOut]) -> str:
    codes = BEHAVIOURAL.union(*(source.codes for source in sources if not source.plan)) - {"48", "98"}
    for carve_out in carve_outs:
        if carve_out.for_authorization:
            continue
        text = " ".join(carve_out.messages).lower()
        if set(carve_out.service_types) & codes or any(word in text for word in BEHAVIOURAL_WORDS):
            return carve_out.name or "another company"
    return ""


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
        care.limits = [_limit(row) for row in rows]
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
            elif figure in ("deductible", "out_of_pocket"):
                money = _money(terms, figure, row.coverage_level)
                if money is None:
                    continue  # a coverage level we do not know: the row is kept, but not added up
                if row.time_period in REMAINING_PERIODS:
                    kind = "remaining"
                elif row.time_period in MET_PERIODS:
                    kind = "met"
                else:
                    kind = "total"
                moneys[id(money)] = money
                lifetime = row.time_period in ("32", "33")
                candidates.setdefault((id(money), kind), []).append((lifetime, row.amount))
    for (key, kind), amounts in candidates.items():
        yearly = [amount for lifetime, amount in amounts if not lifetime]
        setattr(moneys[key], kind, (yearly or [amount for _, amount in amounts])[0])


def _money(terms: NetworkTerms, figure: str, coverage_level: str) -> Money | None:
    if coverage_level in FAMILY_LEVELS:
        return terms.deductible_family if figure == "deductible" else terms.out_of_pocket_family
    if coverage_level in INDIVIDUAL_LEVELS or not coverage_level:
        return terms.deductible_individual if figure == "deductible" else terms.out_of_pocket_individual
    return None


def _fill_remaining(money: Money) -> None:
    # "Year to date" says what has been met; with the total, that is what is left.
    if money.remaining is None and money.total is not None and money.met is not None:
        money.remaining = max(money.total - money.met, Decimal(0))


def _limit(row: BenefitRow) -> Limit:
    network = {"Y": "in", "N": "out", "W": "both"}.get(row.network, "unstated")
    unit = UNITS.get(row.quantity_qualifier, row.quantity_qualifier_description or row.quantity_qualifier)
    remaining = row.time_period in REMAINING_PERIODS
    quantity = format_quantity(row.quantity)
    if remaining:
        text = f"{quantity} {unit} remaining"
    elif row.quantity_qualifier == "99":
        text = f"{quantity} used" + (f" ({row.time_period_description})" if row.time_period else "")
    elif row.time_period:
        text = f"{quantity} {unit} per {row.time_period_description}"
    else:
        text = f"{quantity} {unit}"
    text += {
        "in": " (in network)",
        "out": " (out of network)",
        "both": " (in and out of network)",
        "unstated": "",
    }[network]
    return Limit(
        quantity=row.quantity,
        qualifier=row.quantity_qualifier,
        unit=unit,
        time_period=row.time_period,
        time_period_description=row.time_period_description,
        network=network,
        remaining=remaining,
        text=text,
    )


def format_quantity(value: Decimal | None) -> str:
    if value is None:
        return ""
    normal = value.normalize()
    return f"{normal:f}" if normal == normal.to_integral_value() else str(value)


# --- Carve-outs ---------------------------------------------------------------------------------


def carve_outs(rows: list[BenefitRow]) -> list[CarveOut]:
    """One carve-out per company an EB*R or EB*U row names (or per such row, if it names none)."""
    found = []
    for row in rows:
        if row.eb01 not in CARVE_OUT_CODES:
            continue
        entities = [entity for entity in row.related_entities if entity.name or entity.id] or [None]
        for entity in entities:
            carve_out = CarveOut(
                eb01=row.eb01,
                service_types=list(row.service_types),
                service_type_descriptions=list(row.service_type_descriptions),
                messages=list(row.messages),
            )
            if entity:
                carve_out.name = entity.name
                carve_out.id = entity.id
                carve_out.id_qualifier = entity.id_qualifier
                carve_out.entity_code = entity.entity_code
                carve_out.entity = entity.entity
                carve_out.phone = entity.phone
                carve_out.contacts = list(entity.contacts)
            words = " ".join(carve_out.messages).lower()
            carve_out.for_authorization = (
                carve_out.entity_code == "X3"
                or "utilization management" in carve_out.entity.lower()
                or any(word in words for word in AUTHORIZATION_WORDS)
            )
            carve_out.text = _carve_out_text(carve_out)
            found.append(carve_out)
    return found


def _carve_out_text(carve_out: CarveOut) -> str:
    services = _join(carve_out.service_type_descriptions) or "these benefits"
    who = carve_out.name or "another company (not named)"
    if carve_out.for_authorization:
        text = f"For authorizations ({services}), contact {who}"
    elif carve_out.eb01 == "R":
        text = f"{who} is another payer for {services}"
    else:
        text = f"Contact {who} for {services}"
    if carve_out.phone:
        text += f", phone {carve_out.phone}"
    return text + "."


# --- A person, then the whole answer -------------------------------------------------------------


def finish_subscriber(person: SubscriberSummary) -> None:
    """Fill in what follows from the rows: status, plan name, carve-outs, levels, what was not said."""
    codes = {row.eb01 for row in person.benefits}
    if codes & ACTIVE_CODES:
        person.status = "active"
    elif codes & INACTIVE_CODES:
        person.status = "inactive"
    elif person.rejections:
        person.status = "rejected"
    else:
        person.status = "error"
    if not person.plan_name:
        person.plan_name = next(
            (row.plan_description for row in person.benefits if row.eb01 in ACTIVE_CODES and row.plan_description),
            "",
        )
    if not person.insurance_type:
        person.insurance_type = next(
            (row.insurance_type for row in person.benefits if row.eb01 in ACTIVE_CODES and row.insurance_type), ""
        )
    person.carve_outs = carve_outs(person.benefits)
    person.levels = {}
    person.not_stated = []
    if person.status == "active":
        person.levels = {level: summarise_level(level, person.benefits, person.carve_outs) for level in LABELS}
        person.not_stated = not_stated(person)
    elif person.status == "error" and not person.rejections:
        person.not_stated = ["The payer did not say whether coverage is active."]


def finish(summary: BenefitSummary) -> BenefitSummary:
    """Finish every person, then the summary's own status, carve-outs and unsaid things."""
    for person in summary.subscribers:
        finish_subscriber(person)
    statuses = {person.status for person in summary.subscribers}
    if "active" in statuses:
        summary.status = "active"
    elif "inactive" in statuses:
        summary.status = "inactive"
    elif summary.payer_unavailable:
        # Not the visitor's details at fault: nothing to correct, only to try again.
        summary.status = "error"
    elif summary.rejections or "rejected" in statuses:
        summary.status = "rejected"
    else:
        summary.status = "error"
    summary.carve_outs = [carve_out for person in summary.subscribers for carve_out in person.carve_outs]
    sentences: list[str] = []
    several = len(summary.subscribers) > 1
    for person in summary.subscribers:
        for sentence in person.not_stated:
            if several:
                who = person.name or "the next person"
                who += f" (member ID {person.member_id})" if person.member_id else ""
                sentence = f"For {who}: {sentence}"
            if sentence not in sentences:
                sentences.append(sentence)
    if not summary.subscribers and summary.status == "error":
        sentences.append("The payer's answer names no subscriber.")
    summary.not_stated = sentences
    return summary


# --- What the payer did not say ------------------------------------------------------------------


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
            text = template.format(levels=_join(phrases), need="needs" if len(levels) == 1 else "need")
            out.append(text[0].upper() + text[1:])
        return out


def not_stated(person: SubscriberSummary) -> list[str]:
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
        if not care.sources:
            unsaid.add("The payer said nothing about {levels}.", level)
            continue
        if level != "plan":
            plan_figures = [name for name, source in care.sources.items() if source == PLAN.description]
            if plan_figures and len(plan_figures) == len(
                [name for name in care.sources if name not in ("covered", "limits", "prior_auth")]
            ):
                unsaid.add(
                    "The payer gave no costs specific to {levels}; the plan-level (30) figures are shown.",
                    level,
                )
            elif plan_figures:
                figures = _join([FIGURE_WORDS[name] for name in plan_figures])
                unsaid.add(
                    f"The payer gave no {figures} specific to {{levels}}; the plan-level (30) ones are shown.", level
                )
        terms = (care.in_network, care.out_of_network, care.network_unstated)
        if "deductible" not in care.sources:
            unsaid.add("The payer did not state a deductible for {levels}.", level)
        elif _remaining_missing(terms, "deductible"):
            unsaid.add("The payer did not say how much of the deductible is left for {levels}.", level)
        if "out_of_pocket" not in care.sources:
            unsaid.add("The payer did not state an out-of-pocket maximum for {levels}.", level)
        elif _remaining_missing(terms, "out_of_pocket"):
            unsaid.add("The payer did not say how much of the out-of-pocket maximum is left for {levels}.", level)
        if "copay" not in care.sources and "coinsurance" not in care.sources:
            unsaid.add("The payer did not state a copay or coinsurance for {levels}.", level)
        if level == "plan":
            continue
        if care.prior_auth is None:
            unsaid.add("The payer did not say whether {levels} {need} prior authorization.", level)
        if not care.limits:
            unsaid.add("The payer did not state visit or day limits for {levels}.", level)
        if stated_network and not _level_states_network(care):
            unsaid.add("Network status was not stated for {levels}.", level)
    for name, levels in carved.items():
        phrases = _join([PHRASES[level] for level in levels])
        sentences.append(f"The payer did not give its own benefits for {phrases}: it names {name} for them.")
    return sentences + unsaid.render()


FIGURE_WORDS = {
    "deductible": "deductible",
    "out_of_pocket": "out-of-pocket maximum",
    "copay": "copay",
    "coinsurance": "coinsurance",
}


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


def _join(items: list[str]) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
