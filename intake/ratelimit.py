"""Per-address limits on the public forms, kept in the cache (Redis in production).

A person who mistypes is never the abuse this guards against, so each form counts two things
for each client address (intake.clientip), each in its own window of FORM_RATE_WINDOW_SECONDS:

- submissions that were stored: FORM_RATE_LIMIT of them per window;
- posts that failed validation: FORM_INVALID_RATE_LIMIT, a generous allowance.

A valid post over the limit is refused with the visitor's input kept on the page (`admit`).
Only a client that keeps going after that, or that has sent a flood of invalid posts, is
refused before its body is read (`blocked_until`, called by PublicFormMiddleware), so a
script cannot make the server receive a large upload it will refuse anyway.

Each counter has its window start stored beside it, so the page can say when the visitor may
send again. Every function fails open: if the cache is down, a real person's request matters
more than the limit (config.outage makes a failed Redis cost one timeout, not one per call).
"""

import datetime as dt
import functools
import ipaddress
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .clientip import client_ip
from .crypto import keyed_hash
from .uploads import MemoryOnlyUploadHandler

__all__ = ["admit", "blocked_until", "client_ip", "note_invalid", "public_form", "PublicFormMiddleware"]

log = logging.getLogger(__name__)

# Refusals (each with the visitor's input kept) before posts are refused unread. A person sees
# the first refusal and waits or calls; only a script needs to be refused more than a few times.
REFUSALS_BEFORE_BLOCK = 3

VALID = "valid"
INVALID = "invalid"


def _subscriber(address: str) -> str:
    """The unit a limit counts: one IPv4 address, or one IPv6 /64, which a single home or phone is
    given whole (counting its addresses one by one would give one client billions of limits)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else address


def _key(request: HttpRequest, form: str, kind: str) -> str:
    # Hashed: the cache need not hold visitors' addresses.
    return f"form-rate:{form}:{kind}:{keyed_hash(_subscriber(client_ip(request)))[:32]}"


def _window_end(since: float | None) -> dt.datetime:
    """When a window that began at `since` ends, rounded up to the minute: the page shows
    minutes, and a time a few seconds early would be refused again."""
    started = since if since is not None else time.time()
    ends = dt.datetime.fromtimestamp(started + settings.FORM_RATE_WINDOW_SECONDS, tz=dt.UTC)
    if ends.second or ends.microsecond:
        ends = ends.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return ends


def _count(key: str) -> int:
    """Add one to the counter at `key`, starting a window (and recording its start) if none is open."""
    window = settings.FORM_RATE_WINDOW_SECONDS
    if cache.add(key, 0, timeout=window):
        # Only the post that opens a window records its start: two cache calls for the others.
        cache.set(f"{key}:since", time.time(), timeout=window)
    return cache.incr(key)


def _unavailable(exc: Exception) -> None:
    log.warning("Rate limit unavailable (%s); letting the request through", type(exc).__name__)


def blocked_until(request: HttpRequest, form: str) -> dt.datetime | None:
    """Whether this client's posts to `form` are refused unread, and until when.

    Blocked once it has sent FORM_INVALID_RATE_LIMIT invalid posts, or has been refused for
    rate REFUSALS_BEFORE_BLOCK times, in the current window. Reads only the headers.
    """
    valid, invalid = _key(request, form, VALID), _key(request, form, INVALID)
    try:
        counts = cache.get_many([valid, f"{valid}:since", invalid, f"{invalid}:since"])
    except Exception as exc:  # noqa: BLE001 - redis errors vary by client version
        _unavailable(exc)
        return None
    ends = []
    if counts.get(invalid, 0) >= settings.FORM_INVALID_RATE_LIMIT:
        ends.append(_window_end(counts.get(f"{invalid}:since")))
    if counts.get(valid, 0) >= settings.FORM_RATE_LIMIT + REFUSALS_BEFORE_BLOCK:
        ends.append(_window_end(counts.get(f"{valid}:since")))
    return max(ends, default=None)


def admit(request: HttpRequest, form: str) -> dt.datetime | None:
    """Count a valid post about to be stored. None when it may be stored; otherwise it must not
    be, and this is the time after which the visitor may send it again."""
    key = _key(request, form, VALID)
    try:
        # Refusals are counted on the same counter: those over the limit are refusals.
        if _count(key) <= settings.FORM_RATE_LIMIT:
            return None
        return _window_end(cache.get(f"{key}:since"))
    except Exception as exc:  # noqa: BLE001
        _unavailable(exc)
        return None


def note_invalid(request: HttpRequest, form: str) -> None:
    """Count a post that failed validation (it is answered with its errors all the same)."""
    try:
        _count(_key(request, form, INVALID))
    except Exception as exc:  # noqa: BLE001
        _unavailable(exc)


def public_form(form: str) -> Callable:
    """Mark a view as the public form `form`: PublicFormMiddleware guards its POSTs."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return view(request, *args, **kwargs)

        # Copied outward by functools.wraps, so other decorators may sit above this one.
        wrapped.public_form = form
        return wrapped

    return decorate


def too_many_requests(request: HttpRequest, retry_at: dt.datetime | None) -> HttpResponse:
    response = render(request, "429.html", {"retry_at": retry_at}, status=429)
    if retry_at is not None:
        response["Retry-After"] = str(max(1, int(retry_at.timestamp() - time.time())))
    return response


class PublicFormMiddleware:
    """Guards a POST to a public form before anything reads its body (placed before
    CsrfViewMiddleware, whose check reads request.POST): a blocked client is refused unread, and
    the uploads of everyone else are kept in memory only (intake.uploads), never in a temporary
    file. Other forms (the admin's article images) keep Django's own upload handling."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> HttpResponse | None:
        form = getattr(view_func, "public_form", None)
        if form is None or request.method != "POST":
            return None
        until = blocked_until(request, form)
        if until is not None:
            return too_many_requests(request, until)
        request.upload_handlers = [MemoryOnlyUploadHandler(request)]
        return None
