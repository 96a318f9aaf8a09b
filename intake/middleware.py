import json
import time
from urllib.parse import urlsplit

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .clientip import client_ip
from .models import StaffProfile
from .models.staff import end_sessions

ATTRIBUTION_COOKIE = "lantern_src"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_SKIP_PREFIXES = ("/static/", "/staff/", "/admin/", "/healthz", "/favicon")


class StaffNoStoreMiddleware:
    """Staff and admin pages show PHI: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/staff/", "/admin/")):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, recording the address intake.clientip trusts: its own reads
    the left-most X-Forwarded-For entry, which any client can write, so an audit row could name
    an address of the visitor's choosing."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request) or None


class AttributionMiddleware:
    """Remember where a visitor first arrived from, so a lead can be credited to its source.

    Only the landing path, the referring site's host and UTM parameters are kept, in a
    signed cookie: never a query string or referrer path, which may carry search terms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and ATTRIBUTION_COOKIE not in request.COOKIES
            and not request.path.startswith(_SKIP_PREFIXES)
            and response.status_code == 200
        ):
            value = signing.dumps(first_touch(request), salt=ATTRIBUTION_COOKIE, compress=True)
            response.set_cookie(ATTRIBUTION_COOKIE, value, httponly=True, samesite="Lax", max_age=30 * 86400)
        return response


def first_touch(request) -> dict:
    referrer_host = urlsplit(request.META.get("HTTP_REFERER", "")).hostname or ""
    if referrer_host == request.get_host().split(":")[0]:
        referrer_host = ""
    touch = {"landing_page": request.path[:200], "referrer": referrer_host[:200]}
    for field in UTM_FIELDS:
        touch[field] = request.GET.get(field, "")[:100]
    return touch


def attribution_for(request) -> dict:
    """The first touch from the cookie, or this request if the visitor came straight here."""
    raw = request.COOKIES.get(ATTRIBUTION_COOKIE)
    if raw:
        try:
            stored = signing.loads(raw, salt=ATTRIBUTION_COOKIE)
        except (signing.BadSignature, json.JSONDecodeError):
            stored = None
        if isinstance(stored, dict):
            keys = ("landing_page", "referrer", *UTM_FIELDS)
            return {
                key: str(stored.get(key, ""))[: 200 if key in ("landing_page", "referrer") else 100] for key in keys
            }
    return first_touch(request)


SIGNED_IN_AT = "lantern_signed_in_at"
LAST_ACTIVITY = "lantern_last_activity"
GENERATION = "lantern_session_generation"


class StaffSessionMiddleware:
    """Ends a signed-in session after STAFF_IDLE_MINUTES without activity, after
    STAFF_SESSION_MAX_HOURS in any case, and when the user signed out everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._expired(request, user)
            if reason:
                return self._sign_out(request, reason)
        return self.get_response(request)

    def _expired(self, request, user) -> str | None:
        now = int(time.time())
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last = session.get(LAST_ACTIVITY, now)
        if now - last > settings.STAFF_IDLE_MINUTES * 60:
            return f"You were signed out after {settings.STAFF_IDLE_MINUTES} minutes without activity."
        if now - signed_in_at > settings.STAFF_SESSION_MAX_HOURS * 3600:
            return f"You were signed out after {settings.STAFF_SESSION_MAX_HOURS} hours. Please sign in again."
        generation = StaffProfile.objects.filter(user=user).values_list("session_generation", flat=True).first() or 0
        if session.setdefault(GENERATION, generation) != generation:
            return "You signed out of all sessions. Please sign in again."
        # The queue's own polling is not activity; and a write per minute is plenty.
        if LAST_ACTIVITY not in session or (not request.headers.get("X-Queue-Refresh") and now - last >= 60):
            session[LAST_ACTIVITY] = now
        return None

    def _sign_out(self, request, reason: str):
        logout(request)
        if request.headers.get("X-Queue-Refresh"):
            return HttpResponse(status=401)
        messages.info(request, reason)
        return redirect(f"{reverse('staff:login')}?next={request.path}")


def start_staff_session(request) -> None:
    """Called at sign-in: stamp the session for the idle, absolute and everywhere checks."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now
    profile = StaffProfile.objects.filter(user=request.user).first()
    request.session[GENERATION] = profile.session_generation if profile else 0


def end_other_sessions(request) -> None:
    """End every other session of this user at its next request (see StaffSessionMiddleware);
    this one moves to the new generation and stays signed in."""
    request.session[GENERATION] = end_sessions(request.user)
