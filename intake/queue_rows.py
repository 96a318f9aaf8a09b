"""What one row of the admissions queue says about a lead, in words that fit the lead's state.

A worker decides whom to call from the row alone: the first name the visitor gave, for whom, the
part of the day they asked for and whether it is open now, the insurance result, how long they
have waited and how the first-call target stands. A closed lead says when it closed, never how
long it "waits"; a first call that came late says by how much, in a warning style.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from .extensions import QueueResult, queue_results
from .hours import Hours, centre_hours, clock, day_word
from .models import BestTime, ForWhom, Lead, LeadStatus, staff_name
from .timing import BEST_TIME_WINDOWS, call_window

URL_PLACEHOLDER = 987654321
DURATION_UNITS = [(60 * 24 * 7, "week"), (60 * 24, "day"), (60, "hour"), (1, "minute")]
# A first call due within this many minutes is shown as a warning: the worker should start now.
DUE_SOON_MINUTES = 5
FOR_WHOM_WORDS = {ForWhom.SELF: "for themself", ForWhom.LOVED_ONE: "for a loved one"}


@dataclass(frozen=True)
class Fact:
    """A few words and how they should look: `tone` is good, warning, danger or plain. The words
    always say it; the style only repeats them."""

    words: str
    tone: str = "plain"


@dataclass(frozen=True)
class QueueRow:
    lead: Lead
    url: str
    first_name: str
    for_whom: str
    best_time: Fact
    insurance: QueueResult | None
    waiting: Fact
    target: Fact
    assignee: str
    last_attempt: str


def queue_rows(leads: list[Lead], now: dt.datetime | None = None) -> list[QueueRow]:
    """The page's rows; one query for every lead's insurance result, none per row."""
    now = now or timezone.now()
    hours = centre_hours()
    results = queue_results([lead.pk for lead in leads])
    # The best-time words depend on the choice and the moment only: worked out once per choice.
    best_times = {choice: best_time_now(choice, now, hours) for choice in {lead.best_time for lead in leads}}
    # reverse() takes about 50 µs, a tenth of the page's time over 25 rows: once, then each id put in.
    url = reverse("staff:lead", args=[URL_PLACEHOLDER])
    return [
        QueueRow(
            lead=lead,
            url=url.replace(str(URL_PLACEHOLDER), str(lead.pk)),
            first_name=first_name(lead.name),
            for_whom=FOR_WHOM_WORDS.get(lead.for_whom, ""),
            best_time=best_times[lead.best_time],
            insurance=results.get(lead.pk),
            waiting=waiting(lead, now),
            target=first_call_target(lead, now),
            assignee=staff_name(lead.assigned_to),
            last_attempt=last_attempt(lead, now),
        )
        for lead in leads
    ]


def first_name(name: str) -> str:
    words = (name or "").split()
    return words[0] if words else ""


def best_time_now(best_time: str, now: dt.datetime, hours: Hours) -> Fact:
    """'Evening (5–8 p.m.): open now', or when it next opens inside call-back hours."""
    window = BEST_TIME_WINDOWS.get(best_time)
    span = BestTime(best_time).label if best_time in BestTime.values else best_time
    if window is None:
        return Fact(span)
    opens, closes = window
    local = now.astimezone(hours.tz)
    if opens <= local.time() < closes and hours.is_open(now):
        return Fact(f"{span}: open now", "good")
    upcoming = call_window(now, best_time, hours)
    if upcoming is None:
        return Fact(f"{span}: outside call-back hours", "warning")
    return Fact(f"{span}: opens {clock(upcoming.opens.time())} {day_word(upcoming.opens, local)}")


def waiting(lead: Lead, now: dt.datetime) -> Fact:
    """How long the person has waited for a first call; once called, since when they asked; once
    closed, what happened and when."""
    if not lead.is_open:
        if lead.status == LeadStatus.MERGED:
            return Fact("Merged into another lead")
        # An admission is dated by the day the person arrived, which the worker records on closing.
        when = lead.admitted_on or timezone.localtime(lead.closed_at or lead.updated_at).date()
        year = "" if when.year == timezone.localdate(now).year else f" {when.year}"
        return Fact(f"{lead.get_status_display()} {when:%-d %b}{year}")
    if lead.first_contacted_at is None:
        return Fact(f"Waiting {_duration(lead.created_at, now)}")
    return Fact(f"Asked {_duration(lead.created_at, now)} ago")


def first_call_target(lead: Lead, now: dt.datetime) -> Fact:
    """The first-call target in words that fit the lead's state."""
    danger_due = lead.danger_call_due() if lead.first_contacted_at and lead.is_open else None
    if danger_due:
        if danger_due < now:
            return Fact(f"Danger reported again: call overdue by {_minutes(now - danger_due)} min", "danger")
        minutes = _minutes(danger_due - now)
        return Fact(f"Danger reported again: call within {minutes} min", "warning")
    if lead.first_contacted_at:
        after = _minutes(lead.first_contacted_at - lead.created_at)
        if lead.sla_due_at is None or lead.first_contacted_at <= lead.sla_due_at:
            return Fact(f"First call {after} min after request: on target", "good")
        late = max(1, _minutes(lead.first_contacted_at - lead.sla_due_at))
        return Fact(f"First call {after} min after request: target missed by {late} min", "warning")
    if not lead.is_open:
        return Fact("Closed without a call")
    if lead.sla_due_at is None:
        return Fact("No first-call target")
    if lead.sla_due_at < now:
        return Fact(f"First call overdue by {_minutes(now - lead.sla_due_at)} min", "danger")
    minutes = _minutes(lead.sla_due_at - now)
    if minutes <= DUE_SOON_MINUTES:
        return Fact(f"First call due in {minutes} min", "warning")
    if minutes <= 60:
        return Fact(f"First call due in {minutes} min")
    due = timezone.localtime(lead.sla_due_at)
    day = "" if due.date() == timezone.localtime(now).date() else f"{due:%a} "
    return Fact(f"First call due by {day}{clock(due.time())}")


def last_attempt(lead: Lead, now: dt.datetime) -> str:
    if not lead.last_attempt_at:
        return "No call yet"
    attempts = f"{lead.attempt_count} attempt{'s' if lead.attempt_count != 1 else ''}"
    return f"{lead.get_last_attempt_outcome_display()} {_duration(lead.last_attempt_at, now)} ago ({attempts})"


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _duration(since: dt.datetime, now: dt.datetime) -> str:
    """'under a minute', '11 minutes', '3 hours', '2 days': the largest unit only. Worked out here,
    not by timesince: a page says it 50 times on every 10-second refresh."""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    for size, unit in DURATION_UNITS:
        if minutes >= size:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return ""
