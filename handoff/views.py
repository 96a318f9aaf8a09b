"""The hand-off on the staff side: recording (and revoking) the person's consent naming the
clinical record system, sending the record through the outbox, and a supervisor's download of
it as a FHIR file. Views translate; the models and `sending` decide."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from intake.audit import record_access
from intake.models import Lead
from intake.permissions import admissions_required, supervisor_required

from .bundle import InvalidBundle
from .forms import HandoffConsentForm, HandoffRevokeForm
from .models import HandoffConsent, RecordExport, export_refusal
from .sending import ExportRefused, write_out


def _lead_page(lead: Lead) -> HttpResponse:
    return redirect(lead.get_absolute_url() + "#clinical-record")


def _render_form(request: HttpRequest, lead: Lead, *, form=None, revoke_form=None) -> HttpResponse:
    # The re-shown form holds what the worker typed (names on the signed form): an audited render.
    label = f"{lead.reference} clinical record consent form"
    record_access(request, lead, label=label, lead_id=lead.pk, view="handoff_consent")
    context = {"lead": lead, "form": form, "revoke_form": revoke_form}
    return render(request, "handoff/consent.html", context, status=400)


@admissions_required
@require_POST
def record_consent(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=lead_id)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _lead_page(lead)
    form = HandoffConsentForm(request.POST, lead=lead)
    if not form.is_valid():
        return _render_form(request, lead, form=form)
    consent = form.save(commit=False)
    consent.lead, consent.recorded_by = lead, request.user
    consent.save()
    messages.success(request, f"Consent {consent.reference} naming {consent.recipient} recorded.")
    return _lead_page(lead)


@admissions_required
@require_POST
def revoke_consent(request: HttpRequest, handoff_consent_id: int) -> HttpResponse:
    consent = get_object_or_404(HandoffConsent.objects.select_related("lead"), pk=handoff_consent_id)
    lead = consent.lead
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
        return _lead_page(lead)
    form = HandoffRevokeForm(request.POST, consent=consent)
    if consent.revoked_on:
        form.add_error(None, f"Consent {consent.reference} was already revoked on {consent.revoked_on}.")
    if not form.is_valid():
        return _render_form(request, lead, revoke_form=form)
    consent.revoke(method=form.cleaned_data["method"], said_on=form.cleaned_data["said_on"], by=request.user)
    messages.success(request, f"Consent {consent.reference} recorded as revoked: nothing more goes under it.")
    return _lead_page(lead)


@admissions_required
@require_POST
def send(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Queue the record for the clinical record system; the outbox row asks again when it sends."""
    lead = get_object_or_404(Lead, pk=lead_id)
    if refusal := lead.refusal_for(request.user):
        messages.error(request, refusal)
    elif not settings.FHIR_EXPORT_URL:
        messages.error(request, "No clinical record system is configured (FHIR_EXPORT_URL): nothing was sent.")
    elif refusal := export_refusal(lead):
        messages.error(request, f"Nothing was sent. {refusal}")
    elif export := RecordExport.objects.queue(lead, how=RecordExport.How.BY_STAFF, by=request.user):
        where = settings.FHIR_EXPORT_RECIPIENT
        messages.success(request, f"{lead.reference}'s record is on its way to {where} ({export.reference}).")
    else:
        messages.info(request, "The record is already waiting to be sent: see the exports below.")
    return _lead_page(lead)


@supervisor_required
@require_POST
def download(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The bundle as a .json file. A POST, not a link: it is a disclosure, which a prefetch or a
    crawler following a link must never make."""
    lead = get_object_or_404(Lead, pk=lead_id)
    channel = f"FHIR export (downloaded by {request.user.get_username()})"
    try:
        export, body = write_out(lead, how=RecordExport.How.DOWNLOAD, by=request.user, channel=channel)
    except ExportRefused as refused:
        messages.error(request, f"Nothing was downloaded. {refused}")
        return _lead_page(lead)
    except InvalidBundle as exc:
        messages.error(request, str(exc))
        return _lead_page(lead)
    label = f"{lead.reference} record downloaded as FHIR ({export.reference})"
    record_access(request, lead, label=label, lead_id=lead.pk, view="handoff_download", export=export.pk)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lead.reference}-fhir.json"'
    response["Cache-Control"] = "no-store"
    return response
