"""Staff pages for cost estimates: a Good Faith Estimate for a self-pay person (issue, download,
email), and the printable per-level estimate of an insured person's benefits."""

from auditlog.signals import accessed
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake.audit import record_access
from intake.models import ForWhom, Lead
from intake.permissions import admissions_required
from verification.models import VerificationRequest

from .estimate_forms import GoodFaithEstimateForm, SendEstimateForm
from .estimates import estimate_pdf, estimate_pdf_name, issue_estimate
from .insured_estimate import insured_estimate_pdf
from .models import EstimateEmail, GoodFaithEstimate
from .models.estimates import provider_gaps


def _lead_or_404(lead_id: int) -> Lead:
    return get_object_or_404(Lead, pk=lead_id)


def person_email(lead: Lead) -> str:
    """The address the person gave: on the lead, else on their latest insurance request."""
    if lead.email:
        return lead.email
    latest = lead.verifications.order_by("-created_at").first()
    return getattr(latest, "email", "") if latest else ""


def _prefill(lead: Lead) -> dict:
    latest = lead.verifications.order_by("-created_at").first()
    if latest:
        return {
            "patient_name": f"{latest.first_name} {latest.last_name}",
            "patient_date_of_birth": latest.date_of_birth,
        }
    return {"patient_name": lead.name}


@admissions_required
@require_http_methods(["GET", "POST"])
def gfe(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = GoodFaithEstimateForm(request.POST or None, initial=_prefill(lead))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        estimate = issue_estimate(
            lead,
            by=request.user,
            stays=data["stays"],
            self_pay_reason=data["self_pay_reason"],
            patient_name=data["patient_name"],
            patient_date_of_birth=data["patient_date_of_birth"],
            expected_start=data["expected_start"],
        )
        messages.success(request, f"Good Faith Estimate {estimate.reference} issued. Download it or email it below.")
        return redirect(reverse("admissions:gfe", args=[lead.pk]) + f"#estimate-{estimate.pk}")
    return _render_gfe(request, lead, form, status=400 if request.method == "POST" else 200)


def _render_gfe(request, lead, form, status=200, send_form=None, send_for=None) -> HttpResponse:
    # The page shows the person's name and earlier estimates: every render is an audited access.
    accessed.send(sender=Lead, instance=lead)
    facilities = {p.facility for p in form.choices}
    context = {
        "lead": lead,
        "form": form,
        "send_form": send_form or SendEstimateForm(),
        # The estimate whose email form was refused: its error shows there, not under every one.
        "send_for": send_for,
        "facility_gaps": provider_gaps(
            [
                {"name": f.name, "npi": f.npi, "tax_id": f.tax_id, "address": f.street_address}
                for f in sorted(facilities, key=lambda f: f.name)
            ]
        ),
        "estimates": lead.good_faith_estimates.select_related("issued_by").prefetch_related("emails"),
        "email_to": person_email(lead),
        "email_allowed": lead.for_whom != ForWhom.LOVED_ONE,
    }
    return render(request, "admissions/gfe.html", context, status=status)


def _estimate_or_404(lead: Lead, estimate_id: int) -> GoodFaithEstimate:
    return get_object_or_404(GoodFaithEstimate, pk=estimate_id, lead=lead)


def pdf_response(pdf: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@admissions_required
@require_GET
def gfe_pdf(request: HttpRequest, lead_id: int, estimate_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    estimate = _estimate_or_404(lead, estimate_id)
    record_access(request, estimate, lead_id=lead.pk, what="good faith estimate pdf")
    return pdf_response(estimate_pdf(estimate), estimate_pdf_name(estimate), attachment="download" in request.GET)


@admissions_required
@require_POST
def gfe_email(request: HttpRequest, lead_id: int, estimate_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    estimate = _estimate_or_404(lead, estimate_id)
    to = person_email(lead)
    form = SendEstimateForm(request.POST, given=to)
    if not to:
        messages.error(request, "The person gave no email address: nothing was sent. Print it or read it out instead.")
        return redirect("admissions:gfe", lead.pk)
    if lead.for_whom == ForWhom.LOVED_ONE:
        # The address on a request made for someone else is the caller's: emailing the person's
        # estimate there would disclose their care to a third party without their consent.
        messages.error(
            request,
            "This request came from someone asking for a loved one, so the address on it is theirs: nothing was "
            "sent. Print the estimate and give it to the person.",
        )
        return redirect("admissions:gfe", lead.pk)
    if not form.is_valid():
        estimate_form = GoodFaithEstimateForm(initial=_prefill(lead))
        return _render_gfe(request, lead, estimate_form, status=400, send_form=form, send_for=estimate.pk)
    EstimateEmail.objects.queue(estimate, to=to, by=request.user)
    messages.success(request, f"{estimate.reference} is on its way to the address the person gave.")
    return redirect(reverse("admissions:gfe", args=[lead.pk]) + f"#estimate-{estimate.pk}")


@admissions_required
@require_GET
def insured_estimate(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = get_object_or_404(VerificationRequest.objects.with_lead(), pk=verification_id)
    pdf = insured_estimate_pdf(verification)
    if pdf is None:
        messages.error(request, "There is no payer answer to estimate from yet.")
        return redirect(verification)
    record_access(request, verification, lead_id=verification.lead_id, what="insured estimate pdf")
    name = f"cost-estimate-{verification.lead.reference}.pdf"
    return pdf_response(pdf, name, attachment="download" in request.GET)
