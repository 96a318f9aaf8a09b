"""Celery tasks: thin wrappers that take an id and call the model."""

import logging

from celery import shared_task
from django.conf import settings

from .models import Lead, Notification, enqueue_all

log = logging.getLogger(__name__)


# A send still running at half the reclaim time is killed (its row is then given back): no row is
# ever sent by two workers at once. SMTP and webhook timeouts are far shorter.
SEND_TIME_LIMIT = max(15, settings.NOTIFICATION_RECLAIM_AFTER_SECONDS // 2)


@shared_task(bind=True, max_retries=None, time_limit=SEND_TIME_LIMIT)
def deliver_notification(self, notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    delay = notification.deliver()
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task
def requeue_stale_notifications() -> int:
    """Enqueue again the notifications whose task message was lost (broker down, restarted,
    worker killed). Safe to over-enqueue: delivery claims each row once."""
    stale = list(Notification.objects.stale())
    # A row still "sending" was claimed by a worker that died mid-send; give it back.
    abandoned = [n.pk for n in stale if n.status == Notification.Status.SENDING]
    Notification.objects.filter(pk__in=abandoned, status=Notification.Status.SENDING).update(
        status=Notification.Status.PENDING
    )
    count = enqueue_all(stale)
    if count:
        log.info("Re-enqueued %s stale notifications", count)
    return count


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
    from .retention import anonymise_expired

    # Bounded so one run stays well inside the broker's visibility timeout; the next run
    # carries on where this one stopped.
    return anonymise_expired(limit=5000).leads
