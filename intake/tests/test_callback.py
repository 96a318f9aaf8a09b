"""The request-a-callback journey, as a visitor and the admissions team live it."""

import datetime as dt
import re
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from intake.consent import CURRENT_CALLBACK_CONSENT, consent_text
from intake.models import Lead, LeadRequest, Notification
from outbox.tasks import deliver_due
from tests.support import wait_until

CALLBACK = "/callback/"


def post(client, data, **extra):
    return client.post(CALLBACK, data, **extra)


def field_error(response, field: str) -> str:
    """The error text crispy renders next to a field (its invalid-feedback element)."""
    html = response.content.decode()
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    return match.group(1).strip() if match else ""


def phone_forms(e164: str) -> list[str]:
    digits = e164.removeprefix("+1")
    return [e164, digits, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"]


def assert_nothing_saved():
    assert Lead.objects.count() == 0
    assert LeadRequest.objects.count() == 0
    assert Notification.objects.count() == 0


# --- The happy path, delivered by a real worker ------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_stores_the_lead_and_emails_every_on_duty_worker(client, staff, visitor_data, mailbox, celery_worker):
    response = post(client, visitor_data)

    assert response.status_code == 302
    assert response["Location"] == reverse("callback_thanks")
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.for_whom, lead.best_time) == (
        "Jordan Whitlock",
        "+14155552671",
        "loved_one",
        "evening",
    )
    assert lead.ok_to_text and not lead.ok_to_voicemail and not lead.urgent
    recipients = {n.recipient.username for n in Notification.objects.all()}
    assert recipients == {"avery", "blake"}  # not off duty, not inactive, not outside admissions

    messages = mailbox.wait_for(2)
    assert sorted(m["to"][0] for m in messages) == ["avery@lantern.example", "blake@lantern.example"]
    for message in messages:
        body = message["data"]
        assert f"/staff/leads/{lead.pk}/" in body
        assert lead.reference in body
        for secret in ["Jordan", "Whitlock", "Ezekiel", "jordan.whitlock", *phone_forms(lead.phone)]:
            assert secret not in body
    wait_until(lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == 2)
    assert list(Notification.objects.values_list("attempts", flat=True)) == [1, 1]


@pytest.mark.django_db
def test_it_thanks_the_visitor_with_what_happens_next(client, staff, visitor_data, settings):
    settings.CENTRE_HOURS = "24/7"  # not "00:00-23:59", which is closed in the day's last minute
    response = post(client, {**visitor_data, "best_time": "asap"}, follow=True)

    html = response.content.decode()
    assert "We&#x27;ve got your request" in html or "We've got your request" in html
    assert "within about 15 minutes" in html
    assert f'Your reference is <strong class="reference">{LeadRequest.objects.get().reference}</strong>' in html
    assert "(800) 555-0142" in html
    assert 'href="tel:911"' not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_it_marks_danger_urgent_and_shows_crisis_lines_first(client, staff, visitor_data):
    response = post(client, {**visitor_data, "in_danger": "yes"}, follow=True)

    assert Lead.objects.get().urgent
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert main.index('href="tel:911"') < main.index("got your request")
    assert 'href="tel:988"' in main
    assert all(n.urgent for n in Notification.objects.all())


@pytest.mark.django_db
def test_it_records_the_consent_text_version_and_time(client, staff, visitor_data):
    form_page = client.get(CALLBACK).content.decode()
    assert consent_text(CURRENT_CALLBACK_CONSENT, "Lantern Recovery Center") in form_page

    before = timezone.now()
    post(client, visitor_data)

    request = LeadRequest.objects.get()
    assert request.consent_version == CURRENT_CALLBACK_CONSENT
    assert before <= request.consent_at <= timezone.now()
    assert request.consent_page == CALLBACK


@pytest.mark.django_db
def test_it_credits_the_lead_to_where_the_visitor_first_landed(client, staff, visitor_data):
    client.get(
        "/?utm_source=search&utm_medium=cpc&utm_campaign=alcohol-detox&q=my+name",
        HTTP_REFERER="https://www.example-search.com/results?q=detox+for+jordan",
    )
    post(client, visitor_data)

    lead = Lead.objects.get()
    assert (lead.landing_page, lead.referrer) == ("/", "www.example-search.com")
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("search", "cpc", "alcohol-detox")


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["555-1234", "not a number", "+1 (000) 000-0000"])
def test_it_rejects_a_phone_it_cannot_call_and_keeps_the_rest(client, staff, visitor_data, phone):
    response = post(client, {**visitor_data, "phone": phone})

    assert response.status_code == 200
    assert "Enter a phone number we can call" in field_error(response, "phone")
    html = response.content.decode()
    assert 'value="Jordan Whitlock"' in html
    assert "My brother Ezekiel needs detox from alcohol" in html
    assert_nothing_saved()


@pytest.mark.django_db
def test_it_requires_consent(client, staff, visitor_data):
    data = {k: v for k, v in visitor_data.items() if k != "consent"}
    response = post(client, data)

    assert response.status_code == 200
    assert "tick this box" in field_error(response, "consent")
    assert 'value="(415) 555-2671"' in response.content.decode()
    assert_nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("name", "J" * 101), ("message", "m" * 1001), ("email", "a" * 250 + "@example.com")]
)
def test_it_refuses_over_long_fields(client, staff, visitor_data, field, value):
    response = post(client, {**visitor_data, field: value})

    assert response.status_code == 200
    assert field_error(response, field)
    assert_nothing_saved()


@pytest.mark.django_db
def test_it_asks_for_name_and_phone(client, staff):
    response = post(client, {"consent": "on"})

    assert "a first name is fine" in field_error(response, "name")
    assert "phone number we should call" in field_error(response, "phone")
    assert_nothing_saved()


