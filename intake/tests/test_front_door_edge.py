"""The network edge of the public forms: nobody who mistypes is turned away, a flood still is,
the limits and the sign-in lockout follow the visitor's own address behind the proxy, and a
large upload is refused without ever reaching the disk."""

import datetime as dt
import html as html_lib
import re
import time

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import time_format

from intake.models import Lead, LeadRequest

CALLBACK = "/callback/"
VERIFY = "/verify/"
PROXY = "10.0.0.2"  # the TLS proxy, as the app sees it
MB = 1024 * 1024


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


@pytest.fixture
def maya(patient_data, settings, tmp_path):
    """What Maya types into the insurance form (card photos stored in this test's own folder)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return patient_data


@pytest.fixture
def no_temporary_files(settings, tmp_path):
    """Django writes an upload it does not keep in memory to FILE_UPLOAD_TEMP_DIR, and deletes it
    when the request ends; pointed at a folder that does not exist, any attempt fails the request."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "no-such-folder")


def field_error(response, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', response.content.decode(), re.S)
    return html_lib.unescape(match.group(1).strip()) if match else ""


def shown_times(started: float, ended: float, window: int) -> set[str]:
    """ "10:42 p.m." for a window that began between `started` and `ended`, rounded up to the minute."""
    shown = set()
    for moment in (started, ended):
        ends = dt.datetime.fromtimestamp(moment + window, tz=dt.UTC) + dt.timedelta(seconds=59)
        shown.add(time_format(timezone.localtime(ends.replace(second=0, microsecond=0)), "g:i a"))
    return shown


def card_photo(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("card.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (size - 4), "image/jpeg")


# --- Limits that a person never meets ---------------------------------------------------------


@pytest.mark.django_db
def test_it_never_refuses_a_person_who_mistypes_a_few_times_on_both_forms(client, staff, visitor_data, maya):
    here = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(3):
        assert client.post(CALLBACK, {**visitor_data, "phone": "555"}, **here).status_code == 200
        assert client.post(VERIFY, {**maya, "date_of_birth": "not a date"}, **here).status_code == 200
    for n in range(3):
        assert client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}, **here).status_code == 302
        assert client.post(VERIFY, {**maya, "phone": f"(646) 555-01{n:02d}"}, **here).status_code == 302

    assert LeadRequest.objects.count() == 6


@pytest.mark.django_db
def test_it_refuses_a_flood_of_valid_posts_keeping_what_was_typed_and_saying_when(
    client, staff, visitor_data, maya, settings
):
    here = {"REMOTE_ADDR": "203.0.113.9"}
    started = time.time()
    for n in range(settings.FORM_RATE_LIMIT):
        assert client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}, **here).status_code == 302
    ended = time.time()

    refused = client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2699"}, **here)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'value="Jordan Whitlock"' in page and 'value="(415) 555-2699"' in page
    assert "My brother Ezekiel needs detox from alcohol" in page
    when = re.search(r"You can send it again after ([^.<]+\.m\.)", page).group(1)
    assert when in shown_times(started, ended, settings.FORM_RATE_WINDOW_SECONDS)
    assert 'href="tel:+18005550142"' in page and 'href="tel:988"' in page and 'href="tel:911"' in page
    assert Lead.objects.count() == settings.FORM_RATE_LIMIT
    # The other form keeps its own count.
    assert client.post(VERIFY, maya, **here).status_code == 302


@pytest.mark.django_db
def test_it_refuses_a_client_that_keeps_posting_before_reading_what_it_sends(client, staff, visitor_data, settings):
    settings.FORM_RATE_LIMIT = 1
    here = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.post(CALLBACK, visitor_data, **here).status_code == 302
    for _ in range(3):
        assert client.post(CALLBACK, visitor_data, **here).status_code == 429  # each with the form kept

    # A body that cannot be parsed, and no CSRF token: reading it would have failed the CSRF check.
    script = Client(enforce_csrf_checks=True)
    garbage = {"data": b"--x\r\nnot a part", "content_type": "multipart/form-data; boundary=x"}
    elsewhere = script.generic("POST", CALLBACK, **garbage, REMOTE_ADDR="198.51.100.7")
    blocked = script.generic("POST", CALLBACK, **garbage, **here)

    assert elsewhere.status_code == 403
    assert blocked.status_code == 429
    assert "You can send it again after" in blocked.content.decode()
    assert int(blocked["Retry-After"]) <= settings.FORM_RATE_WINDOW_SECONDS + 60
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_it_pauses_a_client_after_many_invalid_posts(client, staff, visitor_data, settings):
    settings.FORM_INVALID_RATE_LIMIT = 4
    here = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(4):
        assert client.post(CALLBACK, {**visitor_data, "phone": "555"}, **here).status_code == 200

    assert client.post(CALLBACK, visitor_data, **here).status_code == 429
    assert client.post(CALLBACK, visitor_data, REMOTE_ADDR="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_it_lets_visitors_through_when_the_cache_is_down(client, staff, visitor_data, settings):
    settings.FORM_RATE_LIMIT = 1
    # Nothing listens on port 9: the cache fails as a dead Redis does, and the shared one stays up.
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
    for n in range(3):
        assert client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}).status_code == 302
    assert Lead.objects.count() == 3


