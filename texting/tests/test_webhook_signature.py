"""Only the provider may post to /sms/inbound/: Twilio signs the URL it posted to and the form
with our auth token. Anything else is refused, stores nothing, and is logged without its words."""

import logging

import pytest

from texting.models import IncomingText

from .helpers import JORDAN_PHONE, WEBHOOK_BASE, signature, signed_post, text_params

BODY = "can you call me after six tonight"

pytestmark = pytest.mark.django_db


def test_it_stores_a_text_the_provider_signed(client, sms):
    response = signed_post(client, text_params(JORDAN_PHONE, BODY))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert IncomingText.objects.get().body == BODY


def _refused(response, caplog) -> None:
    assert response.status_code == 403
    assert not IncomingText.objects.exists()
    logged = caplog.text
    assert "SMS webhook" in logged  # the refusal is logged...
    for secret in (BODY, "after six", JORDAN_PHONE, JORDAN_PHONE[2:], "555-2671"):
        assert secret not in logged  # ...without the words or the number


def test_it_refuses_a_forged_signature(client, sms, caplog):
    params = text_params(JORDAN_PHONE, BODY)
    response = client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")

    _refused(response, caplog)


def test_it_refuses_a_post_without_a_signature(client, sms, caplog):
    response = client.post("/sms/inbound/", text_params(JORDAN_PHONE, BODY))

    _refused(response, caplog)


def test_it_refuses_a_post_signed_with_another_accounts_token(client, sms, caplog):
    response = signed_post(client, text_params(JORDAN_PHONE, BODY), token="someone-elses-token")

    _refused(response, caplog)


def test_it_refuses_a_signature_made_for_another_address(client, sms, caplog):
    params = text_params(JORDAN_PHONE, BODY)
    response = signed_post(client, params, url="https://elsewhere.example.net/sms/inbound/")

    _refused(response, caplog)


def test_it_refuses_a_signed_post_whose_body_was_changed(client, sms, caplog):
    params = text_params(JORDAN_PHONE, "see you tomorrow")
    good = signature(f"{WEBHOOK_BASE}/sms/inbound/", params)
    tampered = {**params, "Body": BODY}

    response = client.post("/sms/inbound/", tampered, HTTP_X_TWILIO_SIGNATURE=good)

    _refused(response, caplog)


def test_it_refuses_a_signed_post_whose_query_was_changed(client, sms, jordan, caplog):
    # A delivery report signed for one of our texts, replayed at another's address.
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed", "ErrorCode": "30003"}
    good = signature(f"{WEBHOOK_BASE}/sms/inbound/?text=1", params)

    response = client.post("/sms/inbound/?text=2", params, HTTP_X_TWILIO_SIGNATURE=good)

    assert response.status_code == 403


def test_it_refuses_everything_when_no_auth_token_is_configured(client, sms, settings, caplog):
    params = text_params(JORDAN_PHONE, BODY)
    # Signed with the empty token an attacker could guess, and with the old one.
    forged = signature(f"{WEBHOOK_BASE}/sms/inbound/", params, token="")
    settings.SMS_AUTH_TOKEN = ""

    _refused(client.post("/sms/inbound/", params, HTTP_X_TWILIO_SIGNATURE=forged), caplog)


def test_it_checks_the_signature_against_the_public_address_not_the_host_header(client, sms):
    # Behind a proxy the request arrives for an internal host; Twilio signed the public URL.
    params = text_params(JORDAN_PHONE, BODY)
    response = client.post(
        "/sms/inbound/",
        params,
        HTTP_HOST="localhost:8000",
        HTTP_X_TWILIO_SIGNATURE=signature(f"{WEBHOOK_BASE}/sms/inbound/", params),
    )

    assert response.status_code == 200
    assert IncomingText.objects.count() == 1


@pytest.fixture(autouse=True)
def _warnings(caplog):
    caplog.set_level(logging.INFO)
