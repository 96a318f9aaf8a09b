"""The staff header before and after the second step.

Until Sam has given both factors, the header offers only the brand and a way out: a password
alone must not look like (or lead into) the staff area.
"""

import re

import pytest
from django.test import Client

from conftest import authenticator_for
from intake.tests.test_second_factor import VERIFY, password_session

STAFF_LINKS = ["/staff/roster/", "/staff/metrics/", "/staff/security/", "/admin/"]


def header_of(response) -> str:
    return re.search(r"<header.*?</header>", response.content.decode(), re.S)[0]


def brand_link(header: str) -> str:
    return re.search(r'<a class="brand[^"]*" href="([^"]*)">', header)[1]


def assert_only_brand_and(header: str, *, sign_out: bool) -> None:
    assert "Admissions</a>" in header  # the brand
    # Before the second factor the brand leads back to the step Sam is at, never into the queue.
    assert brand_link(header) == ("/staff/login/verify/" if sign_out else "/staff/login/")
    assert "<nav" not in header and "Signed in as" not in header
    for link in STAFF_LINKS:
        assert f'href="{link}"' not in header, link
    assert ("Sign out" in header) is sign_out


@pytest.mark.django_db
def test_it_shows_no_staff_navigation_on_the_sign_in_page(staff):
    assert_only_brand_and(header_of(Client().get("/staff/login/")), sign_out=False)


@pytest.mark.django_db
def test_it_shows_only_the_brand_and_sign_out_while_the_code_is_asked(staff):
    authenticator_for(staff["sam"])
    staff["sam"].is_staff = True  # a supervisor who may also open the admin, once verified
    staff["sam"].save()
    sam = password_session("sam")

    page = sam.get(VERIFY)

    assert "Enter your code" in page.content.decode()
    assert_only_brand_and(header_of(page), sign_out=True)


@pytest.mark.django_db
def test_it_shows_only_the_brand_and_sign_out_while_an_app_is_set_up(staff):
    page = password_session("blake").get(VERIFY)

    assert "Protect your account with a second step" in page.content.decode()
    assert_only_brand_and(header_of(page), sign_out=True)


@pytest.mark.django_db
def test_it_shows_the_navigation_and_the_full_name_once_both_factors_are_done(staff):
    sam = staff["sam"]
    sam.first_name, sam.last_name, sam.is_staff = "Samira", "Haddad", True
    sam.save()
    phone = authenticator_for(sam)
    client = password_session("sam")
    assert client.post(VERIFY, {"token": phone.current_code(), "next": "/staff/"})["Location"] == "/staff/"

    header = header_of(client.get("/staff/"))

    for link in STAFF_LINKS:
        assert f'href="{link}"' in header, link
    assert "Signed in as Samira Haddad" in header and "Sign out" in header
    assert brand_link(header) == "/staff/"
