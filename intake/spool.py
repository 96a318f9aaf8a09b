"""The spool: where a valid request waits while PostgreSQL cannot store it.

A visitor who sent a form during a database outage gets the normal thank-you page; what they sent
is kept here, encrypted (intake.crypto), and a beat task (`intake.tasks.store_spooled_submissions`)
stores it through the same one way in as soon as the database answers again, oldest first.

Two places to keep entries, chosen by DURABLE_STORE_URL (shared with outbox.journal):

- `redis://host:port/db`: one list, in arrival order. The Redis must write its data to disk
  (`appendonly yes`) and must never evict (`maxmemory-policy noeviction`), or a restart or a full
  memory loses what visitors were told was received; docker-compose's broker Redis is such a one.
- `file:///abs/path` or a bare path: one file per entry in its `spool/` folder, named by arrival
  time, written whole (a temporary file renamed into place). The web server and the worker must
  share the folder.

Exactly once: an entry's id is the submission's id (intake.front_door.Submission), stored on the
LeadRequest (`submission_id`, unique) in the transaction that stores it, and only then is the entry
removed. A drain that crashed in between, or a first attempt whose commit went through but whose
answer was lost, leaves the id stored: the entry is then only removed. One drainer at a time (a
Redis lock, or a file lock), so entries are stored in the order they arrived. An entry that can
never be stored (unreadable, or refused by the code) is set aside (`dead`) with a log line naming
its id, and the rest go on.

An entry's content is never logged: lines name the entry's id only. `manage.py spool` says how
many entries wait and how many were set aside (`--retry-set-aside` queues those again). A set-aside
entry is a person's request nobody has seen: /healthz reports it until an operator has dealt with
it, and retention (RETENTION_DAYS) does not reach it. Entries
are encrypted under FIELD_ENCRYPTION_KEYS: keep a retired key there until the spool is empty.
"""

import contextlib
import datetime as dt
import fcntl
import functools
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import redis
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, close_old_connections
from django.utils.module_loading import autodiscover_modules

from config.stores import durable_store, redis_client

from .crypto import decrypt, encrypt
from .front_door import Submission
from .models import Lead, LeadKind, LeadRequest

log = logging.getLogger(__name__)

# What a lost or refused database connection raises: Django wraps the driver's errors, but a few
# paths (a connection dropped while closing) let psycopg2's own through.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError, psycopg2.OperationalError, psycopg2.InterfaceError)

# What a spool that cannot be reached raises: Redis down, or the folder gone or not writable.
SPOOL_UNREACHABLE = (redis.RedisError, OSError)

# A drain holds the lock at most this long: a drainer killed mid-run frees it for the next. A run
# stops taking entries after half of it (about 13 ms an entry: a thousand in 13 s), and reads
# them a batch at a time.
LOCK_SECONDS = 120
DRAIN_SECONDS = LOCK_SECONDS / 2
BATCH = 50

Replay = Callable[[dict, dt.datetime, uuid.UUID], None]
_replays: dict[str, Replay] = {}


def replays(kind: str) -> Callable[[Replay], Replay]:
    """Register how a spooled request of `kind` is stored: `replay(payload, received_at, submission_id)`
    must store it through the front door in one transaction, with `submission_id` on its LeadRequest.
    Apps register their own kinds in a module named `spooled` (intake may not import them)."""

    def register(replay: Replay) -> Replay:
        _replays[kind] = replay
        return replay

    return register


@replays(LeadKind.CALLBACK)
def _store_callback(payload: dict, received_at: dt.datetime, submission_id: uuid.UUID) -> None:
    Lead.objects.receive(Submission(**payload, received_at=received_at, submission_id=submission_id))


