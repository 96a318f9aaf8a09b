"""What providers have accepted, written down outside PostgreSQL first.

Once a provider has taken a message, the row must never be sent again. Recording "sent" needs
PostgreSQL; when it is away for longer than the engine's short retries, the row stays claimed,
is reclaimed later, and without this journal would be sent a second time (the PostgreSQL-down drill
saw 2 alerts of 20 sent twice). So a worker marks the acceptance here before it tries the database,
and a worker about to perform a row first asks whether it was already accepted: if so the row is
recorded as sent without a second send. The mark is removed once PostgreSQL has the outcome.

Where it lives (DURABLE_STORE_URL):
- `redis://...`: production. The server must keep what it is told (AOF persistence, and
  `maxmemory-policy noeviction`): a mark lost with Redis is a message that may be sent twice.
- a folder path: the embedded default of `make run` (one machine, one worker).

The journal holds only "row N of kind K was accepted": no PHI.
"""

import functools
import logging
import os
from pathlib import Path

import redis
from django.conf import settings

from config import outage
from config.stores import durable_store, redis_client

log = logging.getLogger(__name__)

# A mark outlives any outage worth surviving; after that the row has long been reconciled.
MARK_SECONDS = 7 * 24 * 3600


def key(row) -> str:
    # The creation time too: a test database (or a restored one) reuses primary keys.
    return f"{row._meta.label_lower}:{row.pk}:{row.created_at.timestamp():.6f}"


class RedisJournal:
    def __init__(self, url: str):
        self.url, self.client = url, redis_client(url)

    def _name(self, row) -> str:
        return f"lantern:outbox:accepted:{key(row)}"

    def mark(self, row) -> None:
        self.client.set(self._name(row), 1, ex=MARK_SECONDS)

    def is_marked(self, row) -> bool:
        return bool(self.client.exists(self._name(row)))

    def unmark(self, row) -> None:
        self.client.delete(self._name(row))


class FolderJournal:
    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, row) -> Path:
        return self.folder / key(row).replace(":", "_")

    def mark(self, row) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(row)
        with open(path, "wb") as mark:
            mark.flush()
            os.fsync(mark.fileno())  # on disk before the database is asked

    def is_marked(self, row) -> bool:
        return self._path(row).exists()

    def unmark(self, row) -> None:
        self._path(row).unlink(missing_ok=True)


@functools.cache
def _journal(url: str) -> RedisJournal | FolderJournal:
    where = durable_store(url)
    return RedisJournal(where) if isinstance(where, str) else FolderJournal(where / "accepted")


def journal() -> RedisJournal | FolderJournal:
    return _journal(str(settings.DURABLE_STORE_URL))


def _reachable(where: RedisJournal | FolderJournal) -> bool:
    # A Redis that has just failed is skipped for a few seconds (config.outage): a frozen one
    # must not cost every alert its socket timeouts.
    return not (isinstance(where, RedisJournal) and outage.is_down(where.url))


def _failed(where: RedisJournal | FolderJournal) -> None:
    if isinstance(where, RedisJournal):
        outage.mark_down(where.url)


def mark_accepted(row) -> bool:
    """The provider took `row`'s message. False (logged) if the journal could not be written:
    the row is then only as safe as the database's next few seconds."""
    where = journal()
    try:
        if not _reachable(where):
            raise redis.ConnectionError("skipped: failed a moment ago")
        where.mark(row)
    except (OSError, redis.RedisError) as exc:
        _failed(where)
        log.error("%s %s was accepted but the journal could not say so: %s", row.kind_label, row.pk, type(exc).__name__)
        return False
    return True


def was_accepted(row) -> bool:
    """Whether a provider already took this row's message (a worker recorded it here and then lost
    the database). A journal that cannot be read answers False, and the row is performed: a
    journal outage must not silence every alert."""
    where = journal()
    if not _reachable(where):
        return False
    try:
        return where.is_marked(row)
    except (OSError, redis.RedisError) as exc:
        _failed(where)
        log.warning("Could not read the delivery journal: %s", type(exc).__name__)
        return False


def forget(row) -> None:
    """PostgreSQL has the outcome now; the mark is no longer needed (it would expire anyway)."""
    where = journal()
    if not _reachable(where):
        return
    try:
        where.unmark(row)
    except (OSError, redis.RedisError) as exc:
        _failed(where)
        log.warning("Could not clear the delivery journal: %s", type(exc).__name__)
