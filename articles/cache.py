"""Whole-page caching of anonymous article pages, with the CSRF token punched back in.

The article page carries a callback form, so a cached copy cannot hold anyone's CSRF token.
Cached HTML holds a placeholder instead, and every response gets the visitor's own token
(and CSRF cookie) when it is served: the form stays protected and the page stays cached.
"""

import contextlib
import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from .models import cache_seconds, cache_version

log = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "__LANTERN_CSRF_TOKEN__"


def cacheable(request: HttpRequest) -> bool:
    # Staff see previews and admin links; only anonymous visitors share cached pages.
    return request.method == "GET" and not request.user.is_authenticated


def serve(request: HttpRequest, render, *, content_type: str = "text/html; charset=utf-8") -> HttpResponse:
    """Serve `render()`'s output (a string) from the cache when the visitor is anonymous."""
    if not cacheable(request):
        return _finish(request, render(), content_type)
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"articles:page:{cache_version()}:{digest}"
    try:
        body = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - a cache outage costs speed, never the page
        log.warning("Article cache unavailable (%s)", type(exc).__name__)
        return _finish(request, render(), content_type)
    hit = body is not None
    if not hit:
        body = render()
        with contextlib.suppress(Exception):  # a cache outage costs speed, never the page
            cache.set(key, body, timeout=cache_seconds())
    response = _finish(request, body, content_type)
    response["X-Cache"] = "hit" if hit else "miss"
    return response


def _finish(request: HttpRequest, body: str, content_type: str) -> HttpResponse:
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, ["Cookie"])
    return response
