"""Waking the worker: one small message that says "there are rows due", never the rows themselves.

The message carries only the model's label. Losing it loses nothing: beat runs the same task every
DELIVERY_POLL_SECONDS, and the rows wait in PostgreSQL. So a publish that fails is logged and
dropped, and after one failure this process skips the broker for REDIS_OUTAGE_SECONDS
(config.outage): a frozen Redis then costs the first visitor one socket timeout, not every visitor.
"""

import logging

from celery import current_app
from django.conf import settings

from config import outage

log = logging.getLogger(__name__)

DELIVER_DUE = "outbox.tasks.deliver_due"


def nudge(model) -> bool:
    """Ask a worker to deliver `model`'s due rows now. Never raises; False when not sent."""
    broker = settings.CELERY_BROKER_URL
    if outage.is_down(broker):
        return False
    try:
        # By name: the task module imports the models, which call this.
        current_app.send_task(DELIVER_DUE, args=(model._meta.label_lower,))
    except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the visitor
        outage.mark_down(broker)
        log.warning("Could not wake the worker for %s: %s", model._meta.label_lower, type(exc).__name__)
        return False
    return True
