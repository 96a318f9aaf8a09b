"""What the terminal of `make run` (and any process's log) says: requests, alerts and problems,
one line each, not the routine of beat and the worker."""

import logging

import pytest


@pytest.mark.django_db
def test_a_refused_staff_page_is_one_line_in_the_log_not_a_traceback(client, staff, caplog):
    client.force_login(staff["avery"])

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/staff/metrics/").status_code == 403

    [line] = [logging.Formatter().format(r) for r in caplog.records if r.name == "django.request"]
    assert line == "Forbidden (Permission denied): /staff/metrics/"


def test_beat_says_it_started_but_not_each_periodic_run_it_sends(caplog):
    beat = logging.getLogger("celery.beat")

    with caplog.at_level(logging.INFO, logger="celery.beat"):
        beat.info("beat: Starting...")
        beat.info("Scheduler: Sending due task %s (%s)", "deliver-due", "outbox.tasks.deliver_due")
        beat.error("Message Error: %s", "the broker is down")

    assert [r.getMessage() for r in caplog.records] == ["beat: Starting...", "Message Error: the broker is down"]


def test_the_worker_does_not_announce_each_task_it_runs_but_reports_a_failure(caplog):
    received, trace = logging.getLogger("celery.worker.strategy"), logging.getLogger("celery.app.trace")

    with caplog.at_level(logging.INFO, logger="celery"):
        received.info("Task %s[%s] received", "outbox.tasks.deliver_due", "1")
        trace.info("Task %s[%s] succeeded in %ss: %s", "outbox.tasks.deliver_due", "1", 0.01, None)
        trace.error("Task %s[%s] raised unexpected: %s", "outbox.tasks.deliver_due", "2", "OperationalError")

    assert [r.getMessage() for r in caplog.records] == [
        "Task outbox.tasks.deliver_due[2] raised unexpected: OperationalError"
    ]
