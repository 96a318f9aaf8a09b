"""Supervisor metrics: the date range asked for, and each lead in it as the figures see it.

The facts come from four queries of non-PHI columns (`values_list`): the leads, their contact
attempts grouped per lead and worker in the database, who recorded each admission, and the names
of those workers. No encrypted
field is ever loaded or decrypted, and the query count does not grow with the number of leads.
Medians and percentiles are computed in Python, which works the same on PostgreSQL and SQLite.
The figures themselves are in intake.metrics_figures.
"""

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .hours import centre_hours
from .models import AttemptOutcome, ContactAttempt, EventKind, Lead, LeadEvent, LeadKind, LeadStatus, staff_name

DEFAULT_DAYS = 30
# A year and a day: enough for a leap year (the chart then has a bar a month).
MAX_DAYS = 366
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
DATE_HELP = "Enter a date like 2026-03-31 (or 03/31/2026)."
# Waits this long or longer are told in hours.
HOURS_FROM_MINUTES = 90


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
    "urgent",
    "utm_source",
    "referrer",
    "landing_page",
    "attempt_count",
    "assigned_to",
    # Names, not PHI, read in the same query (a join), for the CSV and the by-source table.
    "facility__name",
    "referral_source__name",
)

_ASSIGNED = _COLUMNS.index("assigned_to")

DIRECT = "Direct"
UNKNOWN_PAGE = "Unknown"


def source_of(utm_source: str, referrer: str) -> str:
    """utm_source, else the referring host, else Direct. In lower case: campaigns tagged "Google"
    and "google" are one source to a supervisor."""
    if utm_source.strip():
        return utm_source.strip().lower()
    referrer = referrer.strip()
    if "//" in referrer:
        referrer = referrer.split("//", 1)[1]
    host = referrer.split("/", 1)[0].lower()
    return host or DIRECT


class Worker(NamedTuple):
    """A member of staff as the metrics name them (intake.models.staff_name); sorts by name."""

    name: str
    pk: int


KIND_LABELS = dict(LeadKind.choices)
STATUS_LABELS = dict(LeadStatus.choices)


# A tuple rather than a frozen dataclass: a range can hold tens of thousands of leads, and a record
# of 17 fields is made in 1.5 µs as a tuple against 3.3 µs as a frozen dataclass.
class LeadFacts(NamedTuple):
    pk: int
    created_at: dt.datetime
    # The day it was created, in the range's time zone.
    day: dt.date
    kind: str
    status: str
    urgent: bool
    # Asked for while the team calls back (CENTRE_HOURS); out of hours the target runs from opening.
    in_hours: bool
    source: str
    landing_page: str
    # None: nobody has tried to contact the lead yet.
    minutes_to_contact: float | None
    # True / False: first attempt by / after the deadline (or the deadline passed untried);
    # None: no deadline, or the deadline has not come yet and nobody has called.
    within_sla: bool | None
    attempts: int
    reached: bool
    assigned_to: Worker | None = None
    # Who made the first contact attempt (None: nobody yet, or the call came with a merged lead).
    first_caller: Worker | None = None
    # Everyone who made an attempt on the lead, its assignee and whoever admitted it: the workers
    # it counts for.
    worked_by: tuple[Worker, ...] = ()
    # Who recorded the admission of an admitted lead; for leads admitted before admissions were
    # recorded as events, their assignee. None: not admitted, or nobody known.
    admitted_by: Worker | None = None
    # When the first call was due: from the request, or from the best time the person chose.
    first_call_due: dt.datetime | None = None
    facility: str = ""
    # "" when nobody recorded who sent the person.
    referral_source: str = ""

    @property
    def reference(self) -> str:
        return f"L-{self.pk:06d}"

    @property
    def has_deadline(self) -> bool:
        return self.first_call_due is not None

    @property
    def target(self) -> str:
        """Whether the first call met the target, in the words of the CSV's "target" column."""
        if not self.has_deadline:
            return "no target"
        if self.within_sla is None:
            return "not due yet"
        return "met" if self.within_sla else "missed"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


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


@dataclass
class _Attempts:
    """What the grouped attempts say about one lead."""

    workers: set[int]
    first_caller: int | None = None
    first_at: dt.datetime | None = None
    reached: bool = False


