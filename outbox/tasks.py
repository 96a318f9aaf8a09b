"""The one task that runs every outbox: nudged after a commit that queues rows, and run by beat every
DELIVERY_POLL_SECONDS as the safety net for a nudge that was lost (broker down, worker killed)."""

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings

from config.crash import crash_report

from .broker import lower_flag, nudge
from .models import Delivery

log = logging.getLogger(__name__)

# A task is killed at half the reclaim time, so a row it holds is never reclaimed while it may
# still be sending. It stops claiming at half of that, leaving time for the last send to finish
# (SMTP, webhook and payer calls each time out well within it).
TIME_LIMIT = max(15, settings.DELIVERY_RECLAIM_AFTER_SECONDS // 2)
BUDGET = TIME_LIMIT / 2


def delivery_models() -> list[type[Delivery]]:
    return [model for model in apps.get_models() if issubclass(model, Delivery)]


@shared_task(time_limit=TIME_LIMIT)
def deliver_due(label: str | None = None) -> int:
    """Deliver the due rows of one kind (`label`, e.g. "intake.notification"); without a label
    (beat), wake one run per kind, so a slow payer never holds back a staff alert."""
    if label is None:
        for model in delivery_models():
            nudge(model, even_if_pending=True)
        return 0
    # Before the first claim: a row committed from now on wakes the worker again.
    lower_flag(label)
    try:
        performed = apps.get_model(label).objects.deliver_due(budget=BUDGET)
    except Exception as exc:  # noqa: BLE001 - Celery would log the message, which can quote PHI
        # Rows this run held stay claimed and are taken again after DELIVERY_RECLAIM_AFTER_SECONDS.
        log.error("Delivering %s stopped: %s", label, crash_report(exc))
        return 0
    if performed:
        log.info("Delivered %s %s", performed, label)
    return performed
