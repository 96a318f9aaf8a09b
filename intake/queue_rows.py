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

from .extensions import Fact, queue_marks, queue_results
from .hours import Hours, centre_hours, clock, day_word
from .models import BestTime, ForWhom, Lead, LeadStatus, staff_name
from .timing import BEST_TIME_WINDOWS, call_window

URL_PLACEHOLDER = 987654321
DURATION_UNITS = [(60 * 24 * 7, "week"), (60 * 24, "day"), (60, "hour"), (1, "minute")]
# A first call due within this many minutes is shown as a warning: the worker should start now.
DUE_SOON_MINUTES = 5
FOR_WHOM_WORDS = {ForWhom.SELF: "for themself", ForWhom.LOVED_ONE: "for a loved one"}
# Statuses only a call can lead to: a lead set to one by hand, with no call logged, is not "waiting".
PAST_A_CALL = {LeadStatus.REACHED, LeadStatus.ASSESSMENT_SCHEDULED}


@dataclass(frozen=True)
class QueueRow:
    lead: Lead
    url: str
    first_name: str
    for_whom: str
    best_time: Fact
    insurance: Fact | None
    time: Fact
    # The lead a merged one went into, linked from the time column.
    time_url: str
    target: Fact
    assignee: str
    last_attempt: str
    # "New", "Asked again" or "Danger reported again" when the person asked after the worker's
    # last look at this view (the live refresh's X-Queue-Since); "" otherwise.
    new: str
    # What other apps flag on the lead ("2 unread texts"), beside its name.
    marks: list[Fact]


def queue_rows(leads: list[Lead], now: dt.datetime | None = None, since: dt.datetime | None = None) -> list[QueueRow]:
    """The page's rows; one query for every lead's insurance result, none per row."""
    now = now or timezone.now()
    hours = centre_hours()
    results = queue_results([lead.pk for lead in leads])
    marks = queue_marks([lead.pk for lead in leads])
    # The best-time words depend on the choice and the moment only: worked out once per choice.
    best_times = {choice: best_time_now(choice, now, hours) for choice in {lead.best_time for lead in leads}}
    # reverse() takes about 50 µs, a tenth of the page's time over 25 rows: once, then each id put in.
    url = reverse("staff:lead", args=[URL_PLACEHOLDER])

    def lead_url(pk: int | None) -> str:
        return url.replace(str(URL_PLACEHOLDER), str(pk)) if pk else ""

    return [
        QueueRow(
            lead=lead,
            url=lead_url(lead.pk),
            first_name=first_name(lead.name),
            for_whom=FOR_WHOM_WORDS.get(lead.for_whom, ""),
            best_time=danger_best_time(lead) if danger_waiting(lead) else best_times[lead.best_time],
            insurance=results.get(lead.pk),
            time=time_words(lead, now),
            time_url=lead_url(lead.merged_into_id) if lead.status == LeadStatus.MERGED else "",
            target=first_call_words(lead, now),
            assignee=staff_name(lead.assigned_to),
            last_attempt=last_attempt(lead, now),
            new=asked_since(lead, since),
            marks=marks.get(lead.pk, []),
        )
        for lead in leads
    ]


def first_name(name: str) -> str:
    words = (name or "").split()
    return words[0] if words else ""


def asked_since(lead: Lead, since: dt.datetime | None) -> str:
    """What brought the lead up since the worker's last look: a new request, a repeat, or danger."""
    if since is None or lead.last_requested_at <= since:
        return ""
    if lead.danger_reported_at and lead.danger_reported_at > since and lead.request_count > 1:
        return "Danger reported again"
    return "New" if lead.created_at > since else "Asked again"


def danger_waiting(lead: Lead) -> bool:
    """Danger was reported and nobody has called since: the call is due now, whatever the hour."""
    if not lead.is_open or not lead.urgent:
        return False
    return lead.first_contacted_at is None or lead.danger_call_due() is not None


def danger_best_time(lead: Lead) -> Fact:
    if lead.best_time not in BEST_TIME_WINDOWS:
        return Fact("Danger reported: call now", "danger")
    label = BestTime(lead.best_time).label
    return Fact(f"Asked for {label[0].lower()}{label[1:]}; danger reported: call now", "danger")


