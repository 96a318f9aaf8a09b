"""An admission as an iCalendar event for staff calendars: the reference, programme and facility
only, never the person's name or anything they said."""

import datetime as dt

from django.utils import timezone

from config.absolute import absolute_url


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(moment) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def admission_calendar(admission) -> str:
    programme = admission.programme
    lead = admission.lead
    summary = f"Admission {lead.reference} — {programme.title}, {programme.facility}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Lantern//Admissions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{admission.uid}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(admission.admit_at)}",
        "DURATION:PT1H",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape('Staff page: ' + absolute_url(lead.get_absolute_url()))}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
