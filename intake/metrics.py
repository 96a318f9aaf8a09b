"""Supervisor metrics: speed-to-lead, the SLA, response rate, sources and outcomes.

All figures come from one query of non-PHI columns (`values_list`), so no encrypted field is
ever loaded or decrypted, and the query count does not grow with the number of leads.
Percentiles are computed in Python, which works the same on PostgreSQL and SQLite.
"""

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import AttemptOutcome, ContactAttempt, Lead, LeadKind, LeadStatus

DEFAULT_DAYS = 30
# A year and a day: enough for a leap year, small enough for the per-day chart to stay readable.
MAX_DAYS = 366
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
DATE_HELP = "Enter a date like 2026-03-31 (or 03/31/2026)."


def centre_tz() -> ZoneInfo:
    return ZoneInfo(settings.CENTRE_TIMEZONE)


@dataclass(frozen=True)
class DateRange:
    """Whole days in the centre's time zone, both ends included."""

    start: dt.date
    end: dt.date
    tz: ZoneInfo

    @classmethod
    def last_days(cls, days: int = DEFAULT_DAYS, *, today: dt.date | None = None, tz: ZoneInfo | None = None):
        tz = tz or centre_tz()
        today = today or timezone.localdate(timezone=tz)
        return cls(today - dt.timedelta(days=days - 1), today, tz)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnights, so DST days are 23 or 25 hours."""
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        return start, end

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _parse_date(raw: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_range(
    params: Mapping[str, str], *, today: dt.date | None = None, tz: ZoneInfo | None = None
) -> tuple[DateRange, dict[str, str]]:
    """The range asked for in `from` / `to`, and an error message per bad field.

    Any error falls back to the whole default range (the last 30 days): half of a bad range is
    not what anybody asked for, and the message says so.
    """
    default = DateRange.last_days(today=today, tz=tz)
    errors: dict[str, str] = {}
    dates: dict[str, dt.date] = {"from": default.start, "to": default.end}
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        if raw:
            parsed = _parse_date(raw)
            if parsed is None:
                errors[name] = DATE_HELP
            else:
                dates[name] = parsed
    if not errors and dates["from"] > dates["to"]:
        errors["from"] = "The start date must be on or before the end date."
    elif not errors and (dates["to"] - dates["from"]).days + 1 > MAX_DAYS:
        errors["from"] = f"Choose a range of at most {MAX_DAYS} days."
    if errors:
        return default, errors
    return DateRange(dates["from"], dates["to"], default.tz), {}


# --- One lead, as the metrics see it ------------------------------------------------------------

# Non-PHI columns only: attribution is paths, hosts and UTM values, never a query string.
_COLUMNS = (
    "pk",
    "created_at",
    "first_contacted_at",
    "sla_due_at",
    "status",
    "kind",
    "utm_source",
    "referrer",
    "landing_page",
    "attempt_count",
    "was_reached",
)

DIRECT = "Direct"
UNKNOWN_PAGE = "Unknown"


def source_of(utm_source: str, referrer: str) -> str:
    """utm_source, else the referring host, else Direct."""
    if utm_source.strip():
        return utm_source.strip()
    referrer = referrer.strip()
    if "//" in referrer:
        referrer = referrer.split("//", 1)[1]
    host = referrer.split("/", 1)[0].lower()
    return host or DIRECT


@dataclass(frozen=True)
class LeadFacts:
    pk: int
    created_at: dt.datetime
    kind: str
    status: str
    source: str
    landing_page: str
    # None: nobody has tried to contact the lead yet.
    minutes_to_contact: float | None
    # True / False: first attempt by / after the deadline (or the deadline passed untried);
    # None: no deadline, or the deadline has not come yet and nobody has called.
    within_sla: bool | None
    has_deadline: bool
    attempts: int
    reached: bool

    @property
    def reference(self) -> str:
        return f"L-{self.pk:06d}"

    @property
    def kind_label(self) -> str:
        return LeadKind(self.kind).label if self.kind in LeadKind.values else self.kind

    @property
    def status_label(self) -> str:
        return LeadStatus(self.status).label if self.status in LeadStatus.values else self.status


def _minutes(created_at: dt.datetime, first_contacted_at: dt.datetime | None) -> float | None:
    if first_contacted_at is None:
        return None
    # A merge can give a lead the earlier first contact of the lead folded into it, before
    # this one was created: the person was already being called, so that counts as no wait.
    return max((first_contacted_at - created_at).total_seconds() / 60, 0.0)


def _within_sla(first_contacted_at, sla_due_at, now: dt.datetime) -> bool | None:
    if sla_due_at is None:
        return None
    if first_contacted_at is not None:
        return first_contacted_at <= sla_due_at
    return False if sla_due_at < now else None


def leads_in(date_range: DateRange, leads: QuerySet | None = None) -> QuerySet:
    """Leads created in the range, without the ones merged into another (counted there)."""
    start, end = date_range.bounds()
    leads = Lead.objects.all() if leads is None else leads
    return leads.filter(created_at__gte=start, created_at__lt=end).exclude(status=LeadStatus.MERGED)


def lead_facts(
    date_range: DateRange, leads: QuerySet | None = None, *, now: dt.datetime | None = None
) -> list[LeadFacts]:
    """One query, oldest lead first."""
    now = now or timezone.now()
    reached = ContactAttempt.objects.filter(lead=OuterRef("pk"), outcome=AttemptOutcome.REACHED)
    rows = (
        leads_in(date_range, leads)
        .annotate(was_reached=Exists(reached))
        .order_by("created_at", "pk")
        .values_list(*_COLUMNS)
    )
    return [
        LeadFacts(
            pk=pk,
            created_at=created_at,
            kind=kind,
            status=status,
            source=source_of(utm_source, referrer),
            landing_page=landing_page.strip() or UNKNOWN_PAGE,
            minutes_to_contact=_minutes(created_at, first_contacted_at),
            within_sla=_within_sla(first_contacted_at, sla_due_at, now),
            has_deadline=sla_due_at is not None,
            attempts=attempt_count,
            reached=bool(was_reached),
        )
        for (
            pk,
            created_at,
            first_contacted_at,
            sla_due_at,
            status,
            kind,
            utm_source,
            referrer,
            landing_page,
            attempt_count,
            was_reached,
        ) in rows
    ]


# --- The figures ------------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest rank: the smallest value with at least `pct`% of values at or below it, so
    "90% were called within X minutes" is literally true of the data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Breakdown:
    """One source or landing page."""

    name: str
    count: int
    median_minutes: float | None
    reached: int

    @property
    def reached_share(self) -> float | None:
        return share(self.reached, self.count)


def _breakdown(facts: Iterable[LeadFacts], key) -> list[Breakdown]:
    groups: dict[str, list[LeadFacts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    rows = [
        Breakdown(
            name=name,
            count=len(group),
            median_minutes=median([f.minutes_to_contact for f in group if f.minutes_to_contact is not None]),
            reached=sum(f.reached for f in group),
        )
        for name, group in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.name.lower()))


@dataclass(frozen=True)
class Outcome:
    status: str
    label: str
    count: int


@dataclass
class LeadMetrics:
    date_range: DateRange
    facts: list[LeadFacts]
    total: int = 0
    contacted: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    sla_met: int = 0
    # Leads with a deadline that has been met or missed; ones still within it are not judged yet.
    sla_judged: int = 0
    sla_pending: int = 0
    reached: int = 0
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    by_source: list[Breakdown] = field(default_factory=list)
    by_landing_page: list[Breakdown] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @classmethod
    def for_range(
        cls, date_range: DateRange, leads: QuerySet | None = None, *, now: dt.datetime | None = None
    ) -> "LeadMetrics":
        return cls.from_facts(date_range, lead_facts(date_range, leads, now=now))

    @classmethod
    def from_facts(cls, date_range: DateRange, facts: list[LeadFacts]) -> "LeadMetrics":
        minutes = [f.minutes_to_contact for f in facts if f.minutes_to_contact is not None]
        judged = [f.within_sla for f in facts if f.within_sla is not None]
        per_day = Counter(timezone.localtime(f.created_at, date_range.tz).date() for f in facts)
        statuses = Counter(f.status for f in facts)
        return cls(
            date_range=date_range,
            facts=facts,
            total=len(facts),
            contacted=len(minutes),
            median_minutes=median(minutes),
            p90_minutes=percentile(minutes, 90),
            sla_met=sum(judged),
            sla_judged=len(judged),
            sla_pending=sum(1 for f in facts if f.has_deadline and f.within_sla is None),
            reached=sum(f.reached for f in facts),
            per_day=[(day, per_day.get(day, 0)) for day in date_range.days()],
            by_source=_breakdown(facts, lambda f: f.source),
            by_landing_page=_breakdown(facts, lambda f: f.landing_page),
            outcomes=[
                Outcome(status, label, statuses.get(status, 0))
                for status, label in LeadStatus.choices
                if status != LeadStatus.MERGED
            ],
        )

    @property
    def sla_share(self) -> float | None:
        return share(self.sla_met, self.sla_judged)

    @property
    def response_rate(self) -> float | None:
        return share(self.reached, self.total)

    @property
    def empty_days(self) -> int:
        return sum(1 for _, count in self.per_day if not count)

    @property
    def busiest_day(self) -> tuple[dt.date, int] | None:
        if not self.total:
            return None
        return max(self.per_day, key=lambda item: (item[1], -item[0].toordinal()))