def best_time_now(best_time: str, now: dt.datetime, hours: Hours) -> Fact:
    """'Evening (5–8 p.m.): open now', or when it next opens inside call-back hours; for "as soon
    as possible", whether call-back hours are open."""
    window = BEST_TIME_WINDOWS.get(best_time)
    span = BestTime(best_time).label if best_time in BestTime.values else best_time
    local = now.astimezone(hours.tz)
    if window is None:
        if hours.is_open(now):
            return Fact(f"{span}: call-back hours open now", "good")
        opening = hours.next_opening(now)
        if opening is None:
            return Fact(f"{span}: no call-back hours set", "warning")
        return Fact(f"{span}: call-back hours open {clock(opening.time())} {day_word(opening, local)}")
    opens, closes = window
    if opens <= local.time() < closes and hours.is_open(now):
        return Fact(f"{span}: open now", "good")
    upcoming = call_window(now, best_time, hours)
    if upcoming is None:
        return Fact(f"{span}: outside call-back hours", "warning")
    return Fact(f"{span}: opens {clock(upcoming.opens.time())} {day_word(upcoming.opens, local)}")


def time_words(lead: Lead, now: dt.datetime) -> Fact:
    """How long the person has waited for a first call; once called, since when they asked; once
    closed, what happened and when."""
    if not lead.is_open:
        if lead.status == LeadStatus.MERGED:
            # The target's reference from its id: no query per row.
            return Fact(f"Merged into {Lead(pk=lead.merged_into_id).reference}" if lead.merged_into_id else "Merged")
        # An admission is dated by the day the person arrived, which the worker records on closing.
        when = lead.admitted_on or timezone.localtime(lead.closed_at or lead.updated_at).date()
        year = "" if when.year == timezone.localdate(now).year else f" {when.year}"
        return Fact(f"{lead.get_status_display()} {when:%-d %b}{year}")
    again = lead.request_count > 1 and lead.last_requested_at > lead.created_at
    if lead.first_contacted_at is None and lead.status in PAST_A_CALL:
        return Fact(f"Marked {lead.get_status_display().lower()}; no call logged", "warning")
    if lead.first_contacted_at is None:
        repeat = f"; asked again {_duration(lead.last_requested_at, now)} ago" if again else ""
        return Fact(f"Waiting {_duration(lead.created_at, now)}{repeat}")
    if again:
        return Fact(
            f"First asked {_duration(lead.created_at, now)} ago, again {_duration(lead.last_requested_at, now)} ago"
        )
    return Fact(f"Asked {_duration(lead.created_at, now)} ago")


def first_call_words(lead: Lead, now: dt.datetime) -> Fact:
    """The first-call target in words that fit the lead's state."""
    danger_due = lead.danger_call_due() if lead.first_contacted_at and lead.is_open else None
    if danger_due:
        if danger_due < now:
            return Fact(f"Danger reported again: call overdue by {_span(now - danger_due)}", "danger")
        return Fact(f"Danger reported again: call within {_span(danger_due - now)}", "warning")
    if lead.first_contacted_at:
        after = _span(lead.first_contacted_at - lead.created_at)
        if lead.sla_due_at is None or lead.first_contacted_at <= lead.sla_due_at:
            return Fact(f"First call {after} after request: on target", "good")
        late = _span(max(lead.first_contacted_at - lead.sla_due_at, dt.timedelta(minutes=1)))
        return Fact(f"First call {after} after request: target missed by {late}", "warning")
    if not lead.is_open:
        return Fact("Closed without a call")
    if lead.status in PAST_A_CALL:
        return Fact("No call logged: log the call that reached them", "warning")
    if lead.sla_due_at is None:
        return Fact("No first-call target")
    if lead.sla_due_at < now:
        return Fact(f"First call overdue by {_span(now - lead.sla_due_at)}", "danger")
    minutes = _minutes(lead.sla_due_at - now)
    if minutes <= DUE_SOON_MINUTES:
        return Fact(f"First call due in {_span(lead.sla_due_at - now)}", "warning")
    if minutes <= 60:
        return Fact(f"First call due in {_span(lead.sla_due_at - now)}")
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
    return _span(now - since)


def _span(delta: dt.timedelta) -> str:
    """'under a minute', '11 minutes', '1 hour 30 minutes', '3 days': the largest unit, and the next
    one while the largest counts one or two (where it changes the picture). Worked out here, not by
    timesince: a page says it 50 times on every 10-second refresh."""
    minutes = _minutes(delta)
    if minutes < 1:
        return "under a minute"
    for n, (size, unit) in enumerate(DURATION_UNITS):
        if minutes >= size:
            count, rest = divmod(minutes, size)
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            if count <= 2 and n + 1 < len(DURATION_UNITS) and rest >= DURATION_UNITS[n + 1][0]:
                smaller, smaller_unit = DURATION_UNITS[n + 1]
                more = rest // smaller
                words += f" {more} {smaller_unit}{'' if more == 1 else 's'}"
            return words
    return ""
