"""Workers sharing one outbox: each row goes to one of them, none waits on another."""

import threading
import time

import pytest
from django.db import connection, transaction

from intake.models import Notification
from intake.tests.helpers import receive_callback


@pytest.fixture
def rows(staff, settings, monkeypatch):
    # Nobody wakes a worker: a test worker left running by an earlier test must not take them.
    monkeypatch.setattr("intake.models.notification.nudge", lambda model, **kwargs: False)
    settings.CHAT_WEBHOOK_URL = ""
    for n in range(3):
        receive_callback({"name": "Jordan", "phone": f"+1415555267{n}"}, consent_version="v", attribution={})
    return list(Notification.objects.order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped_not_waited_for(rows):
    held, free = rows[0], rows[1:]
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        # Another worker in the middle of claiming: it holds the first row's lock.
        with transaction.atomic():
            list(Notification.objects.select_for_update().filter(pk=held.pk))
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        claimed = Notification.objects.claim(limit=len(rows))
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join()

    # Every free row went to this claim, except one the suite's live worker may have taken first
    # (woken by a wake-up an earlier test left on the queue): then it is that worker's, not pending.
    mine = [row.pk for row in claimed]
    assert held.pk not in mine and mine == sorted(mine)
    taken_elsewhere = Notification.objects.filter(pk__in=[row.pk for row in free]).exclude(pk__in=mine)
    assert not taken_elsewhere.filter(status="pending").exists()
    assert len(mine) >= len(free) - 1
    assert waited < 2, f"the claim waited {waited:.1f}s for a lock"
    assert {row.status for row in claimed} == {"sending"}
    assert Notification.objects.get(pk=held.pk).status == "pending"  # still there for its holder


@pytest.mark.django_db
def test_two_claims_never_share_a_row(rows):
    first = Notification.objects.claim(limit=2)
    second = Notification.objects.claim(limit=len(rows))

    assert len(first) == 2
    assert {row.pk for row in first}.isdisjoint(row.pk for row in second)
    assert {row.pk for row in first + second} == {row.pk for row in rows}
    assert Notification.objects.claim(limit=10) == []  # nothing left due
