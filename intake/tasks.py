"""Celery tasks: thin wrappers that take an id and call the model."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

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


# Rows looked at per run (every 10 s): a backlog of tens of thousands must not be loaded at once.
REQUEUE_BATCH = 1000


@shared_task
def requeue_stale_notifications() -> int:
    """Enqueue again the notifications whose task message was lost (broker down or restarted,
    worker killed). Safe to over-enqueue, since delivery claims each row once, but not free: each
    copy is a message the worker must read, so copies are made only where they help."""
    now = timezone.now()
    stale = Notification.objects.stale(now)
    # A row still "sending" was claimed by a worker that died mid-send; give it back.
    abandoned = list(stale.filter(status=Notification.Status.SENDING).values_list("pk", flat=True)[:REQUEUE_BATCH])
    stale.filter(pk__in=abandoned).update(status=Notification.Status.PENDING, due_at=now)

    waiting = list(
        stale.filter(status=Notification.Status.PENDING).order_by("due_at").values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    queued = broker_queue_length()
    if queued is not None and queued >= len(waiting):
        # The broker holds at least as many messages as there are late rows: the worker is behind,
        # not missing messages, and a copy would only wait behind the same backlog. Rows whose
        # message really was lost are found once the queue has drained.
        waiting = []
    # Due "now" again: a row is enqueued at most once per NOTIFICATION_REQUEUE_AFTER_SECONDS.
    stale.filter(pk__in=waiting).update(due_at=now)

    count = enqueue_all(Notification(pk=pk) for pk in abandoned + waiting)
    if count:
        log.info("Re-enqueued %s stale notifications", count)
    return count


def broker_queue_length() -> int | None:
    """Messages waiting in our Celery queue, or None if the broker cannot say."""
    from config import outage
    from config.celery import app

    if outage.is_down(settings.CELERY_BROKER_URL):
        return None
    try:
        with app.connection_for_write() as connection:
            declared = connection.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True)
    except Exception as exc:  # noqa: BLE001 - an empty Redis queue does not exist, and outages vary
        log.debug("Queue length unknown: %s", type(exc).__name__)
        return None
    return declared.message_count


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
