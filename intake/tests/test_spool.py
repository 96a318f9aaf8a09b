"""A callback sent while PostgreSQL is unreachable: the visitor is thanked, the request waits in the
spool (Redis in production, a folder in the embedded setup), and it is stored with its alerts once
the database answers, exactly once, in the order people sent them.

The shared PostgreSQL must not be stopped, so "unreachable" is this process failing to connect:
the open connection is closed and every new one is refused, as psycopg2 refuses a stopped server.
"""

import contextlib
import io
import logging
import uuid
from pathlib import Path
from unittest import mock

import psycopg2
import pytest
import redis
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from intake import front_door, spool
from intake.models import Lead, LeadRequest, Notification
from intake.tasks import store_spooled_submissions

from .helpers import JORDAN

CALLBACK = "/callback/"
RILEY = {"name": "Riley Okafor", "phone": "(212) 555-0148"}
SAM = {"name": "Sam Lindqvist", "phone": "(303) 555-0199"}

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_down():
    """Every connection to PostgreSQL refused, as while the server is stopped."""
    connection.close()
    refused = psycopg2.OperationalError("connection to server failed: Connection refused")
    with mock.patch.object(connection, "get_new_connection", side_effect=refused):
        yield
    connection.close()


@pytest.fixture(params=["redis", "folder"])
def kept(request, settings, tmp_path):
    """The spool a deployment uses: production's Redis (this run's own database) or the embedded
    default, a folder. Yields what it holds at rest, as raw bytes."""
    settings.FORM_RATE_LIMIT = 100
    if request.param == "redis":
        settings.DURABLE_STORE_URL = settings.REDIS_URL
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = [spool.RedisSpool.ENTRIES, spool.RedisSpool.DEAD, spool.RedisSpool.WAITING]
        client.delete(*keys)
        yield lambda: b"".join(client.lrange(spool.RedisSpool.ENTRIES, 0, -1))
        client.delete(*keys)
    else:
        settings.DURABLE_STORE_URL = str(tmp_path)  # a bare path, as the embedded default; entries in spool/
        yield lambda: b"".join(p.read_bytes() for p in sorted(Path(tmp_path / "spool").glob("*.entry")))


def post(client, visitor_data, **changes):
    return client.post(CALLBACK, {**visitor_data, **changes})


def test_it_thanks_a_visitor_while_the_database_is_down_and_stores_the_request_with_its_alerts_when_it_returns(
    client, staff, visitor_data, kept
):
    before = timezone.now()
    with database_down():
        response = post(client, visitor_data)
        thanks = client.get(response["Location"])
    after = timezone.now()

    assert response.status_code == 302 and response["Location"] == "/callback/thanks/"
    html = thanks.content.decode()
    assert thanks.status_code == 200 and "We've got your request" in html
    assert "Your reference is" not in html  # none exists yet, and none is made up
    # Nobody is alerted until the database takes it: the page promises no evening window.
    assert "will call you <strong>as soon as we can: our systems are slow right now" in html
    assert Lead.objects.count() == 0
    entry_id = kept().split(b" ", 1)[0].decode()

    assert store_spooled_submissions() == 1

    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.best_time) == (JORDAN["name"], JORDAN["phone"], "evening")
    request = lead.requests.get()
    assert request.message == visitor_data["message"] and str(request.submission_id) == entry_id
    # Its clock started when Jordan pressed send, not when the database came back.
    assert before <= lead.created_at <= after and before <= request.created_at <= after
    alerted = {n.recipient.username for n in Notification.objects.filter(lead=lead)}
    assert {"avery", "blake"} <= alerted
    assert not kept()


def test_it_keeps_nothing_a_reader_of_the_spool_could_read(client, staff, visitor_data, kept):
    with database_down():
        post(client, visitor_data)

    at_rest = kept()
    assert at_rest
    for secret in (b"Jordan", b"Whitlock", b"555-2671", b"4155552671", b"Ezekiel", b"jordan.whitlock"):
        assert secret not in at_rest


def test_it_stores_each_spooled_request_once_even_if_drained_twice_or_stopped_after_storing(
    client, staff, visitor_data, kept
):
    with database_down():
        post(client, visitor_data)
        post(client, visitor_data, **RILEY)

    # The worker dies after the first request is committed but before its entry is removed.
    with mock.patch.object(type(spool.configured()), "remove", side_effect=SystemExit), pytest.raises(SystemExit):
        store_spooled_submissions()
    assert LeadRequest.objects.count() == 1

    assert store_spooled_submissions() == 1
    assert store_spooled_submissions() == 0

    assert sorted(r.name for r in LeadRequest.objects.all()) == [JORDAN["name"], RILEY["name"]]
    assert (
        Notification.objects.filter(lead__name=JORDAN["name"]).count()
        == Notification.objects.filter(lead__name=RILEY["name"]).count()
    )
    assert not kept()


def test_it_stores_spooled_requests_in_the_order_people_sent_them(client, staff, visitor_data, kept):
    with database_down():
        for person in (RILEY, JORDAN, SAM):
            post(client, visitor_data, **person)

    assert store_spooled_submissions() == 3

    stored = list(LeadRequest.objects.order_by("pk"))
    assert [r.name for r in stored] == [RILEY["name"], JORDAN["name"], SAM["name"]]
    assert [r.created_at for r in stored] == sorted(r.created_at for r in stored)


