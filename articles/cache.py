"""Whole-page caching of anonymous article pages, with the CSRF token punched back in.

The article page carries a callback form, so a cached copy cannot hold anyone's CSRF token.
Cached HTML holds a placeholder instead, and every response gets the visitor's own token
(and CSRF cookie) when it is served: the form stays protected and the page stays cached.

Two tiers: Redis, shared by every web process, and a small copy in each process's memory. Each
process reads the shared version number at most once a second, so a hit usually costs no trip to
Redis at all, and an edit reaches every process within a second (at once in the one that made it).
"""

import contextlib
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from intake.hours import phone_line_status

from .models import CACHE_VERSION_KEY, cache_seconds

log = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "__LANTERN_CSRF_TOKEN__"
LOCAL_PAGES = 256  # per process: every demo article and list page, a few MB at most


class LocalPages:
    """A bounded, thread-safe LRU of (version, expires_at, body) by page key."""

    def __init__(self, size: int):
        self.size, self.pages, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str, version) -> str | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] != version or entry[1] <= time.monotonic():
                return None
            self.pages.move_to_end(key)
            return entry[2]

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()

    def put(self, key: str, version, expires_in: float, body: str) -> None:
        with self.lock:
            self.pages[key] = (version, time.monotonic() + expires_in, body)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


local_pages = LocalPages(LOCAL_PAGES)
VERSION_CHECK_SECONDS = 1.0
_known_version = threading.local()


def current_version():
    """The shared version, read from Redis at most once a second per thread."""
    now = time.monotonic()
    known = getattr(_known_version, "value", None)
    if known is not None and now - known[1] < VERSION_CHECK_SECONDS and known[2] == _generation[0]:
        return known[0]
    version = cache.get(CACHE_VERSION_KEY)
    _known_version.value = (version, now, _generation[0])
    return version


# Bumped by forget_local(): every thread's remembered version is then stale at once.
_generation = [0]


def forget_local() -> None:
    """Drop this process's copies (after an edit here, or a cache flush in tests)."""
    _generation[0] += 1
    local_pages.clear()


def cacheable(request: HttpRequest) -> bool:
    # Staff see previews and admin links; only anonymous visitors share cached pages.
    if settings.BENCHMARK and request.headers.get("X-Bench-Uncached"):
        return False  # `make bench` times a cache miss; the header means nothing in production
    return request.method == "GET" and not request.user.is_authenticated


def page_key(request: HttpRequest, params: dict[str, str]) -> str:
    # Only the page's own parameters, as the view normalised them, make a different page: every
    # ad click carries its own gclid or utm_* values, and keying on the query string would turn
    # each visit into a miss and let anyone fill Redis with copies of one page. No host either:
    # pages build their absolute addresses from SITE_URL (articles.absolute).
    params = urlencode(sorted(params.items()))
    # Every page says whether the phone is answered now, or when it opens: a page cached at 7:59
    # must not say "closed" at 8:00.
    line = phone_line_status()
    digest = hashlib.sha256(f"{request.path}?{params}|{line.answered}|{line.opens}".encode()).hexdigest()[:32]
    return f"articles:html:{digest}"


def serve(
    request: HttpRequest,
    render,
    *,
    params: dict[str, str] | None = None,
    store: bool = True,
    keep=lambda: True,
    content_type: str = "text/html; charset=utf-8",
) -> HttpResponse:
    """Serve `render()`'s output (a string) from the cache when the visitor is anonymous.

    `params` are the page's own parameters, already normalised by the view; nothing else of the
    URL is in the key. `store=False` never caches (a search); `keep()`, asked after a render,
    says whether that render may be stored (not a page number past the last page).

    A page is stored with the article version it was rendered under: a page from an older
    version (anything published or edited since) is a miss.
    """
    if not cacheable(request):
        return _finish(request, render(), content_type)
    if not store:
        return _finish(request, render(), content_type, x_cache="bypass")
    key = page_key(request, params or {})
    try:
        version = current_version()
        body = local_pages.get(key, version) if version is not None else None
        if body is None and version is not None:
            entry = cache.get(key)  # (version, expires_at wall-clock, body)
            if entry and entry[0] == version and entry[1] > time.time():
                body = entry[2]
                local_pages.put(key, version, entry[1] - time.time(), body)
    except Exception as exc:  # noqa: BLE001 - a cache outage costs speed, never the page
        log.warning("Article cache unavailable (%s)", type(exc).__name__)
        return _finish(request, render(), content_type)
    hit = body is not None
    if not hit:
        body = render()
        if not keep():
            return _finish(request, body, content_type, x_cache="bypass")
        with contextlib.suppress(Exception):  # a cache outage costs speed, never the page
            if version is None:
                # Never 1 again after a flush: a process may still hold pages of an old "1".
                cache.add(CACHE_VERSION_KEY, time.time_ns(), timeout=None)
                forget_local()
                version = current_version()
            seconds = cache_seconds()
            cache.set(key, (version, time.time() + seconds, body), timeout=seconds)
            local_pages.put(key, version, seconds, body)
    return _finish(request, body, content_type, x_cache="hit" if hit else "miss")


def _finish(request: HttpRequest, body: str, content_type: str, x_cache: str = "") -> HttpResponse:
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, ["Cookie"])
    if x_cache:
        response["X-Cache"] = x_cache  # hit, miss, or bypass (rendered for this request only)
    return response
