"""Beds' share of a lead: the admission panel on the lead page, timeline lines, retention, merges,
alerts that can no longer help, and what happens to a hold or a waitlist place when the lead is
closed or reopened some other way."""

from django.db import transaction
from django.dispatch import receiver

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.models import CLOSED_STATUSES, LeadStatus, Notification, lead_status_changed
from intake.retention import blank
from verification.reverification import admission_insurance

from .models import Admission, VisitorReminder, WaitlistEntry


def accepted_programme_id(lead) -> int | None:
    """The programme a clinician accepted the lead for (the contract: the latest STATUS event to accepted)."""
    from intake.models import EventKind

    event = (
        lead.events.filter(kind=EventKind.STATUS, details__to=LeadStatus.ACCEPTED, details__has_key="programme")
        .order_by("-at", "-pk")
        .first()
    )
    return event.details.get("programme") if event else None


# Why a lead closed another way takes it off the waitlist.
_LEAVE_FOR = {
    LeadStatus.ADMITTED: WaitlistEntry.LeaveReason.ADMITTED_ELSEWHERE,
    LeadStatus.REFERRED: WaitlistEntry.LeaveReason.REFERRED_OUT,
    LeadStatus.UNREACHABLE: WaitlistEntry.LeaveReason.UNREACHABLE,
}


@receiver(lead_status_changed, dispatch_uid="admissions.beds.status")
def follow_lead_status(sender, *, lead, previous, status, by, **kwargs) -> None:
    """A lead closed as admitted through any form: its hold becomes an occupant. Closed another way
    (referred, not a fit, merged), reopened, or moved off the admission path: the hold is released
    and the waitlist left, with that reason, and the bed goes to the next in line."""
    label = LeadStatus(status).label.lower() if status in LeadStatus.values else status
    with transaction.atomic():
        if status == LeadStatus.ADMITTED:
            for admission in Admission.objects.filter(lead=lead, state=Admission.State.HELD):
                admission.mark_occupied(by)
        elif status != LeadStatus.ADMISSION_SCHEDULED:
            reason = "The lead was reopened" if previous in CLOSED_STATUSES else f"The lead became {label}"
            for admission in Admission.objects.filter(lead=lead, state=Admission.State.HELD):
                admission.release(reason=reason, by=by, advance=False)
        if status not in (LeadStatus.WAITLISTED, LeadStatus.ADMISSION_SCHEDULED):
            why = _LEAVE_FOR.get(status, WaitlistEntry.LeaveReason.OTHER)
            for entry in WaitlistEntry.objects.filter(lead=lead).waiting():
                entry.leave(why, by=by, note=f"The lead became {label}.")


class BedsPart(LeadPart):
    name = "beds"
    relations = ("admissions", "waitlist_entries")
    records_noun = "admission records"
    page_template = "admissions/_admission_panel.html"

    def page_context(self, lead) -> dict:
        admission = Admission.objects.open_for(lead).select_related("programme__facility").first()
        entries = list(WaitlistEntry.objects.filter(lead=lead).waiting().select_related("programme__facility"))
        return {
            "lead": lead,
            "admission": admission,
            # Re-checking the insurance before the day, and what the last re-check found.
            "insurance": admission_insurance(lead, admission) if admission and admission.is_held else None,
            "waitlist": [{"entry": entry, "place": entry.place_words()} for entry in entries],
            "may_schedule": lead.status in (LeadStatus.ACCEPTED, LeadStatus.WAITLISTED) and admission is None,
            "leave_reasons": WaitlistEntry.LeaveReason.choices,
        }

    def merge_refusal(self, source, target) -> str:
        """A bed or a place in line follows its lead's status, which a merge does not move: a
        merge would leave a hold on an unscheduled lead, or two places in one line. The worker
        settles it first."""
        for lead in (source, target):
            admission = Admission.objects.open_for(lead).select_related("programme__facility").first()
            if admission is not None:
                place = f"{admission.programme.unit} at {admission.programme.title}, {admission.programme.facility}"
                if admission.is_held:
                    return f"{lead.reference} has a {place} held: release the hold first, then merge."
                return f"{lead.reference} occupies a {place}: record the discharge first, then merge."
            entry = WaitlistEntry.objects.filter(lead=lead).waiting().select_related("programme__facility").first()
            if entry is not None:
                return (
                    f"{lead.reference} is on the waitlist for {entry.programme.title}, {entry.programme.facility}: "
                    "leave the waitlist first, then merge."
                )
        return ""

    def count_expired(self, leads) -> tuple[int, int]:
        return Admission.objects.filter(lead__in=leads).count() + WaitlistEntry.objects.filter(
            lead__in=leads
        ).count(), 0

    def anonymise(self, lead) -> Anonymised:
        admissions = blank(Admission.objects.filter(lead=lead))
        entries = blank(WaitlistEntry.objects.filter(lead=lead))
        return Anonymised(records=admissions + entries, details={"admissions": admissions, "waitlist_entries": entries})

    def timeline(self, lead) -> list[TimelineEntry]:
        entries = []
        for a in Admission.objects.filter(lead=lead).select_related("programme__facility", "created_by", "ended_by"):
            place = f"{a.programme.title}, {a.programme.facility}"
            entries.append(TimelineEntry("part", a.created_at, f"Bed held at {place}", a.created_by, a.note, a))
            if a.released_at:
                what = f"Hold released: {a.release_reason}"
                entries.append(TimelineEntry("part", a.released_at, what, a.ended_by, a.release_note, a))
            if a.arrived_at:
                entries.append(TimelineEntry("part", a.arrived_at, f"Arrived at {place}", None, "", a))
            for r in a.reminders.filter(status=VisitorReminder.Status.SENT):
                what = f"Admission reminder sent to the person by {r.get_channel_display().lower()}"
                entries.append(TimelineEntry("part", r.finished_at, what, None, "", r))
        for w in WaitlistEntry.objects.filter(lead=lead).select_related("programme__facility", "joined_by", "left_by"):
            place = f"{w.programme.title}, {w.programme.facility}"
            entries.append(TimelineEntry("part", w.joined_at, f"Joined the waitlist for {place}", w.joined_by, "", w))
            if w.offered_at:
                entries.append(TimelineEntry("part", w.offered_at, f"Offered a bed at {place}", None, "", w))
            if w.last_check_in_at:
                entries.append(TimelineEntry("part", w.last_check_in_at, "Waitlist check-in", None, w.check_in_note, w))
            if w.left_at:
                what = f"Left the waitlist: {w.get_leave_reason_display().lower()}"
                entries.append(TimelineEntry("part", w.left_at, what, w.left_by, w.leave_note, w))
        return entries

    def alert_no_longer_needed(self, notification) -> str:
        kind = notification.kind
        lead = notification.lead
        # HOLD_RELEASED (the hold expired and was given back) stays worth sending: the worker
        # should still call the person.
        held = Admission.objects.filter(lead=lead, state=Admission.State.HELD)
        if kind in (Notification.Kind.HOLD_EXPIRING, Notification.Kind.ADMISSION_REMINDER) and not held.exists():
            return "Closed unsent: the hold was already released or used."
        if kind == Notification.Kind.BED_OFFERED and not WaitlistEntry.objects.filter(lead=lead).offered().exists():
            return "Closed unsent: the offer was taken or passed on."
        waiting = WaitlistEntry.objects.filter(lead=lead).waiting()
        if kind == Notification.Kind.WAITLIST_CHECK_IN and not waiting.exists():
            return "Closed unsent: the person has left the waitlist."
        return ""
