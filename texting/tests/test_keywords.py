"""The carriers' keywords, acted on before anyone reads the text: an opt-out word stops every
text to the number (on every lead, old and future), START lifts it without widening what a
request said, HELP says who we are. Each answered once."""

import pytest
from django.conf import settings

from intake.consent import may_contact
from intake.models import EventKind, Lead, LeadEvent, Notification, WorkflowError
from intake.phones import display_phone
from intake.tests.helpers import closed_lead, receive_callback
from texting import compose, keywords
from texting.models import IncomingText, OutgoingText, Purpose

from .helpers import JORDAN_PHONE, inbound, new_sid, sent_texts

VARIANTS = [
    form for word in sorted(keywords.STOP_WORDS) for form in (word.lower(), f" {word.title()}. ", f"{word}!!")
] + ["opt out", "Unsubscribe\n", "stop all"]


def deliver_all() -> None:
    OutgoingText.objects.deliver_due()


def replies(purpose: str):
    return OutgoingText.objects.filter(purpose=purpose)


@pytest.mark.django_db
@pytest.mark.parametrize("word", VARIANTS)
def test_it_stops_texting_the_number_on_every_lead_for_each_opt_out_word(client, sms, staff, jordan, word, clock):
    old = closed_lead(phone=JORDAN_PHONE, closed_days_ago=30, ok_to_text=True)
    sent_at = clock.now()

    inbound(client, JORDAN_PHONE, word)

    for lead in (jordan, old):
        lead.refresh_from_db()
        assert lead.texts_stopped_at is not None and not may_contact(lead, "text")
        event = LeadEvent.objects.get(lead=lead, kind=EventKind.TEXTS_STOPPED)
        assert abs((event.at - sent_at).total_seconds()) < 5
    assert IncomingText.objects.get().keyword == IncomingText.Keyword.STOP
    # A later request from the web with texts allowed does not undo it.
    later = receive_callback(
        {"name": "Jordan W", "phone": JORDAN_PHONE, "ok_to_text": "on", "best_time": "asap"}, consent_page="/es/"
    )
    old.refresh_from_db()
    assert later.texts_stopped_at is not None and not may_contact(later, "text")
    deliver_all()
    confirmations = [t for t in sent_texts(sms, JORDAN_PHONE) if "no more texts" in t["Body"]]
    assert len(confirmations) == 1 and len(replies(Purpose.STOP_REPLY)) == 1


@pytest.mark.django_db
def test_it_answers_a_second_stop_no_more_and_a_replayed_one_not_at_all(client, sms, jordan):
    sid = new_sid()
    inbound(client, JORDAN_PHONE, "STOP", sid)
    inbound(client, JORDAN_PHONE, "STOP", sid)  # the provider retried its webhook
    inbound(client, JORDAN_PHONE, "stop")  # the person, again

    assert replies(Purpose.STOP_REPLY).count() == 1
    assert IncomingText.objects.count() == 2
    assert LeadEvent.objects.filter(lead=jordan, kind=EventKind.TEXTS_STOPPED).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_staff_text_and_closes_waiting_ones_after_stop(client, sms, staff, jordan):
    jordan.claim(by=staff["avery"])
    waiting = compose.write_text(jordan, "Hi, is now a good time to call?", by=staff["avery"])
    first = jordan.outgoing_texts.get(purpose=Purpose.FIRST)

    inbound(client, JORDAN_PHONE, "STOP")
    jordan.refresh_from_db()

    with pytest.raises(WorkflowError, match="replied STOP"):
        compose.write_text(jordan, "Just checking in", by=staff["avery"])
    deliver_all()
    for text in (waiting, first):
        text.refresh_from_db()
        assert text.status == OutgoingText.Status.CLOSED
    assert [t["Body"] for t in sent_texts(sms, JORDAN_PHONE) if "no more texts" not in t["Body"]] == []


@pytest.mark.django_db
def test_it_writes_no_first_text_to_a_number_that_replied_stop(client, sms, visitor_data):
    inbound(client, JORDAN_PHONE, "STOP")  # from a number with no lead yet: still answered
    assert replies(Purpose.STOP_REPLY).count() == 1

    lead = receive_callback({**visitor_data, "phone": JORDAN_PHONE})

    assert not lead.outgoing_texts.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["START", "unstop", " Yes! "])
