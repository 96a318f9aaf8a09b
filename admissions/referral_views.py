"""Referrals out: the partner directory, referring a lead (with partners suggested), recording the
signed Part 2 consent that lets something be shared, following the referral up, and the list of
referrals still open. Views translate; the models decide (admissions.models.referrals)."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from intake.audit import record_access
from intake.models import EventKind, Lead, LeadStatus, WorkflowError
from intake.permissions import admissions_required

from .models import REDISCLOSURE_NOTICE, PartnerService, Referral, ReferralConsent, RefusedShare, Share, suggest
from .models.referrals import closing_refusal
from .referral_forms import ConsentRevokeForm, PartnerFilterForm, ReferralConsentForm, ReferralForm, ReferralStateForm


@admissions_required
def partners(request: HttpRequest) -> HttpResponse:
    """The directory (organisations, no PHI: nothing to audit)."""
    form = PartnerFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    matches = suggest(service=chosen.get("service", ""), payer=chosen.get("payer"))
    return render(request, "admissions/partners.html", {"form": form, "matches": matches, "filtered": bool(chosen)})


def needs_of(lead: Lead) -> dict:
    """What the suggestions match on: the level of care the clinician recommended when referring
    out, the payer of the latest insurance request, and the person's age when it is known."""
    event = (
        lead.events.filter(kind=EventKind.STATUS, details__to=LeadStatus.REFER_OUT)
        .order_by("-at")
        .only("details")
        .first()
    )
    level = (event.details.get("level_of_care") or "") if event else ""
    verification = lead.verifications.select_related("payer").order_by("-created_at").first()
    payer = verification.payer if verification else None
    age = None
    if verification and verification.date_of_birth:
        born, today = verification.date_of_birth, timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return {"service": level if level in PartnerService.values else "", "payer": payer, "age": age}


def _render_refer(
    request: HttpRequest, lead: Lead, *, form=None, consent_form=None, revoke_form=None, status: int = 200
) -> HttpResponse:
    record_access(request, lead, label=f"{lead.reference} referral page", lead_id=lead.pk, view="refer")
    needs = needs_of(lead)
    chosen = (
        request.GET.get("service") or (form.data.get("level_of_care") if form is not None else "") or needs["service"]
    )
    service = chosen if chosen in PartnerService.values else ""
    matches = suggest(service=service, payer=needs["payer"], age=needs["age"])
    form = form or ReferralForm(
        initial={"level_of_care": service, "partner": matches[0].partner.pk if matches and matches[0].fits else None}
    )
    context = {
        "lead": lead,
        "needs": needs,
        "service": service,
        "recommended": needs["service"],
        "services": PartnerService.choices,
        "matches": matches,
        "form": form,
        "consent_form": consent_form
        or ReferralConsentForm(initial={"expires_on": timezone.localdate() + dt.timedelta(days=365)}),
        "consents": _consents_of(lead, revoke_form),
        "closing_refusal": "" if LeadStatus.REFERRED in lead.closing_outcomes() else closing_refusal(lead),
        "notice": REDISCLOSURE_NOTICE,
    }
    return render(request, "admissions/referral_form.html", context, status=status)


def _consents_of(lead: Lead, revoke_form: ConsentRevokeForm | None) -> list[ReferralConsent]:
    """The lead's consents, each with why it no longer counts (revoked, expired) or a form to revoke it."""
    consents = list(lead.referral_consents.select_related("partner", "lead").order_by("-signed_on"))
    for consent in consents:
        consent.lapsed = consent.lapse()
        mine = revoke_form is not None and revoke_form.consent.pk == consent.pk
        consent.revoke_form = revoke_form if mine else ConsentRevokeForm(consent=consent)
    return consents


@admissions_required
def refer(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=lead_id)
    if request.method != "POST":
        return _render_refer(request, lead)
    form = ReferralForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = Referral.objects.send(
                lead,
                partner=data["partner"],
                level_of_care=data["level_of_care"],
                note=data["note"],
                shares=data["shares"],
                by=request.user,
            )
        except RefusedShare as refused:
            for name, error in refused.errors.items():
                form.add_error(None if name == "__all__" else name, error)
        except WorkflowError as refused:
            form.add_error(None, str(refused))
        else:
            shared = " Send the notice below the referral with what you share." if referral.shares else ""
            messages.success(
                request, f"Referred to {referral.partner.name}; {lead.reference} is closed as referred.{shared}"
            )
            return redirect("admissions:referral", referral_id=referral.pk)
    return _render_refer(request, lead, form=form, status=400)


