"""Celery tasks: thin wrappers that take an id and call the model."""

import logging

from celery import shared_task

from .models import Notification

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
    count = 0
    for notification in Notification.objects.stale():
        if notification.status == Notification.Status.SENDING:
            # The worker that claimed it died mid-send; give it back.
            Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
                status=Notification.Status.PENDING
            )
        count += notification.enqueue()
    if count:
        log.info("Re-enqueued %s stale notifications", count)
    return count
