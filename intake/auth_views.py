"""Staff sign-in: password (with lockout), then a second factor (TOTP or a recovery code).

A first sign-in enrols an authenticator app before anything else opens.
"""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .middleware import start_staff_session
from .models import StaffProfile
from .permissions import second_factor_required

RECOVERY_CODES = 10
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
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return _enrol(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Throttled by django-otp: each failure doubles the wait before the next try.
        device = match_token(user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(request, f"You used a recovery code; {left} left. Make new ones under Security.")
            return redirect(_next_url(request))
        form.add_error("token", "That code did not work. Check the time on your phone and try the newest code.")
    return render(request, "staff/mfa_verify.html", {"form": form, "next": _next_url(request)})


def _enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                codes = _new_recovery_codes(user)
            otp_login(request, device)
            request.session[RECOVERY_SESSION_KEY] = codes
            return redirect(f"{reverse('staff:recovery_codes')}?next={_next_url(request)}")
        form.add_error("token", "That code did not match. Scan the code again, then enter the newest 6 digits.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1d2b36", light="#ffffff")
    secret = totp_key_base32(device)
    return render(
        request, "staff/mfa_setup.html", {"form": form, "qr_svg": qr, "secret": secret, "next": _next_url(request)}
    )


def totp_key_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in (base32, no padding)."""
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@never_cache
@second_factor_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shown once, right after they are made."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("staff:security")
    return render(request, "staff/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@never_cache
@second_factor_required
def security(request: HttpRequest) -> HttpResponse:
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(request, "staff/security.html", {"recovery_left": left})


@require_POST
@second_factor_required
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    request.session[RECOVERY_SESSION_KEY] = _new_recovery_codes(request.user)
    return redirect("staff:recovery_codes")


@require_POST
@second_factor_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this user, this one included (a lost phone, a shared computer)."""
    StaffProfile.objects.get_or_create(user=request.user)
    StaffProfile.objects.filter(user=request.user).update(session_generation=F("session_generation") + 1)
    messages.info(request, "You were signed out everywhere. Sign in again to continue here.")
    from django.contrib.auth import logout

    logout(request)
    return redirect("staff:login")
