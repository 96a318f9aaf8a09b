"""Building a Good Faith Estimate: the lines (one per programme, in the order the person would go
through them), their totals, the provider facts printed on it, and its PDF."""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from intake.models import Facility, Lead

from .models import GoodFaithEstimate, Programme
from .pdf import html_to_pdf

# In clear language, what a day of each level of care is: the "description of the primary item or
# service" the rule asks for. Written for the person, naming the care and nothing about them.
LEVEL_DESCRIPTIONS = {
    "detox": "Medically monitored withdrawal management, staying at the facility, per day",
    "residential": "Residential treatment, staying at the facility, per day",
    "php": "Partial hospitalization (full-day programme, going home at night), per day",
    "iop": "Intensive outpatient programme, per session day",
    "outpatient": "Outpatient treatment, per session day",
}
HELP_DESK = "1-800-985-3059"
INFO_URL = "www.cms.gov/nosurprises"
DISPUTE_THRESHOLD = Decimal(400)


@dataclass
class Stay:
    """One programme of the plan and how many days of it are estimated."""

    programme: Programme
    days: int


def line_for(stay: Stay, provider_index: int, starts_on: dt.date | None) -> dict:
    programme = stay.programme
    return {
        "title": programme.title,
        "description": LEVEL_DESCRIPTIONS.get(programme.level, programme.title),
        "service_code": programme.service_code,
        "days": stay.days,
        "daily_price": str(programme.daily_price),
        "amount": str(programme.daily_price * stay.days),
        "starts_on": starts_on.isoformat() if starts_on else "",
        "provider": provider_index,
    }


def provider_facts(facility: Facility) -> dict:
    address = ", ".join(
        part
        for part in (facility.street_address, facility.city, f"{facility.state} {facility.postal_code}".strip())
        if part
    )
    return {
        "name": facility.name,
        "npi": facility.npi,
        "tax_id": facility.tax_id,
        "address": address,
        "phone": facility.phone,
    }


def plan_lines(stays: list[Stay], expected_start: dt.date | None) -> tuple[list[dict], list[dict], Decimal]:
    """(lines, providers, total) for the stays in sequence; each level starts the day the one before
    it ends, when a start date is known."""
    facilities: list[Facility] = []
    lines, day = [], expected_start
    for stay in stays:
        if stay.programme.facility not in facilities:
            facilities.append(stay.programme.facility)
        lines.append(line_for(stay, facilities.index(stay.programme.facility), day))
        if day:
            day += dt.timedelta(days=stay.days)
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    return lines, [provider_facts(f) for f in facilities], total


@transaction.atomic
def issue_estimate(
    lead: Lead,
    *,
    by,
    stays: list[Stay],
    self_pay_reason: str,
    patient_name: str,
    patient_date_of_birth: dt.date | None,
    expected_start: dt.date | None = None,
) -> GoodFaithEstimate:
    """Write the estimate as it is given to the person; its PDF is rendered from this record."""
    if not stays:
        raise ValueError("an estimate needs at least one programme")
    lines, providers, total = plan_lines(stays, expected_start)
    return GoodFaithEstimate.objects.create(
        lead=lead,
        facility=stays[0].programme.facility,
        issued_by=by,
        self_pay_reason=self_pay_reason,
        patient_name=patient_name,
        patient_date_of_birth=patient_date_of_birth,
        expected_start=expected_start,
        lines_json=json.dumps(lines),
        provider_json={"providers": providers},
        centre_name=settings.CENTRE_NAME,
        total=total,
    )


def estimate_context(estimate: GoodFaithEstimate) -> dict:
    """Everything the PDF prints, read from the record alone (no settings, no live programme or
    facility): the same record always gives the same document."""
    groups = estimate.by_provider()
    lines = [line for group in groups for line in group["lines"]]
    return {
        "estimate": estimate,
        "groups": groups,
        "primary": lines[0] if lines else None,
        "later": lines[1:],
        "convening": estimate.providers[0] if estimate.providers else {},
        "help_desk": HELP_DESK,
        "info_url": INFO_URL,
        "threshold": DISPUTE_THRESHOLD,
    }


def estimate_html(estimate: GoodFaithEstimate) -> str:
    return render_to_string("admissions/gfe_pdf.html", estimate_context(estimate))


def estimate_pdf(estimate: GoodFaithEstimate) -> bytes:
    return html_to_pdf(estimate_html(estimate))


def estimate_pdf_name(estimate: GoodFaithEstimate) -> str:
    # The reference only: a file name is seen in download bars and mail clients.
    return f"cost-estimate-{estimate.reference}.pdf"
