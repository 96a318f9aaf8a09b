"""The conversation on the lead page, as the worker reads it: every text both ways in order, who sent
each and what became of ours, the person's new texts marked and then read, the crisis protocol at once
for a text that mentions danger, each look at it audited, and the page's poll that stays silent (and
unaudited) until something changed."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from intake.models import Lead
from texting import quiet_hours
from texting.models import IncomingText, OutgoingText, ProviderStatus, Purpose

from .helpers import daytime_now, texting_lead, their_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime(settings):
    daytime_now(settings)


def ours(lead, body, *, minutes_ago=0, **fields) -> OutgoingText:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    values = {"purpose": Purpose.STAFF, "created_at": at, "due_at": at, **fields}
    return OutgoingText.objects.create(lead=lead, phone=lead.phone, body=body, **values)


def texts_viewed(lead, user):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=user, object_repr=f"{lead.reference} texts viewed"
    )


def marker_in(html: str) -> str:
    return re.search(r'data-marker="([0-9a-f]+)"', html)[1]


def poll(client, lead, marker=""):
    return client.get(reverse("texting:conversation", args=[lead.pk]), {"after": marker} if marker else {})


def test_it_shows_every_text_both_ways_oldest_first_saying_who_and_what_became_of_ours(client, staff):
    avery = staff["avery"]
    avery.first_name, avery.last_name = "Avery", "Lee"
    avery.save()
    lead = texting_lead()
    ours(lead, "Lantern: we got your request.", minutes_ago=50, purpose=Purpose.FIRST, status="sent",
         provider_status=ProviderStatus.DELIVERED)  # fmt: skip
    their_text(lead, "Can you call after 6?", received_at=timezone.now() - dt.timedelta(minutes=40))
    ours(lead, "Lantern: Yes, we will.", minutes_ago=30, written_by=avery, status="sent",
         provider_status=ProviderStatus.UNDELIVERED, provider_error="30003")  # fmt: skip
    ours(lead, "Lantern: Still there?", minutes_ago=20, written_by=avery, status="closed",
         last_error="Closed unsent: the person no longer allows texts.")  # fmt: skip
    ours(lead, "Lantern: Talk soon.", minutes_ago=10, written_by=avery)
    client.force_login(avery)

    page = client.get(lead.get_absolute_url()).content.decode()

    order = [page.index(words) for words in ("we got your request", "Can you call after 6?", "Yes, we will.",
                                             "Still there?", "Talk soon.")]  # fmt: skip
    assert order == sorted(order)
    assert "Lantern, automatically" in page and "Automatic first text" in page and "Delivered." in page
    assert "<strong>The person</strong>" in page and "<strong>Avery Lee</strong>" in page
    assert "Not delivered (provider error 30003): call them instead." in page
    assert "Closed unsent: the person no longer allows texts." in page
    assert "Waiting to be sent." in page


def test_it_says_till_when_a_text_is_held_for_the_persons_quiet_hours(client, staff):
    lead = texting_lead()
    morning = timezone.now() + dt.timedelta(hours=9)
    ours(lead, "Lantern: Please call us back.", written_by=staff["avery"], held_until=morning, due_at=morning)
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    assert f"Held: goes at {quiet_hours.visitor_clock(lead.phone, morning)} their time." in page


def test_it_says_what_a_keyword_did(client, staff):
    lead = texting_lead()
    their_text(lead, "STOP", n=1, keyword=IncomingText.Keyword.STOP)
    their_text(lead, "start", n=2, keyword=IncomingText.Keyword.START)
    their_text(lead, "Help", n=3, keyword=IncomingText.Keyword.HELP)
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    assert "Opt-out word: texts to this number stopped until it replies START." in page
    assert "Opt-in word: texts to this number are back on." in page
    assert "Help word: Lantern answered with the centre&#x27;s name and phone." in page


def test_it_shows_the_crisis_protocol_at_once_for_a_text_that_mentions_danger(client, staff):
    lead = texting_lead()
    their_text(lead, "i took too many pills and want to die", mentions_danger=True)
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    protocol = page[page.index('id="text-crisis-protocol"') :]
    protocol = protocol[: protocol.index("</div>")]
    assert 'role="alert"' in protocol and "Mentions danger" in page
    for step in ("Call them now", f'href="tel:{lead.phone}"', "Stay on the line", "do not leave the person alone",
                 "call 911", "call or text <strong>988</strong>"):  # fmt: skip
        assert step in protocol, step


def test_it_marks_the_persons_new_texts_and_reads_them_once_shown(client, staff):
    lead = texting_lead()
    text = their_text(lead, "Is anyone there?")
    client.force_login(staff["avery"])

    first = client.get(lead.get_absolute_url()).content.decode()

    assert '<span class="badge text-new">New</span>' in first
    text.refresh_from_db()
    assert text.read_at is not None and text.read_by == staff["avery"]
    again = client.get(lead.get_absolute_url()).content.decode()
    assert '<span class="badge text-new">New</span>' not in again


def test_it_audits_each_look_at_the_conversation_naming_the_lead_and_no_words(client, staff):
    lead = texting_lead()
    client.force_login(staff["avery"])
    client.get(lead.get_absolute_url())
    assert not texts_viewed(lead, staff["avery"]).exists()  # "No texts yet": nobody's words were shown
    their_text(lead, "My brother Ezekiel is drinking again")

    client.get(lead.get_absolute_url())
    client.get(lead.get_absolute_url())

    entries = list(texts_viewed(lead, staff["avery"]))
    assert len(entries) == 2
    for entry in entries:
        assert entry.additional_data["lead_id"] == lead.pk
        written = f"{entry.object_repr} {entry.changes} {entry.additional_data}"
        assert "Ezekiel" not in written and "555" not in written and "Whitlock" not in written


def test_its_poll_answers_nothing_until_a_text_arrives_then_shows_it_audited_and_read(client, staff):
    lead = texting_lead()
    ours(lead, "Lantern: We tried to call you.", written_by=staff["avery"])
    client.force_login(staff["avery"])
    marker = marker_in(client.get(lead.get_absolute_url()).content.decode())
    looks = texts_viewed(lead, staff["avery"]).count()
    assert looks == 1

    quiet = poll(client, lead, marker)

    assert quiet.status_code == 204 and quiet.content == b""
    assert texts_viewed(lead, staff["avery"]).count() == looks

    arrived = their_text(lead, "I can talk now")
    fresh = poll(client, lead, marker)

    html = fresh.content.decode()
    assert fresh.status_code == 200
    assert "I can talk now" in html and '<span class="badge text-new">New</span>' in html
    assert marker_in(html) != marker
    assert texts_viewed(lead, staff["avery"]).count() == looks + 1
    arrived.refresh_from_db()
    assert arrived.read_by == staff["avery"]
    assert poll(client, lead, marker_in(html)).status_code == 204


def test_its_poll_shows_a_change_to_one_of_our_texts(client, staff):
    lead = texting_lead()
    text = ours(lead, "Lantern: Please call us.", written_by=staff["avery"], status="sent")
    client.force_login(staff["avery"])
    marker = marker_in(poll(client, lead).content.decode())

    text.record_report("undelivered", "30005")

    html = poll(client, lead, marker).content.decode()
    assert "Not delivered (provider error 30005): call them instead." in html


def test_a_merged_lead_shows_why_nothing_can_be_texted_from_it(client, staff):
    target = texting_lead()
    source = Lead.objects.create(name="Jordan W", phone=target.phone, ok_to_text=True)
    Lead.objects.filter(pk=source.pk).update(merged_into=target, status="merged")
    client.force_login(staff["avery"])

    page = client.get(source.get_absolute_url()).content.decode()

    assert "Texts with the person" in page and f"merged into {target.reference}" in page
    assert "data-text-body" not in page
