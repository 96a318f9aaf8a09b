"""Shared by the staff-side texting tests: Jordan's lead, a text of theirs, and quiet hours set
around the real clock (the clock is not mocked: the hours move instead)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from intake.models import Lead
from texting.models import IncomingText

JORDAN_PHONE = "+14155552671"  # a San Francisco number: Pacific time
PACIFIC = ZoneInfo("America/Los_Angeles")


def texting_lead(**fields) -> Lead:
    values = {"name": "Jordan Whitlock", "phone": JORDAN_PHONE, "ok_to_text": True, **fields}
    return Lead.objects.create(**values)


def their_text(lead: Lead, body: str, *, n: int = 1, **fields) -> IncomingText:
    return IncomingText.objects.create(
        lead=lead, provider_id=f"SM{lead.pk:06d}{n:04d}", phone=lead.phone, body=body, **fields
    )


def _hhmm(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M")


def quiet_hours_now(settings) -> None:
    """Quiet hours that have just started for a Pacific number (as a text written at 10 p.m.)."""
    now = timezone.now().astimezone(PACIFIC)
    settings.TEXT_QUIET_HOURS = f"{_hhmm(now - dt.timedelta(hours=1))}-{_hhmm(now + dt.timedelta(hours=3))}"


def daytime_now(settings) -> None:
    """Quiet hours that are well away from now, for a Pacific number."""
    now = timezone.now().astimezone(PACIFIC)
    settings.TEXT_QUIET_HOURS = f"{_hhmm(now + dt.timedelta(hours=6))}-{_hhmm(now + dt.timedelta(hours=14))}"
