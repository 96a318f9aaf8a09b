"""The clinicians' pages: the leads awaiting review, and one lead's screen with the decision form.
Clinicians cannot open the admissions lead page; everything they need to decide is here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from intake.audit import record_access
from intake.models import Lead, LeadStatus, WorkflowError, is_clinician
from intake.permissions import clinical_reader_required

from .models import ClinicalDecision, PhoneScreen
from .review_facts import essentials
from .screen_forms import DecisionForm, earlier_screens, shown


@clinical_reader_required
def review_list(request: HttpRequest) -> HttpResponse:
    leads = list(
        Lead.objects.filter(status=LeadStatus.AWAITING_REVIEW, merged_into__isnull=True)
        .annotate(waiting_since=Max("phone_screens__completed_at"))
        .prefetch_related(Prefetch("phone_screens", PhoneScreen.objects.order_by("-pk"), to_attr="newest_first"))
        .order_by("waiting_since", "pk")
    )
    rows = []
    for lead in leads:
        screen = lead.newest_first[0] if lead.newest_first else None
        flags = screen.flags() if screen else []
        rows.append({"lead": lead, "first_name": lead.name.split(" ")[0], "flags": flags})
    # Red flags first; within each group the oldest wait first (the query's order, kept by sort).
    rows.sort(key=lambda row: not row["flags"])
    record_access(request, Lead, label="Clinical review list", lead_ids=[lead.pk for lead in leads])
    return render(request, "admissions/review_list.html", {"rows": rows})


@clinical_reader_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("assigned_to"), pk=lead_id)
    may_decide = is_clinician(request.user)
    if request.method == "POST" and not may_decide:
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if lead.status != LeadStatus.AWAITING_REVIEW:
            form.add_error(None, "This lead is not awaiting review (someone may have decided already).")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ClinicalDecision.decide(
                    lead,
                    kind=data["kind"],
                    note=data["note"],
                    by=request.user,
                    programme=data["programme"] if data["kind"] == ClinicalDecision.Kind.ACCEPT else None,
                    level_needed=data["level_needed"] if data["kind"] == ClinicalDecision.Kind.REFER_OUT else "",
                )
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Decision saved; the admissions worker was told.")
                return redirect("admissions:review_list")
    record_access(request, lead, label=f"{lead.reference} clinical review", lead_id=lead.pk)
    screen = PhoneScreen.objects.latest_for(lead)
    context = {
        "lead": lead,
        "facts": essentials(lead),
        "screen": screen,
        "earlier": earlier_screens(lead, screen),
        "flags": screen.flags() if screen else [],
        "suggestion": screen.suggestion() if screen else None,
        "answers_shown": shown(screen.answers) if screen else [],
        "decisions": lead.clinical_decisions.select_related("decided_by", "programme__facility").order_by(
            "-decided_at"
        ),
        "form": form,
        "deciding": may_decide and lead.status == LeadStatus.AWAITING_REVIEW,
        "read_only": not may_decide,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "admissions/review.html", context, status=status)