def test_it_waits_quietly_while_the_database_is_still_down(client, staff, visitor_data, kept, caplog):
    with database_down():
        post(client, visitor_data)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="intake.spool"):
            assert store_spooled_submissions() == 0
            assert store_spooled_submissions() == 0

    assert [r.getMessage() for r in caplog.records] == ["Spooled requests wait for the database (OperationalError)"]
    assert kept()
    assert store_spooled_submissions() == 1 and Lead.objects.count() == 1


def test_it_sets_aside_an_entry_that_can_never_be_stored_and_stores_the_rest(client, staff, visitor_data, kept, caplog):
    broken = str(uuid.uuid4())
    spool.configured().append(f"{broken} not-a-token")
    with database_down():
        post(client, visitor_data)

    with caplog.at_level(logging.INFO, logger="intake.spool"):
        assert store_spooled_submissions() == 1

    assert Lead.objects.get().name == JORDAN["name"]
    assert spool.configured().counts() == (0, 1) and not kept()
    assert f"Spooled request {broken} cannot be stored (InvalidToken); set aside" in caplog.text
    # An operator watching /healthz learns of it.
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["spool"] == "error: 1 kept requests could not be stored (manage.py spool)"


def test_it_promises_no_minutes_to_someone_in_danger_until_the_request_is_stored(
    client, staff, visitor_data, kept, settings
):
    before = timezone.now()
    with database_down():
        response = post(client, visitor_data, in_danger="yes")
        html = client.get(response["Location"]).content.decode()

    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert "alerted our team" not in html and "minutes" not in html
    assert "Our team is alerted as soon as our system has stored it" in html

    store_spooled_submissions()
    lead = Lead.objects.get()
    assert lead.urgent and lead.danger_reported_at < timezone.now()
    assert lead.sla_due_at <= before + timezone.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES + 1)
    assert Notification.objects.filter(lead=lead, urgent=True).exists()


def test_it_shows_the_friendly_error_page_when_the_spool_is_down_too(client, staff, visitor_data, settings):
    settings.DURABLE_STORE_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client.raise_request_exception = False

    with database_down():
        response = post(client, visitor_data)

    assert response.status_code == 500
    assert 'href="tel:+18005550142"' in response.content.decode()
    assert Lead.objects.count() == 0
    assert client.get("/healthz").json()["spool"] == "error: ConnectionError"


def test_it_stores_a_request_spooled_after_a_newer_one_on_the_same_lead_without_moving_it_back(
    client, staff, visitor_data, kept
):
    with database_down():
        post(client, visitor_data, message="first")
    post(client, visitor_data, message="second")
    latest = Lead.objects.get().last_requested_at

    store_spooled_submissions()

    lead = Lead.objects.get()
    assert lead.request_count == 2 and lead.last_requested_at == latest
    assert [r.message for r in lead.requests.all()] == ["first", "second"]  # by when each was sent


def test_it_says_once_that_the_spool_is_unreachable_while_beat_keeps_asking(settings, caplog):
    settings.DURABLE_STORE_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    spool._said_unreachable.clear()  # as in a worker that has not seen this outage yet

    with caplog.at_level(logging.INFO, logger="intake.spool"):
        for _ in range(3):
            assert store_spooled_submissions() == 0

    assert [r.getMessage() for r in caplog.records] == ["The submission spool is unreachable (ConnectionError)"]


def test_it_lets_an_operator_see_and_retry_what_was_set_aside(client, staff, visitor_data, kept):
    with database_down():
        post(client, visitor_data)
    with mock.patch.object(spool, "_store", side_effect=RuntimeError("a bug")):
        store_spooled_submissions()
    out = io.StringIO()

    call_command("spool", stdout=out)
    assert out.getvalue() == "0 requests waiting, 1 set aside\n"

    call_command("spool", "--retry-set-aside", stdout=out)
    assert out.getvalue().endswith("1 set-aside requests queued again\n1 requests waiting, 0 set aside\n")
    assert store_spooled_submissions() == 1 and Lead.objects.get().name == JORDAN["name"]


def test_it_does_not_store_twice_a_request_whose_commit_went_through_but_whose_answer_was_lost(
    client, staff, visitor_data, kept
):
    real_receive = front_door.receive

    def committed_then_lost(submission):
        real_receive(submission)
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch("intake.front_door.receive", side_effect=committed_then_lost):
        response = post(client, visitor_data)

    assert response.status_code == 302 and kept()
    assert store_spooled_submissions() == 0
    assert LeadRequest.objects.count() == 1 and not kept()


def test_healthz_says_when_the_folder_spool_could_not_keep_a_request(client, settings, tmp_path):
    (tmp_path / "durable").write_text("")  # a file where the folder should be
    settings.DURABLE_STORE_URL = str(tmp_path / "durable")

    health = client.get("/healthz")

    assert health.status_code == 503 and health.json()["spool"] == "error: NotADirectoryError"
