"""The provider's reports on the texts we sent: each text's status moves forward only, a report
that is not for that text changes nothing, and a text that did not arrive is told to the worker
(never its words)."""

import json

import pytest

from intake import channels
from intake.models import Notification
from outbox.tests.helpers import deliver
from texting import compose
from texting.models import OutgoingText, ProviderStatus

from .helpers import JORDAN_PHONE, report

pytestmark = pytest.mark.django_db
BODY = "Hi Jordan, can we call at nine tomorrow?"


@pytest.fixture
def sent(sms, staff, jordan):
    """Avery's text to Jordan, taken by the provider."""
    jordan.claim(by=staff["avery"])
    jordan.outgoing_texts.all().delete()
    text = compose.write_text(jordan, BODY, by=staff["avery"])
    deliver(text)
    assert text.status == OutgoingText.Status.SENT and text.provider_id
    return text


def failed_alerts(text):
    return Notification.objects.filter(lead=text.lead, kind=Notification.Kind.TEXT_FAILED)


def test_it_records_each_report_as_the_text_moves_on(client, sent):
    assert sent.provider_status == ProviderStatus.QUEUED
    for status in ("sent", "delivered"):
        assert report(client, sent, status).status_code == 200
        sent.refresh_from_db()
        assert sent.provider_status == status
    assert not failed_alerts(sent).exists()


def test_it_never_moves_a_text_backwards_on_a_late_report(client, sent):
    report(client, sent, "delivered")
    report(client, sent, "sent")
    report(client, sent, "queued")

    sent.refresh_from_db()
    assert sent.provider_status == ProviderStatus.DELIVERED


def test_it_ignores_a_report_for_a_text_it_does_not_have(client, sent):
    stranger = OutgoingText(pk=sent.pk + 1000, provider_id=sent.provider_id, phone=JORDAN_PHONE)

    assert report(client, stranger, "failed", "30003").status_code == 200

    sent.refresh_from_db()
    assert sent.provider_status == ProviderStatus.QUEUED
    assert not failed_alerts(sent).exists()


def test_it_ignores_a_report_whose_message_id_is_not_the_texts(client, sent):
    report(client, sent, "undelivered", "30005", sid="SM" + "f" * 32)

    sent.refresh_from_db()
    assert sent.provider_status == ProviderStatus.QUEUED
    assert not failed_alerts(sent).exists()


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_it_tells_the_writer_a_text_did_not_arrive(client, sent, staff, status):
    report(client, sent, status, "30003")

    sent.refresh_from_db()
    assert sent.provider_status == status and sent.provider_error == "30003" and sent.not_delivered
    alerts = failed_alerts(sent)
    assert {a.recipient for a in alerts if a.recipient} == {staff["avery"]}
    for alert in alerts:
        said = channels.render_text(alert) + "".join(
            channels.render_email(channels.template_name(alert), channels.message_context(alert))
        )
        assert "not delivered" in said and sent.lead.reference in said
        assert "nine tomorrow" not in said and "Jordan" not in said and "2671" not in said
    report(client, sent, status, "30003")  # the provider repeats itself
    assert failed_alerts(sent).count() == alerts.count()


def test_it_fails_a_text_the_provider_refuses_and_tells_the_worker_without_the_number(sms, staff, jordan, monkeypatch):
    def refuse_the_number(handler):
        handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        echo = {"code": 21211, "message": f"The 'To' number {JORDAN_PHONE} is not a valid phone number.", "status": 400}
        return 400, json.dumps(echo).encode()

    jordan.claim(by=staff["avery"])
    jordan.outgoing_texts.all().delete()
    text = compose.write_text(jordan, BODY, by=staff["avery"])
    monkeypatch.setattr(sms, "handle", refuse_the_number)

    deliver(text)

    assert text.status == OutgoingText.Status.FAILED and text.attempts == 1  # not retried
    assert "400" in text.last_error and "21211" in text.last_error
    assert JORDAN_PHONE not in text.last_error and "2671" not in text.last_error
    assert {a.recipient for a in failed_alerts(text) if a.recipient} == {staff["avery"]}