# --- The visitor's own address behind the proxy -------------------------------------------------


@pytest.mark.django_db
def test_it_gives_two_visitors_behind_the_trusted_proxy_limits_of_their_own(
    client, staff, visitor_data, settings, behind_proxy
):
    settings.FORM_RATE_LIMIT = 2
    jordan = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    # Riley's header went through a second proxy of ours, and starts with an address Riley wrote.
    riley = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 198.51.100.8, 10.0.0.3"}
    for n in range(2):
        assert client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}, **jordan).status_code == 302
    assert client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2650"}, **jordan).status_code == 429

    assert client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2651"}, **riley).status_code == 302


@pytest.mark.django_db
def test_it_ignores_a_forwarded_address_sent_by_anyone_but_the_proxy(
    client, staff, visitor_data, settings, behind_proxy
):
    settings.FORM_RATE_LIMIT = 2
    for n in range(2):
        spoofed = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}, 10.0.0.5"}
        assert client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}, **spoofed).status_code == 302

    spoofed = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2650"}, **spoofed).status_code == 429


@pytest.mark.django_db
def test_it_does_not_let_an_outsider_lock_a_staff_member_out(staff, settings, behind_proxy):
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client()
    through_proxy = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(3):
        attacker.post("/staff/login/", {"username": "avery", "password": "hunter2-guess"}, **through_proxy)

    locked = attacker.post("/staff/login/", {"username": "avery", "password": "correct horse battery"}, **through_proxy)
    assert "Too many failed sign-ins" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="avery", ip_address="203.0.113.9").exists()

    # Avery, through the same proxy from her own address, goes on to the second step.
    avery = Client().post(
        "/staff/login/",
        {"username": "avery", "password": "correct horse battery"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert avery.status_code == 302 and avery["Location"].startswith("/staff/login/verify/")


# --- Sizes ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_50_mb_upload_without_writing_it_anywhere(client, staff, maya, no_temporary_files):
    response = client.post(VERIFY, {**maya, "card_front": card_photo(50 * MB)})

    assert response.status_code == 413
    page = response.content.decode()
    assert "under 10 MB" in page and 'href="tel:+18005550142"' in page
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_it_says_which_photo_is_too_large_and_keeps_the_rest(client, staff, maya, no_temporary_files):
    response = client.post(VERIFY, {**maya, "card_back": card_photo(12 * MB)})

    assert response.status_code == 200
    assert "larger than 10 MB" in field_error(response, "card_back")
    page = response.content.decode()
    assert 'value="LNT100001"' in page and 'value="Okonkwo"' in page and 'value="1991-03-14"' in page
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_the_audit_log_names_the_trusted_client_address_never_a_forged_one(client, staff, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    client.force_login(staff["avery"])
    url = f"/staff/leads/{lead.pk}/"

    def last_access_address() -> str:
        return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp").remote_addr

    # Straight from the internet, with a header of the visitor's own making: not believed.
    client.get(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert last_access_address() == "203.0.113.9"
    # Through the proxy: the address the proxy saw.
    client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66, 192.0.2.7")
    assert last_access_address() == "192.0.2.7"


@pytest.mark.django_db
def test_it_counts_one_ipv6_home_network_as_one_client(client, staff, visitor_data, settings):
    settings.FORM_RATE_LIMIT = 2
    # A phone or a home is given a whole /64: a new address for each post is still one client.
    for n in (1, 2):
        posted = client.post(CALLBACK, {**visitor_data, "phone": f"(415) 555-26{n:02d}"}, REMOTE_ADDR=f"2001:db8::{n}")
        assert posted.status_code == 302
    assert client.post(CALLBACK, visitor_data, REMOTE_ADDR="2001:db8::3").status_code == 429
    assert client.post(CALLBACK, visitor_data, REMOTE_ADDR="2001:db8:0:1::3").status_code == 302


@pytest.mark.django_db
def test_it_reads_a_forwarded_address_that_carries_a_port(client, staff, visitor_data, settings, behind_proxy):
    settings.FORM_RATE_LIMIT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.post(CALLBACK, visitor_data, HTTP_X_FORWARDED_FOR="198.51.100.7:50123", **proxy).status_code == 302
    # Another visitor behind the same proxy is not refused for the first one's post.
    other = {**visitor_data, "phone": "(415) 555-2601"}
    assert client.post(CALLBACK, other, HTTP_X_FORWARDED_FOR="192.0.2.44:40000", **proxy).status_code == 302


@pytest.mark.django_db
def test_it_never_turns_away_someone_who_says_a_person_is_in_danger(client, staff, visitor_data, settings):
    settings.FORM_RATE_LIMIT = 1
    here = {"REMOTE_ADDR": "203.0.113.9"}  # a household, or a clinic's wifi, that has sent one already
    assert client.post(CALLBACK, visitor_data, **here).status_code == 302
    assert client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2601"}, **here).status_code == 429

    urgent = client.post(CALLBACK, {**visitor_data, "phone": "(415) 555-2602", "in_danger": "yes"}, **here)

    assert urgent.status_code == 302
    assert Lead.objects.filter(urgent=True).count() == 1
