"""When a text may reach a visitor: not in the quiet hours (TEXT_QUIET_HOURS, 9 p.m. to 8 a.m. by
default) of their time zone. Nothing better than the number's area code is known of where a
visitor is, so the zone comes from it (libphonenumber's time-zone data); an area code that spans
several zones must be outside the quiet hours in all of them, and a number that says nothing (a
non-geographic one) is taken to be in the centre's zone."""

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from phonenumbers import timezone as phone_zones

from intake.phones import DEFAULT_REGION

# libphonenumber's answer for a number it cannot place.
UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True)
class QuietHours:
    starts: dt.time
    ends: dt.time

    def covers(self, moment: dt.datetime) -> bool:
        """Whether `moment` (aware, in the visitor's zone) falls in the quiet hours."""
        now = moment.time()
        if self.starts <= self.ends:  # e.g. 01:00-06:00, within one day
            return self.starts <= now < self.ends
        return now >= self.starts or now < self.ends

    def end_after(self, moment: dt.datetime) -> dt.datetime:
        """The first moment at or after `moment` (in its zone) that is outside the quiet hours."""
        if not self.covers(moment):
            return moment
        day = moment.date() if moment.time() < self.ends else moment.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, self.ends, tzinfo=moment.tzinfo)


@cache
def quiet_hours(spec: str | None = None) -> QuietHours:
    """TEXT_QUIET_HOURS ("21:00-08:00") read into times; an unreadable value is refused by `manage.py
    check` (texting.checks), which every deploy runs, not found at 9 p.m."""
    spec = spec or settings.TEXT_QUIET_HOURS
    try:
        starts, ends = (dt.time.fromisoformat(part.strip()) for part in spec.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"TEXT_QUIET_HOURS must look like 21:00-08:00, not {spec!r}.") from None
    if starts == ends:
        raise ImproperlyConfigured("TEXT_QUIET_HOURS starts and ends at the same time.")
    return QuietHours(starts, ends)


def zones_of(phone: str) -> list[ZoneInfo]:
    """The time zones a number's area code covers; the centre's where it names none."""
    try:
        number = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    # A toll-free or other non-geographic number gets every zone of its country (Guam to
    # Newfoundland for +1): outside the quiet hours in all of them is never, so it says nothing.
    names = phone_zones.time_zones_for_number(number) if number and phonenumbers.is_number_geographical(number) else ()
    zones = []
    for name in names:
        if name == UNKNOWN_ZONE:
            continue
        try:
            zones.append(ZoneInfo(name))
        except ZoneInfoNotFoundError:
            continue
    return zones or [ZoneInfo(settings.TIME_ZONE)]


def next_allowed(phone: str, now: dt.datetime) -> dt.datetime:
    """`now` when a text may go to `phone` now, else the end of its quiet hours: the first moment
    outside them in every zone the number may be in."""
    hours = quiet_hours(settings.TEXT_QUIET_HOURS)
    moment = now
    # Each pass moves past one zone's quiet hours; two passes settle a number spanning two zones.
    for _ in range(4):
        later = max(hours.end_after(moment.astimezone(zone)) for zone in zones_of(phone))
        if later <= moment:
            return moment
        moment = later
    return moment


# The zones of US numbers, as a worker says them.
ZONE_WORDS = {
    "America/New_York": "Eastern",
    "America/Detroit": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Arizona",
    "America/Boise": "Mountain",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
    "America/Puerto_Rico": "Atlantic",
}


def visitor_clock(phone: str, moment: dt.datetime) -> str:
    """'10:04 p.m.' for the worker: the time at `moment` in the number's (first) zone."""
    local = moment.astimezone(zones_of(phone)[0])
    hour = local.strftime("%I:%M").lstrip("0")
    return f"{hour} {'a.m.' if local.hour < 12 else 'p.m.'}"


def zone_words(phone: str) -> str:
    """'Pacific time', or the zone's abbreviation where it has no name here ('AKST')."""
    zone = zones_of(phone)[0]
    return f"{ZONE_WORDS.get(zone.key) or dt.datetime.now(zone).tzname()} time"
