"""Where Lantern keeps what is not in PostgreSQL: one way to reach a Redis, and one reading of
DURABLE_STORE_URL (the spool of intake.spool and the journal of outbox.journal both live there)."""

import functools
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings


@functools.cache  # one client (and its connection pool) per address, per process
def redis_client(url: str) -> redis.Redis:
    """A client with the app's timeouts: a stopped or frozen Redis costs seconds, never a hang."""
    timeout = settings.REDIS_SOCKET_TIMEOUT
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def durable_store(url: str | None = None) -> str | Path:
    """DURABLE_STORE_URL read once for everyone: a redis:// URL as it is, or the folder of a
    file:// URL or a bare path."""
    url = url or str(settings.DURABLE_STORE_URL)
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss", "unix"):
        return url
    if parts.scheme == "file":
        return Path(parts.path)
    if parts.scheme == "":
        return Path(url)
    raise ValueError(f"DURABLE_STORE_URL must be redis://, file:// or a folder, not {parts.scheme}://")
