"""The admissions team's side of a lead: its page, the work on it, merges, its audit log.

Every page here shows or leads to PHI: login and role checks (intake.permissions), no-store
caching (StaffNoStoreMiddleware), and an audit row for each look at a lead.
"""

from functools import wraps

from auditlog.signals import accessed
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .audit import entries_about_lead
from .extensions import page_panels
from .models import (
    OPEN_STATUSES,
    AttemptOutcome,
    Lead,
    LeadMerge,
    LeadStatus,
    OutcomeFacts,
    OutcomeRefused,
    WorkflowError,
    is_supervisor,
    staff_name,
)
from .models.events import moment
from .models.timeline import fold_older_alerts
from .permissions import admissions_required, supervisor_required
from .queue_rows import first_call_words
from .staff_forms import (
    AssignForm,
    AttemptForm,
    ContactPreferencesForm,
    FollowUpForm,
    MergeForm,
    NoteForm,
    OutcomeForm,
    ReopenForm,
    StatusForm,
    UndoMergeForm,
)


def _lead_or_404(lead_id: int) -> Lead:
    """The lead, whoever asks: every admissions worker and supervisor may see every lead, which the
    views' decorators check (admissions_required, supervisor_required); who may change a claimed
    lead is checked by `_for_whoever_works_it` and, under a lock, by the model. Looking a lead up
    shows nothing: the audit row is written where its page is rendered."""
    return get_object_or_404(Lead.objects.select_related("assigned_to", "merged_into"), pk=lead_id)


@admissions_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    return _render_lead(request, lead)


def _render_lead(request: HttpRequest, lead: Lead, status: int = 200, **forms) -> HttpResponse:
    # Every render shows the lead's PHI, a form's re-render with errors too: each one leaves an
    # audit row (who, which lead, when, from where), here and not in each caller.
    accessed.send(sender=Lead, instance=lead)
    # The requests are read once: for the timeline, and for the names and emails "also given".
    prefetch_related_objects([lead], "requests")
    timeline, earlier_alerts = fold_older_alerts(lead.timeline())
    moves, closing = lead.moves()
    same_phone = Lead.objects.for_phone(lead.phone).exclude(pk=lead.pk).exclude(status="merged").order_by("-created_at")
    context = {
        "lead": lead,
        "timeline": timeline,
        "earlier_alerts": earlier_alerts,
        "outcome": lead.outcome(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "first_call": first_call_words(lead, timezone.now()),
        "attempt_form": forms.get("attempt_form") or AttemptForm(lead=lead),
        "note_form": forms.get("note_form") or NoteForm(),
        "preferences_form": ContactPreferencesForm(
            initial={"ok_to_text": lead.ok_to_text, "ok_to_voicemail": lead.ok_to_voicemail}
        ),
        "reached": lead.attempts.filter(outcome=AttemptOutcome.REACHED).exists(),
        "follow_up_form": forms.get("follow_up_form")
        or FollowUpForm(initial={"follow_up_at": timezone.localtime(lead.follow_up_at) if lead.follow_up_at else None}),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"assignee": lead.assigned_to_id}),
        "merge_form": forms.get("merge_form") or MergeForm(lead=lead),
        "transitions": [(value, _move_words(lead, value)) for value in moves],
        "closing": [(value, LeadStatus(value).label) for value in closing],
        "same_phone": same_phone[:5],
        "is_supervisor": is_supervisor(request.user),
        # What other apps keep about the lead (verification's requests), each in its own template.
        "lead_panels": page_panels(lead),
    }
    return render(request, "staff/lead_detail.html", context, status=status)


def _move_words(lead: Lead, to: str) -> str:
    """A status button says what it does: "Move to Reached", or "Move back to Reached" from a
    later step (it must not read as the lead's current status)."""
    back = to in OPEN_STATUSES and OPEN_STATUSES.index(to) < OPEN_STATUSES.index(lead.status)
    return f"Move {'back ' if back else ''}to {LeadStatus(to).label}"


def _back(lead: Lead) -> HttpResponse:
    return redirect("staff:lead", lead_id=lead.pk)


def _for_whoever_works_it(view):
    """Write actions on a claimed lead are for its owner and the supervisors. Anyone else is sent
    back to the page, which says who has it. (The model refuses too, under a lock: this check
    only spares them a half-filled form.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, lead_id: int, *args, **kwargs) -> HttpResponse:
        lead = _lead_or_404(lead_id)
        if refusal := lead.refusal_for(request.user):
            messages.error(request, refusal)
            return _back(lead)
        return view(request, lead_id, *args, **kwargs)

    return wrapper


@admissions_required
@require_POST
def claim(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    try:
        won = lead.claim(by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    if won:
        messages.success(request, f"{lead.reference} is yours.")
    elif lead.assigned_to_id == request.user.pk:
        messages.info(request, f"{lead.reference} was already yours.")
    else:
        messages.warning(request, f"{lead.assigned_to} already has {lead.reference}; it was not given to you.")
    return _back(lead)


@admissions_required
@require_POST
def release(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    try:
        lead.release(by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{lead.reference} is back in the queue, unassigned.")
    return _back(lead)


@supervisor_required
@require_POST
def assign(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, assign_form=form)
    try:
        lead.assign(form.cleaned_data["assignee"], by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    who = staff_name(form.cleaned_data["assignee"]) or "nobody"
    messages.success(request, f"{lead.reference} assigned to {who}.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def log_attempt(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = AttemptForm(request.POST, lead=lead)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, attempt_form=form)
    try:
        attempt = lead.log_attempt(
            by=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
    except WorkflowError as exc:
        form.add_error("outcome", str(exc))
        return _render_lead(request, lead, status=400, attempt_form=form)
    messages.success(request, f"Logged: {attempt.get_outcome_display().lower()}.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def add_note(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, note_form=form)
    try:
        lead.add_note(form.cleaned_data["body"], by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, "Note added.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def contact_preferences(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Staff record what the person said on a call: the only way texts or voicemail are widened."""
    lead = _lead_or_404(lead_id)
    form = ContactPreferencesForm(request.POST)
    form.is_valid()  # two optional boxes: always valid
    try:
        lead.record_contact_preferences(**form.cleaned_data, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, "Saved what the person said about texts and voicemail.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def change_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError("Choose a status.")
        lead.transition(form.cleaned_data["status"], by=request.user)
    except WorkflowError as exc:
        # One choice, nothing to keep: the lead page (an audited render) shows the message.
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, f"{lead.reference} is now {lead.get_status_display().lower()}.")
    return _back(lead)


