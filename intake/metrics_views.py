"""Supervisor metrics: speed-to-lead and outcomes, as a page with server-drawn charts and a CSV.

Neither shows PHI; the export is audited all the same, since it lists every lead by reference.
"""

import csv
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import record_access
from .metrics import DateRange, LeadFacts, LeadMetrics, lead_facts, parse_range
from .models import Lead
from .permissions import supervisor_required

# Chart geometry in SVG user units; the SVGs scale to their container's width.
DAY_CHART_WIDTH = 600
DAY_CHART_HEIGHT = 160
OUTCOME_CHART_WIDTH = 320
OUTCOME_ROW_HEIGHT = 40
OUTCOME_BAR_HEIGHT = 14

CSV_HEADER = [
    "reference",
    "created",
    "kind",
    "source",
    "landing page",
    "status",
    "minutes to first contact",
    "within SLA",
    "attempts",
    "reached",
]


def _num(value: float) -> str:
    # Pre-formatted so template localisation can never turn SVG coordinates into "1,5".
    return f"{value:.2f}"


def _day_bars(per_day) -> dict:
    peak = max((count for _, count in per_day), default=0)
    slot = DAY_CHART_WIDTH / max(len(per_day), 1)
    gap = min(slot * 0.2, 4)
    bars = []
    for index, (day, count) in enumerate(per_day):
        # Empty days get a sliver on the baseline so the reader sees the day was counted.
        height = max(count / peak * (DAY_CHART_HEIGHT - 4), 1.5) if peak and count else 1.5
        bars.append(
            {
                "day": day,
                "count": count,
                "x": _num(index * slot + gap / 2),
                "y": _num(DAY_CHART_HEIGHT - height),
                "width": _num(max(slot - gap, 0.5)),
                "height": _num(height),
            }
        )
    return {"width": DAY_CHART_WIDTH, "height": DAY_CHART_HEIGHT, "peak": peak, "bars": bars}


def _outcome_bars(outcomes) -> dict:
    peak = max((o.count for o in outcomes), default=0)
    rows = []
    for index, outcome in enumerate(outcomes):
        top = index * OUTCOME_ROW_HEIGHT
        width = outcome.count / peak * OUTCOME_CHART_WIDTH if peak else 0
        rows.append(
            {
                "outcome": outcome,
                "text_y": _num(top + 15),
                "bar_y": _num(top + 21),
                "width": _num(max(width, 1.5)),
                "bar_height": OUTCOME_BAR_HEIGHT,
            }
        )
    return {"width": OUTCOME_CHART_WIDTH, "height": max(len(rows), 1) * OUTCOME_ROW_HEIGHT, "rows": rows}


def _range_query(date_range: DateRange) -> str:
    return urlencode({"from": date_range.start.isoformat(), "to": date_range.end.isoformat()})


@supervisor_required
def metrics(request: HttpRequest) -> HttpResponse:
    date_range, errors = parse_range(request.GET)
    figures = LeadMetrics.for_range(date_range)
    typed = {name: request.GET.get(name, "").strip() for name in ("from", "to")}
    return render(
        request,
        "staff/metrics.html",
        {
            "range": date_range,
            "errors": errors,
            # Keep what was typed next to its error; otherwise show the range in use.
            "field_from": typed["from"] if errors else date_range.start.isoformat(),
            "field_to": typed["to"] if errors else date_range.end.isoformat(),
            "m": figures,
            "day_chart": _day_bars(figures.per_day),
            "outcome_chart": _outcome_bars(figures.outcomes),
            "export_query": _range_query(date_range),
            "breakdowns": [
                {"id": "sources", "heading": "By source", "column": "Source", "rows": figures.by_source},
                {
                    "id": "pages",
                    "heading": "By landing page",
                    "column": "Landing page",
                    "rows": figures.by_landing_page,
                },
            ],
        },
    )


def _cell(value: str) -> str:
    """Sources and landing pages come from visitors' URLs: a leading =, +, - or @ would make a
    spreadsheet run it as a formula, so such a value is quoted as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _csv_row(fact: LeadFacts, date_range: DateRange) -> list:
    minutes = fact.minutes_to_contact
    return [
        fact.reference,
        timezone.localtime(fact.created_at, date_range.tz).isoformat(timespec="seconds"),
        fact.kind_label,
        _cell(fact.source),
        _cell(fact.landing_page),
        fact.status_label,
        "" if minutes is None else f"{minutes:.1f}",
        _yes_no(fact.within_sla),
        fact.attempts,
        _yes_no(fact.reached),
    ]


@supervisor_required
def metrics_csv(request: HttpRequest) -> HttpResponse:
    date_range, _errors = parse_range(request.GET)
    facts = lead_facts(date_range)
    start, end = date_range.start.isoformat(), date_range.end.isoformat()

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lantern-metrics-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(fact, date_range) for fact in facts)

    # A list of every lead in a period leaves the building: record who took it, and from where.
    period = {"from": start, "to": end}
    record_access(request, Lead, object_pk="metrics-export", label="Metrics CSV export", rows=len(facts), **period)
    return response
