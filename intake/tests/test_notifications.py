"""Delivery of staff notifications: claimed once, retried with backoff, never with PHI."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from intake.models import Notification
from intake.tasks import requeue_stale_notifications
from intake.tests.helpers import receive_callback


@pytest.fixture
def lead(staff):
    return receive_callback(
        {"name": "Jordan Whitlock", "phone": "+14155552671", "in_danger": "no"},
        consent_version="callback-2026-11-21",
        consent_page="/callback/",
        attribution={},
    )


@pytest.mark.django_db
def test_it_sends_a_notification_once_however_often_it_is_delivered(lead, mailbox):
    notification = Notification.objects.filter(lead=lead).first()

    assert notification.deliver() is None
    assert Notification.objects.get(pk=notification.pk).deliver() is None

    assert len(mailbox.wait_for(1, timeout=2)) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_it_retries_with_growing_delays_when_the_mail_server_refuses(lead, mailbox, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = Notification.objects.filter(lead=lead).first()
    mailbox.refuse_next = 5

    delays = []
    for _ in range(3):
        Notification.objects.filter(pk=notification.pk).update(due_at=timezone.now())
        delays.append(Notification.objects.get(pk=notification.pk).deliver())

    notification.refresh_from_db()
    assert delays == [30, 60, None]
    assert notification.status == "failed"
    assert notification.attempts == 3
    assert "451" in notification.last_error


@pytest.mark.django_db
def test_it_retries_after_one_refusal_and_then_sends(lead, mailbox):
    notification = Notification.objects.filter(lead=lead).first()
    mailbox.refuse_next = 1

    assert notification.deliver() == 30
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert notification.due_at > timezone.now() + dt.timedelta(seconds=25)
    assert notification.deliver() is None
    assert len(mailbox.wait_for(1, timeout=2)) == 1


@pytest.mark.django_db
def test_it_requeues_only_notifications_left_pending_past_their_time(lead, settings):
    fresh, stranded = Notification.objects.filter(lead=lead).order_by("pk")[:2]
    Notification.objects.filter(pk=stranded.pk).update(due_at=timezone.now() - dt.timedelta(minutes=2))

    assert list(Notification.objects.stale()) == [stranded]
    assert fresh not in Notification.objects.stale()


@pytest.mark.django_db
def test_a_lost_message_is_sent_again_once_not_on_every_run(lead, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = f"nothing-waiting-{uuid.uuid4().hex}"  # the broker holds no backlog
    stranded = Notification.objects.filter(lead=lead).first()
    Notification.objects.filter(pk=stranded.pk).update(due_at=timezone.now() - dt.timedelta(minutes=2))

    assert requeue_stale_notifications() == 1
    assert requeue_stale_notifications() == 0  # enqueued a moment ago: no copy on every run


@pytest.mark.django_db
def test_a_worker_behind_on_a_backlog_is_not_flooded_with_copies(lead, settings):
    from config.celery import app

    backlog = f"backlog-{uuid.uuid4().hex}"
    settings.CELERY_TASK_DEFAULT_QUEUE = backlog
    late = Notification.objects.filter(lead=lead).first()
    Notification.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(minutes=2))

    with app.connection_for_write() as connection:
        waiting = connection.SimpleQueue(backlog)
        try:
            for n in range(3):
                waiting.put({"message": n})
            # Three messages wait in the broker for one late row: its message is among them.
            assert requeue_stale_notifications() == 0
        finally:
            waiting.queue.delete()
            waiting.close()

    # Once the queue has drained and the row is still late, its message was lost after all.
    assert requeue_stale_notifications() == 1


@pytest.mark.django_db
def test_it_gives_back_a_notification_whose_worker_died_mid_send(lead, settings):
    settings.NOTIFICATION_RECLAIM_AFTER_SECONDS = 120
    dead, busy = Notification.objects.filter(lead=lead).order_by("pk")[:2]
    now = timezone.now()
    Notification.objects.filter(pk=dead.pk).update(status="sending", claimed_at=now - dt.timedelta(seconds=150))
    Notification.objects.filter(pk=busy.pk).update(status="sending", claimed_at=now - dt.timedelta(seconds=30))

    requeue_stale_notifications()

    dead.refresh_from_db()
    busy.refresh_from_db()
    assert dead.status == "pending"  # two minutes on: its worker is gone, someone else sends it
    assert busy.status == "sending"  # a send may still be under way: never doubled


@pytest.mark.django_db
def test_it_logs_a_lead_without_on_duty_staff_and_creates_no_rows(db, caplog):
    lead = receive_callback(
        {"name": "Jordan", "phone": "+14155552671"}, consent_version="v", consent_page="/callback/", attribution={}
    )
    assert lead.notifications.count() == 0
    assert f"Lead {lead.pk} has nobody to notify" in caplog.text
    assert "Jordan" not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_sent_notification_is_recorded_even_if_the_database_blinks(mailbox, monkeypatch, settings):
    from django.contrib.auth.models import User
    from django.db import OperationalError

    # No staff yet, so the lead queues nothing the real worker could race this test for: the one
    # row is made here and delivered only by the test.
    settings.CHAT_WEBHOOK_URL = ""
    lead = receive_callback(
        {"name": "Jordan", "phone": "+14155552671"}, consent_version="v", consent_page="/callback/", attribution={}
    )
    avery = User.objects.create_user("avery", "avery@lantern.example", "correct horse battery")
    notification = Notification.objects.create(lead=lead, recipient=avery, channel="email", kind="new_lead")
    real_save, failures = Notification.save, []

    def save_failing_once(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["status", "sent_at"] and not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Notification, "save", save_failing_once)
    assert notification.deliver() is None

    notification.refresh_from_db()
    assert failures and notification.status == "sent"  # not left "sending", to be sent again later
    assert [m["to"] for m in mailbox.wait_for(2, timeout=2)] == [["avery@lantern.example"]]
