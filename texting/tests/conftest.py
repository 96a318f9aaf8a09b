"""The texting tests' world: the fake Twilio (conftest's `http_inbox`) posting to the webhook at
WEBHOOK_BASE, a clock the tests can move (texts depend on the visitor's hour), and Jordan, who
asked for a call with texts allowed."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

_real_now = timezone.now
PACIFIC = ZoneInfo("America/Los_Angeles")


class Clock:
    """django.utils.timezone.now, moved to a moment of the test's choosing and running on from it
    (no clock library in requirements-dev). Only Django's clock moves: Redis expiries do not."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return _real_now() + self.offset

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.offset = moment - _real_now()
        return moment

    def local(self, zone: ZoneInfo, hour: int, minute: int = 0, *, day: int = 2) -> dt.datetime:
        """Set the clock to `hour`:`minute` on December `day`, 2026 (a Wednesday for day 2) in `zone`."""
        return self.set(dt.datetime(2026, 12, day, hour, minute, tzinfo=zone))


@pytest.fixture(autouse=True)
def clock(request, settings):
    """Noon on a Wednesday in California (3 p.m. at the centre in New York): daytime for every US
    number, so a test about something else never meets the quiet hours by the hour it runs at.
    Not for a test with the real worker (marked `worker`): its process keeps the real clock, so
    rows this process dated in the future would never be due there."""
    if request.node.get_closest_marker("worker"):
        yield None
        return
    settings.TEXT_QUIET_HOURS = "21:00-08:00"  # the default the texting tests are about
    moving = Clock()
    moving.local(PACIFIC, 12)
    with mock.patch("django.utils.timezone.now", side_effect=moving.now):
        yield moving


@pytest.fixture
def sms(http_inbox, settings):
    """The fake provider takes our texts; the provider posts to WEBHOOK_BASE/sms/inbound/."""
    from .helpers import WEBHOOK_BASE  # models load once Django is set up

    settings.SMS_WEBHOOK_BASE = WEBHOOK_BASE
    return http_inbox


@pytest.fixture
def jordan(db, visitor_data):
    """Jordan's callback request (for a loved one, texts allowed), received through the front door."""
    from intake.tests.helpers import receive_callback

    from .helpers import JORDAN_PHONE

    return receive_callback({**visitor_data, "phone": JORDAN_PHONE})
