"""The figures supervisors act on, worked out from the leads of a date range (intake.metrics):
speed to lead split by request type, urgency and call-back hours; outcomes and the admission rate
by source, landing page and request type; and what each worker did."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .metrics import DateRange, LeadFacts, Worker, lead_facts, median, minutes_text, percent, percentile, share
from .models import OPEN_STATUSES, LeadKind, LeadStatus

# A source or landing page comes from a visitor's URL, so there can be thousands: the tables show
# the busiest ones and fold the rest into one row, which keeps the page short and its totals whole.
TOP_ROWS = 10
# Up to a month the chart has a bar a day; up to a quarter a bar a week; beyond, a bar a month.
DAYS_PER_DAY_BAR = 31
DAYS_PER_WEEK_BAR = 92


# --- Speed to lead ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeedRow:
    """Speed to lead over one group of leads."""

    name: str
    leads: int
    contacted: int
    median_minutes: float | None
    p90_minutes: float | None
    sla_met: int
    # Leads with a deadline that has been met or missed; ones still within it are not judged yet.
    sla_judged: int
    sla_pending: int

    @classmethod
    def of(cls, name: str, facts: list[LeadFacts]) -> "SpeedRow":
        minutes = [f.minutes_to_contact for f in facts if f.minutes_to_contact is not None]
        judged = [f.within_sla for f in facts if f.within_sla is not None]
        return cls(
            name=name,
            leads=len(facts),
            contacted=len(minutes),
            median_minutes=median(minutes),
            p90_minutes=percentile(minutes, 90),
            sla_met=sum(judged),
            sla_judged=len(judged),
            sla_pending=sum(1 for f in facts if f.has_deadline and f.within_sla is None),
        )

    @property
    def not_called(self) -> int:
        """Leads nobody has called yet: the median and percentile are of the called ones only."""
        return self.leads - self.contacted

    @property
    def sla_share(self) -> float | None:
        return share(self.sla_met, self.sla_judged)

    @property
    def sla_percent(self) -> int | None:
        return percent(self.sla_met, self.sla_judged)

    @property
    def median_text(self) -> str:
        return minutes_text(self.median_minutes)

    @property
    def p90_text(self) -> str:
        return minutes_text(self.p90_minutes)


@dataclass(frozen=True)
class SpeedSplit:
    """One way of dividing the leads (by request type, urgency or hours), every group listed."""

    heading: str
    rows: list[SpeedRow]


def _split(heading: str, facts: list[LeadFacts], group_of: Callable[[LeadFacts], str], names: list[str]):
    """Every group in `names` gets a row, in that order, even one without leads."""
    groups: dict[str, list[LeadFacts]] = defaultdict(list)
    for fact in facts:
        groups[group_of(fact)].append(fact)
    return SpeedSplit(heading, [SpeedRow.of(name, groups[name]) for name in names])


IN_HOURS, OUT_OF_HOURS = "In call-back hours", "Out of hours"


def speed_splits(facts: list[LeadFacts]) -> list[SpeedSplit]:
    return [
        *_by_kind_and_urgency(facts),
        _split("When they asked", facts, lambda f: IN_HOURS if f.in_hours else OUT_OF_HOURS, [IN_HOURS, OUT_OF_HOURS]),
    ]


def _by_kind_and_urgency(facts: list[LeadFacts]) -> list[SpeedSplit]:
    # Request types that had leads, as the outcomes table lists them: a centre that never gets a
    # text-started lead is not shown an empty "Text message" row on every chart.
    present = {f.kind_label for f in facts}
    kinds = [label for _, label in LeadKind.choices if label in present]
    return [
        _split("Request type", facts, lambda f: f.kind_label, kinds),
        _split("Urgency", facts, lambda f: "Urgent" if f.urgent else "Not urgent", ["Urgent", "Not urgent"]),
    ]


def speed_within_hours(facts: list[LeadFacts]) -> list[SpeedSplit]:
    """Speed to lead of the requests made in call-back hours, then of those made out of hours, each
    by request type and urgency. Charted apart: out of hours the target runs from the next opening,
    so those waits run to hours and on one scale would shrink the in-hours minutes to slivers."""
    splits = []
    for heading, in_hours in ((IN_HOURS, True), (OUT_OF_HOURS, False)):
        group = [f for f in facts if f.in_hours is in_hours]
        by_kind, by_urgency = _by_kind_and_urgency(group)
        splits.append(SpeedSplit(heading, [SpeedRow.of("All leads", group), *by_kind.rows, *by_urgency.rows]))
    return splits


# --- Outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """Where the leads of one source, landing page or request type ended up."""

    name: str
    leads: int
    reached: int
    admitted: int
    referred: int
    not_a_fit: int
    unreachable: int
    still_open: int
    # The row that folds in the less busy groups ("12 other sources").
    is_rest: bool = False

    @classmethod
    def of(cls, name: str, facts: list[LeadFacts], *, is_rest: bool = False) -> "OutcomeRow":
        statuses = Counter(f.status for f in facts)
        return cls(
            name=name,
            leads=len(facts),
            reached=sum(f.reached for f in facts),
            admitted=statuses[LeadStatus.ADMITTED],
            referred=statuses[LeadStatus.REFERRED],
            not_a_fit=statuses[LeadStatus.NOT_A_FIT],
            unreachable=statuses[LeadStatus.UNREACHABLE],
            still_open=sum(statuses[s] for s in OPEN_STATUSES),
            is_rest=is_rest,
        )

    @property
    def admission_rate(self) -> float | None:
        return share(self.admitted, self.leads)

    @property
    def admission_percent(self) -> int | None:
        return percent(self.admitted, self.leads)

    @property
    def reached_percent(self) -> int | None:
        return percent(self.reached, self.leads)


@dataclass(frozen=True)
class OutcomeBreakdown:
    id: str
    heading: str
    column: str
    rows: list[OutcomeRow]


def outcome_breakdown(
    facts: list[LeadFacts], key: Callable[[LeadFacts], str], *, id: str, heading: str, column: str, plural: str
) -> OutcomeBreakdown:
    groups: dict[str, list[LeadFacts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0].lower()))
    rows = [OutcomeRow.of(name, group) for name, group in ranked[:TOP_ROWS]]
    rest = ranked[TOP_ROWS:]
    if rest:
        folded = [fact for _, group in rest for fact in group]
        rows.append(OutcomeRow.of(f"{len(rest)} other {plural}", folded, is_rest=True))
    return OutcomeBreakdown(id, heading, column, rows)


@dataclass(frozen=True)
class Outcome:
    status: str
    label: str
    count: int
    # Of all leads in the range.
    percent: int | None = None


# --- Workers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerRow:
    worker: Worker
    # Leads the worker made an attempt on or is assigned to.
    leads_worked: int
    # Leads whose first attempt the worker made.
    first_calls: int
    # Of those, the ones asked for in call-back hours, and how long those people waited. Requests
    # from the night wait for the opening whoever calls, so counting them would charge the
    # morning shift with the hours the centre was closed.
    in_hours_first_calls: int
    median_first_call_minutes: float | None
    # Admitted leads the worker recorded as admitted (older ones: assigned to the worker).
    admissions: int

    @property
    def median_first_call_text(self) -> str:
        return minutes_text(self.median_first_call_minutes)


def worker_rows(facts: Iterable[LeadFacts]) -> list[WorkerRow]:
    worked: dict[Worker, int] = Counter()
    first_calls: dict[Worker, int] = Counter()
    in_hours_waits: dict[Worker, list[float]] = defaultdict(list)
    admissions: dict[Worker, int] = Counter()
    for fact in facts:
        for worker in fact.worked_by:
            worked[worker] += 1
        if fact.first_caller is not None and fact.minutes_to_contact is not None:
            first_calls[fact.first_caller] += 1
            if fact.in_hours:
                in_hours_waits[fact.first_caller].append(fact.minutes_to_contact)
        if fact.admitted_by is not None:
            admissions[fact.admitted_by] += 1
    rows = [
        WorkerRow(
            worker=worker,
            leads_worked=count,
            first_calls=first_calls[worker],
            in_hours_first_calls=len(in_hours_waits[worker]),
            median_first_call_minutes=median(in_hours_waits[worker]),
            admissions=admissions[worker],
        )
        for worker, count in worked.items()
    ]
    return sorted(rows, key=lambda row: (-row.leads_worked, row.worker.name.lower(), row.worker.pk))


# --- Leads over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One bar of the leads-over-time chart: a day, a week or a month, cut to the range."""

    start: dt.date
    end: dt.date
    count: int

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start:%a %b} {self.start.day}"
        if self.start.month == self.end.month:
            return f"{self.start:%b} {self.start.day}–{self.end.day}"
        return f"{self.start:%b} {self.start.day}–{self.end:%b} {self.end.day}"


