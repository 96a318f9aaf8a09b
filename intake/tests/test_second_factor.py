"""A second factor nobody else keeps, and second-factor secrets nobody can read.

Blake signs in for the first time with a temporary password that an admin (or anybody who
saw it) also knows. Whoever opens the setup page must not end up with a working second factor
of Blake's; the keys and recovery codes are unreadable in the database and in the admin.
"""

import base64
import email
import importlib
import io
from email import policy
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client

from conftest import authenticator_for
from intake.models import AuthenticatorApp, RecoveryCode, RecoveryCodes
from intake.tests.helpers import code_for_key, code_on_page, recovery_codes_on_page, secret_on_page

PASSWORD = "correct horse battery"
VERIFY = "/staff/login/verify/"


def password_session(username: str, **client_kwargs) -> Client:
    """A browser signed in with the password alone, at the second-step page."""
    client = Client(**client_kwargs)
    assert client.post("/staff/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def enrol(client: Client) -> tuple[str, str]:
    """Scan the setup page's code and confirm it; returns the setup and recovery-codes pages."""
    page = client.get(VERIFY).content.decode()
    response = client.post(VERIFY, {"token": code_on_page(page), "next": "/staff/"}, follow=True)
    assert response.status_code == 200
    return page, response.content.decode()


def database_text() -> str:
    """Every row of every table, as PostgreSQL prints it: what a copy of the database shows."""
    qn = connection.ops.quote_name
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT CAST(t AS text) FROM {qn(table)} t")  # noqa: S608 - names from the catalogue
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows).lower()


def hex_of(base32: str) -> str:
    return base64.b32decode(base32 + "=" * (-len(base32) % 8)).hex()


