"""Once a provider has accepted a message, it is never sent again, however long PostgreSQL is away:
the acceptance is journalled outside PostgreSQL first and reconciled when the row is taken again."""

import datetime as dt
import os

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.utils import timezone

from intake.models import Notification
from intake.tests.helpers import receive_callback
from outbox import journal


@pytest.fixture(params=["redis", "folder"])
def durable_store(request, settings, tmp_path):
    """Production's Redis, and the embedded default's folder."""
    if request.param == "redis":
        settings.DURABLE_STORE_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    else:
        settings.DURABLE_STORE_URL = str(tmp_path / "durable")
    return request.param


@pytest.fixture
def alert(db, settings, monkeypatch):
    # No staff on duty, so the lead queues nothing a test worker could race us for.
    monkeypatch.setattr("intake.models.notification.nudge", lambda model, **kwargs: False)
    settings.CHAT_WEBHOOK_URL = ""
    lead = receive_callback(
        {"name": "Jordan", "phone": "+14155552671"}, consent_version="v", consent_page="/callback/", attribution={}
    )
    avery = User.objects.create_user("avery", "avery@lantern.example", "correct horse battery")
    return Notification.objects.create(lead=lead, recipient=avery, channel="email", kind="new_lead")


@pytest.mark.django_db(transaction=True)
def test_an_accepted_alert_is_not_sent_again_after_a_long_database_outage(alert, mailbox, durable_store, monkeypatch):
    real_save = Notification.save
    database_down = True

    def save(self, *args, **kwargs):
        if database_down and "finished_at" in (kwargs.get("update_fields") or ()):
            raise OperationalError("could not connect to server: Connection refused")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Notification, "save", save)
    monkeypatch.setattr("outbox.models.time.sleep", lambda seconds: None)  # the 15 s of retries, at once

    with pytest.raises(OperationalError):
        Notification.objects.filter(pk=alert.pk).deliver_due()
    assert len(mailbox.wait_for(1, timeout=2)) == 1
    alert.refresh_from_db()
    assert alert.status == "sending"  # the database never heard

    # The database is back; the row's worker is long gone and another takes it again.
    database_down = False
    Notification.objects.filter(pk=alert.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    Notification.objects.filter(pk=alert.pk).deliver_due()

    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("sent", 2)
    assert len(mailbox.wait_for(2, timeout=1)) == 1  # the person got it once
    assert not journal.was_accepted(alert)  # reconciled: nothing left behind


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_journal_does_not_silence_alerts(alert, mailbox, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.DURABLE_STORE_URL = str(blocker)  # every journal write and read fails
    Notification.objects.filter(pk=alert.pk).update(attempts=3)  # a retried row asks the journal first

    Notification.objects.filter(pk=alert.pk).deliver_due()

    alert.refresh_from_db()
    assert alert.status == "sent"
    assert len(mailbox.wait_for(1, timeout=2)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_repeated_email_carries_the_same_message_id_for_mail_systems_to_merge(alert, mailbox):
    # The one window no journal closes: a worker killed after the server's answer, before the mark.
    Notification.objects.filter(pk=alert.pk).deliver_due()
    Notification.objects.filter(pk=alert.pk).update(status="pending", due_at=timezone.now())
    Notification.objects.filter(pk=alert.pk).deliver_due()

    ids = [
        line for m in mailbox.wait_for(2, timeout=2) for line in m["data"].splitlines() if line.startswith("Message-ID")
    ]
    assert len(ids) == 2 and ids[0] == ids[1] and f"alert-{alert.pk}-" in ids[0]