def _period_start(day: dt.date, days_in_range: int) -> dt.date:
    if days_in_range <= DAYS_PER_DAY_BAR:
        return day
    if days_in_range <= DAYS_PER_WEEK_BAR:
        return day - dt.timedelta(days=day.weekday())  # weeks start on Monday
    return day.replace(day=1)


def periods(per_day: list[tuple[dt.date, int]]) -> list[Period]:
    buckets: dict[dt.date, list[tuple[dt.date, int]]] = defaultdict(list)
    for day, count in per_day:
        buckets[_period_start(day, len(per_day))].append((day, count))
    return [Period(days[0][0], days[-1][0], sum(c for _, c in days)) for days in buckets.values()]


def period_unit(per_day: list) -> str:
    days = len(per_day)
    return "day" if days <= DAYS_PER_DAY_BAR else "week" if days <= DAYS_PER_WEEK_BAR else "month"


# --- All of it ----------------------------------------------------------------------------------


@dataclass
class LeadMetrics:
    date_range: DateRange
    facts: list[LeadFacts]
    # Speed to lead and outcomes over every lead in the range.
    overall: SpeedRow
    totals: OutcomeRow
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    speed: list[SpeedSplit] = field(default_factory=list)
    speed_within_hours: list[SpeedSplit] = field(default_factory=list)
    by_kind: OutcomeBreakdown | None = None
    by_source: OutcomeBreakdown | None = None
    by_landing_page: OutcomeBreakdown | None = None
    workers: list[WorkerRow] = field(default_factory=list)

    @classmethod
    def for_range(
        cls, date_range: DateRange, leads: QuerySet | None = None, *, now: dt.datetime | None = None
    ) -> "LeadMetrics":
        return cls.from_facts(date_range, lead_facts(date_range, leads, now=now))

    @classmethod
    def from_facts(cls, date_range: DateRange, facts: list[LeadFacts]) -> "LeadMetrics":
        per_day = Counter(f.day for f in facts)
        statuses = Counter(f.status for f in facts)
        return cls(
            date_range=date_range,
            facts=facts,
            overall=SpeedRow.of("All leads", facts),
            totals=OutcomeRow.of("All leads", facts),
            per_day=[(day, per_day.get(day, 0)) for day in date_range.days()],
            outcomes=[
                Outcome(status, label, statuses.get(status, 0), percent(statuses.get(status, 0), len(facts)))
                for status, label in LeadStatus.choices
                if status != LeadStatus.MERGED
            ],
            speed=speed_splits(facts),
            speed_within_hours=speed_within_hours(facts),
            by_kind=outcome_breakdown(
                facts, lambda f: f.kind_label, id="kinds", heading="request type", column="Request type", plural="types"
            ),
            by_source=outcome_breakdown(
                facts, lambda f: f.source, id="sources", heading="source", column="Source", plural="sources"
            ),
            by_landing_page=outcome_breakdown(
                facts,
                lambda f: f.landing_page,
                id="pages",
                heading="landing page",
                column="Landing page",
                plural="landing pages",
            ),
            workers=worker_rows(facts),
        )

    @property
    def total(self) -> int:
        return self.overall.leads

    @property
    def periods(self) -> list[Period]:
        return periods(self.per_day)

    @property
    def period_unit(self) -> str:
        return period_unit(self.per_day)
