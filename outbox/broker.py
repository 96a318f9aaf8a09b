"""Waking the worker: one small message that says "there are rows due", never the rows themselves.

The message carries only the model's label. Losing it loses nothing: beat runs the same task every
DELIVERY_POLL_SECONDS, and the rows wait in PostgreSQL. So a publish that fails is logged and
dropped, and after one failure this process skips the broker for REDIS_OUTAGE_SECONDS
(config.outage): a frozen Redis then costs the first visitor one socket timeout, not every visitor.

Wake-ups are coalesced. While one is on its way (sent, its run not yet started) another would only
start a run that finds nothing, so none is sent: a flag beside the queue, in the broker's Redis,
says one is pending. A run lowers the flag before it claims anything, so a row committed after that
sends a new wake-up, and no row is left waiting for beat. Under a burst this turns one message, one
task and one claim per request into a few per second. The flag expires after DELIVERY_POLL_SECONDS,
so a wake-up lost with the broker or a killed worker holds back the next ones no longer than beat
would anyway. The folder broker of `make run` has no Redis: there every commit wakes the worker.
"""

import logging

import redis
from celery import current_app
from django.conf import settings

from config import outage
from config.stores import redis_client

log = logging.getLogger(__name__)

DELIVER_DUE = "outbox.tasks.deliver_due"


def _flags() -> redis.Redis | None:
    """Where the wake-up flags live: the broker's Redis, or None for a broker without one."""
    broker = settings.CELERY_BROKER_URL
    return redis_client(broker) if broker.startswith(("redis://", "rediss://")) else None


def _flag(label: str) -> str:
    # Named after the queue too: runs of another queue (a test run, a second site) are not ours.
    return f"lantern:outbox:wake-up:{settings.CELERY_TASK_DEFAULT_QUEUE}:{label}"


def _raise_flag(label: str, *, even_if_pending: bool) -> bool:
    """True if this caller should send the wake-up: none was pending (or it must be sent anyway),
    and now one is."""
    flags = _flags()
    if flags is None:
        return True
    return bool(flags.set(_flag(label), 1, nx=not even_if_pending, ex=settings.DELIVERY_POLL_SECONDS))


def lower_flag(label: str) -> None:
    """A run of `label` is starting: the next row committed must wake the worker again."""
    flags = _flags()
    if flags is None:
        return
    try:
        flags.delete(_flag(label))
    except redis.RedisError as exc:  # the flag expires on its own
        log.warning("Could not lower the wake-up flag of %s: %s", label, type(exc).__name__)


def nudge(model, *, even_if_pending: bool = False) -> bool:
    """Ask a worker to deliver `model`'s due rows now, unless a wake-up is already on its way
    (`even_if_pending`: beat's safety net, which must not trust a flag whose message may be lost).
    Never raises; False when the broker could not be reached."""
    label = model._meta.label_lower
    broker = settings.CELERY_BROKER_URL
    if outage.is_down(broker):
        return False
    try:
        if not _raise_flag(label, even_if_pending=even_if_pending):
            return True
        # By name: the task module imports the models, which call this.
        current_app.send_task(DELIVER_DUE, args=(label,))
    except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the visitor
        outage.mark_down(broker)
        log.warning("Could not wake the worker for %s: %s", label, type(exc).__name__)
        return False
    return True
