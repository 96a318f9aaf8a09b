"""Texts the person sends us: stored once, joined to their open lead (or a new lead of kind
"text"), and heard by a person without the words reaching any alert."""

import threading

import pytest
from django.db import connection
from django.test import Client

from intake import channels
from intake.models import Lead, LeadRequest, Notification, on_call_staff, on_duty_admissions
from texting.models import IncomingText

from .helpers import JORDAN_PHONE, inbound, new_sid, signed_post, text_params

STRANGER = "+13125550198"  # Chicago; nobody the centre has heard of


def alert_words(notification: Notification) -> str:
    """Everything the alert says, on every channel it could go by."""
    subject, text, html = channels.render_email(
        channels.template_name(notification), channels.message_context(notification)
    )
    return "\n".join([channels.render_text(notification), subject, text, html])


def assert_no_phi(notification: Notification, secrets: list[str], phone: str) -> None:
    """None of the text's telling words (`secrets`), nor any form of the number, is in the alert."""
    said = alert_words(notification).lower()
    for word in secrets:
        assert word.lower() not in said, word
    for form in (phone, phone[2:], phone[-4:]):
        assert form not in said


def text_alerts(lead, **filters):
    return Notification.objects.filter(lead=lead, kind=Notification.Kind.TEXT_RECEIVED, **filters)


@pytest.mark.django_db
def test_it_stores_a_replayed_message_once(client, sms, jordan):
    sid = new_sid()
    inbound(client, JORDAN_PHONE, "still here, call whenever", sid)
    inbound(client, JORDAN_PHONE, "still here, call whenever", sid)

    assert IncomingText.objects.filter(provider_id=sid).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_a_message_posted_twice_at_once_once(sms, staff, jordan):
    sid, answers = new_sid(), []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait()
            answers.append(signed_post(Client(), text_params(JORDAN_PHONE, "are you open on sunday", sid)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert answers == [200, 200]
    assert IncomingText.objects.filter(provider_id=sid).count() == 1
    # One alert, not one per post: no recipient hears twice on a channel.
    pairs = list(text_alerts(jordan).values_list("recipient", "channel"))
    assert pairs and len(pairs) == len(set(pairs))


@pytest.mark.django_db
def test_it_joins_the_open_lead_of_the_number_and_tells_its_owner_without_the_words(client, sms, staff, jordan):
    jordan.claim(by=staff["avery"])
    leads, requests = Lead.objects.count(), LeadRequest.objects.count()
    body = "my brother relapsed last night, Ezekiel needs help"

    inbound(client, JORDAN_PHONE, body)

    text = IncomingText.objects.get()
    assert text.lead == jordan and text.body == body
    assert (Lead.objects.count(), LeadRequest.objects.count()) == (leads, requests)
    alerts = list(text_alerts(jordan))
    assert alerts and {a.recipient for a in alerts if a.recipient} == {staff["avery"]}
    for alert in alerts:
        assert jordan.reference in alert_words(alert)
        assert_no_phi(alert, ["brother", "relapsed", "Ezekiel"], JORDAN_PHONE)


@pytest.mark.django_db
def test_it_tells_the_team_on_duty_of_a_text_on_a_lead_nobody_owns(client, sms, staff, jordan):
    inbound(client, JORDAN_PHONE, "is anyone there")

    recipients = {a.recipient for a in text_alerts(jordan) if a.recipient}
    assert recipients == set(on_duty_admissions()) and recipients


@pytest.mark.django_db
def test_it_queues_one_routine_alert_for_a_burst_of_texts(client, sms, staff, jordan):
    inbound(client, JORDAN_PHONE, "hello")
    after_one = text_alerts(jordan).count()
    for body in ("sorry", "my phone died", "please call after 6"):
        inbound(client, JORDAN_PHONE, body)

    assert after_one and text_alerts(jordan).count() == after_one
    assert IncomingText.objects.filter(lead=jordan).count() == 4


@pytest.mark.django_db
def test_it_alerts_again_once_the_last_alert_has_gone(client, sms, staff, jordan):
    inbound(client, JORDAN_PHONE, "hello")
    text_alerts(jordan).update(status=Notification.Status.SENT, attempts=1)

    inbound(client, JORDAN_PHONE, "hello again")

    assert text_alerts(jordan, status=Notification.Status.PENDING).exists()


@pytest.mark.django_db
def test_it_starts_a_text_lead_through_the_front_door_for_an_unknown_number(client, sms, staff):
    body = "hi I saw your site, can someone text me back"
    inbound(client, STRANGER, body)

    lead = Lead.objects.for_phone(STRANGER).get()
    assert lead.kind == "text" and lead.is_open and lead.ok_to_text
    assert LeadRequest.objects.filter(lead=lead).count() == 1
    assert IncomingText.objects.get().lead == lead
    new = Notification.objects.filter(lead=lead, kind=Notification.Kind.NEW_LEAD)
    assert {a.recipient for a in new if a.recipient} == set(on_duty_admissions())
    assert not text_alerts(lead).exists()  # one alert, not two
    assert not lead.outgoing_texts.exists()  # no automatic "we got your request" to a text
    for alert in new:
        assert_no_phi(alert, ["saw your site", "text me back"], STRANGER)


@pytest.mark.django_db
def test_it_treats_a_danger_text_as_an_urgent_request_on_every_channel(client, sms, staff, jordan):
    from intake.models import StaffProfile

    StaffProfile.objects.filter(user=staff["avery"]).update(mobile="+12025550143", notify_by_sms=False)
    body = "he took too many pills and won't wake up"

    inbound(client, JORDAN_PHONE, body)

    jordan.refresh_from_db()
    assert jordan.urgent and jordan.danger_reported_at
    alerts = text_alerts(jordan)
    assert alerts and all(a.urgent for a in alerts)
    # Avery chose email only for routine work; someone in danger reaches her phone too.
    assert set(alerts.filter(recipient=staff["avery"]).values_list("channel", flat=True)) == {"email", "sms"}
    assert IncomingText.objects.get().mentions_danger
    for alert in alerts:
        assert "danger" in alert_words(alert).lower()
        assert_no_phi(alert, ["pills", "wake up"], JORDAN_PHONE)

    client.force_login(staff["avery"])
    queue = client.get("/staff/").content.decode()
    row = queue[queue.index(f'data-lead-id="{jordan.pk}"') - 80 :][:1500]
    assert "queue-urgent" in row and "Urgent" in row


@pytest.mark.django_db
def test_it_wakes_the_on_call_staff_for_a_danger_text_out_of_hours(client, sms, staff, jordan, settings, clock):
    from intake.models import StaffProfile

    StaffProfile.objects.filter(user=staff["casey"]).update(on_call=True)
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00"
    clock.set(clock.now().replace(hour=7))  # 2 a.m. at the centre in New York

    inbound(client, JORDAN_PHONE, "I want to die tonight")

    recipients = {a.recipient for a in text_alerts(jordan) if a.recipient}
    assert set(on_call_staff()) <= recipients
    assert staff["casey"] in recipients
