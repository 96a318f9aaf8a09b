"""The demo conversations `manage.py seed_demo` makes: what a worker sees in the queue and on each
lead (an unread reply, a held text, an undelivered one, a number that said STOP), made once."""

import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from intake.models import Disclosure, Lead, Notification
from texting import wording
from texting.compose import refusal
from texting.models import IncomingText, OutgoingText, ProviderStatus, Purpose

pytestmark = pytest.mark.django_db

HARPER, DEVON, SKY, EMERY = "+13125550161", "+13125550162", "+13125550163", "+13125550164"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def lead_of(phone: str) -> Lead:
    return Lead.objects.for_phone(phone).get()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    first = seed()
    counts = (IncomingText.objects.count(), OutgoingText.objects.count(), Disclosure.objects.count())
    second = seed()
    return first, second, counts


def test_it_seeds_four_conversations_once(seeded):
    first, second, counts = seeded

    assert first.count("Created 4 demo text conversations") == 1
    assert "demo text conversations" not in second
    assert (IncomingText.objects.count(), OutgoingText.objects.count(), Disclosure.objects.count()) == counts
    assert all(Lead.objects.for_phone(phone).count() == 1 for phone in (HARPER, DEVON, SKY, EMERY))


def test_it_shows_one_unread_text_in_the_queue(seeded, client):
    worker = User.objects.get(username="admissions")
    client.force_login(worker)

    page = client.get("/staff/").content.decode()

    assert page.count("1 unread text<") == 1
    assert IncomingText.objects.unread().get().lead == lead_of(HARPER)


def test_its_texts_are_discreet_and_its_first_texts_say_how_to_stop(seeded):
    texts = OutgoingText.objects.filter(lead__in=[lead_of(p) for p in (HARPER, DEVON, SKY, EMERY)])

    assert texts.filter(purpose=Purpose.FIRST).count() == 4
    for text in texts:
        assert wording.telling_words(text.body) == [], text.body
        assert text.body.startswith("Lantern: ")
        if text.purpose == Purpose.FIRST:
            assert text.body.endswith(wording.OPT_OUT_LINE)
    # Each text that left is in its lead's accounting of disclosures, as a real one is.
    sent = texts.filter(status=OutgoingText.Status.SENT)
    listed = Disclosure.objects.filter(reference__startswith="T-").values_list("reference", flat=True)
    assert sorted(listed) == sorted(f"T-{text.pk}" for text in sent)


def test_it_holds_one_text_for_the_persons_quiet_hours(seeded):
    held = OutgoingText.objects.get(status=OutgoingText.Status.PENDING)

    assert held.lead == lead_of(DEVON) and held.purpose == Purpose.STAFF
    assert held.held_until == held.due_at > timezone.now()
    # The end of the quiet hours where a 312 number is: Chicago.
    assert held.held_until.astimezone(ZoneInfo("America/Chicago")).strftime("%H:%M") == "08:00"


def test_it_tells_the_worker_of_a_text_that_was_not_delivered(seeded):
    failed = OutgoingText.objects.get(provider_status=ProviderStatus.UNDELIVERED)

    assert failed.lead == lead_of(SKY) and failed.provider_error == "30003"
    told = Notification.objects.filter(lead=failed.lead, kind=Notification.Kind.TEXT_FAILED)
    assert {n.recipient.username for n in told} == {"admissions"}


def test_it_has_a_number_that_replied_stop(seeded):
    emery = lead_of(EMERY)

    assert "replied STOP" in refusal(emery)
    assert IncomingText.objects.get(lead=emery).keyword == IncomingText.Keyword.STOP
    assert OutgoingText.objects.filter(lead=emery, purpose=Purpose.STOP_REPLY).count() == 1
    # The others may still be texted.
    assert [refusal(lead_of(p)) for p in (HARPER, DEVON, SKY)] == ["", "", ""]
