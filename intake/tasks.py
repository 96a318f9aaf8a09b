"""Celery tasks: thin wrappers that take an id and call the model."""

import logging

from celery import shared_task

from .models import Notification, enqueue_all

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
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
