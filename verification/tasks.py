"""Celery tasks of the verification app: thin, by id."""

import logging

from celery import shared_task
from django.conf import settings

from intake.models import enqueue_all

from . import cards
from .eligibility import crash_report
from .models import EligibilityCheck

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, soft_time_limit=settings.ELIGIBILITY_TIMEOUT + 15)
def run_eligibility_check(self, check_id: int) -> None:
    check = EligibilityCheck.objects.filter(pk=check_id).select_related("verification__payer").first()
    if check is None:
        return
    try:
        delay = check.run()
    except Exception as exc:  # noqa: BLE001 - Celery would log the message, which can hold PHI
        # The check stays as it was (running): requeue_stale_checks gives it back within minutes.
        log.error("Eligibility check %s: task failed: %s", check_id, crash_report(exc))
        return
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task
def requeue_stale_checks() -> int:
    """Checks whose message was lost (broker down) or whose worker died go back in the queue."""
    stale = list(EligibilityCheck.objects.stale())
    running = [c.pk for c in stale if c.status == EligibilityCheck.Status.RUNNING]
    EligibilityCheck.objects.filter(pk__in=running, status=EligibilityCheck.Status.RUNNING).update(
        status=EligibilityCheck.Status.PENDING
    )
    count = enqueue_all(stale)
    if count:
        log.info("Re-enqueued %s eligibility checks", count)
    return count


@shared_task
def purge_held_card_photos() -> int:
    """Card photos kept for a form that was never sent again go once their hour is up."""
    count = cards.purge_held(older_than=cards.HOLD_SECONDS)
    if count:
        log.info("Purged %s unused held card photos", count)
    return count
