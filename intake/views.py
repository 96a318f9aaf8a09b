import logging

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .forms import CallbackForm
from .hours import callback_expectation
from .middleware import attribution_for
from .models import Lead
from .ratelimit import admit, note_invalid, public_form

log = logging.getLogger(__name__)

THANKS_COOKIE = "lantern_callback_thanks"
OUTCOME_SECONDS = 600


def remember_outcome(response: HttpResponse, name: str, outcome: dict) -> HttpResponse:
    """Carry what the thank-you page needs across the redirect in a short-lived signed cookie.

    Not the session: a session would give every anonymous visitor a database row, written on
    each submission (a third of a callback's time under `make bench`).
    """
    value = signing.dumps(outcome, salt=name)
    response.set_cookie(
        name, value, max_age=OUTCOME_SECONDS, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
    return response


def recall_outcome(request: HttpRequest, name: str) -> dict | None:
    try:
        outcome = signing.loads(request.COOKIES.get(name, ""), salt=name, max_age=OUTCOME_SECONDS)
    except signing.BadSignature:
        return None
    return outcome if isinstance(outcome, dict) else None


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A friendly error page with the phone number. Rendered from settings alone: the database
    or the cache may be what failed."""
    from django.template import loader

    from .context_processors import centre

    template = loader.get_template("500.html")
    return HttpResponse(template.render(centre(request)), status=500)


@never_cache
@require_http_methods(["GET", "POST"])
@public_form("callback")
def callback(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CallbackForm(request.POST)
        if form.is_bot():
            # Looks the same to the bot as to a person; nothing is stored or sent.
            note_invalid(request, "callback")
            return remember_outcome(redirect("callback_thanks"), THANKS_COOKIE, {"urgent": False})
        if not form.is_valid():
            note_invalid(request, "callback")
        elif retry_at := admit(request, "callback"):
            context = {"form": form, "rate_limited_until": retry_at}
            return render(request, "intake/callback.html", context, status=429)
        else:
            attribution = attribution_for(request)
            from_page = form.cleaned_data.get("from_page")
            if from_page:
                # Asked from an article: that article is the page that brought this lead.
                attribution["landing_page"] = from_page
            lead = Lead.record_callback(
                form.cleaned_data,
                consent_version=form.consent_version,
                consent_page=from_page or request.path,
                attribution=attribution,
            )
            log.info("Callback request stored on lead %s", lead.pk)
            urgent = form.cleaned_data.get("in_danger") == "yes"
            return remember_outcome(redirect("callback_thanks"), THANKS_COOKIE, {"urgent": urgent})
    else:
        form = CallbackForm()
    return render(request, "intake/callback.html", {"form": form})


@never_cache
@require_GET
def callback_thanks(request: HttpRequest) -> HttpResponse:
    outcome = recall_outcome(request, THANKS_COOKIE)
    if outcome is None:
        return redirect("callback")
    response = render(
        request,
        "intake/callback_thanks.html",
        {"urgent": outcome.get("urgent"), "expectation": callback_expectation()},
    )
    response.delete_cookie(THANKS_COOKIE, samesite="Lax")
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_broker() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.REDIS_SOCKET_TIMEOUT)
            # The filesystem transport "connects" without touching disk; make it prove it.
            _ = conn.default_channel
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"
