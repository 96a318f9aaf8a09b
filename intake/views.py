import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.celery import app

from . import alert_health, spool
from .context_processors import centre
from .extensions import parts_health
from .forms import CallbackForm, callback_form_class
from .front_door import Submission
from .middleware import attribution_for
from .models import Lead, is_admissions, on_shift_speakers, someone_on_hand_for_danger
from .ratelimit import admit, note_invalid, public_form
from .timing import call_expectation

log = logging.getLogger(__name__)

THANKS_COOKIE = "lantern_callback_thanks"
# Pages only staff open: a refusal there is shown in the staff shell.
STAFF_PATHS = ("/staff/", "/admin/", "/articles/preview/")
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


def thanks_outcome(reference: str | None, *, urgent: bool, best_time: str, kept: bool = False) -> dict:
    """What a thank-you page needs after the redirect: no PHI, only the request's reference and
    timing. `best_time` is the lead's: the call comes when the lead's target says, and a request
    that joined a lead does not move it. A request `kept` in the spool (intake.spool) has no
    reference yet, and no alert has gone out. A request in another language than English also
    carries whether someone who speaks it is on shift as it is sent (`speaker`)."""
    outcome = {
        "reference": reference,
        "urgent": urgent,
        "best_time": best_time,
        "kept": kept,
        "at": timezone.now().isoformat(),
    }
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language != settings.LANGUAGE_CODE and not kept:
        # A request kept in the spool has alerted nobody yet: the page says nothing either way.
        outcome["speaker"] = _speaker_on_shift(language)
    return outcome


def _speaker_on_shift(language: str) -> bool | None:
    """Whether someone on shift now speaks `language` (their alert goes first): decided as the
    request is sent, so the page says what happened then. None (nothing said) when the roster
    cannot be read."""
    try:
        return bool(on_shift_speakers(language))
    except spool.DATABASE_UNREACHABLE:
        return None


def thanks_context(outcome: dict) -> dict:
    """The reference and, in plain words, when the call will come (said as of the moment the
    request was sent, so a reload minutes later tells the same story)."""
    try:
        at = dt.datetime.fromisoformat(outcome["at"])
    except (KeyError, TypeError, ValueError):
        at = timezone.now()
    urgent = bool(outcome.get("urgent"))
    best_time = str(outcome.get("best_time") or "asap")
    kept = bool(outcome.get("kept"))
    on_hand = _someone_on_hand_for_danger() if urgent and not kept else True
    if kept or on_hand is None:
        # Kept in the spool: nobody has been alerted yet, and nobody knows when the database returns.
        expectation = gettext("as soon as we can: our systems are slow right now, so it may take longer than usual")
    elif not on_hand:
        # Nobody on shift or on call: the supervisors are alerted, but the page must not promise minutes.
        expectation = gettext("as soon as someone on our team sees your request; at this hour that may take a while")
    else:
        expectation = call_expectation(at, best_time=best_time, urgent=urgent)
    return {
        "reference": outcome.get("reference"),
        "urgent": urgent,
        "expectation": expectation,
        "kept": kept,
        # None for an English request; else whether a speaker of the visitor's language will call.
        "speaker": outcome.get("speaker"),
    }


def _someone_on_hand_for_danger() -> bool | None:
    """None when the roster cannot be read (the page of a request spooled in a database outage):
    the page then promises no time at all."""
    try:
        return someone_on_hand_for_danger()
    except spool.DATABASE_UNREACHABLE:
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """A friendly error page with the phone number. Rendered from settings alone: the database
    or the cache may be what failed."""
    template = loader.get_template("500.html")
    return HttpResponse(template.render(centre(request)), status=500)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Staff (and the admin) get the refusal in their own shell, saying what is missing."""
    if request.path.startswith(STAFF_PATHS):
        context = {"has_admissions_role": is_admissions(request.user)}
        return render(request, "staff/403.html", context, status=403)
    return render(request, "403.html", status=403)


@never_cache
@require_http_methods(["GET", "POST"])
@public_form("callback")
def callback(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = callback_form_class(request.POST)(request.POST)
        if form.is_bot():
            # Looks the same to the bot as to a person; nothing is stored or sent.
            note_invalid(request, "callback")
            return remember_outcome(redirect("callback_thanks"), THANKS_COOKIE, {"urgent": False})
        if not form.is_valid():
            note_invalid(request, "callback")
        elif (retry_at := admit(request, "callback")) and form.cleaned_data.get("in_danger") != "yes":
            # Someone who says a person is in danger is never turned away; the post still counts,
            # so a flood that claims danger is soon refused unread (PublicFormMiddleware).
            context = {"form": form, "rate_limited_until": retry_at}
            return render(request, "intake/callback.html", context, status=429)
        else:
            attribution = attribution_for(request)
            from_page = form.cleaned_data.get("from_page")
            if from_page:
                # Asked from an article: that article is the page that brought this lead.
                attribution["landing_page"] = from_page
            submission = Submission.from_callback(
                form.cleaned_data,
                consent_version=form.consent_version,
                consent_page=from_page or request.path,
                attribution=attribution,
                language=request.LANGUAGE_CODE,
            )
            received_at = timezone.now()
            try:
                lead, lead_request = Lead.objects.receive(submission)
            except spool.DATABASE_UNREACHABLE as error:
                # Kept to be stored when the database returns; it has no reference until then.
                kept = submission.to_spool()
                spool.keep_instead(error, submission.kind, kept, received_at, submission.submission_id)
                outcome = thanks_outcome(None, urgent=submission.urgent, best_time=submission.best_time, kept=True)
            else:
                log.info("Callback request stored on lead %s", lead.pk)
                outcome = thanks_outcome(lead_request.reference, urgent=submission.urgent, best_time=lead.best_time)
            return remember_outcome(redirect("callback_thanks"), THANKS_COOKIE, outcome)
    else:
        form = CallbackForm()
    return render(request, "intake/callback.html", {"form": form})


@never_cache
@require_GET
def callback_thanks(request: HttpRequest) -> HttpResponse:
    outcome = recall_outcome(request, THANKS_COOKIE)
    if outcome is None:
        return redirect("callback")
    response = render(request, "intake/callback_thanks.html", thanks_context(outcome))
    response.delete_cookie(THANKS_COOKIE, samesite="Lax")
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        **parts_health(),  # verification's card store ("private_media")
        "spool": _check_spool(),
    }
    if checks["database"] == "ok":  # read from the outbox rows
        checks["alerts"] = _check_alerts()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_spool() -> str:
    """Whether a request could be kept if PostgreSQL went away now, and none was set aside."""
    try:
        where = spool.configured()
        where.probe()
        _, set_aside = where.counts()
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return f"error: {set_aside} kept requests could not be stored (manage.py spool)" if set_aside else "ok"


def _check_alerts() -> str:
    try:
        return alert_health.health_check()
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"


def _check_broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.REDIS_SOCKET_TIMEOUT)
            # The filesystem transport "connects" without touching disk; make it prove it.
            _ = conn.default_channel
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"
