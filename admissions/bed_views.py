"""Staff pages for a lead's bed: scheduling the admission, the hold's actions, the waitlist, and
the calendar invite. Thin: forms in, model methods do the work."""

from auditlog.signals import accessed
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from intake.audit import record_access
from intake.models import Lead, LeadStatus, OutcomeRefused, WorkflowError
from intake.permissions import admissions_required

from .bed_forms import CheckInForm, DischargeForm, JoinWaitlistForm, LeaveWaitlistForm, ReleaseForm, ScheduleForm
from .capacity import figures
from .ics import admission_calendar
from .lead_part_beds import accepted_programme_id
from .models import Admission, Programme, ProgrammeFull, WaitlistEntry, schedule_admission
from .models.reminders import may_remind


def _lead(lead_id: int) -> Lead:
    return get_object_or_404(Lead.objects.select_related("assigned_to", "facility"), pk=lead_id)


def _back(lead: Lead) -> HttpResponse:
    return redirect(lead.get_absolute_url())


def _offered_programme_id(lead: Lead) -> int | None:
    offer = WaitlistEntry.objects.filter(lead=lead).offered().first()
    return offer.programme_id if offer else None


@admissions_required
def schedule(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    if lead.status not in (LeadStatus.ACCEPTED, LeadStatus.WAITLISTED):
        messages.error(
            request, f"{lead.reference} is {lead.get_status_display().lower()}: only an accepted lead is scheduled."
        )
        return _back(lead)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    initial = {"programme": _offered_programme_id(lead) or accepted_programme_id(lead)}
    form = ScheduleForm(request.POST or None, lead=lead, initial=initial)
    full = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedule_admission(
                lead,
                programme=data["programme"],
                admit_at=data["admit_at"],
                hold_expires_at=data["hold_expires_at"],
                note=data["note"],
                email_reminder=data["email_reminder"],
                by=request.user,
            )
        except ProgrammeFull as exc:
            full = exc.programme
            messages.error(request, str(exc))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            done = f"{lead.reference}: admission scheduled and a {data['programme'].unit} held."
            messages.success(request, done if may_remind(lead) else f"{done} {ScheduleForm.LOVED_ONE}")
            return _back(lead)
    accessed.send(sender=Lead, instance=lead)  # the page names the person
    programme_id = form["programme"].value()
    chosen = Programme.objects.filter(pk=programme_id).select_related("facility").first() if programme_id else None
    form.name_the_unit(chosen)
    context = {
        "lead": lead,
        "form": form,
        "full": full,
        "figures": figures(chosen) if chosen else None,
        "chosen": chosen,
        "no_reminder": "" if may_remind(lead) else ScheduleForm.LOVED_ONE,
    }
    return render(request, "admissions/schedule.html", context, status=200 if full is None else 409)


@admissions_required
@require_POST
def join_waitlist(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    form = JoinWaitlistForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the programme to wait for.")
        return _back(lead)
    try:
        entry = WaitlistEntry.join(lead, form.cleaned_data["programme"], by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, f"{lead.reference} is {entry.place_words()}.")
    return _back(lead)


def _entry(lead: Lead, entry_id: int) -> WaitlistEntry:
    return get_object_or_404(
        WaitlistEntry.objects.waiting().select_related("programme__facility"), pk=entry_id, lead=lead
    )


@admissions_required
@require_POST
def waitlist_check_in(request: HttpRequest, lead_id: int, entry_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    entry = _entry(lead, entry_id)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    form = CheckInForm(request.POST)
    form.is_valid()
    entry.check_in(by=request.user, note=form.cleaned_data.get("note", ""))
    messages.success(request, f"Check-in logged; the next is due {entry.next_check_in_at:%A %d %B}.")
    return _back(lead)


@admissions_required
@require_POST
def waitlist_leave(request: HttpRequest, lead_id: int, entry_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    entry = _entry(lead, entry_id)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    form = LeaveWaitlistForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(lead)
    try:
        entry.leave(form.cleaned_data["reason"], by=request.user, note=form.cleaned_data["note"], advance=True)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, f"{lead.reference} left the waitlist.")
    return _back(lead)


@admissions_required
@require_POST
def waitlist_pass(request: HttpRequest, lead_id: int, entry_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    entry = _entry(lead, entry_id)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    entry.pass_offer(by=request.user)
    messages.success(request, "The offer went to the next in line; they keep their place.")
    return _back(lead)


def _admission(lead: Lead, *states) -> Admission:
    return get_object_or_404(
        Admission.objects.select_related("programme__facility", "lead"),
        lead=lead,
        state__in=states or Admission.State.values,
    )


@admissions_required
@require_POST
def arrived(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    admission = _admission(lead, Admission.State.HELD)
    try:
        admission.arrive(by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    except OutcomeRefused as exc:  # a fact the close needs, e.g. the date
        messages.error(request, " ".join(str(v) for v in exc.args[0].values()))
        return _back(lead)
    messages.success(request, f"{lead.reference} arrived and is admitted.")
    return _back(lead)


@admissions_required
@require_POST
def release(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    admission = _admission(lead, Admission.State.HELD)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the hold is released; nothing was changed.")
        return _back(lead)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    admission.release(reason=form.cleaned_data["reason"], by=request.user)
    messages.success(request, f"The hold for {lead.reference} was released; the bed goes to the next in line.")
    return _back(lead)


@admissions_required
@require_POST
def discharge(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    admission = _admission(lead, Admission.State.OCCUPIED)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["discharged_on"]))
        return _back(lead)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _back(lead)
    admission.discharge(form.cleaned_data["discharged_on"], by=request.user)
    messages.success(request, f"{lead.reference} discharged; the bed is free.")
    return _back(lead)


@admissions_required
def admission_ics(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead(lead_id)
    admission = (
        Admission.objects.filter(lead=lead)
        .select_related("programme__facility", "lead")
        .order_by("-created_at")
        .first()
    )
    if admission is None:
        return HttpResponse("No admission is scheduled for this lead.", status=404, content_type="text/plain")
    record_access(request, admission, lead_id=lead.pk, label="Admission calendar invite")
    response = HttpResponse(admission_calendar(admission), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="admission-{lead.reference}.ics"'
    return response