# --- Abuse ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_gives_a_bot_the_thank_you_page_and_keeps_nothing(client, staff, visitor_data, mailbox):
    response = post(client, {**visitor_data, "website": "http://spam.example"}, follow=True)

    assert response.status_code == 200
    assert "got your request" in response.content.decode()
    assert_nothing_saved()
    assert mailbox.wait_for(1, timeout=1) == []


@pytest.mark.django_db
def test_it_rate_limits_an_address_and_still_shows_the_phone(client, staff, visitor_data, settings):
    settings.FORM_RATE_LIMIT = 3
    for n in range(3):
        assert post(client, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}).status_code == 302

    response = post(client, {**visitor_data, "phone": "(415) 555-2699"})

    assert response.status_code == 429
    assert 'href="tel:+18005550142"' in response.content.decode()
    assert Lead.objects.count() == 3
    # Another address is not affected.
    assert post(client, {**visitor_data, "phone": "(415) 555-2698"}, REMOTE_ADDR="10.0.0.9").status_code == 302


# --- Duplicates ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_joins_a_repeat_request_to_the_open_lead(client, staff, visitor_data, settings):
    settings.CENTRE_HOURS = "24/7"  # in hours (at any minute, 23:59 too): the on-duty staff hear of both requests
    post(client, visitor_data)
    post(client, {**visitor_data, "phone": "415-555-2671", "in_danger": "yes", "message": "Please hurry"})

    lead = Lead.objects.get()
    assert lead.request_count == 2
    assert lead.urgent
    assert [r.message for r in lead.requests.all()] == ["My brother Ezekiel needs detox from alcohol", "Please hurry"]
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == ["new_lead", "new_lead", "repeat_request", "repeat_request"]

    client.force_login(staff["avery"])
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Repeat request" in page and "Please hurry" in page


@pytest.mark.django_db
def test_it_opens_a_new_lead_after_24_hours_or_once_closed(client, staff, visitor_data):
    post(client, visitor_data)
    Lead.objects.update(last_requested_at=timezone.now() - dt.timedelta(hours=25))
    post(client, visitor_data)
    assert Lead.objects.count() == 2

    Lead.objects.update(status="admitted")
    post(client, visitor_data)
    assert Lead.objects.count() == 3


# --- PHI at rest ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_keeps_no_plaintext_phi_in_the_database(client, staff, visitor_data):
    post(client, visitor_data)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_lead")
        lead_rows = cursor.fetchall()
        cursor.execute("SELECT * FROM intake_leadrequest")
        request_rows = cursor.fetchall()
        cursor.execute("SELECT * FROM auditlog_logentry")
        audit_rows = cursor.fetchall()
    raw = repr(lead_rows + request_rows + audit_rows)
    assert lead_rows and request_rows
    for secret in ["Jordan", "Whitlock", "jordan.whitlock", "Ezekiel", *phone_forms("+14155552671")]:
        assert secret not in raw
    # ...while the application reads it back.
    assert Lead.objects.get().name == "Jordan Whitlock"


# --- Redis down -------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.outage
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_request_when_redis_is_down_and_notifies_once_it_is_back(
    client, staff, visitor_data, mailbox, redis_outage, settings
):
    with redis_outage() as start_redis:
        started = time.monotonic()
        response = post(client, visitor_data, follow=True)
        elapsed = time.monotonic() - started

        assert response.status_code == 200
        assert "got your request" in response.content.decode()
        assert elapsed < 5, f"the visitor waited {elapsed:.1f}s"
        assert Lead.objects.count() == 1
        assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}

        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["broker"].startswith("error")

        start_redis()

    # Nobody woke the worker for these rows: beat's next run (every few seconds) does; running it
    # twice still sends each once.
    deliver_due()
    deliver_due()
    messages = mailbox.wait_for(2, timeout=45)
    time.sleep(2)  # time for any duplicate to arrive
    assert sorted(m["to"][0] for m in mailbox.messages) == ["avery@lantern.example", "blake@lantern.example"]
    assert len(messages) == 2
    wait_until(lambda: Notification.objects.filter(status="sent").count() == 2)
    assert client.get("/healthz").status_code == 200


@pytest.mark.worker
@pytest.mark.outage
@pytest.mark.django_db(transaction=True)
def test_a_frozen_redis_costs_one_wait_not_one_per_visitor_and_loses_nothing(
    client, staff, visitor_data, mailbox, redis_outage, settings
):
    phones = ["+14155552672", "+14155552673", "+14155552674", "+14155552675"]
    with redis_outage.frozen() as thaw:
        waits = []
        for phone in phones:
            started = time.monotonic()
            response = post(client, {**visitor_data, "phone": phone}, follow=True)
            waits.append(time.monotonic() - started)
            assert "got your request" in response.content.decode()

        # The first visitor finds Redis silent and waits out one socket timeout; the others do not
        # wait for it at all (without that, each paid about four seconds in the drill).
        assert waits[0] < 5, waits
        assert max(waits[1:]) < settings.REDIS_SOCKET_TIMEOUT, waits
        assert Lead.objects.count() == 4
        assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
        thaw()

    # Redis answers again: beat's next run wakes the worker, which was waiting on the frozen
    # server too, and each alert is sent once.
    deliver_due()
    messages = mailbox.wait_for(8, timeout=60)
    time.sleep(2)  # time for any duplicate to arrive
    assert len(mailbox.messages) == len(messages) == 8
    wait_until(lambda: Notification.objects.filter(status="sent").count() == 8)
