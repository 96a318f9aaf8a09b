"""Staff sign-in: password (with lockout), then a second factor (TOTP or a recovery code).

A first sign-in enrols an authenticator app before anything else opens.
"""

import json
import logging
import math
from urllib.parse import urlencode

import segno
from cryptography.fernet import InvalidToken
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from .channels import send_templated_email
from .clientip import client_ip
from .crypto import decrypt, encrypt
from .middleware import end_other_sessions, start_staff_session
from .models import AuthenticatorApp, RecoveryCodes, is_admissions, is_clinician, recovery_codes_left
from .models.second_factor import (
    RECOVERY_CODES_LOW,
    CodeCheck,
    CodeRefused,
    base32_key,
    check_second_factor,
    new_totp_key,
    provisioning_uri,
)
from .permissions import second_factor_required

log = logging.getLogger(__name__)

# Both hold secrets only until they are used, encrypted with the field keys: sessions are
# stored server-side, and a copy of the session table must not hand out a second factor.
ENROLMENT_KEY_SESSION_KEY = "lantern_enrolment_key"
RECOVERY_SESSION_KEY = "lantern_new_recovery_codes"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return _landing(request.user)


def _landing(user) -> str:
    """Where a sign-in lands without a `next`: the queue, or for a clinician who does not work
    admissions the clinical review list (the queue would only refuse them)."""
    if is_clinician(user) and not is_admissions(user):
        return reverse("admissions:review_list")
    return reverse("staff:queue")


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = False

    def form_valid(self, form):
        response = super().form_valid(form)
        start_staff_session(self.request)
        return response

    def get_success_url(self) -> str:
        return f"{reverse('staff:mfa')}?next={_next_url(self.request)}"


