"""Signing staff in: password, lockout, second factor, idle and absolute limits, sign-out everywhere."""

import logging
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import authenticator_for, verify_second_factor
from intake.middleware import LAST_ACTIVITY, SIGNED_IN_AT
from intake.models import RecoveryCodes
from intake.tests.helpers import code_on_page, recovery_codes_on_page

PASSWORD = "correct horse battery"


def sign_in_with_password(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def avery_phone(staff):
    return authenticator_for(staff["avery"], "phone")


@pytest.mark.django_db
def test_it_asks_for_the_second_factor_before_any_staff_page(staff, avery_phone):
    client = Client()
    response = sign_in_with_password(client, "avery")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/verify/")

    # Password alone: every staff page and the admin send you to the second step.
    assert client.get("/staff/")["Location"].startswith("/staff/login/verify/")
    assert client.get("/admin/").status_code == 302

    wrong = client.post("/staff/login/verify/", {"token": "000000"})
    assert "did not work" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302

    time.sleep(1.1)  # django-otp makes each wrong code double the wait before the next try
    right = client.post("/staff/login/verify/", {"token": avery_phone.current_code(), "next": "/staff/"})
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_it_enrols_an_authenticator_on_first_sign_in_and_shows_recovery_codes_once(staff):
    client = Client()
    sign_in_with_password(client, "blake")
    setup = client.get("/staff/login/verify/")
    html = setup.content.decode()
    assert "Protect your account with a second step" in html and "<svg" in html

    response = client.post("/staff/login/verify/", {"token": code_on_page(html), "next": "/staff/"}, follow=True)

    page = response.content.decode()
    codes = recovery_codes_on_page(page)
    assert len(codes) == 10
    assert "shown only now" in page
    assert client.get("/staff/security/recovery-codes/")["Location"] == "/staff/security/"  # not again


@pytest.mark.django_db
def test_it_accepts_each_recovery_code_once(staff, avery_phone):
    code = RecoveryCodes.replace_for(staff["avery"])[0]

    first = Client()
    sign_in_with_password(first, "avery")
    assert first.post("/staff/login/verify/", {"token": code}).status_code == 302
    assert first.get("/staff/").status_code == 200

    second = Client()
    sign_in_with_password(second, "avery")
    assert "did not work" in second.post("/staff/login/verify/", {"token": code}).content.decode()


@pytest.mark.django_db
def test_it_locks_out_an_attacker_who_keeps_guessing_and_logs_it(staff, caplog, settings):
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        sign_in_with_password(attacker, "avery", "hunter2-guess", REMOTE_ADDR="203.0.113.9")

    locked = sign_in_with_password(attacker, "avery", PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert locked.status_code == 429 or locked.status_code == 403
    assert "Too many failed sign-ins" in locked.content.decode()
    assert attacker.get("/staff/").status_code == 302  # still not signed in
    assert AccessAttempt.objects.filter(username="avery", ip_address="203.0.113.9").exists()
    assert "after repeated login failures" in caplog.text
    assert PASSWORD not in caplog.text and "hunter2-guess" not in caplog.text
    # The real avery, elsewhere, can still sign in.
    assert sign_in_with_password(Client(), "avery", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_it_refuses_weak_passwords():
    for weak in ["short1", "password12345", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("amber-lantern-quietly-glows")


@pytest.mark.django_db
def test_it_signs_out_after_fifteen_idle_minutes_and_ignores_the_queue_polling(client, staff):
    client.force_login(staff["avery"])
    assert client.get("/staff/").status_code == 200

    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 14 * 60
    session.save()
    assert client.get("/staff/", HTTP_X_QUEUE_REFRESH="1").status_code == 200  # polling: not activity
    assert client.session[LAST_ACTIVITY] < int(time.time()) - 13 * 60

    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 16 * 60
    session.save()
    response = client.get("/staff/", follow=True)
    assert "signed out after 15 minutes without activity" in response.content.decode()
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_it_ends_a_session_after_the_absolute_limit(client, staff):
    client.force_login(staff["avery"])
    client.get("/staff/")
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 13 * 3600
    session.save()
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_it_signs_out_every_session_of_the_user(staff):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.force_login(staff["avery"])
        verify_second_factor(device, staff["avery"])
        assert device.get("/staff/").status_code == 200

    laptop.post("/staff/security/sign-out-everywhere/")

    assert phone.get("/staff/").status_code == 302
    assert laptop.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_it_keeps_the_admin_behind_both_factors(client, staff):
    admin = staff["admin"]
    plain = Client()
    plain.force_login(admin)
    assert plain.get("/admin/").status_code == 302  # password only: no admin
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
