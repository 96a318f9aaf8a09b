"""Waking the worker: one message while one is on its way, a new one as soon as a run has begun."""

import uuid

import pytest
from celery.signals import before_task_publish

from config.celery import app
from intake.models import Notification
from intake.tests.helpers import receive_callback
from outbox.broker import lower_flag
from outbox.tasks import deliver_due


@pytest.fixture
def wake_ups(settings):
    """The wake-ups sent, on a queue of this test's own that no worker reads."""
    queue, usual = f"wake-ups-{uuid.uuid4().hex}", app.conf.task_default_queue
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    sent = []

    def keep(sender=None, body=None, **kwargs):
        sent.append(body[0])  # the task's arguments: a label, nothing about anyone

    before_task_publish.connect(keep, weak=False)
    yield sent
    before_task_publish.disconnect(keep)
    app.conf.task_default_queue = usual
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def callback(n: int):
    return receive_callback({"name": "Jordan", "phone": f"+1415555270{n}"}, consent_version="v", attribution={})


@pytest.mark.django_db(transaction=True)
def test_requests_arriving_while_a_wake_up_is_on_its_way_send_no_other(staff, wake_ups):
    for n in range(4):
        callback(n)

    assert wake_ups == [("intake.notification",)]


@pytest.mark.django_db(transaction=True)
def test_a_request_after_a_run_has_begun_wakes_the_worker_again(staff, wake_ups):
    callback(1)
    lower_flag("intake.notification")  # what a run does before it claims anything
    callback(2)

    assert wake_ups == [("intake.notification",)] * 2


@pytest.mark.django_db(transaction=True)
def test_beats_safety_net_wakes_every_kind_even_with_a_wake_up_pending(staff, wake_ups):
    callback(1)  # a wake-up is pending; its message may have been lost

    deliver_due()

    # The pending alert's own wake-up, then one per kind of delivery the project has.
    every_kind = ["admissions.estimateemail", "admissions.visitorreminder", "intake.notification"]
    every_kind += ["handoff.recordexport", "texting.outgoingtext", "verification.eligibilitycheck"]
    assert sorted(wake_ups) == sorted([("intake.notification",)] + [(label,) for label in every_kind])


@pytest.mark.django_db(transaction=True)
def test_a_run_with_a_backlog_wakes_another_worker_to_share_it(staff, wake_ups, mailbox, settings, monkeypatch):
    settings.CHAT_WEBHOOK_URL = ""
    monkeypatch.setattr(Notification, "batch_size", 2)
    for n in range(4):
        callback(n)  # more rows than one batch
    lower_flag("intake.notification")  # a run begins
    wake_ups.clear()

    Notification.objects.deliver_due()

    assert wake_ups == [("intake.notification",)]  # one more worker, not one per batch
    assert Notification.objects.filter(status="sent").count() == Notification.objects.count()
