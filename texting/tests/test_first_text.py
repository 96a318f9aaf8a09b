"""The automatic first text after a request: only where the request allowed texts, once per
lead, in words that tell a reader of the phone nothing, with the same promise as the thank-you
page and the way to stop."""

import datetime as dt
import html
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction

from intake.phones import display_phone
from intake.tests.helpers import receive_callback
from intake.timing import call_expectation
from outbox.tests.helpers import deliver
from texting import wording
from texting.models import OutgoingText, Purpose

from .helpers import JORDAN_PHONE, inbound, sent_texts

PACIFIC = ZoneInfo("America/Los_Angeles")

pytestmark = pytest.mark.django_db


def first_texts(lead=None):
    texts = OutgoingText.objects.filter(purpose=Purpose.FIRST)
    return texts.filter(lead=lead) if lead else texts


def test_it_sends_the_first_text_once_after_the_request_commits(
    sms, staff, visitor_data, client, settings, django_capture_on_commit_callbacks
):
    settings.CENTRE_HOURS = "mon-sun 08:00-20:00"
    with mock.patch("texting.models.nudge") as nudge:
        with django_capture_on_commit_callbacks() as on_commit:
            client.get("/callback/")
            thanks = client.post("/callback/", visitor_data, follow=True)
            nudge.assert_not_called()  # nothing goes before the request is stored
        for callback in on_commit:
            callback()
    nudge.assert_called_once_with(OutgoingText, even_if_pending=False)
    text = first_texts().get()
    deliver(text)
    deliver(text)

    assert text.status == OutgoingText.Status.SENT
    assert [t["Body"] for t in sent_texts(sms, JORDAN_PHONE)] == [text.body]
    request = text.lead.requests.get()
    promise = call_expectation(request.created_at, best_time=request.best_time, urgent=request.urgent)
    assert promise in html.unescape(thanks.content.decode())
    assert promise in text.body


def test_it_writes_no_text_when_a_request_rolled_back(sms, visitor_data):
    with pytest.raises(RuntimeError), transaction.atomic():
        receive_callback({**visitor_data, "phone": JORDAN_PHONE})
        raise RuntimeError("the request could not be stored")

    assert not OutgoingText.objects.exists()


def test_it_writes_no_first_text_when_the_request_did_not_allow_texts(sms, visitor_data):
    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE, "ok_to_text": ""})

    assert not lead.outgoing_texts.exists()


def test_it_writes_no_second_first_text_for_a_repeat_request(sms, jordan, visitor_data):
    again = receive_callback({**visitor_data, "phone": JORDAN_PHONE, "best_time": "morning"})

    assert again == jordan
    assert first_texts(jordan).count() == 1


def test_it_writes_none_on_a_lead_whose_other_request_said_no_texts(sms, visitor_data):
    receive_callback({**visitor_data, "phone": JORDAN_PHONE, "ok_to_text": ""})
    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})

    assert not lead.outgoing_texts.exists()  # the most careful answer wins


def test_it_writes_none_to_a_number_that_replied_stop(sms, client, visitor_data):
    inbound(client, JORDAN_PHONE, "STOP")

    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})

    assert not first_texts(lead).exists()


def test_its_words_name_no_condition_treatment_or_centre(sms, jordan):
    body = jordan.outgoing_texts.get(purpose=Purpose.FIRST).body

    assert wording.telling_words(body) == []
    assert settings.CENTRE_NAME.lower() not in body.lower()
    assert body.startswith(f"{settings.DISCREET_SENDER_NAME}:")
    assert display_phone(settings.CENTRE_PHONE) in body
    assert body.endswith(wording.OPT_OUT_LINE)


def test_it_is_signed_with_the_centres_name_only_when_that_is_the_discreet_name(sms, visitor_data, settings):
    settings.CENTRE_NAME = settings.DISCREET_SENDER_NAME = "Harbor Light"
    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})

    body = lead.outgoing_texts.get().body
    assert body.startswith("Harbor Light:") and wording.telling_words(body) == []


def test_it_speaks_to_the_caller_of_a_loved_one_request(sms, jordan, visitor_data):
    assert jordan.for_whom == "loved_one"
    body = jordan.outgoing_texts.get().body.lower()

    # The phone is the caller's: "your request", "call you", and nothing about the person they
    # asked for, nor their name.
    assert "your request" in body and "call you" in body
    assert "loved one" not in body and "brother" not in body and "ezekiel" not in body
    assert "jordan" not in body and "whitlock" not in body


def test_it_holds_a_night_request_and_rewords_its_promise_when_it_goes(sms, staff, visitor_data, settings, clock):
    settings.CENTRE_HOURS = "mon-sun 08:00-20:00"
    clock.local(PACIFIC, 23)  # 2 a.m. at the centre
    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE, "best_time": "asap"})
    text = lead.outgoing_texts.get()
    assert text.held_until == dt.datetime(2026, 12, 3, 8, 0, tzinfo=PACIFIC)
    assert "soon after we open" in text.body

    clock.local(PACIFIC, 8, 5, day=3)  # 11:05 a.m. at the centre: open
    deliver(text)

    assert text.status == OutgoingText.Status.SENT
    assert f"within about {settings.CALLBACK_RESPONSE_MINUTES} minutes" in text.body
    assert "soon after we open" not in text.body
    assert sent_texts(sms, JORDAN_PHONE)[0]["Body"] == text.body


def test_it_closes_a_held_first_text_unsent_once_someone_has_called(sms, staff, visitor_data, clock):
    clock.local(PACIFIC, 23)
    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})
    text = lead.outgoing_texts.get()
    lead.first_contacted_at = clock.now()  # the on-call worker rang at once
    lead.save(update_fields=["first_contacted_at"])

    clock.local(PACIFIC, 8, 5, day=3)
    deliver(text)

    assert text.status == OutgoingText.Status.CLOSED and "reached the person" in text.last_error
    assert not sent_texts(sms, JORDAN_PHONE)


def test_it_writes_no_first_text_when_the_centre_turned_it_off(sms, visitor_data, settings):
    settings.TEXT_FIRST_MESSAGE = False

    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})

    assert not lead.outgoing_texts.exists()
