"""Supervisor metrics: speed-to-lead, outcomes and workers, as a page with server-drawn charts
and a CSV with a row per lead from which every figure on the page can be worked out again.

Neither shows PHI; the export is audited all the same, since it lists every lead by reference.
"""

import csv
import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import record_access
from .metrics import DateRange, LeadFacts, Worker, lead_facts, parse_range
from .metrics_charts import admission_chart, outcomes_chart, periods_chart, speed_chart
from .metrics_figures import LeadMetrics, SpeedSplit
from .metrics_referrals import by_referral_source
from .models import Facility, Lead
from .permissions import supervisor_required

CSV_HEADER = [
    "reference",
    "created",
    "kind",
    "urgent",
    "in call-back hours",
    "source",
    "landing page",
    "status",
    "minutes to first contact",
    "within target",
    # "met", "missed", "not due yet" or "no target": "within target" is blank for the last two.
    "target",
    "attempts",
    "reached",
    "first call by",
    "assigned to",
    "admitted by",
    "worked by",
    # The target's deadline: a request for an evening call is due in the evening, not in 15 minutes.
    "first call due",
    "facility",
    "referral source",
]


# The speed charts of requests made in call-back hours and out of hours, in that order.
SPEED_CHART_IDS = ("speed-in-hours", "speed-out-of-hours")


def _range_query(date_range: DateRange, facility: Facility | None = None) -> str:
    params = {"from": date_range.start.isoformat(), "to": date_range.end.isoformat()}
    if facility:
        params["facility"] = facility.pk
    return urlencode(params)


def _facility_asked(request: HttpRequest, errors: dict[str, str]) -> tuple[list[Facility], Facility | None]:
    """The active facilities to choose from (none with one facility: no choice shown), and the one
    asked for in `facility` (None: all). An unknown one is an error next to the select."""
    facilities = list(Facility.objects.active())
    if len(facilities) < 2:
        return [], None
    raw = request.GET.get("facility", "").strip()
    chosen = next((f for f in facilities if str(f.pk) == raw), None)
    if raw and chosen is None:
        errors["facility"] = "Choose one of the facilities, or all of them."
    return facilities, chosen


def _leads_at(facility: Facility | None):
    return Lead.objects.filter(facility=facility) if facility else None


@supervisor_required
def metrics(request: HttpRequest) -> HttpResponse:
    date_range, errors = parse_range(request.GET)
    facilities, facility = _facility_asked(request, errors)
    figures = LeadMetrics.for_range(date_range, _leads_at(facility))
    typed = {name: request.GET.get(name, "").strip() for name in ("from", "to")}
    breakdowns = [figures.by_kind, figures.by_source, figures.by_landing_page]
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
            "period_chart": periods_chart(figures),
            "speed_charts": [
                {"id": chart_id, "split": split, "chart": speed_chart(split, chart_id)}
                for chart_id, split in zip(SPEED_CHART_IDS, figures.speed_within_hours, strict=True)
            ],
            # The first group is every lead, without a heading of its own.
            "speed_table": [SpeedSplit("", [figures.overall]), *figures.speed],
            "outcome_chart": outcomes_chart(figures),
            "breakdowns": [{"table": b, "chart": admission_chart(b)} for b in breakdowns],
            "by_referral_source": by_referral_source(figures.facts),
            "facilities": facilities,
            "facility": facility,
            "export_query": _range_query(date_range, facility),
        },
    )


def _cell(value: str) -> str:
    """Sources and landing pages come from visitors' URLs: a leading =, +, - or @ would make a
    spreadsheet run it as a formula, so such a value is quoted as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _name(worker: Worker | None) -> str:
    return "" if worker is None else _cell(worker.name)


def _csv_row(fact: LeadFacts, date_range: DateRange) -> list:
    minutes = fact.minutes_to_contact
    return [
        fact.reference,
        _local_time(fact.created_at, date_range),
        fact.kind_label,
        _yes_no(fact.urgent),
        _yes_no(fact.in_hours),
        _cell(fact.source),
        _cell(fact.landing_page),
        fact.status_label,
        "" if minutes is None else f"{minutes:.1f}",
        _yes_no(fact.within_sla),
        fact.target,
        fact.attempts,
        _yes_no(fact.reached),
        _name(fact.first_caller),
        _name(fact.assigned_to),
        _name(fact.admitted_by),
        "; ".join(_name(worker) for worker in fact.worked_by),
        _local_time(fact.first_call_due, date_range),
        _cell(fact.facility),
        _cell(fact.referral_source),
    ]


def _local_time(value: dt.datetime | None, date_range: DateRange) -> str:
    return timezone.localtime(value, date_range.tz).isoformat(timespec="seconds") if value else ""


@supervisor_required
def metrics_csv(request: HttpRequest) -> HttpResponse:
    date_range, errors = parse_range(request.GET)
    _facilities, facility = _facility_asked(request, errors)
    facts = lead_facts(date_range, _leads_at(facility))
    start, end = date_range.start.isoformat(), date_range.end.isoformat()

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lantern-metrics-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(fact, date_range) for fact in facts)

    # A list of every lead in a period leaves the building: record who took it, and from where.
    period = {"from": start, "to": end, "facility": facility.pk if facility else None}
    record_access(request, Lead, object_pk="metrics-export", label="Metrics CSV export", rows=len(facts), **period)
    return response
