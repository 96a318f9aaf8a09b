"""What staff did to a lead, one row per change, written in the transaction that made the change.

The lead's requests, calls, notes, merges and alerts are records of their own; everything else a
worker does (claiming, handing over, moving the status, closing with the outcome's facts,
reopening, follow-ups, what the person said about texts and voicemail) leaves a LeadEvent. Rows
are only ever added: the timeline (intake.models.timeline) is what happened, not what someone
later wished had. `details` names statuses, codes, dates and staff ids, never PHI; the only free
text an event keeps (a reopening's reason, a referral's destination, a programme, a note) is
encrypted in `text`, and retention blanks it like any other.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from ..crypto import EncryptedTextField
from .choices import Language, LeadStatus, LevelOfCare, NotAFitReason
from .staff import staff_name


class EventKind(models.TextChoices):
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released"
    ASSIGNED = "assigned", "Assigned"
    STATUS = "status", "Status changed"
    CLOSED = "closed", "Closed with an outcome"
    REOPENED = "reopened", "Reopened"
    FOLLOW_UP_SET = "follow_up_set", "Follow-up scheduled"
    FOLLOW_UP_CLEARED = "follow_up_cleared", "Follow-up cleared"
    CONTACT_PREFERENCES = "contact_preferences", "Contact preferences recorded"
    # Details name the facilities and sources (organisations, not people): no PHI.
    FACILITY = "facility", "Facility changed"
    REFERRAL_SOURCE = "referral_source", "Referral source set"
    # The person's number replied STOP or START (texting.keywords): consent events with their time.
    TEXTS_STOPPED = "texts_stopped", "Texts stopped by the person"
    TEXTS_RESUMED = "texts_resumed", "Texts resumed by the person"
    # Staff corrected the person's language (said on a call): who calls them, what Lantern sends.
    LANGUAGE = "language", "Language changed"


class EventChanged(Exception):
    """An attempt to change or delete a recorded event."""


class LeadEventQuerySet(models.QuerySet):
    def record(self, lead, kind: str, *, by: User | None, at: dt.datetime | None = None, text: str = "", **details):
        """Add one event. Called inside the transaction of the change it describes."""
        return self.create(lead=lead, kind=kind, actor=by, at=at or timezone.now(), text=text, details=details)


class LeadEvent(models.Model):
    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    text = EncryptedTextField(max_length=2000, blank=True)

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["lead", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on lead #{self.lead_id}"

    def save(self, *args, **kwargs):
        # Retention blanks `text` with a queryset update, which does not come through here.
        if not self._state.adding:
            raise EventChanged(f"Lead event {self.pk} cannot be changed: add a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventChanged(f"Lead event {self.pk} cannot be deleted.")

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    # --- In words, for the timeline and the lead page (`people`: staff ids to users) ---------------

    def describe(self, people: dict[int, User] | None = None) -> str:
        """One line saying what happened, without who and when (the timeline adds those)."""
        people = people or {}
        d = self.details
        if self.kind == EventKind.CLAIMED:
            return "Claimed by logging the first call" if d.get("by_call") else "Claimed"
        if self.kind == EventKind.RELEASED:
            return f"Released back to the queue{_from(people, d.get('previous_owner'))}"
        if self.kind == EventKind.ASSIGNED:
            to = people.get(d.get("owner"))
            if to:
                what = f"Assigned to {staff_name(to)}"
            elif d.get("owner") or d.get("owner_unknown"):  # their account is gone, or was renamed
                what = "Assigned (to someone no longer on the roster)"
            else:
                what = "Unassigned"
            return what + _from(people, d.get("previous_owner"))
        if self.kind == EventKind.STATUS:
            after = " after the call" if d.get("after_call") else ""
            return f"Status: {_status(d.get('from'))} → {_status(d.get('to'))}{after}"
        if self.kind == EventKind.CLOSED:
            return self.outcome_sentence()
        if self.kind == EventKind.REOPENED:
            return f"Reopened (it was {_status(d.get('from')).lower()})"
        if self.kind == EventKind.FOLLOW_UP_SET:
            return f"Follow-up scheduled for {moment(parse_datetime(d['follow_up_at']))}"
        if self.kind == EventKind.FOLLOW_UP_CLEARED:
            return "Follow-up cleared"
        if self.kind == EventKind.CONTACT_PREFERENCES:
            texts = "allowed" if d.get("ok_to_text") else "not allowed"
            voicemail = "allowed" if d.get("ok_to_voicemail") else "not allowed"
            return f"The person said on a call: texts {texts}, voicemail {voicemail}"
        if self.kind == EventKind.FACILITY:
            return f"Facility: {d.get('from') or 'none'} → {d.get('to') or 'none'}"
        if self.kind == EventKind.REFERRAL_SOURCE:
            return f"Referral source: {d.get('from') or 'none / self'} → {d.get('to') or 'none / self'}"
        if self.kind == EventKind.LANGUAGE:
            return f"Language: {_language(d.get('from'))} → {_language(d.get('to'))} (the person's preference)"
        if self.kind == EventKind.TEXTS_STOPPED:
            how = f"replied {d['word']}" if d.get("word") else "opted out with the provider"
            return f"The person's number {how}: no more texts to it until it replies START"
        if self.kind == EventKind.TEXTS_RESUMED:
            return f"The person's number replied {d.get('word') or 'START'}: texts allowed again as before the STOP"
        return self.get_kind_display()

    def outcome_sentence(self) -> str:
        """The outcome in words: "Admitted to Residential on 3 Dec 2026", "Referred elsewhere: to
        Harbor House", "Not a fit: declined treatment", "Unreachable after 3 attempts"."""
        d = self.details
        status = d.get("to")
        if d.get("backfilled"):
            return f"Closed as {_status(status).lower()}"  # read back from the audit log: no facts
        if status == LeadStatus.ADMITTED:
            admitted_on = parse_date(d["admitted_on"])
            level = LevelOfCare(d["level_of_care"]).label
            programme = f" ({self.text})" if self.text else ""
            return f"Admitted to {level}{programme} on {day(admitted_on)}"
        if status == LeadStatus.REFERRED:
            return f"Referred elsewhere: to {self.text}"
        if status == LeadStatus.NOT_A_FIT:
            return f"Not a fit: {NotAFitReason(d['reason']).label.lower()}"
        if status == LeadStatus.UNREACHABLE:
            attempts = d.get("attempts", 0)
            return f"Unreachable after {attempts} attempt{'s' if attempts != 1 else ''}"
        return f"Closed as {_status(status).lower()}"

    def recorded_by(self) -> str:
        """The line under an outcome: "recorded by Avery Lee, Dec. 3, 2026, 2:02 p.m.": always with
        its day, since the admission's own date stands beside it."""
        return f"recorded by {staff_name(self.actor) or 'a former staff member'}, {moment(self.at)}"

    @property
    def note(self) -> str:
        """The free text shown under the line: a not-a-fit note or a reopening's reason (a
        programme or a referral's destination is part of the line itself)."""
        if self.kind == EventKind.REOPENED or (
            self.kind == EventKind.CLOSED and self.details.get("to") in (LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE)
        ):
            return self.text
        return ""

    def staff_ids(self) -> set[int]:
        return {self.details[key] for key in ("owner", "previous_owner") if self.details.get(key)}


def moment(value: dt.datetime) -> str:
    """A date and time as the staff pages write them ("Dec. 3, 2026, 2 p.m."), in the centre's time."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def day(value: dt.date) -> str:
    """A date as the staff pages write them ("Dec. 3, 2026")."""
    return date_format(value, "DATE_FORMAT")


def _status(value: str | None) -> str:
    return LeadStatus(value).label if value in LeadStatus.values else "unknown"


def _language(value: str | None) -> str:
    return Language(value).label if value in Language.values else "unknown"


def _from(people: dict, owner_id: int | None) -> str:
    owner = people.get(owner_id)
    return f" (was {staff_name(owner)})" if owner else ""
