"""A lead's timeline: everything that happened to it, newest first, each with who and when.

Assembled here and nowhere else, from the records each thing leaves where it happens: the
requests people sent, the calls and notes staff made, the lead's events (intake.models.events),
its merges, the alerts Lantern sent about it, and what other apps keep on it (their lead parts,
intake.extensions: verification's insurance checks). A lead from before events were recorded
still shows its requests, calls, notes, merges and alerts.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from ..extensions import TimelineEntry, part_timeline
from .events import EventKind, LeadEvent
from .notification import Notification
from .staff import staff_name

__all__ = ["Timeline", "TimelineEntry", "fold_older_alerts", "timeline_of"]

# Alerts kept in the timeline itself; older ones fold away (a night of escalations and reminders
# would otherwise bury the calls and notes).
ALERTS_SHOWN = 5

ALERT_NAMES = {
    Notification.Kind.NEW_LEAD: "New-request alert",
    Notification.Kind.REPEAT_REQUEST: "Repeat-request alert",
    Notification.Kind.ESCALATION: "Alert that nobody called in time",
    Notification.Kind.FOLLOW_UP_DUE: "Follow-up reminder",
    Notification.Kind.INSURANCE_CHANGED: "Alert that the insurance changed",
    Notification.Kind.INSURANCE_RECHECKED: "Alert that the insurance changed",
}
ALERT_OUTCOMES = {
    Notification.Status.PENDING: "waiting to be sent",
    Notification.Status.SENDING: "being sent",
    Notification.Status.SENT: "delivered",
    Notification.Status.FAILED: "failed",
    Notification.Status.CLOSED: "not sent: no longer needed",
}


@dataclass
class Timeline:
    entries: list[TimelineEntry] = field(default_factory=list)

    def add(self, kind: str, at: dt.datetime, what: str, *, actor: User | None = None, text: str = "", item=None):
        self.entries.append(TimelineEntry(kind=kind, at=at, what=what, actor=actor, text=text, item=item))

    def newest_first(self) -> list[TimelineEntry]:
        # Two things at one moment (a call and the status it moved) show in the reverse of the
        # order they were added in: what followed from the call above the call.
        order = sorted(enumerate(self.entries), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
        return [entry for _, entry in order]


def timeline_of(lead) -> list[TimelineEntry]:
    """Everything that happened to `lead`, newest first. Free text (notes, reasons) is PHI: the
    caller renders it only on an audited staff page."""
    timeline = Timeline()
    for request in lead.requests.all():
        label = "Insurance check request" if request.kind == "verification" else "Callback request"
        timeline.add("request", request.created_at, f"{label} {request.reference}", item=request)
    for attempt in lead.attempts.select_related("staff"):
        what = attempt.get_outcome_display()
        timeline.add("attempt", attempt.created_at, what, actor=attempt.staff, text=attempt.note)
    for note in lead.notes.select_related("author"):
        timeline.add("note", note.created_at, "Note", actor=note.author, text=note.body)
    merges = lead.merge_history()
    _add_events(timeline, lead, merges)
    _add_merges(timeline, merges)
    _add_alerts(timeline, lead)
    timeline.entries += part_timeline(lead)
    return timeline.newest_first()


def _add_events(timeline: Timeline, lead, merges) -> None:
    """The lead's own events, and those of the leads merged into it (their calls and notes moved
    here with the merge; what was done on them stays theirs, and is shown as theirs)."""
    merged_in = {m.source_id: m.source for m in merges if m.target_id == lead.pk and not m.undone_at}
    events = list(LeadEvent.objects.filter(lead_id__in=[lead.pk, *merged_in]).select_related("actor"))
    people = User.objects.in_bulk({pk for event in events for pk in event.staff_ids()})
    for event in events:
        kind = "outcome" if event.kind == EventKind.CLOSED else "event"
        if event.kind in (EventKind.TEXTS_STOPPED, EventKind.TEXTS_RESUMED):
            kind = "person"  # the person's own reply did it: no staff member, nor a former one
        what = event.describe(people)
        if event.lead_id != lead.pk:
            what = f"On {merged_in[event.lead_id].reference}: {what[0].lower()}{what[1:]}"
        timeline.add(kind, event.at, what, actor=event.actor, text=event.note, item=event)


def _add_merges(timeline: Timeline, merges) -> None:
    for merge in merges:
        joined = f"{merge.source.reference} merged into {merge.target.reference}"
        timeline.add("merge", merge.merged_at, joined, actor=merge.merged_by, text=merge.reason)
        if merge.undone_at:
            undone = f"Merge of {merge.source.reference} into {merge.target.reference} undone"
            timeline.add("merge", merge.undone_at, undone, actor=merge.undone_by, text=merge.undo_reason)


def _add_alerts(timeline: Timeline, lead) -> None:
    """Each alert row: what, to whom, on which channel, and how it went. No PHI is in an alert."""
    for alert in lead.notifications.select_related("recipient").order_by("created_at"):
        name = ALERT_NAMES.get(alert.kind, "Alert")
        if alert.channel == Notification.Channel.WEBHOOK:
            sent = f"{name} posted to the team chat"
        else:
            how = "texted" if alert.channel == Notification.Channel.SMS else "emailed"
            sent = f"{name} {how} to {staff_name(alert.recipient)}"
        outcome = ALERT_OUTCOMES.get(alert.status, alert.get_status_display().lower())
        if alert.attempts > 1:
            done = alert.status in (Notification.Status.SENT, Notification.Status.FAILED)
            outcome += f"{'' if done else ','} after {alert.attempts} tries"
        timeline.add("alert", alert.finished_at or alert.created_at, f"{sent}: {outcome}", item=alert)


def fold_older_alerts(entries: list[TimelineEntry], shown: int = ALERTS_SHOWN):
    """(the timeline with only its latest `shown` alerts, the older alerts), both newest first."""
    alerts = [entry for entry in entries if entry.kind == "alert"][shown:]
    folded = {id(entry) for entry in alerts}
    return [entry for entry in entries if id(entry) not in folded], alerts