def _attempts_per_lead(leads: QuerySet) -> dict[int, _Attempts]:
    # Grouped in the database: one row per lead and worker, not one per attempt.
    rows = (
        ContactAttempt.objects.filter(lead__in=leads.values("pk"))
        .values_list("lead_id", "staff_id")
        .annotate(first_at=Min("created_at"), reached=Count("pk", filter=Q(outcome=AttemptOutcome.REACHED)))
        .order_by()
    )
    per_lead: dict[int, _Attempts] = defaultdict(lambda: _Attempts(set()))
    for lead_id, staff_id, first_at, reached in rows:
        seen = per_lead[lead_id]
        seen.workers.add(staff_id)
        seen.reached = seen.reached or reached > 0
        if seen.first_at is None or (first_at, staff_id) < (seen.first_at, seen.first_caller):
            seen.first_at, seen.first_caller = first_at, staff_id
    return per_lead


def _admitted_by(leads: QuerySet) -> dict[int, int]:
    """Lead id to the worker who recorded its latest admission (a lead can be reopened and admitted
    again): the one who closed it, not whoever it is assigned to now."""
    rows = (
        LeadEvent.objects.filter(
            lead__in=leads.filter(status=LeadStatus.ADMITTED).values("pk"),
            kind=EventKind.CLOSED,
            details__to=LeadStatus.ADMITTED,
            actor__isnull=False,
        )
        .order_by("at", "pk")
        .values_list("lead_id", "actor_id")
    )
    return dict(rows)  # the latest of each lead's comes last and wins


def _workers(pks: set[int]) -> dict[int, Worker]:
    users = User.objects.filter(pk__in=pks).only("username", "first_name", "last_name")
    return {user.pk: Worker(staff_name(user), user.pk) for user in users}


def lead_facts(
    date_range: DateRange, leads: QuerySet | None = None, *, now: dt.datetime | None = None
) -> list[LeadFacts]:
    """Every lead in the range, oldest first, in four queries whatever their number."""
    now = now or timezone.now()
    hours = centre_hours()
    in_range = leads_in(date_range, leads)
    rows = list(in_range.order_by("created_at", "pk").values_list(*_COLUMNS))
    attempts = _attempts_per_lead(in_range)
    admitted_by = _admitted_by(in_range)
    workers = _workers(
        {pk for seen in attempts.values() for pk in seen.workers}
        | ({row[_ASSIGNED] for row in rows} - {None})
        | set(admitted_by.values())
    )
    nobody = _Attempts(set())
    facts = []
    for (
        pk,
        created_at,
        first_contacted_at,
        sla_due_at,
        status,
        kind,
        urgent,
        utm_source,
        referrer,
        landing_page,
        attempt_count,
        assigned_to,
        facility,
        referral_source,
    ) in rows:
        seen = attempts.get(pk, nobody)
        admitter = admitted_by.get(pk, assigned_to) if status == LeadStatus.ADMITTED else None
        worked_by = [workers[w] for w in seen.workers | {assigned_to, admitter} - {None}]
        if len(worked_by) > 1:
            worked_by.sort()
        local = created_at.astimezone(date_range.tz)
        facts.append(
            LeadFacts(
                pk=pk,
                created_at=created_at,
                day=local.date(),
                kind=kind,
                status=status,
                urgent=urgent,
                in_hours=hours.is_open(local),
                source=source_of(utm_source, referrer),
                landing_page=landing_page.strip() or UNKNOWN_PAGE,
                minutes_to_contact=_minutes(created_at, first_contacted_at),
                within_sla=_within_sla(first_contacted_at, sla_due_at, now),
                attempts=attempt_count,
                reached=seen.reached,
                assigned_to=workers.get(assigned_to),
                first_caller=workers.get(seen.first_caller),
                worked_by=tuple(worked_by),
                admitted_by=workers.get(admitter),
                first_call_due=sla_due_at,
                facility=facility or "",
                referral_source=referral_source or "",
            )
        )
    return facts


# --- Small statistics ---------------------------------------------------------------------------


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


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage, halves rounded up (as people round, not to the even)."""
    return math.floor(100 * part / whole + 0.5) if whole else None


def minutes_text(value: float | None) -> str:
    """A wait of `value` minutes in words: '4.5 min', '38 min', and past an hour and a half
    '2.5 h', '12 h' (a night's wait in minutes is a number nobody reads). Tenths only where they
    matter. One spelling for chart, table and card."""
    if value is None:
        return ""
    if value >= HOURS_FROM_MINUTES:
        hours = value / 60
        return f"{math.floor(hours + 0.5)} h" if hours >= 10 else f"{math.floor(hours * 10 + 0.5) / 10:g} h"
    if value >= 10:
        return f"{math.floor(value + 0.5)} min"
    return f"{math.floor(value * 10 + 0.5) / 10:g} min"