@admissions_required
@require_http_methods(["GET", "POST"])
@_for_whoever_works_it
def close_lead(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Closing needs the outcome's facts, then a look at what will be recorded: the form posts
    to itself for the confirmation step, and only "Confirm" with the token of that very review
    closes the lead (a post that skips the review, or changes a fact after it, is shown the
    review again)."""
    lead = _lead_or_404(lead_id)
    status = request.POST.get("status") or request.GET.get("outcome", "")
    if status not in lead.closing_outcomes():
        messages.error(request, lead.closing_refusal(status))
        return _back(lead)
    if request.method == "GET" or "change" in request.POST:
        form = OutcomeForm(lead=lead, status=status, initial=request.POST.dict())
        return _render_close(request, lead, form)
    form = OutcomeForm(request.POST, lead=lead, status=status)
    if not form.is_valid():
        return _render_close(request, lead, form, status=400)
    confirmed = form.facts.confirmed_by(request.POST.get("token", ""), lead, by=request.user)
    if "confirm" not in request.POST or not confirmed:
        return _render_close(request, lead, form, preview=form.facts, changed="confirm" in request.POST)
    try:
        event = lead.close(form.facts, by=request.user)
    except OutcomeRefused as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return _render_close(request, lead, form, status=400)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    # Not the outcome's sentence: a programme or a referral's destination is free text, and
    # messages may travel in a cookie. The page shows the outcome in full.
    messages.success(request, f"{lead.reference} closed as {LeadStatus(event.details['to']).label.lower()}.")
    return _back(lead)


def _render_close(
    request: HttpRequest,
    lead: Lead,
    form: OutcomeForm,
    status: int = 200,
    preview: OutcomeFacts | None = None,
    changed: bool = False,
):
    """The facts form, or (`preview`) what they will record with its Confirm button; `changed`:
    a confirmation arrived for facts other than those reviewed."""
    # The page names the person (so the right lead is closed) and echoes what was typed: audited.
    accessed.send(sender=Lead, instance=lead)
    reopened_at = lead.last_reopened_at()
    context = {
        "lead": lead,
        "form": form,
        "outcome": form.fields["status"].initial,
        "outcome_label": LeadStatus(form.fields["status"].initial).label,
        "preview": preview.as_event(lead, by=request.user) if preview else None,
        "token": preview.confirmation_token(lead, by=request.user) if preview else "",
        "changed": changed,
        "attempts": lead.attempts_since_reopened(reopened_at).select_related("staff").order_by("-created_at"),
        "reopened": reopened_at is not None,
    }
    return render(request, "staff/lead_close.html", context, status=status)


@admissions_required
@require_POST
@_for_whoever_works_it
def reopen(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, reopen_form=form)
    try:
        lead.reopen(form.cleaned_data["reason"], by=request.user)
    except OutcomeRefused as exc:
        form.add_error("reason", exc.errors.get("reason", str(exc)))
        return _render_lead(request, lead, status=400, reopen_form=form)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    messages.success(request, f"{lead.reference} is open again.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def follow_up(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, follow_up_form=form)
    when = form.cleaned_data["follow_up_at"]
    try:
        lead.schedule_follow_up(when, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(lead)
    if when:
        written = moment(when)  # "… 2 p.m." already ends the sentence
        messages.success(request, f"Follow-up set for {written}{'' if written.endswith('.') else '.'}")
    else:
        messages.success(request, "Follow-up cleared.")
    return _back(lead)


@admissions_required
@require_POST
@_for_whoever_works_it
def merge(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = MergeForm(request.POST, lead=lead, by=request.user)
    if not form.is_valid():
        return _render_lead(request, lead, status=400, merge_form=form)
    target = form.cleaned_data["target"]
    try:
        lead.merge_into(target, by=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as exc:
        form.add_error("target", str(exc))
        return _render_lead(request, lead, status=400, merge_form=form)
    messages.success(request, f"{lead.reference} was merged into {target.reference}; its history is here now.")
    return redirect("staff:lead", lead_id=target.pk)


@supervisor_required
@require_POST
def undo_merge(request: HttpRequest, lead_id: int, merge_id: int) -> HttpResponse:
    """From the page of either lead of a merge: the source reopens with what it had."""
    lead = get_object_or_404(Lead, pk=lead_id)
    merge = get_object_or_404(LeadMerge.objects.involving(lead).select_related("source", "target"), pk=merge_id)
    form = UndoMergeForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError("Say why this merge is being undone.")
        merge.undo(by=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{merge.source.reference} is separate again; what it brought left {merge.target.reference}."
        )
    return _back(lead)


@supervisor_required
def lead_audit(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Who looked at or changed this lead, its requests, attempts and notes, and from where."""
    lead = _lead_or_404(lead_id)
    entries = entries_about_lead(lead).select_related("actor", "content_type").order_by("-timestamp")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "staff/lead_audit.html", {"lead": lead, "page": page})
