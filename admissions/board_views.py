"""The board: one facility's admissions today and this week, its holds, waitlists and free beds.
First names only; every view of it is audited with the leads it showed."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from intake.audit import record_access
from intake.models import Facility, Lead
from intake.permissions import admissions_required

from .capacity import figures
from .models import Admission, Programme, WaitlistEntry


def first_name(lead: Lead) -> str:
    return (lead.name or "").split(" ")[0] or "—"


def _facility(request: HttpRequest) -> Facility | None:
    facility_id = request.GET.get("facility", "")
    facilities = Facility.objects.filter(active=True)
    if facility_id.isdigit() and (chosen := facilities.filter(pk=int(facility_id)).first()):
        return chosen
    return Facility.objects.default()


@admissions_required
def board(request: HttpRequest) -> HttpResponse:
    facility = _facility(request)
    now = timezone.now()
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    programmes = list(Programme.objects.active().filter(facility=facility).select_related("facility"))
    admissions = (
        Admission.objects.filter(programme__in=programmes, state__in=[Admission.State.HELD, Admission.State.OCCUPIED])
        .select_related("lead", "programme__facility")
        .order_by("admit_at")
    )
    week = admissions.filter(admit_at__gte=start, admit_at__lt=start + dt.timedelta(days=7))
    rows = [
        {"admission": a, "first_name": first_name(a.lead), "today": timezone.localtime(a.admit_at).date() == today}
        for a in week
    ]
    holds = [
        {"admission": a, "first_name": first_name(a.lead)}
        for a in admissions.filter(state=Admission.State.HELD, hold_expires_at__gt=now).order_by("hold_expires_at")
    ]
    offers = [
        {"entry": e, "first_name": first_name(e.lead)}
        for e in WaitlistEntry.objects.filter(programme__in=programmes).offered(now).select_related("lead", "programme")
    ]
    shown = {row["admission"].lead_id for row in rows + holds} | {row["entry"].lead_id for row in offers}
    record_access(request, Lead, object_pk="board", label="Admissions board", lead_ids=sorted(shown))
    context = {
        "facility": facility,
        "facilities": Facility.objects.filter(active=True).order_by("name"),
        "figures": [figures(p, now) for p in programmes],
        "today": [r for r in rows if r["today"]],
        "week": [r for r in rows if not r["today"]],
        "holds": holds,
        "offers": offers,
    }
    return render(request, "admissions/board.html", context)
