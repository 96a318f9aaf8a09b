"""The centre's opening hours, and what to promise a visitor about their callback."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WINDOW = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<open>\d{2}:\d{2})-(?P<close>\d{2}:\d{2})$")


@dataclass(frozen=True)
class Hours:
    """Opening windows per weekday (0 = Monday) in the centre's time zone."""

    windows: dict[int, tuple[dt.time, dt.time]]
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str) -> "Hours":
        """Parse "mon-fri 08:00-20:00; sat-sun 09:00-17:00" (days without a window are closed)."""
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

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.tz)
        window = self.windows.get(local.weekday())
        return bool(window) and window[0] <= local.time() < window[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        local = moment.astimezone(self.tz)
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
        """'Mon–Fri 8 a.m.–8 p.m., Sat–Sun 9 a.m.–5 p.m.' for the footer."""
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
            days = DAYS[first].title() if first == last else f"{DAYS[first].title()}–{DAYS[last].title()}"
            parts.append(f"{days} {_clock(opens)}–{_clock(closes)}")
        return ", ".join(parts)


def _clock(value: dt.time) -> str:
    hour = value.hour % 12 or 12
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{hour}:{value.minute:02d} {suffix}" if value.minute else f"{hour} {suffix}"


def centre_hours() -> Hours:
    return Hours.parse(settings.CENTRE_HOURS, settings.CENTRE_TIMEZONE)