@sensitive_post_parameters("token")
@never_cache
@login_required
def mfa(request: HttpRequest) -> HttpResponse:
    """Verify the second factor, or enrol one on a first sign-in."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not AuthenticatorApp.objects.filter(user=user).exists():
        return _enrol(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Throttled: each failure doubles the wait before the next try.
        check = check_second_factor(user, form.cleaned_data["token"])
        if check.device is not None:
            otp_login(request, check.device)
            if isinstance(check.device, RecoveryCodes):
                messages.warning(request, f"You used a recovery code; {recovery_codes_left(user)} left.")
            return redirect(_next_url(request))
        form.add_error("token", _refusal_message(check))
    return render(request, "staff/mfa_verify.html", {"form": form, "next": _next_url(request)})


REFUSAL_MESSAGES = {
    CodeRefused.REUSED: "That code was just used. Wait for the next code.",
    CodeRefused.WRONG_APP_CODE: "That code did not work. Check the time on your phone and try the newest code.",
    CodeRefused.WRONG_RECOVERY_CODE: "That recovery code did not work: check it against your list. Each works once.",
}


def _refusal_message(check: CodeCheck) -> str:
    if check.refused == CodeRefused.WAIT:
        # The wait starts after one wrong code, so it must not claim there were many.
        return f"Wait {_duration(check.wait_seconds)} before the next try."
    return REFUSAL_MESSAGES[check.refused]


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{pluralize(seconds)}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes" if minutes < 120 else f"{math.ceil(minutes / 60)} hours"


def _enrol(request: HttpRequest) -> HttpResponse:
    """Each showing of the page makes a new key, kept (encrypted) in this session only; the app
    is saved once a code proves it holds the key. A key shown to anyone else (a colleague who
    set the password, an earlier tab) never becomes a second factor."""
    user = request.user
    hex_key = _enrolment_key(request)
    form = TokenForm(request.POST or None)
    # No recovery codes exist yet: only the app's code will do here.
    form.fields["token"].help_text = "The 6-digit code your authenticator app shows for Lantern."
    if request.method == "POST" and hex_key and form.is_valid():
        with transaction.atomic():
            # One enrolment at a time per user: a second session confirming at the same moment
            # finds the first one's app and is asked for a code instead.
            User.objects.select_for_update().filter(pk=user.pk).first()
            if AuthenticatorApp.objects.filter(user=user).exists():
                return redirect(f"{reverse('staff:mfa')}?next={_next_url(request)}")
            device = AuthenticatorApp.enrol(user, hex_key, form.cleaned_data["token"].replace(" ", ""))
            codes = RecoveryCodes.replace_for(user) if device else []
        if device is not None:
            del request.session[ENROLMENT_KEY_SESSION_KEY]
            otp_login(request, device)
            end_other_sessions(request)
            _tell_of_new_authenticator(request, device)
            _keep_codes_to_show(request, codes, replaced=0)
            return redirect(f"{reverse('staff:recovery_codes')}?next={_next_url(request)}")
        form.add_error("token", "That code did not match. Scan the code again, then enter the newest 6 digits.")
    elif request.method == "POST" and not hex_key:
        form.add_error(None, "This setup page had expired. Scan the new code below, then enter its 6 digits.")
    if request.method != "POST" or not hex_key:
        hex_key = new_totp_key()
        request.session[ENROLMENT_KEY_SESSION_KEY] = encrypt(hex_key)
    qr = segno.make(provisioning_uri(user, hex_key), error="m").svg_inline(scale=5, dark="#1d2b36", light="#ffffff")
    return render(
        request,
        "staff/mfa_setup.html",
        {"form": form, "qr_svg": qr, "secret": base32_key(hex_key), "next": _next_url(request)},
    )


def _enrolment_key(request: HttpRequest) -> str | None:
    """The key this session was last shown, if it still has one that opens."""
    stored = request.session.get(ENROLMENT_KEY_SESSION_KEY)
    try:
        return decrypt(stored) if stored else None
    except InvalidToken:  # written under a field key since dropped
        return None


def _tell_of_new_authenticator(request: HttpRequest, device: AuthenticatorApp) -> None:
    """Email the owner that an authenticator was added: if it was not them, they hear of it."""
    user = request.user
    if not user.email:
        log.warning("User %s added an authenticator but has no email address to tell", user.pk)
        return
    context = {
        "name": user.get_full_name() or user.get_username(),
        "username": user.get_username(),
        "device_name": device.name,
        "when": timezone.localtime(device.created_at),
        "address": client_ip(request) or "unknown",
        "security_url": f"{settings.SITE_URL}{reverse('staff:security')}",
        "centre_name": settings.CENTRE_NAME,
    }
    try:
        send_templated_email("new-authenticator", user.email, context)
    except Exception as exc:  # noqa: BLE001 - the sign-in is done; a mail outage must not undo it
        log.warning("Could not email user %s about a new authenticator: %s", user.pk, type(exc).__name__)


def _keep_codes_to_show(request: HttpRequest, codes: list[str], *, replaced: int) -> None:
    """`replaced`: how many unused codes the new ones made useless, for the page to say so."""
    request.session[RECOVERY_SESSION_KEY] = encrypt(json.dumps({"codes": codes, "replaced": replaced}))


@never_cache
@second_factor_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shown once, right after they are made."""
    stored = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not stored:
        return redirect("staff:security")
    made = json.loads(decrypt(stored))
    context = {"codes": made["codes"], "replaced": made["replaced"], "next": _next_url(request)}
    return render(request, "staff/recovery_codes.html", context)


@never_cache
@second_factor_required
def security(request: HttpRequest) -> HttpResponse:
    context = {
        "apps": AuthenticatorApp.objects.filter(user=request.user).order_by("created_at", "pk"),
        "recovery_left": recovery_codes_left(request.user),
        "recovery_low": RECOVERY_CODES_LOW,
    }
    return render(request, "staff/security.html", context)


@require_POST
@second_factor_required
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """From the security page or the warning on any staff page; back there once they are saved."""
    replaced = recovery_codes_left(request.user)
    _keep_codes_to_show(request, RecoveryCodes.replace_for(request.user), replaced=replaced)
    return redirect(f"{reverse('staff:recovery_codes')}?{urlencode({'next': _next_url(request)})}")


@require_POST
@second_factor_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this user, this one included (a lost phone, a shared computer)."""
    end_other_sessions(request)
    messages.info(request, "You were signed out everywhere. Sign in again to continue here.")
    logout(request)
    return redirect("staff:login")
