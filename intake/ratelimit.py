"""A per-IP rate limit on public form posts, kept in the cache (Redis in production)."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .crypto import keyed_hash

log = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def over_limit(request: HttpRequest, scope: str) -> bool:
    """Count this post; True once the address has posted more than the limit in the window.

    Fails open: if the cache is down, a real person's request matters more than the limit.
    """
    key = f"ratelimit:{scope}:{keyed_hash(client_ip(request))[:32]}"
    try:
        cache.add(key, 0, timeout=settings.FORM_RATE_WINDOW_SECONDS)
        count = cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - redis errors vary by client version
        log.warning("Rate limit unavailable (%s); letting the request through", type(exc).__name__)
        return False
    return count > settings.FORM_RATE_LIMIT
