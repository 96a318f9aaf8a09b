"""Celery tasks of the verification app (eligibility checks run in the outbox: outbox.tasks)."""

import logging

from celery import shared_task

from . import cards, reverification

log = logging.getLogger(__name__)


@shared_task
def purge_held_card_photos() -> int:
    """Card photos kept for a form that was never sent again go once their hour is up."""
    count = cards.purge_held(older_than=cards.HOLD_SECONDS)
    if count:
        log.info("Purged %s unused held card photos", count)
    return count


@shared_task
def reverify_upcoming_admissions() -> dict[str, int]:
    """Hourly: check the insurance of each admission coming up within REVERIFY_DAYS_BEFORE_ADMISSION
    days again, once per admission (verification.reverification)."""
    counts = reverification.reverify_upcoming()
    if any(counts.values()):
        log.info("Re-checks before admissions: %s", counts)
    return counts
