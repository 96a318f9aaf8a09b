"""No text reaches a visitor from 9 p.m. to 8 a.m. their time (the zone from their number's area
code): a text written then is held till the morning, and the worker is told so."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from intake.tests.helpers import receive_callback
from outbox.tests.helpers import deliver, retry_now
from texting import compose
from texting.models import OutgoingText, Purpose

from .helpers import inbound, sent_texts

SEATTLE = "+12065550147"  # a visitor in Washington state; the centre is in New York
PACIFIC = ZoneInfo("America/Los_Angeles")
EASTERN = ZoneInfo("America/New_York")

pytestmark = pytest.mark.django_db


@pytest.fixture
def seattle(db, staff):
    lead = receive_callback({"name": "Riley Park", "phone": SEATTLE, "ok_to_text": "on", "best_time": "asap"})
    lead.outgoing_texts.all().delete()  # the automatic first text is test_first_text's
    lead.claim(by=staff["avery"])
    return lead


def test_it_holds_a_text_written_at_ten_pm_visitor_time_until_eight_am(sms, staff, seattle, clock):
    clock.local(PACIFIC, 22)  # 1 a.m. in New York

    text = compose.write_text(seattle, "Hi, are you free to talk tomorrow?", by=staff["avery"])

    morning = dt.datetime(2026, 12, 3, 8, 0, tzinfo=PACIFIC)
    assert text.due_at == morning and text.held_until == morning
    told = compose.held_message(text)
    assert "10:00 p.m." in told and "8:00 a.m." in told and "held" in told
    deliver(text)
    assert text.status == OutgoingText.Status.PENDING and not sent_texts(sms, SEATTLE)

    clock.set(morning - dt.timedelta(minutes=1))
    deliver(text)
    assert text.status == OutgoingText.Status.PENDING and not sent_texts(sms, SEATTLE)

    clock.set(morning + dt.timedelta(seconds=1))
    deliver(text)
    assert text.status == OutgoingText.Status.SENT
    assert len(sent_texts(sms, SEATTLE)) == 1


def test_it_sends_a_text_at_once_in_the_visitors_daytime_even_when_it_is_night_at_the_centre(
    sms, staff, seattle, clock
):
    clock.local(PACIFIC, 19, 30)  # 10:30 p.m. in New York

    text = compose.write_text(seattle, "Hi, still a good time?", by=staff["avery"])

    assert text.held_until is None and compose.held_message(text) == ""
    deliver(text)
    assert text.status == OutgoingText.Status.SENT


def test_it_never_holds_a_keyword_reply(client, sms, seattle, clock):
    clock.local(PACIFIC, 23, 40)

    inbound(client, SEATTLE, "STOP")

    reply = OutgoingText.objects.get(purpose=Purpose.STOP_REPLY)
    assert reply.held_until is None
    deliver(reply)
    assert reply.status == OutgoingText.Status.SENT


def test_it_uses_the_quiet_hours_the_centre_set(sms, staff, seattle, clock, settings):
    settings.TEXT_QUIET_HOURS = "23:00-07:00"
    clock.local(PACIFIC, 22)
    evening = compose.write_text(seattle, "Hi, free now?", by=staff["avery"])
    clock.local(PACIFIC, 6, 30, day=3)
    early = compose.write_text(seattle, "Good morning, free now?", by=staff["avery"])

    assert evening.held_until is None
    assert early.held_until == dt.datetime(2026, 12, 3, 7, 0, tzinfo=PACIFIC)


def test_it_waits_for_every_zone_of_an_area_code_that_spans_two(sms, staff, clock):
    # 775 (Nevada) is Pacific and, near the Idaho line, Mountain time: 7:30 a.m. Mountain is
    # 6:30 a.m. Pacific, still night for half of its numbers.
    lead = receive_callback({"name": "Sky", "phone": "+17755550134", "ok_to_text": "on", "best_time": "asap"})
    lead.outgoing_texts.all().delete()
    clock.local(ZoneInfo("America/Boise"), 7, 30)

    text = compose.write_text(lead, "Hi, is now a good time?", by=staff["avery"])

    assert text.held_until == dt.datetime(2026, 12, 2, 8, 0, tzinfo=PACIFIC)


def test_it_uses_the_centres_zone_for_a_number_that_says_nothing_of_where_it_is(sms, staff, clock):
    # A toll-free number could be anywhere from Guam to Newfoundland: the centre's evening decides.
    lead = receive_callback({"name": "Sky", "phone": "+18885550134", "ok_to_text": "on", "best_time": "asap"})
    lead.outgoing_texts.all().delete()
    clock.local(EASTERN, 14)
    day = compose.write_text(lead, "Hi, is now a good time?", by=staff["avery"])
    clock.local(EASTERN, 21, 30)
    night = compose.write_text(lead, "Hi, is now a good time?", by=staff["avery"])

    assert day.held_until is None
    assert night.held_until == dt.datetime(2026, 12, 3, 8, 0, tzinfo=EASTERN)


def test_it_holds_a_retry_that_comes_round_in_the_quiet_hours_without_counting_the_try(sms, staff, seattle, clock):
    clock.local(PACIFIC, 20, 50)
    text = compose.write_text(seattle, "Hi, can we call at nine tomorrow?", by=staff["avery"])
    sms.fail_next = 1
    deliver(text)
    assert text.status == OutgoingText.Status.PENDING and text.attempts == 1

    clock.local(PACIFIC, 21, 30)
    retry_now(text)

    assert text.status == OutgoingText.Status.PENDING and text.attempts == 1
    assert text.held_until == text.due_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=PACIFIC)
    assert len(sent_texts(sms, SEATTLE)) == 1  # the failed try only
    clock.local(PACIFIC, 8, 1, day=3)
    deliver(text)
    assert text.status == OutgoingText.Status.SENT and text.attempts == 2
