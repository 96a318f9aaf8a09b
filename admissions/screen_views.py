"""The phone screen page: filled by an admissions worker during the call, saved as a draft as it
goes, completed to send the lead to clinical review. Every render shows PHI: an audited access."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from intake.audit import record_access
from intake.models import Lead, LeadStatus, WorkflowError
from intake.permissions import admissions_required

from . import screening
from .models import PhoneScreen
from .screen_forms import InformationAddedForm, ScreenForm, earlier_screens, shown

# A screen follows a conversation: not before the person was reached, never on merged history.
NOT_YET_SCREENABLE = {LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.UNREACHABLE, LeadStatus.MERGED}


def screenable(lead: Lead) -> bool:
    """Whether a screen may be started or changed now: an open lead that was reached. A closed
    lead's screens stay readable but are not worked on."""
    return lead.is_open and lead.status not in NOT_YET_SCREENABLE


@admissions_required
@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("assigned_to", "merged_into"), pk=lead_id)
    current = PhoneScreen.objects.latest_for(lead)
    if not screenable(lead) and (current is None or request.method == "POST"):
        messages.error(request, "Screen the person once they have been reached, while the lead is open.")
        return redirect("staff:lead", lead_id=lead.pk)
    if request.method == "GET":
        form = ScreenForm(initial=current.answers if current else None)
        return _render(request, lead, current, form)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return redirect("admissions:screen", lead_id=lead.pk)
    action = request.POST.get("action", "draft")
    if action == "new_version":
        return _new_version(request, lead, current)
    if action == "add_information":
        return _add_information(request, lead, current)
    return _save(request, lead, current, action)


def _save(request: HttpRequest, lead: Lead, current: PhoneScreen | None, action: str) -> HttpResponse:
    form = ScreenForm(request.POST)
    if current is not None and current.is_complete:
        messages.error(request, "This screen is complete; nothing was changed.")
        return redirect("admissions:screen", lead_id=lead.pk)
    completing = action == "complete"
    ok = form.is_complete() if completing else form.is_valid()
    if not ok:
        return _render(request, lead, current, form, status=400)
    screen_ = current or PhoneScreen(lead=lead, created_by=request.user)
    try:
        if completing:
            screen_.complete(form.answers(), by=request.user)
        else:
            screen_.save_answers(form.answers(), by=request.user)
    except WorkflowError as error:
        # Nothing was saved (one transaction): the worker keeps what they typed and sees why.
        form.add_error(None, str(error))
        return _render(request, lead, current, form, status=409)
    if completing:
        messages.success(
            request, "Screen completed: the lead is awaiting clinical review and the clinicians were told."
        )
    else:
        messages.success(request, "Draft saved.")
    return redirect("admissions:screen", lead_id=lead.pk)


def _new_version(request: HttpRequest, lead: Lead, current: PhoneScreen | None) -> HttpResponse:
    try:
        if current is None:
            raise WorkflowError("There is no screen to start again from.")
        current.next_version(by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("admissions:screen", lead_id=lead.pk)


def _add_information(request: HttpRequest, lead: Lead, current: PhoneScreen | None) -> HttpResponse:
    form = InformationAddedForm(request.POST)
    if current is None or not current.is_complete:
        messages.error(request, "Add information to a completed screen.")
        return redirect("admissions:screen", lead_id=lead.pk)
    if not form.is_valid():
        return _render(request, lead, current, ScreenForm(initial=current.answers), info_form=form, status=400)
    try:
        current.add_information(form.cleaned_data["information"], by=request.user)
    except WorkflowError as error:
        form.add_error(None, str(error))
        return _render(request, lead, current, ScreenForm(initial=current.answers), info_form=form, status=409)
    messages.success(request, "Information added: the lead is back with the clinicians for review.")
    return redirect("admissions:screen", lead_id=lead.pk)


def _shown_answers(form: ScreenForm, current: PhoneScreen | None) -> dict:
    """What the page's flags and crisis protocol are worked out from: what the worker has just
    typed (even a form with errors: a yes on the ASQ must show the protocol at once), else the
    saved screen."""
    if form.is_bound:
        data = form.data
        return {key: data.getlist(key) if key in ScreenForm.MULTI else data.get(key) for key in form.fields}
    return current.answers if current else {}


def _render(request, lead, current, form, *, info_form=None, status=200) -> HttpResponse:
    record_access(request, lead, label=f"{lead.reference} phone screen", lead_id=lead.pk)
    answers = _shown_answers(form, current)
    context = {
        "lead": lead,
        "screen": current,
        "earlier": earlier_screens(lead, current),
        "form": form,
        "info_form": info_form or InformationAddedForm(),
        "flags": screening.red_flags(answers),
        "asq_positive": screening.asq_positive(answers),
        "suggestion": screening.suggest_level(answers) if answers else None,
        "answers_shown": shown(current.answers) if current else [],
        "editable": screenable(lead) and (current is None or not current.is_complete),
        "more_info": lead.status == LeadStatus.MORE_INFO,
        "can_start_again": current is not None and current.can_start_next_version,
        "clinicians_alerted": current is not None and current.clinicians_alerted_to_suicide_risk,
        "refusal": lead.refusal_for(request.user),
    }
    return render(request, "admissions/screen.html", context, status=status)
