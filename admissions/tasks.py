"""Beat's tasks for beds: thin, no arguments, they process whatever is due."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task
def sweep_beds() -> dict[str, int]:
    """Release expired holds, pass on expired offers, warn of holds about to expire, remind staff
    of admissions coming up and of waitlist check-ins due."""
    from .capacity import sweep

    counts = sweep()
    if any(counts.values()):
        log.info("Beds sweep: %s", counts)
    return counts
