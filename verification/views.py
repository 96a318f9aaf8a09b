import logging
import uuid
from functools import wraps

from auditlog.signals import accessed
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import spool
from intake.audit import record_access
from intake.middleware import attribution_for
from intake.models import DisclosureRefused, LeadKind
from intake.permissions import admissions_required
from intake.ratelimit import admit, note_invalid, public_form
from intake.uploads import flag_oversized
from intake.views import recall_outcome, remember_outcome, thanks_context, thanks_outcome

from . import cards, disclosures, mbi_lookup, spooled
from .coordination import answers_of, coordinate, estimate_plan
from .eligibility import EligibilityError, TransientEligibilityError
from .estimate import CAVEAT
from .forms import VerificationForm
from .insurances import Which
from .manual import summary_from_manual_entry
from .models import EligibilityCheck, VerificationRequest, build_request
from .readout import read_out
from .requests_sent import requests_sent
from .rounds import RoundReason
from .staff_forms import ManualCheckForm, MbiLookupForm, VerifyForm
from .states import state_name
from .stays import TypicalStay

log = logging.getLogger(__name__)

THANKS_COOKIE = "lantern_verification_thanks"
CARD_SIDES = (("front", "Front of card"), ("back", "Back of card"))


@never_cache
@require_http_methods(["GET", "POST"])
@public_form("verify")
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = VerificationForm(request.POST, request.FILES)
        if form.is_bot():
            note_invalid(request, "verify")
            return remember_outcome(redirect("verification:thanks"), THANKS_COOKIE, {"reference": None})
        flag_oversized(form, request)
        if not form.is_valid():
            note_invalid(request, "verify")
        elif retry_at := admit(request, "verify"):
            form.keep_photos()  # the photos wait with the rest of what they typed
            context = {"form": form, "rate_limited_until": retry_at}
            return render(request, "verification/verify.html", context, status=429)
        else:
            outcome = _submit(request, form)
            form.release_kept()
            return remember_outcome(redirect("verification:thanks"), THANKS_COOKIE, outcome)
        form.keep_photos()
    else:
        form = VerificationForm()
    return render(request, "verification/verify.html", {"form": form})


def _submit(request: HttpRequest, form: VerificationForm) -> dict:
    """Store the request (or keep it in the spool while the database is unreachable); returns
    what its thank-you page needs."""
    kept = spooled.request_payload(
        form.cleaned_data,
        consent_version=form.consent_version,
        consent_page=request.path,
        attribution=attribution_for(request),
        language=request.LANGUAGE_CODE,
    )
    # One id for the store and, if the answer is lost, the spool: a commit that went through is
    # then found by the spool's drain and not stored twice.
    submission_id, received_at = uuid.uuid4(), timezone.now()
    try:
        verification = spooled.store(kept, received_at, submission_id)
    except spool.DATABASE_UNREACHABLE as error:
        # The card photos stay on disk: the kept request (or the row, if the commit went through)
        # names them.
        try:
            spool.keep_instead(error, LeadKind.VERIFICATION, kept, received_at, submission_id)
        except Exception:
            cards.delete_stored(kept["data"])
            raise
        outcome = thanks_outcome(None, urgent=False, best_time=form.cleaned_data["best_time"], kept=True)
        return {**outcome, "by_phone": form.by_phone, "card_photo_lost": bool(kept["data"]["lost_card_sides"])}
    except Exception:
        cards.delete_stored(kept["data"])  # nothing half-saved: the rows rolled back
        raise
    log.info("Verification request %s stored on lead %s", verification.pk, verification.lead_id)
    outcome = thanks_outcome(verification.lead_request.reference, urgent=False, best_time=verification.lead.best_time)
    return {**outcome, "by_phone": verification.by_phone, "card_photo_lost": bool(verification.lost_card_sides)}


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    outcome = recall_outcome(request, THANKS_COOKIE)
    if outcome is None:
        return redirect("verification:verify")
    context = {**thanks_context(outcome), "by_phone": bool(outcome.get("by_phone"))}
    context["card_photo_lost"] = bool(outcome.get("card_photo_lost"))
    response = render(request, "verification/thanks.html", context)
    response.delete_cookie(THANKS_COOKIE, samesite="Lax")
    return response


# --- Staff workspace ------------------------------------------------------------------------


def _verification_or_404(verification_id: int):
    """The verification, whoever asks: the views' decorators check the role, and
    `_for_whoever_works_the_lead` who may change it. Looking it up shows nothing: the audit row
    is written where its PHI is rendered (the workspace, a card photo)."""
    return get_object_or_404(VerificationRequest.objects.with_lead(), pk=verification_id)


