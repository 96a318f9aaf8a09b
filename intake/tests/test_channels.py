"""SMS and team chat alerts: the right people, on the channels they chose, once, never with PHI.

A local fake HTTP server (conftest's `http_server`) stands in for Twilio and the chat webhook.
"""

import base64
import datetime as dt
import email
import json
import socket
import time
from email import policy
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import formats, timezone

from intake.models import Lead, Notification, StaffProfile
from intake.tests.helpers import receive_callback
from outbox.tests.helpers import deliver, retry_now
from tests.support import wait_until

JORDAN = {
    "name": "Jordan Whitlock",
    "phone": "+14155552671",
    "email": "jordan.whitlock@example.com",
    "message": "My brother Ezekiel needs detox from alcohol",
    "in_danger": "no",
}
SECRETS = ["Jordan", "Whitlock", "Ezekiel", "jordan.whitlock", "+14155552671", "4155552671", "555-2671"]
MESSAGES = "/Messages.json"
CHAT = "/hooks/team"


def record(**changes) -> Lead:
    return receive_callback(
        {**JORDAN, **changes}, consent_version="callback-2026-11-21", consent_page="/callback/", attribution={}
    )


def make_lead(**fields) -> Lead:
    """A lead with Jordan's details and no notifications yet."""
    return Lead.objects.create(name=JORDAN["name"], phone=JORDAN["phone"], email=JORDAN["email"], **fields)


def prefs(user: User, **fields) -> User:
    StaffProfile.objects.filter(user=user).update(**fields)
    return User.objects.select_related("staff_profile").get(pk=user.pk)


def queue_sms(lead: Lead, user: User, kind: str = Notification.Kind.NEW_LEAD) -> Notification:
    rows = Notification.objects.queue(lead, kind=kind, recipients=[user])
    return next(row for row in rows if row.channel == Notification.Channel.SMS)


def link(lead: Lead) -> str:
    return f"{settings.SITE_URL}/staff/leads/{lead.pk}/"


def assert_no_phi(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {text!r}"


def form(request: dict) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request["body"].decode()).items()}


def basic_auth(request: dict) -> tuple[str, str]:
    scheme, _, token = request["headers"]["authorization"].partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(token).decode().partition(":")
    return user, password


def chat_text(request: dict) -> str:
    assert request["headers"]["content-type"] == "application/json"
    return json.loads(request["body"])["text"]


