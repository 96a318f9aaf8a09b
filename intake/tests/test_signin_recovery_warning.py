"""Running out of recovery codes. Avery has used most of hers; one more lost phone and she could
not sign in without an administrator. She is warned where she looks (every staff page, and the
security page) and makes new codes in one click, told what becomes of the old ones."""

import re

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import authenticator_for
from intake.models import RecoveryCode, RecoveryCodes
from intake.tests.helpers import recovery_codes_on_page
from intake.tests.test_second_factor import VERIFY, password_session

NEW_CODES = "/staff/security/recovery-codes/new/"


def codes_left(user, count: int) -> list[str]:
    """Give `user` a set of recovery codes of which `count` are still unused; returns those."""
    codes = RecoveryCodes.replace_for(user)
    spent = RecoveryCode.objects.filter(device__user=user).order_by("pk")[count:]
    RecoveryCode.objects.filter(pk__in=[c.pk for c in spent]).delete()
    return codes[:count]  # bulk_create keeps the order the codes were made in


def signed_in_with_phone(user):
    phone = authenticator_for(user, "phone")
    client = password_session(user.username)
    assert client.post(VERIFY, {"token": phone.current_code(), "next": "/staff/"})["Location"] == "/staff/"
    return client


def warning_on(html: str) -> str | None:
    found = re.search(r'<div class="recovery-warning[^"]*" role="status">.*?</div>', html, re.S)
    return found[0] if found else None


@pytest.mark.django_db
def test_it_warns_on_staff_pages_and_makes_new_codes_in_one_click(staff):
    old = codes_left(staff["avery"], 2)
    avery = signed_in_with_phone(staff["avery"])

    warning = warning_on(avery.get("/staff/roster/").content.decode())

    assert "Only 2 recovery codes left." in warning
    assert "New codes replace the 2 you have." in warning
    assert f'action="{NEW_CODES}"' in warning and 'method="post"' in warning
    assert 'name="next" value="/staff/roster/"' in warning

    page = avery.post(NEW_CODES, {"next": "/staff/roster/"}, follow=True).content.decode()

    new = recovery_codes_on_page(page)
    assert len(new) == 10 and not set(new) & set(old)
    assert "The 2 unused codes you had no longer work." in page
    assert 'href="/staff/roster/">I have saved them' in page
    assert warning_on(avery.get("/staff/roster/").content.decode()) is None
    assert "did not work" in password_session("avery").post(VERIFY, {"token": old[0]}).content.decode()


@pytest.mark.django_db
def test_it_leaves_staff_pages_alone_while_three_codes_remain(staff):
    codes_left(staff["avery"], 3)

    assert warning_on(signed_in_with_phone(staff["avery"]).get("/staff/").content.decode()) is None


@pytest.mark.django_db
def test_it_warns_as_soon_as_a_recovery_code_leaves_fewer_than_three(staff):
    authenticator_for(staff["avery"], "phone")
    code = codes_left(staff["avery"], 3)[0]
    avery = password_session("avery")

    assert avery.post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"
    html = avery.get("/staff/").content.decode()

    assert "You used a recovery code; 2 left." in html
    assert "Only 2 recovery codes left." in warning_on(html)


@pytest.mark.django_db
def test_it_warns_of_no_codes_left_on_the_security_page_with_the_button_beside_it(client, staff):
    authenticator_for(staff["avery"], "phone")
    client.force_login(staff["avery"])  # no recovery codes at all

    html = client.get("/staff/security/").content.decode()

    alert = re.search(r'<div class="alert alert-danger" role="alert">.*?</div>', html, re.S)[0]
    assert "You have no recovery codes left." in alert
    assert "Make new recovery codes</button>" in alert
    assert "0 unused" not in html
    assert warning_on(html) is None  # said once, beside its button, not twice


@pytest.mark.django_db
def test_it_says_what_becomes_of_the_last_code_on_the_security_page(client, staff):
    codes_left(staff["avery"], 1)
    client.force_login(staff["avery"])

    html = client.get("/staff/security/").content.decode()

    alert = re.search(r'<div class="alert alert-warning" role="alert">.*?</div>', html, re.S)[0]
    assert "Only 1 recovery code left." in alert and "the 1 you have stops working" in alert


@pytest.mark.django_db
def test_it_makes_new_codes_only_by_a_post(client, staff):
    client.force_login(staff["avery"])
    codes_left(staff["avery"], 1)

    assert client.get(NEW_CODES).status_code == 405
    assert RecoveryCode.objects.filter(device__user=staff["avery"]).count() == 1


@pytest.mark.django_db
def test_it_says_a_lost_phone_locks_her_out_only_once_the_codes_left_are_used(staff):
    codes_left(staff["avery"], 2)

    warning = warning_on(signed_in_with_phone(staff["avery"]).get("/staff/").content.decode())

    text = " ".join(re.sub(r"<[^>]+>", " ", warning).split())
    assert "Only 2 recovery codes left. Once used, a lost phone would lock you out." in text
    assert "A lost phone would lock you out" not in text  # not yet: she still has two


@pytest.mark.django_db
def test_it_warns_on_this_device_when_a_code_is_used_on_another(staff):
    code = codes_left(staff["avery"], 3)[0]
    laptop = signed_in_with_phone(staff["avery"])
    assert warning_on(laptop.get("/staff/").content.decode()) is None

    # Her phone's browser signs in with a recovery code: the laptop's session is not touched.
    assert password_session("avery").post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"

    assert "Only 2 recovery codes left." in warning_on(laptop.get("/staff/").content.decode())


@pytest.mark.django_db
def test_it_warns_a_session_that_began_before_the_count_was_kept(client, staff):
    codes_left(staff["avery"], 1)
    client.force_login(staff["avery"])  # a session that never passed through the sign-in views

    assert "Only 1 recovery code left." in warning_on(client.get("/staff/roster/").content.decode())


@pytest.mark.django_db
def test_it_counts_the_codes_left_without_a_query_on_every_page(staff):
    codes_left(staff["avery"], 2)
    avery = signed_in_with_phone(staff["avery"])
    avery.get("/staff/roster/")

    with CaptureQueriesContext(connection) as queries:
        html = avery.get("/staff/roster/").content.decode()

    assert "Only 2 recovery codes left." in warning_on(html)
    assert not [q for q in queries if "recoverycode" in q["sql"]]


class DownCache:
    """A cache whose Redis cannot be reached."""

    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise redis.ConnectionError("Redis is down")

        return refuse


@pytest.mark.django_db
def test_it_signs_in_with_a_recovery_code_and_warns_while_the_cache_is_down(staff, monkeypatch):
    authenticator_for(staff["avery"], "phone")
    code = codes_left(staff["avery"], 3)[0]
    monkeypatch.setattr("intake.models.second_factor.cache", DownCache())
    avery = password_session("avery")

    assert avery.post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"

    assert "Only 2 recovery codes left." in warning_on(avery.get("/staff/").content.decode())