class RedisSpool:
    """Entries as "<id> <token>" in one list, oldest at the head."""

    ENTRIES, DEAD, LOCK, WAITING = "spool:entries", "spool:dead", "spool:drain", "spool:waiting"
    PROBE = "spool:probe"

    def __init__(self, url: str) -> None:
        self.client = redis_client(url)

    def append(self, record: str) -> None:
        self.client.rpush(self.ENTRIES, record)

    def oldest(self, limit: int) -> list[str]:
        return [raw.decode() for raw in self.client.lrange(self.ENTRIES, 0, limit - 1)]

    def remove(self, record: str) -> None:
        self.client.lrem(self.ENTRIES, 1, record)

    def set_aside(self, record: str) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.rpush(self.DEAD, record).lrem(self.ENTRIES, 1, record).execute()

    def counts(self) -> tuple[int, int]:
        """How many entries wait, and how many are set aside."""
        return self.client.llen(self.ENTRIES), self.client.llen(self.DEAD)

    def probe(self) -> None:
        """Raise unless an entry could be written now (a full Redis under noeviction refuses)."""
        self.client.set(self.PROBE, 1, ex=60)

    def retry_set_aside(self) -> int:
        """Put the set-aside entries back at the head of the queue, oldest first (they arrived
        before every entry still waiting); returns how many."""
        moved = 0
        # One atomic move at a time, newest first to the head: none is ever in neither list.
        while self.client.lmove(self.DEAD, self.ENTRIES, "RIGHT", "LEFT") is not None:
            moved += 1
        return moved

    @contextlib.contextmanager
    def drain_lock(self) -> Iterator[bool]:
        lock = self.client.lock(self.LOCK, timeout=LOCK_SECONDS, blocking=False)
        held = lock.acquire()
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(redis.exceptions.LockError):  # ran out: the next run takes it
                    lock.release()

    def start_waiting(self) -> bool:
        """True the first time since the database last answered (so an outage is logged once)."""
        return bool(self.client.set(self.WAITING, 1, nx=True))

    def stop_waiting(self) -> None:
        self.client.delete(self.WAITING)


