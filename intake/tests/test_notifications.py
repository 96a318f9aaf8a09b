"""Delivery of staff notifications through the outbox: sent once, retried with back-off when the
provider says "not now", failed at once when trying again cannot help, never with PHI."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.utils import timezone

from intake.models import Notification
from intake.tests.helpers import receive_callback
from outbox.tests.helpers import deliver, retry_now


@pytest.fixture
def lead(staff):
    return receive_callback(
        {"name": "Jordan Whitlock", "phone": "+14155552671", "in_danger": "no"},
        consent_version="callback-2026-11-21",
        consent_page="/callback/",
        attribution={},
    )


@pytest.mark.django_db
def test_it_sends_a_notification_once_however_often_the_worker_runs(lead, mailbox):
    notification = Notification.objects.filter(lead=lead).first()

    deliver(notification)
    deliver(notification)
    Notification.objects.deliver_due()

    assert len(mailbox.wait_for(len(lead.notifications.all()), timeout=2)) == lead.notifications.count()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)
    assert [m["to"] for m in mailbox.messages].count([notification.recipient.email]) == 1


@pytest.mark.django_db
def test_an_alert_the_mail_server_keeps_refusing_waits_for_it_however_long_it_takes(lead, mailbox, settings):
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 100
    notification = Notification.objects.filter(lead=lead).first()
    mailbox.refuse_next = 8

    waits = []
    for _ in range(8):
        before = timezone.now()
        retry_now(notification)
        waits.append(round((notification.due_at - before).total_seconds()))

    # Growing delays, capped: a temporary failure is never final for a staff alert.
    assert waits == [30, 60, 100, 100, 100, 100, 100, 100]
    assert (notification.status, notification.attempts) == ("pending", 8)
    assert "451" in notification.last_error
    retry_now(notification)
    assert notification.status == "sent"
    assert notification.recipient.email in [m["to"][0] for m in mailbox.wait_for(1, timeout=2)]


@pytest.mark.django_db
def test_it_sends_after_one_refusal_once_the_retry_is_due(lead, mailbox):
    notification = Notification.objects.filter(lead=lead).first()
    mailbox.refuse_next = 1

    deliver(notification)
    assert notification.status == "pending"
    assert notification.due_at > timezone.now() + dt.timedelta(seconds=25)
    deliver(notification)  # not due yet: nothing happens
    assert notification.attempts == 1

    retry_now(notification)
    assert notification.status == "sent"
    assert len(mailbox.wait_for(1, timeout=2)) == 1


@pytest.mark.django_db
def test_a_mail_server_that_refuses_our_login_falls_back_at_once_and_the_alert_waits_for_the_fix(
    lead, mailbox, settings, staff
):
    # A wrong SMTP password breaks email for everyone: no point waiting out the fallback window,
    # and no point failing the alert for good either, since someone will fix the password.
    settings.MAILERS["default"]["OPTIONS"].update(username="lantern", password="not-set-up")
    notification = Notification.objects.filter(lead=lead, channel="email").first()

    deliver(notification)

    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.last_error.startswith("SMTPNotSupportedError")
    assert lead.notifications.filter(recipient=staff["sam"], stage=2).exists()  # the supervisors
    assert mailbox.messages == []

    del settings.MAILERS["default"]["OPTIONS"]["username"], settings.MAILERS["default"]["OPTIONS"]["password"]
    retry_now(notification)
    assert notification.status == "sent"


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_gives_its_rows_back_only_after_the_reclaim_time(lead, mailbox, settings):
    settings.DELIVERY_RECLAIM_AFTER_SECONDS = 120
    dead, busy = Notification.objects.filter(lead=lead).order_by("pk")[:2]
    now = timezone.now()
    Notification.objects.filter(pk=dead.pk).update(
        status="sending", attempts=1, claimed_at=now - dt.timedelta(seconds=150)
    )
    Notification.objects.filter(pk=busy.pk).update(
        status="sending", attempts=1, claimed_at=now - dt.timedelta(seconds=30)
    )

    deliver(dead, busy)

    assert (dead.status, dead.attempts) == ("sent", 2)  # two minutes on: its worker is gone
    assert busy.status == "sending"  # a send may still be under way: never doubled
    assert len(mailbox.wait_for(1, timeout=2)) == 1


@pytest.mark.django_db
def test_rows_past_a_runs_time_budget_are_given_back_due_now_untried(lead, mailbox):
    rows = list(Notification.objects.filter(lead=lead))
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(due_at=timezone.now() - dt.timedelta(seconds=1))

    assert Notification.objects.deliver_due(budget=0) == 0

    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claim_token) == ("pending", 0, None)
        assert row.due_at <= timezone.now()
    assert mailbox.messages == []


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
        if "finished_at" in (kwargs.get("update_fields") or ()) and not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Notification, "save", save_failing_once)
    deliver(notification)

    assert failures and notification.status == "sent"  # not left "sending", to be sent again later
    assert [m["to"] for m in mailbox.wait_for(2, timeout=2)] == [["avery@lantern.example"]]