def test_it_resumes_texting_on_start_without_widening_a_request_that_said_no(client, sms, jordan, word):
    said_no = closed_lead(phone=JORDAN_PHONE, closed_days_ago=10, ok_to_text=False)
    inbound(client, JORDAN_PHONE, "STOP")

    inbound(client, JORDAN_PHONE, word)
    inbound(client, JORDAN_PHONE, word)

    jordan.refresh_from_db()
    said_no.refresh_from_db()
    assert may_contact(jordan, "text")
    assert said_no.texts_stopped_at is None and not may_contact(said_no, "text")
    assert LeadEvent.objects.filter(lead=jordan, kind=EventKind.TEXTS_RESUMED).count() == 1
    assert replies(Purpose.START_REPLY).count() == 1
    deliver_all()
    assert len([t for t in sent_texts(sms, JORDAN_PHONE) if "back on" in t["Body"]]) == 1


@pytest.mark.django_db
def test_it_does_not_answer_start_from_a_number_that_never_stopped(client, sms, jordan):
    inbound(client, JORDAN_PHONE, "START")

    assert not replies(Purpose.START_REPLY).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["HELP", "info", " Help? "])
def test_it_answers_help_with_the_centres_name_and_phone_even_after_stop(client, sms, jordan, word):
    inbound(client, JORDAN_PHONE, "STOP")

    inbound(client, JORDAN_PHONE, word)
    deliver_all()

    helps = [t["Body"] for t in sent_texts(sms, JORDAN_PHONE) if settings.CENTRE_NAME in t["Body"]]
    assert len(helps) == 1
    assert display_phone(settings.CENTRE_PHONE) in helps[0]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["please don't stop calling", "Stop by tomorrow?", "I can't stop drinking"])
def test_it_reads_a_sentence_with_stop_in_it_as_a_message_for_a_person(client, sms, staff, jordan, body):
    inbound(client, JORDAN_PHONE, body)

    jordan.refresh_from_db()
    assert may_contact(jordan, "text")
    assert IncomingText.objects.get().keyword == ""
    assert not replies(Purpose.STOP_REPLY).exists()


@pytest.mark.django_db
def test_it_stops_a_number_the_provider_says_opted_out(client, sms, staff, jordan, monkeypatch):
    def refuse_as_unsubscribed(handler):
        length = int(handler.headers.get("Content-Length") or 0)
        handler.rfile.read(length)
        return 400, b'{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}'

    monkeypatch.setattr(sms, "handle", refuse_as_unsubscribed)
    first = jordan.outgoing_texts.get(purpose=Purpose.FIRST)

    deliver_all()

    first.refresh_from_db()
    jordan.refresh_from_db()
    assert first.status == OutgoingText.Status.FAILED and "21610" in first.last_error
    assert jordan.texts_stopped_at is not None and not may_contact(jordan, "text")
    assert Lead.objects.filter(texts_stopped_at__isnull=True, phone_hash=jordan.phone_hash).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["Yes", "yes!"])
def test_it_reads_yes_from_a_number_that_never_stopped_as_an_answer_for_the_worker(client, sms, staff, jordan, word):
    jordan.claim(by=staff["avery"])

    inbound(client, JORDAN_PHONE, word)

    assert IncomingText.objects.get().keyword == ""
    assert not replies(Purpose.START_REPLY).exists()
    alerted = Notification.objects.filter(kind=Notification.Kind.TEXT_RECEIVED, recipient__isnull=False)
    assert {alert.recipient for alert in alerted} == {staff["avery"]}


@pytest.mark.django_db
def test_it_answers_help_and_also_tells_the_worker_a_person_asked_for_help(client, sms, staff, jordan):
    jordan.claim(by=staff["avery"])

    inbound(client, JORDAN_PHONE, "HELP")

    assert replies(Purpose.HELP_REPLY).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.TEXT_RECEIVED, recipient=staff["avery"]).exists()


@pytest.mark.django_db
def test_help_from_an_unknown_number_starts_a_lead_a_person_will_see(client, sms, staff):
    inbound(client, "+12065550143", "help")

    lead = Lead.objects.get()
    assert lead.kind == "text" and lead.incoming_texts.get().keyword == "help"
    assert replies(Purpose.HELP_REPLY).filter(lead=lead).count() == 1
    assert Notification.objects.filter(lead=lead, kind=Notification.Kind.NEW_LEAD).exists()


@pytest.mark.django_db
def test_stop_from_an_unknown_number_starts_no_lead_but_holds_for_a_later_request(client, sms, visitor_data):
    inbound(client, "+12065550143", "STOP")

    assert not Lead.objects.exists()
    assert replies(Purpose.STOP_REPLY).count() == 1
    lead = receive_callback({**visitor_data, "phone": "+12065550143", "ok_to_text": True})
    assert not may_contact(lead, "text")