class FolderSpool:
    """Entries as files named "<arrival ns>-<id>.entry", holding "<id> <token>"."""

    def __init__(self, path: str) -> None:
        self.folder = Path(path)
        self.dead = self.folder / "dead"
        # Where `oldest` found each entry it read, by id: a glob per removal would make a drain of
        # thousands of files quadratic.
        self._paths: dict[str, Path] = {}

    def append(self, record: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{record.split(' ', 1)[0]}.entry"
        temporary = self.folder / f".{name}.tmp"
        # Written whole and flushed to disk before it appears under its name: a crash leaves either
        # a complete entry or a temporary file the drain never reads.
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(record.encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(temporary, self.folder / name)
        self._sync_folder()

    def _files(self, limit: int | None) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.entry"))[:limit]

    def oldest(self, limit: int) -> list[str]:
        records = []
        for path in self._files(limit):
            records.append(path.read_text())
            self._paths[_id_of(records[-1])] = path
        return records

    def _path_of(self, record: str) -> Path | None:
        entry_id = _id_of(record)
        return self._paths.pop(entry_id, None) or next(iter(self.folder.glob(f"*-{entry_id}.entry")), None)

    def remove(self, record: str) -> None:
        if path := self._path_of(record):
            # Not synced to disk: an entry back after a crash is found stored and only removed.
            path.unlink(missing_ok=True)

    def set_aside(self, record: str) -> None:
        if path := self._path_of(record):
            self.dead.mkdir(exist_ok=True)
            path.rename(self.dead / path.name)

    def counts(self) -> tuple[int, int]:
        """How many entries wait, and how many are set aside."""
        dead = len(list(self.dead.glob("*.entry"))) if self.dead.is_dir() else 0
        return len(self._files(None)), dead

    def probe(self) -> None:
        """Raise unless an entry could be written now (folder missing, read-only, full)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        probe = self.folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()

    def retry_set_aside(self) -> int:
        """Put the set-aside entries back; their names keep them in arrival order."""
        moved = list(self.dead.glob("*.entry")) if self.dead.is_dir() else []
        for path in moved:
            path.rename(self.folder / path.name)
        return len(moved)

    @contextlib.contextmanager
    def drain_lock(self) -> Iterator[bool]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".drain.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            # Released when the file is closed, or by the kernel if the drainer dies.
            yield True

    def start_waiting(self) -> bool:
        try:
            os.close(os.open(self.folder / ".waiting", os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        return True

    def stop_waiting(self) -> None:
        (self.folder / ".waiting").unlink(missing_ok=True)

    def _sync_folder(self) -> None:
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.lru_cache(maxsize=4)
def _spool_at(url: str) -> RedisSpool | FolderSpool:
    where = durable_store(url)
    return RedisSpool(where) if isinstance(where, str) else FolderSpool(str(where / "spool"))


def configured() -> RedisSpool | FolderSpool:
    """The spool DURABLE_STORE_URL names."""
    return _spool_at(str(settings.DURABLE_STORE_URL))


def keep_instead(error: Exception, kind: str, payload: dict, received_at: dt.datetime, submission_id: uuid.UUID) -> str:
    """Keep a request the database could not store (`error`), under the id its store was tried
    with; returns it. If the spool fails too, `error` is raised (the visitor sees the friendly
    error page: nothing was received) and the spool's failure is logged."""
    entry_id = str(submission_id)
    try:
        token = encrypt(json.dumps({"kind": kind, "payload": payload, "received_at": received_at.isoformat()}))
        configured().append(f"{entry_id} {token}")
    except Exception as exc:  # noqa: BLE001 - any failure of the spool means nothing was kept
        log.error("A %s request could not be stored or spooled (spool: %s)", kind, type(exc).__name__)
        raise error from exc
    log.warning("A %s request was spooled as %s: the database is unreachable", kind, entry_id)
    return entry_id


def store_spooled() -> int:
    """Store spooled requests, oldest first, until none is left or DRAIN_SECONDS have passed;
    returns how many were stored. Stops at the first one the database cannot take (the next run
    starts again from it)."""
    where = configured()
    try:
        waiting = where.oldest(1)
    except SPOOL_UNREACHABLE as exc:
        _spool_unreachable(exc)
        return 0
    _said_unreachable.clear()
    if not waiting:
        return 0
    _discover_replays()
    with where.drain_lock() as held:
        # Another drainer at work: order holds only with one.
        stored = _drain(where, time.monotonic() + DRAIN_SECONDS) if held else 0
    if stored:
        log.info("Stored %s spooled requests", stored)
    return stored


def _drain(where: RedisSpool | FolderSpool, deadline: float) -> int:
    stored = 0
    while time.monotonic() < deadline:
        batch = where.oldest(BATCH)
        if not batch:
            where.stop_waiting()
            break
        for record in batch:
            try:
                stored += 1 if _store(record) else 0
            except DATABASE_UNREACHABLE as exc:
                close_old_connections()
                if where.start_waiting():
                    log.warning("Spooled requests wait for the database (%s)", type(exc).__name__)
                return stored
            except Exception as exc:  # noqa: BLE001 - a bad entry must not block the ones behind it
                close_old_connections()
                where.set_aside(record)
                log.error("Spooled request %s cannot be stored (%s); set aside", _id_of(record), type(exc).__name__)
                continue
            where.remove(record)
    return stored


# Whether this process has said the spool is unreachable since it last answered: beat asks every
# few seconds, and one line an outage is enough.
_said_unreachable: set[str] = set()


def _spool_unreachable(exc: Exception) -> None:
    if not _said_unreachable:
        log.error("The submission spool is unreachable (%s)", type(exc).__name__)
        _said_unreachable.add("said")


@functools.cache
def _discover_replays() -> None:
    autodiscover_modules("spooled")


def _id_of(record: str) -> str:
    return record.split(" ", 1)[0]


def _store(record: str) -> bool:
    """Store one entry; False when it already was (a drain stopped between commit and removal)."""
    entry_id, token = record.split(" ", 1)
    submission_id = uuid.UUID(entry_id)
    if LeadRequest.objects.filter(submission_id=submission_id).exists():
        return False
    entry = json.loads(decrypt(token))
    replay = _replays[entry["kind"]]
    try:
        replay(entry["payload"], dt.datetime.fromisoformat(entry["received_at"]), submission_id)
    except IntegrityError:
        # A drainer whose lock ran out stored it meanwhile: the unique submission_id refused a second.
        if LeadRequest.objects.filter(submission_id=submission_id).exists():
            return False
        raise
    return True
