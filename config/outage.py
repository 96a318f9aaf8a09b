"""Each process remembers, for a few seconds, that a Redis server has just failed.

A frozen Redis (stopped by SIGSTOP, swapping, stuck on a slow disk) accepts connections and then
answers nothing, so every call waits for its socket timeout. Without this memory every request
during the outage would wait that long, more than once (rate limit, page cache, task publish):
the Redis-frozen drill measured answers of six seconds. After one failure, calls to the same
server are skipped for REDIS_OUTAGE_SECONDS. What a skipped call would have done waits for a
later run of the beat tasks (notifications stay pending in PostgreSQL) or is done without it
(the rate limit lets the request through, the page is rendered afresh).

The cache and the broker are usually the same server, so one failure spares both.
"""

import functools
import time
from urllib.parse import urlsplit

from django.conf import settings

_down_until: dict[str, float] = {}


@functools.cache  # asked on every cache call; a process knows a handful of URLs
def server(url: str) -> str:
    """host:port of a redis:// URL (credentials and database number dropped)."""
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def is_down(url: str) -> bool:
    return time.monotonic() < _down_until.get(server(url), 0.0)


def mark_down(url: str) -> None:
    _down_until[server(url)] = time.monotonic() + settings.REDIS_OUTAGE_SECONDS


def forget() -> None:
    """Try every server again at once (tests, after starting Redis again)."""
    _down_until.clear()
