"""The metrics page's charts, laid out on the server as horizontal SVG bars (templates/staff/
_chart_bars.html): each bar carries its value in words, each chart a labelled scale with its unit,
and a second series is hatched as well as named, so no chart needs colour to be read.

Horizontal bars keep their labels and values legible on a phone: the drawing scales with the
screen's width, and text set along one line never has to squeeze between narrow columns.
"""

import math
from dataclasses import dataclass

from .metrics import HOURS_FROM_MINUTES, minutes_text
from .metrics_figures import IN_HOURS, LeadMetrics, OutcomeBreakdown, SpeedSplit

# Geometry in SVG user units; the drawing scales to its container's width (capped in CSS).
WIDTH = 360
LABEL_COLUMN = 92  # labels beside the bars (short ones: days, weeks)
# Right of the longest bar, room for its value: 7 units a character of 12-unit text (digits and
# lower case are narrower), and never less than a short value needs.
CHARACTER = 7
LEAST_VALUE_ROOM = 40
BAR = 12
BAR_GAP = 4
LABEL_LINE = 16  # a label above its bars (long ones: sources, pages)
GROUP_GAP = 6
TEXT_DROP = 10  # baseline of 12-unit text set against a bar
LONGEST_LABEL = 48  # characters, bold; the table beside the chart has the whole name


@dataclass(frozen=True)
class Bar:
    value: float | None  # None: nothing to measure (no calls yet): a value in words, no bar
    text: str


def _num(value: float) -> str:
    # Pre-formatted so template localisation can never turn SVG coordinates into "1,5".
    return f"{value:.2f}"


def nice_ticks(peak: float, *, steps: int = 4) -> list[float]:
    """Round scale marks from 0 to at least `peak`: steps of 1, 2 or 5 times a power of ten."""
    if peak <= 0:
        return [0, 1]
    raw = peak / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if step < 1 and peak >= 1:
        step = 1
    return [round(i * step, 6) for i in range(math.ceil(peak / step - 1e-9) + 1)]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def _clip(label: str) -> str:
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"


def bar_chart(
    chart_id: str,
    *,
    title: str,
    summary: str,
    axis_title: str,
    rows: list[tuple[str, list[Bar]]],
    ticks: list[float] | None = None,
    legend: list[tuple[str, str]] | None = None,
    beside: bool = False,
) -> dict:
    """Lay out `rows` (a label and its bars; the n-th bar of every row is series n, drawn solid
    then hatched). `legend` names the series as (series class, words)."""
    if ticks is None:
        ticks = nice_ticks(max((b.value for _, bars in rows for b in bars if b.value is not None), default=0))
    scale = ticks[-1] or 1
    left = LABEL_COLUMN if beside else 0
    longest_value = max((len(bar.text) for _, bars in rows for bar in bars), default=0)
    plot_width = WIDTH - left - max(longest_value * CHARACTER + 4, LEAST_VALUE_ROOM)
    y = 4
    texts, rects = [], []
    for label, bars in rows:
        if not beside:
            texts.append({"class": "chart-label", "x": _num(left), "y": _num(y + TEXT_DROP + 2), "text": _clip(label)})
            y += LABEL_LINE
        for index, bar in enumerate(bars):
            series = "chart-bar" if index == 0 else "chart-bar-hatched"
            length = 0.0
            if bar.value is not None:
                length = max(bar.value / scale * plot_width, 1.5)
                zero = " chart-bar-zero" if not bar.value else ""
                rects.append(
                    {"class": series + zero, "x": _num(left), "y": _num(y), "width": _num(length), "height": BAR}
                )
            texts.append(
                {"class": "chart-value", "x": _num(left + length + 4), "y": _num(y + TEXT_DROP), "text": bar.text}
            )
            if beside and index == 0:
                texts.append(
                    {"class": "chart-label", "x": _num(left - 6), "y": _num(y + TEXT_DROP), "text": label, "end": True}
                )
            y += BAR + BAR_GAP
        y += 0 if beside else GROUP_GAP
    bottom = y + 2
    return {
        "id": chart_id,
        "title": title,
        "summary": summary,
        "width": WIDTH,
        "height": bottom + 38,
        "left": left,
        "right": left + plot_width,
        "bottom": bottom,
        "texts": texts,
        "rects": rects,
        # The legend's swatch needs the hatching even when no row has a second bar (no calls yet).
        "hatched": any(len(bars) > 1 for _, bars in rows) or any("hatched" in cls for cls, _ in legend or []),
        "legend": legend or [],
        "ticks": [
            {
                "x": _num(left + tick / scale * plot_width),
                "text": _tick_text(tick),
                "anchor": "start" if tick == 0 and not left else "middle",
            }
            for tick in ticks
        ],
        "tick_y": bottom + 14,
        "axis_title": axis_title,
        "axis_title_x": _num(left + plot_width / 2),
        "axis_title_y": bottom + 32,
    }