def _for_whoever_works_the_lead(view):
    """Benefits work on a claimed lead is for its owner and the supervisors, as on the lead page."""

    @wraps(view)
    def wrapper(request: HttpRequest, verification_id: int, *args, **kwargs) -> HttpResponse:
        verification = _verification_or_404(verification_id)
        if refusal := verification.lead.refusal_for(request.user):
            messages.error(request, refusal)
            return redirect(verification)
        return view(request, verification_id, *args, **kwargs)

    return wrapper


@admissions_required
def workspace(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = _verification_or_404(verification_id)
    return _render_workspace(request, verification)


def _render_workspace(request, verification, status=200, **forms) -> HttpResponse:
    # Every render shows PHI, a form's re-render with errors too: each one is an audited access.
    accessed.send(sender=VerificationRequest, instance=verification)
    # Their answers are read through `answer` and `requests_sent`: not decrypted a second time here.
    checks = list(verification.checks.select_related("entered_by").defer("summary_json", "raw_payload"))
    # Each plan's current answer, which pays first, and the answer the estimate is worked out from:
    # the primary plan's, or the first plan's (said so) while that is not known.
    answers = answers_of(verification)
    coordination = coordinate(verification, answers)
    chosen = estimate_plan(verification, coordination, answers)
    stays = TypicalStay.objects.by_level()
    plan_answers = [
        {
            "plan": one.plan,
            "latest": one.answer,
            "summary": one.summary,
            # Only the estimate's plan gets prices: a second plan's share alone is not what the person pays.
            "readout": read_out(one.summary, stays if one.plan.which == chosen.which else {}) if one.summary else None,
            "for_estimate": one.summary is not None and one.plan.which == chosen.which,
            "order": coordination.order_of(one.plan.which),
            # Ids on the page: the first plan's as they always were, the second's of its own.
            "sfx": "" if one.plan.which == Which.FIRST else f"-{one.plan.which}",
        }
        # The plan that pays first first: its answer is the one the worker quotes.
        for one in sorted(answers, key=lambda one: one.plan.which != coordination.primary)
    ]
    context = {
        "verification": verification,
        "lead": verification.lead,
        # Answers entered after a call, and checks from before rounds; a round's are in `rounds`.
        "checks": [check for check in checks if check.round_id is None],
        "rounds": requests_sent(verification),
        "plans": [one.plan for one in answers],
        "second": next((one.plan for one in answers if one.plan.which == Which.SECOND), None),
        "plan_answers": plan_answers,
        "coordination": coordination,
        "estimate_note": chosen.note,
        "answer": chosen.answer,
        "latest": chosen.answer,
        "summary": chosen.summary,
        # The first card's own answer, for the IDs shown under it (the estimate's may be the second plan's).
        "first_summary": next((one.summary for one in answers if one.plan.which == Which.FIRST), None),
        "readout": next((one["readout"] for one in plan_answers if one["for_estimate"]), None),
        "estimate_caveat": CAVEAT,
        "card_sides": [(side, label) for side, label in CARD_SIDES if getattr(verification, f"card_{side}")],
        "refusal": verification.disclosure_refusal(),
        # The last re-check compared with the answer before it (what changed shows at the top).
        "recheck": verification.rounds.compared().exclude(not_sent__gt="").first(),
        "running": any(check.running for check in checks),
        "manual_form": forms.get("manual_form") or ManualCheckForm(plans=[one.plan for one in answers]),
        "verify_form": forms.get("verify_form") or VerifyForm(initial={"outcome": verification.outcome or None}),
        "mbi_form": forms.get("mbi_form") or MbiLookupForm(state=verification.state),
        "state_name": state_name(verification.state),
    }
    return render(request, "verification/workspace.html", context, status=status)


@admissions_required
def check_status(request: HttpRequest, verification_id: int) -> JsonResponse:
    """Polled by the workspace while a check runs, so the page reloads once, when the answer is in."""
    verification = _verification_or_404(verification_id)
    running = verification.checks.filter(
        status__in=[EligibilityCheck.Status.PENDING, EligibilityCheck.Status.SENDING]
    ).exists()
    return JsonResponse({"running": running, "status": verification.status})


@admissions_required
@require_POST
@_for_whoever_works_the_lead
def rerun(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = _verification_or_404(verification_id)
    # The admission panel's "Re-check insurance" comes back to the lead page it was pressed on.
    back = verification.lead if request.POST.get("back") == "lead" else verification
    try:
        round = verification.start_check(reason=RoundReason.ON_DEMAND, by=request.user)
    except DisclosureRefused as refusal:
        messages.error(request, f"Nothing was sent to the payer. {refusal}")
        return redirect(back)
    if round is None:
        messages.warning(request, "This insurer has no electronic eligibility; call them and enter what they say.")
    elif back is verification:
        messages.success(request, "Checking again with the payer. This page shows the answer when it comes.")
    else:
        messages.success(
            request, "Checking the insurance again. What changed since the last check shows here when the answer comes."
        )
    return redirect(back)


@sensitive_post_parameters("ssn")
@admissions_required
@require_POST
@_for_whoever_works_the_lead
@sensitive_variables("form", "ssn")
def find_mbi(request: HttpRequest, verification_id: int) -> HttpResponse:
    """Look a Medicare beneficiary's MBI up while the worker waits (with the SSN the person gave on
    the call, if any), then check with it. The SSN leaves with the request and goes nowhere else:
    not into the page, the session, a message or a log."""
    verification = _verification_or_404(verification_id)
    if verification.payer is None or not verification.payer.is_medicare:
        messages.error(request, "Only a Medicare request has an MBI to find.")
        return redirect(verification)
    form = MbiLookupForm(request.POST, state=verification.state)
    if not form.is_valid():
        return _render_workspace(request, verification, status=400, mbi_form=form)
    ssn = form.cleaned_data["ssn"]
    reference = f"MBI{uuid.uuid4().hex[:12].upper()}"
    person = build_request(verification, trace=reference)
    try:
        lookup = mbi_lookup.look_up(
            verification, person, gateway=settings.ELIGIBILITY_GATEWAY, reference=reference, ssn=ssn
        )
    except DisclosureRefused as refusal:
        messages.error(request, f"Nothing was sent to Medicare. {refusal}")
    except TransientEligibilityError:
        messages.warning(request, "Medicare cannot answer right now. Try again in a few minutes.")
    except EligibilityError as error:
        messages.error(request, f"The MBI was not looked up. {error}")
    else:
        if not lookup.mbi:
            messages.warning(request, mbi_lookup.NOT_FOUND_WITH_SSN if ssn else mbi_lookup.NOT_FOUND_BY_STATE)
        elif verification.start_check(reason=RoundReason.ON_DEMAND, by=request.user) is None:
            messages.success(request, "MBI found and saved. Medicare has no electronic eligibility here: call them.")
        else:
            messages.success(request, "MBI found and saved. Checking Medicare with it now; the answer appears here.")
    return redirect(verification)


@admissions_required
@require_POST
@_for_whoever_works_the_lead
def manual_entry(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = _verification_or_404(verification_id)
    # A call to the payer discloses as much as a 270: the same consent must allow it.
    if refusal := verification.disclosure_refusal():
        messages.error(request, f"Nothing was saved: do not call the payer. {refusal}")
        return redirect(verification)
    form = ManualCheckForm(request.POST, plans=verification.plans())
    if not form.is_valid():
        return _render_workspace(request, verification, status=400, manual_form=form)
    which = form.cleaned_data.get("insurance") or Which.FIRST
    plan = verification.plan(which)
    check = EligibilityCheck.objects.create(
        verification=verification, insurance=which, gateway="phone", manual=True, entered_by=request.user, attempts=1
    )
    check.record(summary_from_manual_entry(verification, form.cleaned_data, by=request.user, plan=plan))
    disclosures.record_phone_call(verification, by=request.user, plan=plan)
    messages.success(request, "Saved what the payer told you.")
    return redirect(verification)


@admissions_required
@require_POST
@_for_whoever_works_the_lead
def mark_verified(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = _verification_or_404(verification_id)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _render_workspace(request, verification, status=400, verify_form=form)
    verification.mark_verified(
        by=request.user, outcome=form.cleaned_data["outcome"], summary=form.cleaned_data["summary"]
    )
    messages.success(request, f"{verification.reference} verified: {verification.get_outcome_display().lower()}.")
    return redirect(verification)


@admissions_required
@require_POST
@_for_whoever_works_the_lead
def close(request: HttpRequest, verification_id: int) -> HttpResponse:
    verification = _verification_or_404(verification_id)
    verification.set_status(VerificationRequest.Status.CLOSED)
    messages.success(request, f"{verification.reference} closed.")
    return redirect(verification)


@admissions_required
def card_image(request: HttpRequest, verification_id: int, side: str) -> HttpResponse:
    """The card photo, decrypted for an authorised staff member; every view is audited."""
    verification = _verification_or_404(verification_id)
    name = {"front": verification.card_front, "back": verification.card_back}.get(side)
    if not name:
        raise Http404("No such card photo")
    try:
        data = cards.load(name)
    except OSError:  # gone, or the store cannot be read now (/healthz says so): not a crash page
        raise Http404("Card photo missing") from None
    record_access(
        request, verification, label=f"Card photo ({side}) of {verification}", lead_id=verification.lead_id, card=side
    )
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="card-{side}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