def read_email(message: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of a message the fake SMTP server received."""
    parsed = email.message_from_string(message["data"], policy=policy.default)
    return (
        str(parsed["subject"]),
        parsed.get_body(("plain",)).get_content(),
        parsed.get_body(("html",)).get_content(),
    )


def deliver_all(rows) -> None:
    for row in rows:
        deliver(row)
        assert row.status == Notification.Status.SENT, row.last_error


def all_sent() -> bool:
    return not Notification.objects.exclude(status=Notification.Status.SENT).exists()


# --- Through the real worker ------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_texts_a_staff_member_who_chose_sms_exactly_once(staff, http_inbox, mailbox, celery_worker):
    prefs(staff["avery"], notify_by_sms=True, mobile="+14155550101")

    lead = record(in_danger="yes")

    assert Notification.objects.filter(channel="sms").get().recipient == staff["avery"]
    wait_until(all_sent)
    time.sleep(1)  # time for any duplicate to arrive
    [post] = http_inbox.received(MESSAGES)
    assert post["method"] == "POST"
    assert post["path"] == f"/2010-04-01/Accounts/{http_inbox.worker_env['SMS_ACCOUNT_SID']}/Messages.json"
    assert basic_auth(post) == (http_inbox.worker_env["SMS_ACCOUNT_SID"], http_inbox.worker_env["SMS_AUTH_TOKEN"])
    assert post["headers"]["content-type"] == "application/x-www-form-urlencoded"
    sms = form(post)
    assert (sms["To"], sms["From"]) == ("+14155550101", http_inbox.worker_env["SMS_FROM"])
    assert sms["Body"] == f"URGENT: New callback request {lead.reference}: {link(lead)}"
    assert_no_phi(sms["Body"])
    assert Notification.objects.get(channel="sms").attempts == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_posts_each_request_to_the_team_chat_once_however_many_are_on_duty(
    staff, http_inbox, mailbox, celery_worker
):
    lead = record()
    assert record().pk == lead.pk  # Jordan asks again: a repeat request on the same lead

    wait_until(all_sent)
    time.sleep(1)  # time for any duplicate to arrive
    texts = sorted(chat_text(post) for post in http_inbox.received(CHAT))
    assert texts == sorted(
        [
            f"New callback request {lead.reference}: {link(lead)}",
            f"{lead.reference} asked again for a call (2 requests so far): {link(lead)}",
        ]
    )
    for text in texts:
        assert_no_phi(text)
    assert len(mailbox.messages) == 4  # avery and blake, twice: the chat is in addition to them
    assert http_inbox.received(MESSAGES) == []  # nobody chose SMS


# --- Failures are retried, and say why without PHI or secrets ----------------------------------


@pytest.mark.django_db
def test_it_retries_a_text_the_sms_provider_refused_and_then_sends_it(staff, http_inbox):
    avery = prefs(staff["avery"], notify_by_sms=True, notify_by_email=False, mobile="+14155550101")
    lead = make_lead()
    sms = queue_sms(lead, avery)
    http_inbox.fail_next = 1

    deliver(sms)
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert sms.due_at > timezone.now() + dt.timedelta(seconds=25)
    assert sms.last_error == "DeliveryError: SMS provider answered HTTP 500, error code 20500"
    assert len(sms.last_error) < 260  # not the provider's 2 kB error page
    assert_no_phi(sms.last_error)

    retry_now(sms)
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert [post["status"] for post in http_inbox.received(MESSAGES)] == [500, 201]
    assert form(http_inbox.received(MESSAGES)[1])["Body"] == f"New callback request {lead.reference}: {link(lead)}"


@pytest.mark.django_db
def test_it_retries_a_text_when_the_sms_provider_cannot_be_reached(staff, http_inbox, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings.SMS_API_BASE = f"http://127.0.0.1:{closed}"
    avery = prefs(staff["avery"], notify_by_sms=True, notify_by_email=False, mobile="+14155550101")
    sms = queue_sms(make_lead(), avery)

    deliver(sms)
    assert sms.status == "pending"
    assert sms.due_at > timezone.now() + dt.timedelta(seconds=25)
    assert sms.last_error.startswith("DeliveryError: SMS provider unreachable")


@pytest.mark.django_db
def test_it_retries_a_refused_chat_post_without_revealing_the_webhook_address(staff, http_inbox, settings):
    settings.CHAT_WEBHOOK_URL = f"{http_inbox.url}/hooks/T0001/B0001/secret-webhook-token"
    [chat] = Notification.objects.queue(make_lead(), kind=Notification.Kind.NEW_LEAD, recipients=[])
    http_inbox.fail_next = 1

    deliver(chat)
    assert chat.status == "pending"
    assert chat.last_error.startswith("DeliveryError: chat webhook answered HTTP 500")
    assert "secret-webhook-token" not in chat.last_error
    retry_now(chat)
    assert chat.status == "sent"
    assert len(http_inbox.received("/secret-webhook-token")) == 2


@pytest.mark.django_db
def test_it_says_why_and_falls_back_at_once_when_the_sms_provider_is_unknown(staff, http_inbox, settings):
    settings.SMS_PROVIDER = "carrier-pigeon"
    avery = prefs(staff["avery"], notify_by_sms=True, notify_by_email=False, mobile="+14155550101")
    sms = queue_sms(make_lead(), avery)

    deliver(sms)

    # A setting nobody has fixed breaks texts for everyone: the reason is on the row, Avery is told
    # by email at once, and the text waits for the fix rather than being dropped.
    assert (sms.status, sms.attempts) == ("pending", 1)
    assert sms.last_error == "ImproperlyConfigured: Unknown SMS_PROVIDER 'carrier-pigeon'; use 'console' or 'twilio'."
    assert sms.lead.notifications.filter(recipient=avery, channel="email", stage=1).exists()
    assert http_inbox.received() == []


@pytest.mark.django_db
def test_it_prints_texts_to_the_console_when_no_sms_provider_is_set_up(staff, http_inbox, settings, capsys):
    settings.SMS_PROVIDER = "console"
    avery = prefs(staff["avery"], notify_by_sms=True, notify_by_email=False, mobile="+14155550101")
    lead = make_lead()
    sms = queue_sms(lead, avery)

    deliver(sms)

    assert sms.status == "sent"
    assert capsys.readouterr().out == f"SMS to +14155550101: New callback request {lead.reference}: {link(lead)}\n"
    assert http_inbox.received() == []


# --- Who gets what ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_alerts_each_staff_member_on_the_channels_they_chose(staff, http_inbox):
    email_only = prefs(staff["avery"], notify_by_sms=False, mobile="+14155550101")
    both = prefs(staff["blake"], notify_by_sms=True, mobile="+14155550102")
    no_mobile = prefs(staff["casey"], notify_by_sms=True, mobile="")
    sms_only = prefs(staff["sam"], notify_by_email=False, notify_by_sms=True, mobile="+14155550105")

    rows = Notification.objects.queue(
        make_lead(), kind=Notification.Kind.NEW_LEAD, recipients=[email_only, both, no_mobile, sms_only]
    )

    assert sorted((n.recipient.username if n.recipient else "", n.channel) for n in rows) == [
        ("", "webhook"),  # the team chat, once for everybody
        ("avery", "email"),
        ("blake", "email"),
        ("blake", "sms"),
        ("casey", "email"),
        ("sam", "sms"),
    ]


# --- Escalations and follow-ups ---------------------------------------------------------------


@pytest.mark.django_db
def test_it_tells_supervisors_how_long_an_overdue_lead_has_waited(staff, http_inbox, mailbox, settings):
    settings.LEAD_SLA_MINUTES = 15
    now = timezone.now()
    lead = make_lead(created_at=now - dt.timedelta(minutes=22), sla_due_at=now - dt.timedelta(minutes=7), urgent=True)
    sam = prefs(staff["sam"], notify_by_sms=True, mobile="+14155550105")

    deliver_all(Notification.objects.queue(lead, kind=Notification.Kind.ESCALATION, recipients=[sam]))

    expected = f"URGENT: {lead.reference} has waited 22 minutes without a call (target 15): {link(lead)}"
    [sms] = http_inbox.received(MESSAGES)
    assert (form(sms)["To"], form(sms)["Body"]) == ("+14155550105", expected)
    [chat] = http_inbox.received(CHAT)
    assert chat_text(chat) == expected
    [message] = mailbox.wait_for(1, timeout=2)
    assert message["to"] == ["sam@lantern.example"]
    subject, text, html = read_email(message)
    assert subject == f"URGENT: {lead.reference} has waited 22 minutes without a call"
    for body in (text, html):
        assert "has waited 22 minutes without a call (target 15)." in body
        assert "Its first call was due 7 minutes ago." in body
        assert "Nobody has claimed it yet." in body
        assert link(lead) in body
    for sent in (form(sms)["Body"], chat_text(chat), message["data"], subject, text, html):
        assert_no_phi(sent)


@pytest.mark.django_db
def test_it_reminds_the_assignee_of_a_follow_up_that_is_due(staff, http_inbox, mailbox):
    avery = prefs(staff["avery"], notify_by_sms=True, mobile="+14155550101")
    lead = make_lead(assigned_to=avery, follow_up_at=timezone.now() - dt.timedelta(minutes=1))

    deliver_all(Notification.objects.queue(lead, kind=Notification.Kind.FOLLOW_UP_DUE, recipients=[avery]))

    expected = f"Follow-up due on {lead.reference}: {link(lead)}"
    [sms] = http_inbox.received(MESSAGES)
    assert (form(sms)["To"], form(sms)["Body"]) == ("+14155550101", expected)
    assert chat_text(http_inbox.received(CHAT)[0]) == expected
    [message] = mailbox.wait_for(1, timeout=2)
    assert message["to"] == ["avery@lantern.example"]
    subject, text, html = read_email(message)
    assert subject == f"Follow-up due on {lead.reference}"
    planned = formats.date_format(timezone.localtime(lead.follow_up_at), "l j F, P")
    assert f"Follow-up due on {lead.reference} (planned for {planned})." in text
    for body in (text, html):
        assert lead.reference in body
        assert link(lead) in body
        assert "URGENT" not in body
    for sent in (form(sms)["Body"], message["data"], subject, text, html):
        assert_no_phi(sent)
