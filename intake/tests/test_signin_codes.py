"""What Avery is told when a code at the second step opens nothing: each reason in its own words,
so a code used a moment ago is not blamed on the phone's clock, nor a wait on a wrong code."""

import datetime as dt
import re
import time
from binascii import unhexlify

import pytest
from django.utils import timezone
from django_otp.oath import TOTP

from conftest import authenticator_for
from intake.models import AuthenticatorApp, RecoveryCodes
from intake.tests.test_second_factor import VERIFY, password_session

REUSED = "That code was just used. Wait for the next code."
CLOCK = "Check the time on your phone"


@pytest.fixture
def phone(staff):
    return authenticator_for(staff["avery"], "phone")


def code_minutes_away(device: AuthenticatorApp, minutes: int) -> str:
    """What the app would show on a phone whose clock is `minutes` off."""
    totp = TOTP(unhexlify(device.key))
    totp.time = time.time() + 60 * minutes
    return f"{totp.token():06d}"


def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_it_says_a_code_already_used_to_sign_in_was_just_used(phone):
    code = phone.current_code()
    first = password_session("avery")
    assert first.post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"

    second = password_session("avery")  # a second tab, or a double tap after a slow page
    html = second.post(VERIFY, {"token": code}).content.decode()

    assert REUSED in html and CLOCK not in html
    assert not signed_in(second)


@pytest.mark.django_db
def test_it_keeps_the_clock_hint_for_a_code_from_a_phone_whose_clock_is_off(phone):
    client = password_session("avery")

    html = client.post(VERIFY, {"token": code_minutes_away(phone, 5)}).content.decode()

    assert "That code did not work. Check the time on your phone and try the newest code." in html
    assert REUSED not in html
    assert not signed_in(client)


@pytest.mark.django_db
def test_it_asks_for_a_wait_after_many_wrong_codes_without_spending_the_right_one(phone):
    # Eight wrong codes in a row: django-otp makes the ninth try wait 2^7 = 128 seconds.
    AuthenticatorApp.objects.filter(pk=phone.pk).update(
        throttling_failure_count=8, throttling_failure_timestamp=timezone.now()
    )
    client = password_session("avery")
    code = phone.current_code()

    html = client.post(VERIFY, {"token": code}).content.decode()

    assert "Wait 3 minutes before the next try." in html
    assert CLOCK not in html and REUSED not in html
    assert not signed_in(client)
    # Once the wait is over, the same code still works: it was never checked, so never used.
    AuthenticatorApp.objects.filter(pk=phone.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5)
    )
    assert client.post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"


@pytest.mark.django_db
def test_it_counts_a_short_wait_in_seconds(phone):
    client = password_session("avery")
    client.post(VERIFY, {"token": code_minutes_away(phone, 5)})
    # Five wrong codes in a row: 16 seconds (a slow test machine may take a few of them).
    AuthenticatorApp.objects.filter(pk=phone.pk).update(throttling_failure_count=5)

    html = client.post(VERIFY, {"token": phone.current_code()}).content.decode()

    assert re.search(r"Wait 1[0-6] seconds before the next try\.", html)


@pytest.mark.django_db
def test_it_asks_for_a_wait_after_one_wrong_code_without_saying_there_were_many(phone):
    client = password_session("avery")
    client.post(VERIFY, {"token": code_minutes_away(phone, 5)})

    # At once: django-otp makes the try after one wrong code wait 2^0 = 1 second.
    html = client.post(VERIFY, {"token": phone.current_code()}).content.decode()

    assert "Wait 1 second before the next try." in html
    assert "Too many" not in html and "in a row" not in html


@pytest.mark.django_db
def test_it_tells_a_spent_recovery_code_without_blaming_the_phone(staff, phone):
    code = RecoveryCodes.replace_for(staff["avery"])[0]
    assert password_session("avery").post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"

    # At once, while the app's own wait (the recovery code was tried on it first) still runs.
    html = password_session("avery").post(VERIFY, {"token": code}).content.decode()

    assert "That recovery code did not work: check it against your list. Each works once." in html
    assert CLOCK not in html and "Wait" not in html
