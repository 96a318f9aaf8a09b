"""A worker writes to the person from the lead page: the text is queued, signed and (on the first
message to the number) says how to stop; it waits through the person's quiet hours and the worker is
told till when; and every refusal keeps what the worker typed and saves nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Lead, LeadStatus
from texting import quiet_hours
from texting.models import OutgoingText, Purpose

from .helpers import daytime_now, quiet_hours_now, texting_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime(settings):
    daytime_now(settings)


def send_url(lead) -> str:
    return reverse("texting:send", args=[lead.pk])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_it_queues_a_signed_text_with_the_opt_out_line_on_the_first_message_only(client, staff):
    lead = texting_lead()
    signed_in(client, staff["avery"])

    first = client.post(send_url(lead), {"body": "We tried to call you. When is a good time?"}, follow=True)

    assert first.redirect_chain[-1][0] == f"{lead.get_absolute_url()}#conversation"
    assert "Text queued." in first.content.decode()
    text = OutgoingText.objects.get(lead=lead)
    assert text.status == OutgoingText.Status.PENDING and text.held_until is None
    assert text.purpose == Purpose.STAFF and text.written_by == staff["avery"]
    assert text.body == "Lantern: We tried to call you. When is a good time? Reply STOP to opt out."

    client.post(send_url(lead), {"body": "Call us when you can."})
    second = OutgoingText.objects.filter(lead=lead).latest("pk")
    assert second.body == "Lantern: Call us when you can."
    # The page shows both, ours, in the order written.
    page = client.get(lead.get_absolute_url()).content.decode()
    assert page.index("When is a good time?") < page.index("Call us when you can.")


def test_it_holds_a_text_written_in_the_persons_quiet_hours_and_tells_the_worker_till_when(client, staff, settings):
    quiet_hours_now(settings)
    lead = texting_lead()
    signed_in(client, staff["avery"])

    page = client.post(send_url(lead), {"body": "Please call us back."}, follow=True).content.decode()

    text = OutgoingText.objects.get(lead=lead)
    assert text.held_until is not None and text.held_until > timezone.now()
    assert text.due_at == text.held_until
    goes = quiet_hours.visitor_clock(lead.phone, text.held_until)
    assert f"the text is held and goes at {goes} their time." in page
    assert f"Held: goes at {goes} their time." in page


def test_it_sends_words_naming_treatment_only_when_the_person_asked_for_plain_words(client, staff):
    lead = texting_lead()
    signed_in(client, staff["avery"])
    words = "Your detox bed is ready tomorrow."

    refused = client.post(send_url(lead), {"body": words})

    assert refused.status_code == 400
    assert "This text names &#x27;detox&#x27;" in refused.content.decode()
    assert not OutgoingText.objects.exists()

    client.post(send_url(lead), {"body": words, "plain_words": "on"})
    text = OutgoingText.objects.get()
    assert text.plain_words and "detox bed" in text.body


def _stopped(lead):
    Lead.objects.stop_texts(lead.phone, at=timezone.now(), word="STOP")


def _claimed_by_blake(lead, staff):
    lead.claim(by=staff["blake"])


def _closed(lead):
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.UNREACHABLE, closed_at=timezone.now())


def _no_permission(lead):
    Lead.objects.filter(pk=lead.pk).update(ok_to_text=False)


@pytest.mark.parametrize(
    ("make_it_so", "why"),
    [
        (_stopped, "replied STOP"),
        (_no_permission, "did not allow texts"),
        (_claimed_by_blake, "Claimed by blake"),
        (_closed, "This lead is closed"),
    ],
    ids=["stopped number", "no permission", "claimed by another", "closed lead"],
)
def test_it_refuses_a_text_that_may_not_go_keeping_the_words_and_saving_nothing(client, staff, make_it_so, why):
    lead = texting_lead()
    if make_it_so is _claimed_by_blake:
        make_it_so(lead, staff)
    else:
        make_it_so(lead)
    signed_in(client, staff["avery"])

    response = client.post(send_url(lead), {"body": "Is this still a good number to reach you?"})

    html = response.content.decode()
    assert response.status_code == 400
    assert why in html
    assert "Is this still a good number to reach you?</textarea>" in html  # what was typed, kept
    assert not OutgoingText.objects.exists()


def test_it_shows_why_instead_of_the_form_when_the_person_may_not_be_texted(client, staff):
    lead = texting_lead()
    _stopped(lead)
    signed_in(client, staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    assert "Texts with the person" in page
    assert "replied STOP" in page
    assert "data-text-body" not in page and "Write a text" not in page


def test_it_asks_anonymous_visitors_to_sign_in_and_refuses_staff_outside_admissions(client, staff, clinician):
    lead = texting_lead()
    for url in (send_url(lead), reverse("texting:conversation", args=[lead.pk])):
        anonymous = client.post(url, {"body": "Hello"})
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("staff:login"))

    signed_in(client, clinician)
    assert client.post(send_url(lead), {"body": "Hello"}).status_code == 403
    assert client.get(reverse("texting:conversation", args=[lead.pk])).status_code == 403
    assert not OutgoingText.objects.exists()