# --- The page's charts ---------------------------------------------------------------------------


def _leads(count: int) -> str:
    return f"{count} lead{'' if count == 1 else 's'}"


def periods_chart(m: LeadMetrics) -> dict:
    unit = m.period_unit
    periods = m.periods
    busiest = max(periods, key=lambda p: p.count, default=None)
    summary = f"{_leads(m.total)} over {len(m.per_day)} day{'' if len(m.per_day) == 1 else 's'}, a bar per {unit}."
    if busiest and busiest.count:
        summary += f" The busiest {unit} was {busiest.label} with {busiest.count}."
    return bar_chart(
        "periods",
        title=f"Leads per {unit}",
        summary=summary + " The table below lists every bar.",
        axis_title="Leads",
        rows=[(p.label, [Bar(p.count, str(p.count))]) for p in periods],
        beside=True,
    )


def speed_chart(split: SpeedSplit, chart_id: str) -> dict:
    """Median and 90th percentile of one group of requests (in or out of call-back hours), on a
    scale in hours once the longest bar passes an hour and a half."""
    peak = max((row.p90_minutes for row in split.rows if row.p90_minutes is not None), default=0)
    unit = 60 if peak >= HOURS_FROM_MINUTES else 1
    rows = []
    for row in split.rows:
        if row.median_minutes is None:
            bars = [Bar(None, "no calls yet" if row.leads else "no leads")]
        else:
            bars = [
                Bar(row.median_minutes / unit, f"median {minutes_text(row.median_minutes)}"),
                Bar(row.p90_minutes / unit, f"90% by {minutes_text(row.p90_minutes)}"),
            ]
            if row.not_called:
                # The figures above are of the called leads only: say who is missing from them.
                bars.append(Bar(None, f"{row.not_called} not called yet"))
        rows.append((row.name, bars))
    words = "Hours" if unit == 60 else "Minutes"
    requests = "in call-back hours" if split.heading == IN_HOURS else "out of hours"
    return bar_chart(
        chart_id,
        title=f"Speed to lead of requests made {requests}",
        summary=f"Median and 90th percentile of the called leads among requests made {requests}, for all of "
        "them, by request type and by urgency. The table below the chart has the same figures.",
        axis_title=f"{words} from request to first call",
        rows=rows,
        legend=[
            ("chart-bar", "Median: half of the called leads were called sooner"),
            ("chart-bar-hatched", "90th percentile: 9 in 10 of the called leads were called by then"),
        ],
    )


def outcomes_chart(m: LeadMetrics) -> dict:
    rows = [(o.label, [Bar(o.count, f"{o.count} ({o.percent or 0}%)")]) for o in m.outcomes]
    return bar_chart(
        "outcomes",
        title="Leads by current status",
        summary="; ".join(f"{o.label}: {o.count}" for o in m.outcomes) + ". The table below has the same figures.",
        axis_title="Leads",
        rows=rows,
    )


def admission_chart(breakdown: OutcomeBreakdown) -> dict:
    rows = [
        (
            row.name,
            [Bar(100 * (row.admission_rate or 0), f"{row.admission_percent or 0}% · {row.admitted} of {row.leads}")],
        )
        for row in breakdown.rows
    ]
    return bar_chart(
        f"admitted-{breakdown.id}",
        title=f"Admission rate by {breakdown.heading}",
        summary="; ".join(f"{name}: {bars[0].text}" for name, bars in rows) + ". The table below has the same figures.",
        axis_title="% of leads admitted",
        rows=rows,
        ticks=[0, 25, 50, 75, 100],
    )