@admissions_required
@require_POST
def referral_consent(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=lead_id)
    form = ReferralConsentForm(request.POST)
    if not form.is_valid():
        return _render_refer(request, lead, consent_form=form, status=400)
    consent = form.save(commit=False)
    consent.lead, consent.recorded_by = lead, request.user
    consent.save()
    messages.success(
        request, f"Consent naming {consent.partner.name} recorded ({', '.join(consent.kind_labels).lower()})."
    )
    return redirect("admissions:refer", lead_id=lead.pk)


@admissions_required
@require_POST
def referral_consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    """The person revoked their consent for this one partner: nothing more goes there under it."""
    consent = get_object_or_404(ReferralConsent.objects.select_related("lead", "partner"), pk=consent_id)
    form = ConsentRevokeForm(request.POST, consent=consent)
    if consent.revoked_on:
        form.add_error(None, f"This consent was already revoked on {consent.revoked_on}.")
    if not form.is_valid():
        return _render_refer(request, consent.lead, revoke_form=form, status=400)
    consent.revoke(method=form.cleaned_data["method"], said_on=form.cleaned_data["said_on"], by=request.user)
    messages.success(request, f"Consent RC-{consent.pk} naming {consent.partner.name} recorded as revoked.")
    return redirect("admissions:refer", lead_id=consent.lead_id)


@admissions_required
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral, for the worker and to print for the partner: what was shared (the values only
    where the consent covers them) and the §2.32 notice that goes with it."""
    referral = get_object_or_404(
        Referral.objects.select_related("lead", "partner", "consent", "consent__lead"), pk=referral_id
    )
    record_access(request, referral, label=f"Referral R-{referral.pk}", lead_id=referral.lead_id, view="referral")
    # Once the consent is revoked or expired the sheet no longer carries the person's values, only why.
    lapsed = referral.consent.lapse() if referral.consent else ""
    shown = {code: code in referral.shares and not lapsed for code in Share.values}
    context = {
        "referral": referral,
        "lead": referral.lead,
        "shown": shown,
        "lapsed": lapsed,
        "notice": REDISCLOSURE_NOTICE,
    }
    if shown[Share.INSURANCE]:
        context["verification"] = referral.lead.verifications.select_related("payer").order_by("-created_at").first()
    return render(request, "admissions/referral_detail.html", context)


@admissions_required
@require_POST
def referral_state(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("lead", "partner"), pk=referral_id)
    form = ReferralStateForm(request.POST, referral=referral)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral.move(
                data["state"],
                by=request.user,
                happened_at=data["happened_at"],
                reason=data["reason"],
                note=data["note"],
            )
        except RefusedShare as refused:
            for name, error in refused.errors.items():
                form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, f"Referral to {referral.partner.name}: {referral.get_state_display().lower()}.")
            return redirect(referral.lead.get_absolute_url() + "#referrals")
    record_access(request, referral, label=f"Referral R-{referral.pk}", lead_id=referral.lead_id, view="referral_state")
    return render(request, "admissions/referral_state.html", {"referral": referral, "form": form}, status=400)


@admissions_required
def referrals(request: HttpRequest) -> HttpResponse:
    """Open referrals, follow-ups due first, with first names only; counts by partner."""
    rows = list(Referral.objects.open().select_related("lead", "partner", "referred_by").order_by("follow_up_due_at"))
    record_access(request, Referral, label="Open referrals", lead_ids=[row.lead_id for row in rows], view="referrals")
    now = timezone.now()
    for row in rows:
        row.first_name = (row.lead.name or "").split(" ")[0]
        row.due = row.follow_up_due_at is not None and row.follow_up_due_at <= now
    return render(request, "admissions/referrals.html", {"rows": rows, "counts": Referral.objects.counts_by_partner()})
