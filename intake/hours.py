"""Opening hours: when the team calls back (CENTRE_HOURS) and when the phone is answered
(CENTRE_PHONE_HOURS), and how to say a day and a time of them in plain words."""

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy

ALWAYS = "24/7"
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# How the footer names a day of its opening hours ("Mon" in English, "lunes" in Spanish).
DAY_NAMES = [
    pgettext_lazy("opening hours", "Mon"),
    pgettext_lazy("opening hours", "Tue"),
    pgettext_lazy("opening hours", "Wed"),
    pgettext_lazy("opening hours", "Thu"),
    pgettext_lazy("opening hours", "Fri"),
    pgettext_lazy("opening hours", "Sat"),
    pgettext_lazy("opening hours", "Sun"),
]
_WINDOW = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<open>\d{2}:\d{2})-(?P<close>\d{2}:\d{2})$")


@dataclass(frozen=True)
class Hours:
    """Opening windows per weekday (0 = Monday) in the centre's time zone."""

    windows: dict[int, tuple[dt.time, dt.time]]
    tz: ZoneInfo
    # "24/7": a line that is always answered has no windows to list and never opens.
    always: bool = False

    @classmethod
    def parse(cls, spec: str, tz: str) -> "Hours":
        """Parse "mon-fri 08:00-20:00; sat-sun 09:00-17:00" (days without a window are closed),
        or "24/7"."""
        if spec.strip() == ALWAYS:
            return cls({}, ZoneInfo(tz), always=True)
        windows: dict[int, tuple[dt.time, dt.time]] = {}
        for part in filter(None, (p.strip().lower() for p in spec.split(";"))):
            match = _WINDOW.match(part)
            if not match:
                raise ValueError(f"Cannot read opening hours {part!r}; expected e.g. 'mon-fri 08:00-20:00'.")
            first, _, last = match["days"].partition("-")
            start, end = DAYS.index(first), DAYS.index(last or first)
            for day in range(start, end + 1):
                windows[day] = (dt.time.fromisoformat(match["open"]), dt.time.fromisoformat(match["close"]))
        return cls(windows, ZoneInfo(tz))

    def window_on(self, weekday: int) -> tuple[dt.time, dt.time] | None:
        """The open window on a weekday (0 = Monday), the whole day for "24/7"; None if closed."""
        return (dt.time.min, dt.time.max) if self.always else self.windows.get(weekday)

    def is_open(self, moment: dt.datetime) -> bool:
        if self.always:
            return True
        local = moment.astimezone(self.tz)
        window = self.windows.get(local.weekday())
        return bool(window) and window[0] <= local.time() < window[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        local = moment.astimezone(self.tz)
        if self.always:
            return local  # already open, and open from this very moment
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            window = self.windows.get(day.weekday())
            if not window:
                continue
            opening = dt.datetime.combine(day, window[0], tzinfo=self.tz)
            if opening > local:
                return opening
        return None

    def deadline(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """`minutes` after `start`, or after the next opening when `start` is out of hours."""
        if not self.is_open(start):
            start = self.next_opening(start) or start
        return start + dt.timedelta(minutes=minutes)

    def summary(self) -> str:
        """'Mon–Fri 8 a.m.–8 p.m., Sat–Sun 9 a.m.–5 p.m.' for the footer, in the active language
        ('de lunes a viernes, de 8:00 a. m. a 8:00 p. m.; ...' on a Spanish page)."""
        if self.always:
            return gettext("24 hours a day, 7 days a week")
        groups: list[tuple[int, int, tuple[dt.time, dt.time]]] = []
        for day in range(7):
            window = self.windows.get(day)
            if window is None:
                continue
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == window:
                groups[-1] = (groups[-1][0], day, window)
            else:
                groups.append((day, day, window))
        parts = []
        for first, last, (opens, closes) in groups:
            names = {"first": DAY_NAMES[first], "last": DAY_NAMES[last]}
            if first == last:
                days = str(DAY_NAMES[first])
            elif (last - first) % 7 == 1:
                # Two days side by side: a range in English ("Sat–Sun"), a pair in Spanish ("sábado y domingo").
                days = pgettext("two opening days", "%(first)s–%(last)s") % names
            else:
                days = pgettext("opening days", "%(first)s–%(last)s") % names
            parts.append(
                pgettext("opening hours", "%(days)s %(opens)s–%(closes)s")
                % {"days": days, "opens": local_clock(opens), "closes": local_clock(closes)}
            )
        return pgettext("between opening hours", ", ").join(parts)


def clock(value: dt.time) -> str:
    hour = value.hour % 12 or 12
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{hour}:{value.minute:02d} {suffix}" if value.minute else f"{hour} {suffix}"


def clock_parts(value: dt.time) -> tuple[str, str]:
    """('5', 'p.m.'), ('5:30', 'p.m.'); in Spanish ('5:00', 'p. m.'): Spanish writes the minutes
    always, and the suffix comes from the catalogue (the same one Django's |time filter uses)."""
    hour = value.hour % 12 or 12
    suffix = gettext("a.m.") if value.hour < 12 else gettext("p.m.")
    english = get_language() in (None, settings.LANGUAGE_CODE)
    return (f"{hour}:{value.minute:02d}" if value.minute or not english else str(hour)), suffix


def local_clock(value: dt.time) -> str:
    """A time as the page's language says it: '8 a.m.' in English (as clock()), '8:00 a. m.' in
    Spanish. The staff side is English and keeps clock()."""
    return " ".join(clock_parts(value))


def centre_hours() -> Hours:
    return Hours.parse(settings.CENTRE_HOURS, settings.CENTRE_TIMEZONE)


# --- The phone line ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _parse_cached(spec: str, tz: str) -> Hours:
    # Every public page asks whether the phone is answered: parse each spelling of the setting
    # once per process (a changed setting, as in tests, is a new key).
    return Hours.parse(spec, tz)


def phone_hours() -> Hours:
    """When a person answers the centre's phone (CENTRE_PHONE_HOURS; by default CENTRE_HOURS)."""
    return _parse_cached(settings.CENTRE_PHONE_HOURS, settings.CENTRE_TIMEZONE)


@dataclass(frozen=True)
class PhoneLineStatus:
    """Whether a person answers the phone now and, when not, when one will."""

    answered: bool
    always: bool  # answered at every hour ("24/7")
    # "at 8 a.m. tomorrow", "at 9 a.m. Saturday" ("mañana a las 8:00 a. m." on a Spanish page): what
    # follows "opens" in a sentence; empty while answered or with no opening set.
    opens: str
    hours: str  # "Mon–Fri 8 a.m.–8 p.m., ..." or "24 hours a day, 7 days a week"


def phone_line_status(moment: dt.datetime | None = None) -> PhoneLineStatus:
    """The phone line's state at `moment` (now by default), in the words a page shows."""
    hours = phone_hours()
    moment = moment or timezone.now()
    if hours.is_open(moment):
        return PhoneLineStatus(True, hours.always, opens="", hours=hours.summary())
    opening = hours.next_opening(moment)
    opens = opening_words(opening, moment.astimezone(hours.tz)) if opening else ""
    return PhoneLineStatus(False, False, opens=opens, hours=hours.summary())


def day_word(opening: dt.datetime, local: dt.datetime) -> str:
    """'today', 'tomorrow', 'Saturday', or 'next Monday' for a week from today, in the active
    language: 'hoy', 'mañana', 'el sábado', 'el próximo lunes'."""
    days = (opening.date() - local.date()).days
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    name = str(WEEKDAYS[opening.weekday()])
    if days >= 7:
        return pgettext("a day of the week after this one", "next %(weekday)s") % {"weekday": name}
    return pgettext("a day of the week", "%(weekday)s") % {"weekday": name}


def opening_words(opening: dt.datetime, local: dt.datetime) -> str:
    """When a closed line or window opens, in the active language: 'at 8 a.m. tomorrow' /
    'mañana a las 8:00 a. m.'. Whole phrases, because Spanish puts the day first."""
    values = {"time": local_clock(opening.time()), "weekday": WEEKDAYS[opening.weekday()]}
    days = (opening.date() - local.date()).days
    if days == 0:
        return gettext("at %(time)s today") % values
    if days == 1:
        return gettext("at %(time)s tomorrow") % values
    if days >= 7:
        return gettext("at %(time)s next %(weekday)s") % values
    return gettext("at %(time)s %(weekday)s") % values
