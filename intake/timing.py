"""When the first call on a request is due, and how to tell the visitor in plain words.

People hide these calls from family and employers: a visitor who chose "evening" is never called
in the morning. The first-call target starts at the opening of the chosen window (kept inside the
centre's call-back hours, in its time zone); "as soon as possible" counts from now, or from the
next opening after hours. Someone who says a person is in danger gets URGENT_RESPONSE_MINUTES at
any hour.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from .hours import Hours, centre_hours, clock_parts, day_word, local_clock

# The windows offered on the forms (intake.models.BestTime), in the centre's time zone.
BEST_TIME_WINDOWS: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(8), dt.time(12)),
    "afternoon": (dt.time(12), dt.time(17)),
    "evening": (dt.time(17), dt.time(20)),
}


@dataclass(frozen=True)
class CallWindow:
    """The stretch of one day in which a visitor's first call may come."""

    best_time: str
    opens: dt.datetime
    closes: dt.datetime


def call_window(start: dt.datetime, best_time: str, hours: Hours | None = None) -> CallWindow | None:
    """The first window, at or after `start`, that is both the visitor's chosen part of the day
    and inside call-back hours, with time left in it for a call within LEAD_SLA_MINUTES (a request
    at 7:55 p.m. for "evening" is tomorrow evening's). None for "as soon as possible", or when
    the two never meet in the coming week (the forms do not offer such a time)."""
    window = BEST_TIME_WINDOWS.get(best_time)
    if window is None:
        return None
    hours = hours or centre_hours()
    local = start.astimezone(hours.tz)
    needed = dt.timedelta(minutes=settings.LEAD_SLA_MINUTES)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        open_hours = hours.window_on(day.weekday())
        if not open_hours:
            continue
        opens = dt.datetime.combine(day, max(window[0], open_hours[0]), tzinfo=hours.tz)
        closes = dt.datetime.combine(day, min(window[1], open_hours[1]), tzinfo=hours.tz)
        if closes - max(opens, local) >= needed:
            return CallWindow(best_time, opens, closes)
    return None


def offered_best_times(hours: Hours | None = None) -> list[str]:
    """ "As soon as possible", and each part of the day in which the centre calls on some day: a
    form never offers a time nobody will call at."""
    hours = hours or centre_hours()
    return ["asap"] + [
        name
        for name, (start, end) in BEST_TIME_WINDOWS.items()
        if any((w := hours.window_on(day)) and max(start, w[0]) < min(end, w[1]) for day in range(7))
    ]


def first_call_target(start: dt.datetime, *, best_time: str = "asap", urgent: bool = False) -> dt.datetime:
    """When the first call attempt on a request made at `start` is due."""
    if urgent:
        return start + dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
    window = call_window(start, best_time)
    if window is not None:
        return max(start, window.opens) + dt.timedelta(minutes=settings.LEAD_SLA_MINUTES)
    chosen = BEST_TIME_WINDOWS.get(best_time)
    if chosen is not None:
        # A time the centre never calls at (hours changed after the form was shown): still never
        # before the part of the day the visitor chose.
        local = start.astimezone(centre_hours().tz)
        opening = dt.datetime.combine(local.date(), chosen[0], tzinfo=local.tzinfo)
        if local.time() >= chosen[1]:
            opening += dt.timedelta(days=1)
        return max(start, opening) + dt.timedelta(minutes=settings.LEAD_SLA_MINUTES)
    return centre_hours().deadline(start, settings.LEAD_SLA_MINUTES)


def _span(opens: dt.datetime, closes: dt.datetime) -> str:
    """'between 5 and 8 p.m.', 'between 9 a.m. and 12 p.m.'"""
    (first, first_suffix), last = clock_parts(opens.time()), local_clock(closes.time())
    if first_suffix != clock_parts(closes.time())[1]:
        first = f"{first} {first_suffix}"
    return gettext("between %(first)s and %(last)s") % {"first": first, "last": last}


_THIS_PART = {
    "morning": lambda: gettext("this morning"),
    "afternoon": lambda: gettext("this afternoon"),
    "evening": lambda: gettext("this evening"),
}
# After a day's name: 'Saturday evening' / 'el sábado por la noche'.
_PART_AFTER_DAY = {
    "morning": lambda: pgettext("after a day's name", "morning"),
    "afternoon": lambda: pgettext("after a day's name", "afternoon"),
    "evening": lambda: pgettext("after a day's name", "evening"),
}


def call_expectation(moment: dt.datetime | None = None, *, best_time: str = "asap", urgent: bool = False) -> str:
    """When the visitor should expect our first call, in words that fit after "will call you"."""
    moment = moment or timezone.now()
    if urgent:
        return gettext("as soon as we can; we aim to call within %(minutes)s minutes, day or night") % {
            "minutes": settings.URGENT_RESPONSE_MINUTES
        }
    hours = centre_hours()
    window = call_window(moment, best_time, hours)
    if window is not None and window.opens > moment:
        local = moment.astimezone(hours.tz)
        # "this evening" read at 1 a.m. could mean the night that is ending: name the day then.
        same_day = window.opens.date() == local.date() and local.hour >= 5
        if same_day:
            when = _THIS_PART[best_time]()
        else:
            when = gettext("%(day)s %(part_of_day)s") % {
                "day": day_word(window.opens, local),
                "part_of_day": _PART_AFTER_DAY[best_time](),
            }
        return f"{when}, {_span(window.opens, window.closes)}"
    if hours.is_open(moment):
        return gettext("within about %(minutes)s minutes") % {"minutes": settings.CALLBACK_RESPONSE_MINUTES}
    opening = hours.next_opening(moment)
    if opening is None:
        return gettext("as soon as our team is back")
    return gettext("soon after we open at %(time)s %(day)s") % {
        "time": local_clock(opening.time()),
        "day": day_word(opening, moment.astimezone(hours.tz)),
    }
