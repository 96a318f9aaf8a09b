"""The fake Twilio the suite and the drills stand on (bench/fakes.py) behaves as Twilio does where the
app depends on it: an id per text taken, an error answer that quotes the number, delivery reports
signed so that the app's webhook accepts them, and inbound texts from a fake phone likewise.
"""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from intake import sms
from intake.delivery_errors import RefusedDelivery
from intake.tests.helpers import receive_callback
from outbox.tests.helpers import deliver
from tests.support import wait_until
from texting.models import IncomingText, OutgoingText, Purpose

MESSAGES = "/Messages.json"
# Kim's number: a visitor who allowed texts.
KIM = "+14155550188"


def quiet_hours_far_from_now() -> str:
    """A one-minute TEXT_QUIET_HOURS hours away from now in every US zone: a text is never held."""
    start = timezone.now() + dt.timedelta(hours=12)
    return f"{start:%H:%M}-{start + dt.timedelta(minutes=1):%H:%M}"


@pytest.fixture
def texting_now(settings):
    settings.TEXT_QUIET_HOURS = quiet_hours_far_from_now()


@pytest.fixture(autouse=True)
def _tests_send_texts_themselves(monkeypatch):
    """These tests send each text with deliver(); the run's worker, woken when the request commits,
    would race them for it (and send it to its own fake provider, not this test's live server)."""
    monkeypatch.setattr("texting.models.nudge", lambda model, **kwargs: True)


def kims_first_text() -> OutgoingText:
    lead = receive_callback({"name": "Kim Lau", "phone": KIM, "ok_to_text": "on"})
    return lead.outgoing_texts.get(purpose=Purpose.FIRST)


@pytest.mark.django_db
def test_it_gives_every_text_it_takes_an_id_of_its_own(http_inbox):
    first = sms.send_text(KIM, "Lantern: hello")
    second = sms.send_text(KIM, "Lantern: hello again")

    assert re.fullmatch(r"SM[0-9a-f]{32}", first.provider_id)
    assert first.provider_id != second.provider_id
    assert (first.status, second.status) == ("queued", "queued")
    posts = http_inbox.received(MESSAGES)
    assert [post["status"] for post in posts] == [201, 201]
    assert [post["sid"] for post in posts] == [first.provider_id, second.provider_id]


@pytest.mark.django_db
def test_it_refuses_an_invalid_number_as_twilio_does_and_the_app_keeps_no_number(http_inbox):
    http_inbox.invalid_numbers.add(KIM)

    with pytest.raises(RefusedDelivery) as refused:
        sms.send_text(KIM, "Lantern: hello")

    assert str(refused.value) == "SMS provider answered HTTP 400, error code 21211"
    assert KIM[2:] not in str(refused.value)
    # What the fake answered quoted the number, as Twilio's answer does.
    [post] = http_inbox.received(MESSAGES)
    assert post["status"] == 400


def test_a_refusal_the_fake_answers_quotes_the_number_it_refused():
    from bench.fake_sms import twilio_error

    answer = json.loads(twilio_error(400, 21211, KIM))
    assert answer == {
        "code": 21211,
        "message": f"The 'To' number {KIM} is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }


@pytest.mark.django_db
def test_it_answers_every_text_with_500_while_it_is_down_and_takes_them_after(http_inbox):
    http_inbox.fail_until = timezone.now().timestamp() + 60

    with pytest.raises(sms.DeliveryError):
        sms.send_text(KIM, "Lantern: hello")
    http_inbox.fail_until = 0

    assert sms.send_text(KIM, "Lantern: hello").provider_id
    assert [post["status"] for post in http_inbox.received(MESSAGES)] == [500, 201]


@pytest.mark.django_db(transaction=True)
def test_its_signed_delivery_reports_reach_the_text_they_are_about(http_inbox, live_server, fake_phone, texting_now):
    fake_phone(live_server.url)  # the app expects the provider's posts at the live server
    text = kims_first_text()

    deliver(text)

    assert text.status == "sent" and text.provider_status == "queued"
    wait_until(lambda: len(http_inbox.reports) == 2, 10, "two delivery reports")
    reports = [(r["params"]["MessageStatus"], r["status"]) for r in http_inbox.reports]
    assert reports == [("sent", 200), ("delivered", 200)]
    assert {r["url"] for r in http_inbox.reports} == {f"{live_server.url}/sms/inbound/?text={text.pk}"}
    text.refresh_from_db()
    assert (text.provider_status, text.provider_id) == ("delivered", http_inbox.received(MESSAGES)[0]["sid"])


@pytest.mark.django_db(transaction=True)
def test_a_text_it_is_told_not_to_deliver_is_reported_undelivered_with_its_error_code(
    http_inbox, live_server, fake_phone, texting_now
):
    fake_phone(live_server.url)
    http_inbox.fail_delivery_to[KIM] = ("undelivered", 30003)
    text = kims_first_text()

    deliver(text)

    wait_until(lambda: len(http_inbox.reports) == 2, 10, "two delivery reports")
    assert [r["params"].get("ErrorCode") for r in http_inbox.reports] == [None, "30003"]
    text.refresh_from_db()
    assert (text.provider_status, text.provider_error) == ("undelivered", "30003")
    assert text.not_delivered


@pytest.mark.django_db(transaction=True)
def test_a_report_signed_with_another_token_is_refused(http_inbox, live_server, fake_phone, texting_now):
    fake_phone(live_server.url)
    http_inbox.auth_token = "not-our-token"
    text = kims_first_text()
    try:
        deliver(text)
        wait_until(lambda: len(http_inbox.reports) == 2, 10, "two delivery reports")
    finally:
        http_inbox.auth_token = "test-auth-token"

    assert [r["status"] for r in http_inbox.reports] == [403, 403]
    text.refresh_from_db()
    assert text.provider_status == "queued"


@pytest.mark.django_db(transaction=True)
def test_a_fake_phone_texts_the_app_as_twilio_does_and_a_replay_is_stored_once(live_server, fake_phone, staff):
    phone = fake_phone(live_server.url)

    assert phone.send(KIM, "Can you call after 6?") == 200
    first = phone.last_sid
    assert phone.send(KIM, "Can you call after 6?", sid=first) == 200  # Twilio retrying its webhook
    assert phone.send(KIM, "Thanks") == 200

    texts = IncomingText.objects.order_by("pk")
    assert [(t.provider_id, t.body) for t in texts] == [(first, "Can you call after 6?"), (phone.last_sid, "Thanks")]
    assert re.fullmatch(r"SM[0-9a-f]{32}", first) and first != phone.last_sid


@pytest.mark.django_db(transaction=True)
def test_a_fake_phone_with_the_wrong_token_is_refused(live_server, fake_phone):
    phone = fake_phone(live_server.url)
    phone.auth_token = "someone-else"

    assert phone.send(KIM, "hello") == 403
    assert not IncomingText.objects.exists()
