"""Celery tasks of intake: thin, each calls the models (staff alerts themselves run in the outbox: outbox.tasks)."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from .models import Lead, Notification
from .retention import anonymise_expired
from .spool import store_spooled

log = logging.getLogger(__name__)


@shared_task
def fall_back_failing_alerts() -> int:
    """Every 15 s: alerts still failing NOTIFICATION_FALLBACK_SECONDS after they were queued go to
    the person's other channels, then to the supervisors (a refusal for good falls back at once)."""
    fallen_back = Notification.objects.fall_back_past_window()
    if fallen_back:
        log.warning("%s failing alerts fell back to other channels or the supervisors", fallen_back)
    return fallen_back


@shared_task
def escalate_overdue_leads() -> int:
    """Every minute: leads nobody has tried to call by their SLA deadline go to the supervisors."""
    escalated = sum(lead.escalate() for lead in Lead.objects.overdue_for_escalation().only("pk", "urgent"))
    if escalated:
        log.info("Escalated %s overdue leads", escalated)
    return escalated


@shared_task
def remind_due_follow_ups() -> int:
    reminded = sum(
        lead.remind_follow_up()
        for lead in Lead.objects.follow_ups_due()
        .select_related("assigned_to")
        .only("pk", "urgent", "follow_up_at", "assigned_to")
    )
    if reminded:
        log.info("Sent %s follow-up reminders", reminded)
    return reminded


@shared_task
def purge_expired() -> int:
    """Every hour: anonymise leads closed longer ago than RETENTION_DAYS (see intake.retention).
    Safe to run twice at once: each lead is locked and marked as it is anonymised."""
    # Bounded so one run stays well inside the broker's visibility timeout; the next run
    # carries on where this one stopped.
    return anonymise_expired(limit=5000).leads


@shared_task
def store_spooled_submissions() -> int:
    """Every few seconds: requests kept in the spool while the database was down are stored
    (intake.spool). With an empty spool a run reads one list and touches no database."""
    return store_spooled()


@worker_ready.connect
def _store_spooled_at_start(**kwargs) -> None:
    # A worker starting after an outage need not wait for beat's first run.
    store_spooled_submissions.delay()
