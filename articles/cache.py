"""The page cache of the public article pages: the one place that stores, serves and retires them.

Views use it through `CachedPageMixin`; the article's signals retire every page through
`retire_all_pages()`. Nothing else reads or writes a cached page.

Whole pages, with the CSRF token punched back in: the article page carries a callback form, so a
cached copy cannot hold anyone's CSRF token. Cached HTML holds a placeholder instead, and every
response gets the visitor's own token (and CSRF cookie) when it is served: the form stays protected
and the page stays cached.

Two tiers: Redis, shared by every web process, and a small copy in each process's memory. Each
process reads the shared version number at most once a second, so a hit usually costs no trip to
Redis at all, and an edit reaches every process within a second (at once in the one that made it).
"""

import contextlib
import datetime as dt
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from intake.hours import phone_line_status

from .models import Article

log = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "__LANTERN_CSRF_TOKEN__"
VERSION_KEY = "articles:version"
LOCAL_PAGES = 256  # per process: every demo article and list page, a few MB at most
VERSION_CHECK_SECONDS = 1.0


class CachedPageMixin:
    """For a read-only generic view: anonymous visitors share one rendered copy of each page.

    `as_view(cache_pages=False)` serves the same page rendered afresh every time (a benchmark
    times a cache miss that way). A view says which of its parameters make a page of its own
    (`page_params`), and after a render whether that render may be kept (`page_may_be_kept`).
    """

    cache_pages = True

    def page_params(self) -> dict[str, str] | None:
        """The page's own parameters, normalised; None when the page is never stored (a search)."""
        return {}

    def page_may_be_kept(self) -> bool:
        """Asked after a render: False when the page rendered is not the page asked for."""
        return True

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view_get = super().get

        # Rendered only on a miss: a hit touches neither the database nor a template.
        def render() -> str:
            return view_get(request, *args, **kwargs).rendered_content

        # Staff see previews and admin links; only anonymous visitors share cached pages.
        if not self.cache_pages or request.method != "GET" or request.user.is_authenticated:
            return _finish(request, render())
        params = self.page_params()
        if params is None:
            return _finish(request, render(), x_cache="bypass")
        return _serve_cached(request, render, params, self.page_may_be_kept)


def retire_all_pages() -> None:
    """Every cached page (lists and details) is stored with the version it was rendered under, so
    publishing, editing or unpublishing anything retires them all at once."""
    try:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        cache.incr(VERSION_KEY)
    except Exception as exc:  # noqa: BLE001 - pages then live out their (short) timeout
        log.warning("Could not retire cached article pages: %s", type(exc).__name__)
    forget_local()  # after the bump: this process must not remember the old version


def forget_local() -> None:
    """Drop this process's copies (after an edit here, or a cache flush in tests)."""
    _generation[0] += 1
    local_pages.clear()


def cache_seconds(now: dt.datetime | None = None) -> int:
    """How long a public page may be cached: never past the next scheduled publication."""
    seconds = settings.ARTICLE_CACHE_SECONDS
    upcoming = Article.objects.next_publication(now)
    if upcoming:
        seconds = min(seconds, max(1, int((upcoming - (now or timezone.now())).total_seconds()) + 1))
    return seconds


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
_known_version = threading.local()
# Bumped by forget_local(): every thread's remembered version is then stale at once.
_generation = [0]


def current_version():
    """The shared version, read from Redis at most once a second per thread."""
    now = time.monotonic()
    known = getattr(_known_version, "value", None)
    if known is not None and now - known[1] < VERSION_CHECK_SECONDS and known[2] == _generation[0]:
        return known[0]
    version = cache.get(VERSION_KEY)
    _known_version.value = (version, now, _generation[0])
    return version


def page_key(request: HttpRequest, params: dict[str, str]) -> str:
    # Only the page's own parameters, as the view normalised them, make a different page: every
    # ad click carries its own gclid or utm_* values, and keying on the query string would turn
    # each visit into a miss and let anyone fill Redis with copies of one page. No host either:
    # pages build their absolute addresses from SITE_URL (config.absolute).
    params = urlencode(sorted(params.items()))
    # Every page says whether the phone is answered now, or when it opens: a page cached at 7:59
    # must not say "closed" at 8:00.
    line = phone_line_status()
    # The path says the language (/es/...); the active language is in the key as well, so no page
    # rendered in one language can ever be served in the other.
    page = f"{get_language()}|{request.path}?{params}|{line.answered}|{line.opens}"
    digest = hashlib.sha256(page.encode()).hexdigest()[:32]
    return f"articles:html:{digest}"


def _serve_cached(
    request: HttpRequest, render: Callable[[], str], params: dict[str, str], keep: Callable[[], bool]
) -> HttpResponse:
    """A page is stored with the article version it was rendered under: a page from an older
    version (anything published or edited since) is a miss."""
    key = page_key(request, params)
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
        return _finish(request, render())
    if body is not None:
        return _finish(request, body, x_cache="hit")
    body = render()
    if not keep():
        return _finish(request, body, x_cache="bypass")
    with contextlib.suppress(Exception):  # a cache outage costs speed, never the page
        if version is None:
            # Never 1 again after a flush: a process may still hold pages of an old "1".
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)
            forget_local()
            version = current_version()
        seconds = cache_seconds()
        cache.set(key, (version, time.time() + seconds, body), timeout=seconds)
        local_pages.put(key, version, seconds, body)
    return _finish(request, body, x_cache="miss")


def _finish(request: HttpRequest, body: str, x_cache: str = "") -> HttpResponse:
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(body)
    patch_vary_headers(response, ["Cookie"])
    if x_cache:
        response["X-Cache"] = x_cache  # hit, miss, or bypass (rendered for this request only)
    return response