def base32_of(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


@pytest.mark.django_db
def test_it_shows_each_setup_page_a_key_of_its_own(staff):
    colleague, blake = password_session("blake"), password_session("blake")

    first = secret_on_page(colleague.get(VERIFY).content.decode())
    second = secret_on_page(blake.get(VERIFY).content.decode())
    again = secret_on_page(colleague.get(VERIFY).content.decode())

    assert len({first, second, again}) == 3


@pytest.mark.django_db
def test_it_lets_no_key_shown_to_someone_else_become_a_second_factor(staff):
    # The admin who set Blake's temporary password opens the setup page first.
    colleague = password_session("blake")
    colleague_page = colleague.get(VERIFY).content.decode()

    blake = password_session("blake")
    enrol(blake)
    assert blake.get("/staff/").status_code == 200

    # The colleague's session is over, and the key it was shown opens nothing, now or later.
    assert colleague.get("/staff/")["Location"].startswith("/staff/login/?")
    later = password_session("blake")
    refused = later.post(VERIFY, {"token": code_on_page(colleague_page, steps_ahead=1), "next": "/staff/"})
    assert "did not work" in refused.content.decode()
    assert later.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_it_saves_nothing_until_the_code_matches_and_keeps_the_scanned_key_meanwhile(staff):
    blake = password_session("blake")
    expired = blake.post(VERIFY, {"token": "123456"}).content.decode()  # no key shown to this session yet
    assert "This setup page had expired" in expired

    page = blake.get(VERIFY).content.decode()
    wrong = blake.post(VERIFY, {"token": "12345x"}).content.decode()
    assert "That code did not match" in wrong
    assert secret_on_page(wrong) == secret_on_page(page)  # the app already scanned it: no need to again
    assert not AuthenticatorApp.objects.exists()
    assert blake.get("/staff/")["Location"].startswith(VERIFY)


@pytest.mark.django_db
def test_it_keeps_no_key_or_recovery_code_readable_in_the_database(staff):
    setup_page, codes_page = enrol(password_session("blake"))
    secret, codes = secret_on_page(setup_page), recovery_codes_on_page(codes_page)
    assert len(codes) == 10

    stored = database_text()

    assert secret.lower() not in stored and hex_of(secret) not in stored
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    # The key is there, encrypted: Blake's phone goes on working.
    assert AuthenticatorApp.objects.get(user=staff["blake"]).key == hex_of(secret)


@pytest.mark.django_db
def test_it_accepts_a_recovery_code_once_however_it_is_typed(staff):
    authenticator_for(staff["avery"])
    code = RecoveryCodes.replace_for(staff["avery"])[3]
    hashes = list(RecoveryCode.objects.filter(device__user=staff["avery"]).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and all(len(h) == 64 and code.replace("-", "") not in h for h in hashes)

    first = password_session("avery")
    assert first.post(VERIFY, {"token": f" {code.upper()} ", "next": "/staff/"})["Location"] == "/staff/"
    assert "9 unused recovery codes" in first.get("/staff/security/").content.decode()

    second = password_session("avery")
    assert "did not work" in second.post(VERIFY, {"token": code}).content.decode()


@pytest.mark.django_db
def test_it_tells_the_owner_by_email_and_signs_out_their_other_sessions(staff, mailbox):
    elsewhere = password_session("blake")
    elsewhere.get(VERIFY)
    blake = password_session("blake", REMOTE_ADDR="198.51.100.23")

    setup_page, codes_page = enrol(blake)

    assert elsewhere.get("/staff/")["Location"].startswith("/staff/login/?")
    assert blake.get("/staff/").status_code == 200  # the session that enrolled stays signed in
    (sent,) = mailbox.wait_for(1, timeout=5)
    assert sent["to"] == ["blake@lantern.example"]
    message = email.message_from_string(sent["data"], policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "authenticator app" in message["Subject"]
    assert "198.51.100.23" in body and "If it was not you" in body
    secret = secret_on_page(setup_page)
    for secret_text in [secret, hex_of(secret), *recovery_codes_on_page(codes_page)]:
        assert secret_text.lower() not in sent["data"].lower()


@pytest.mark.django_db
def test_it_shows_admins_who_has_a_second_factor_but_never_a_key_or_code_and_logs_each_look(client, staff):
    phone = authenticator_for(staff["avery"], "Avery's phone")
    codes = RecoveryCodes.replace_for(staff["avery"])
    admin = staff["admin"]
    client.force_login(admin)

    for url in ["/admin/intake/authenticatorapp/", "/admin/intake/recoverycodes/"]:
        response = client.get(url)
        html = response.content.decode().lower()
        assert response.status_code == 200 and "avery" in html
        assert phone.key not in html and not any(code in html for code in codes)

    looks = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=admin, object_pk="admin-list")
    assert sorted(looks.values_list("object_repr", flat=True)) == [
        "Admin list of authenticator apps",
        "Admin list of recovery code sets",
    ]


@pytest.mark.django_db
def test_it_gives_a_superuser_no_page_that_opens_a_device(client, staff):
    phone = authenticator_for(staff["avery"])
    RecoveryCodes.replace_for(staff["avery"])
    recovery = RecoveryCodes.objects.get(user=staff["avery"])
    client.force_login(staff["admin"])

    for url in [
        f"/admin/intake/authenticatorapp/{phone.pk}/change/",
        f"/admin/intake/authenticatorapp/{phone.pk}/delete/",
        f"/admin/intake/authenticatorapp/{phone.pk}/history/",
        "/admin/intake/authenticatorapp/add/",
        f"/admin/intake/recoverycodes/{recovery.pk}/change/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/otp_static/statictoken/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert phone.key not in html and base32_of(phone.key) not in html


@pytest.mark.django_db
def test_it_shows_the_owner_their_devices_and_new_recovery_codes_once(client, staff):
    authenticator_for(staff["avery"], "Avery's phone")
    old = RecoveryCodes.replace_for(staff["avery"])
    client.force_login(staff["avery"])

    page = client.get("/staff/security/").content.decode()
    assert "Avery&#x27;s phone" in page and "10 unused recovery codes" in page

    shown = client.post("/staff/security/recovery-codes/new/", follow=True).content.decode()
    new = recovery_codes_on_page(shown)
    assert len(new) == 10 and not set(new) & set(old)
    assert client.get("/staff/security/recovery-codes/")["Location"] == "/staff/security/"  # not again
    refused = password_session("avery").post(VERIFY, {"token": old[0]})
    assert "did not work" in refused.content.decode()


@pytest.mark.django_db
def test_it_rotates_authenticator_keys_with_the_other_encrypted_fields(settings, staff, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path  # card photos other tests left are not this test's
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    key = authenticator_for(staff["avery"]).key

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is dropped

    assert "intake.AuthenticatorApp.key: 1 rotated" in out.getvalue()
    assert AuthenticatorApp.objects.get().key == key
    assert key not in out.getvalue()


# --- Moving django-otp's readable devices ------------------------------------------------------

LEGACY_TABLES = """
CREATE TABLE otp_totp_totpdevice (
    id serial PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, confirmed boolean NOT NULL,
    key varchar(80) NOT NULL, step smallint NOT NULL, t0 bigint NOT NULL, digits smallint NOT NULL,
    tolerance smallint NOT NULL, drift smallint NOT NULL, last_t bigint NOT NULL,
    throttling_failure_timestamp timestamptz NULL, throttling_failure_count integer NOT NULL,
    created_at timestamptz NULL, last_used_at timestamptz NULL);
CREATE TABLE otp_static_staticdevice (
    id serial PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, confirmed boolean NOT NULL,
    throttling_failure_timestamp timestamptz NULL, throttling_failure_count integer NOT NULL,
    created_at timestamptz NULL, last_used_at timestamptz NULL);
CREATE TABLE otp_static_statictoken (id serial PRIMARY KEY, device_id integer NOT NULL, token varchar(16) NOT NULL);
"""


def move_second_factors():
    """The data migration's function, found by name (migration numbers change at merge)."""
    folder = Path(__file__).resolve().parent.parent / "migrations"
    (path,) = folder.glob("*_second_factors_encrypted_and_hashed.py")
    return importlib.import_module(f"intake.migrations.{path.stem}").move_second_factors_out_of_django_otp


@pytest.mark.django_db
def test_it_moves_django_otp_devices_into_encrypted_and_hashed_ones(staff):
    avery_key, blake_key = "3132333435363738393031323334353637383930", "aa" * 20
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_TABLES)
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, digits, tolerance, drift,"
            " last_t, throttling_failure_count, created_at) VALUES"
            " (%s, 'phone', true, %s, 30, 0, 6, 1, 0, -1, 0, '2026-01-05T10:00Z'),"
            " (%s, 'half set up', false, %s, 30, 0, 6, 1, 0, -1, 0, NULL)",
            [staff["avery"].pk, avery_key, staff["blake"].pk, blake_key],
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice (user_id, name, confirmed, throttling_failure_count)"
            " VALUES (%s, 'backup', true, 0) RETURNING id",
            [staff["avery"].pk],
        )
        device_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO otp_static_statictoken (device_id, token) VALUES (%s, 'k2m4p6q8r9'), (%s, 'z7y6x5w4v3')",
            [device_id, device_id],
        )

    with connection.schema_editor(atomic=False) as editor:
        move_second_factors()(apps, editor)

    phone = AuthenticatorApp.objects.get(user=staff["avery"])
    assert phone.key == avery_key and phone.created_at.year == 2026 and phone.name == "phone"
    assert not AuthenticatorApp.objects.filter(user=staff["blake"]).exists()  # its key may have been seen
    with connection.cursor() as cursor:
        for table in ["otp_totp_totpdevice", "otp_static_staticdevice", "otp_static_statictoken"]:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == 0, table
    stored = database_text()
    assert avery_key not in stored and "k2m4p6q8r9" not in stored

    # Avery's phone and printed codes go on working. (A wrong code for one device counts against
    # the others' throttling too, so the phone goes first.)
    with_phone = password_session("avery")
    code = code_for_key(base32_of(avery_key))
    assert with_phone.post(VERIFY, {"token": code, "next": "/staff/"})["Location"] == "/staff/"
    with_code = password_session("avery")
    assert with_code.post(VERIFY, {"token": "k2m4p6q8r9", "next": "/staff/"})["Location"] == "/staff/"
