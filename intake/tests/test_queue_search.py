"""The queue's search box: a name or an email a worker types never lands in a URL or the access log."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.utils import timezone

from intake.models import LeadRequest

from .test_queue import make_lead

NAME = "Marisol Quenby"


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


def urls_on(html: str) -> list[str]:
    """Every address the page could send the browser to: links, form actions, the refresh URL."""
    return re.findall(r'(?:href|action|data-refresh-url|src)="([^"]*)"', html)


def search(client, text: str, **filters):
    """Post the search box; returns the response to the redirect and the address it went to."""
    posted = client.post("/staff/search/", {"q": text, **filters})
    assert posted.status_code == 303
    return client.get(posted["Location"]), posted["Location"]


@pytest.mark.django_db
def test_it_finds_a_lead_by_name_without_the_name_in_any_url(avery_client):
    wanted = make_lead(1, name=NAME)
    other = make_lead(2, name="Someone Else")

    response, address = search(avery_client, "  marisol   QUENBY ", show="")

    assert "marisol" not in address.lower() and "quenby" not in address.lower()
    assert address.startswith("/staff/?search=")  # an ordinary page: Back and Refresh work
    html = response.content.decode()
    assert wanted.reference in html and other.reference not in html
    assert 'value="marisol   QUENBY"' in html  # the box keeps what was typed
    for url in urls_on(html):
        assert "marisol" not in url.lower() and "quenby" not in url.lower(), url


@pytest.mark.django_db
def test_it_finds_a_lead_by_an_email_given_on_a_later_request(avery_client):
    wanted = make_lead(1, name="First Name Given")
    make_lead(2, email="marisol@example.org")
    other_open = make_lead(3)
    LeadRequest.objects.create(
        lead=wanted, name=NAME, email="Quenby.M@Example.org", consent_version="v1", consent_at=timezone.now()
    )

    html = search(avery_client, "quenby.m@example.org")[0].content.decode()

    assert wanted.reference in html and other_open.reference not in html
    assert "1 lead ·" in html


@pytest.mark.django_db
def test_the_search_is_kept_in_the_session_encrypted_and_no_other_session_can_use_its_address(avery_client, staff):
    make_lead(1, name=NAME)
    _, address = search(avery_client, NAME)

    stored = " ".join(Session.objects.values_list("session_data", flat=True))
    assert "quenby" not in stored.lower()  # sessions live in the database
    blake = type(avery_client)()  # the project's test client: both sign-in factors
    blake.force_login(staff["blake"])
    ended = blake.get(address, follow=True)
    assert ended.redirect_chain == [("/staff/", 302)]
    assert "That search has ended. Search again." in ended.content.decode()


@pytest.mark.django_db
def test_the_auto_refresh_of_a_name_search_keeps_the_search_and_the_filter(avery_client):
    wanted = make_lead(1, name=NAME)
    make_lead(2)
    _, address = search(avery_client, "Quenby")

    response = avery_client.get(address, HTTP_X_QUEUE_REFRESH="1", HTTP_X_QUEUE_SINCE="0")

    html = response.content.decode()
    assert "<html" not in html and "1 lead ·" in html and wanted.reference in html


@pytest.mark.django_db
def test_a_name_in_the_queue_url_finds_nothing(avery_client):
    make_lead(1, name=NAME)

    html = avery_client.get("/staff/", {"q": NAME}).content.decode()

    assert "Nothing here" in html


@pytest.mark.django_db
def test_the_pages_of_a_name_search_carry_only_the_token(avery_client):
    for n in range(30):
        make_lead(n + 1, name=f"{NAME} {n}")

    first, address = search(avery_client, NAME)
    second = avery_client.get(f"{address}&page=2").content.decode()

    assert "page 1 of 2" in first.content.decode() and "page 2 of 2" in second
    assert second.count('href="/staff/leads/') == 5
    assert not [url for url in urls_on(first.content.decode() + second) if "quenby" in url.lower()]


@pytest.mark.django_db
def test_a_name_search_is_on_the_audit_page_of_each_lead_it_found(avery_client, staff):
    wanted = make_lead(1, name=NAME)
    other = make_lead(2, name="Someone Else")
    refresh = {"HTTP_X_QUEUE_REFRESH": "1", "HTTP_X_QUEUE_SINCE": "999999999"}  # what the browser says is no proof

    _, address = search(avery_client, NAME)
    avery_client.get(address, **refresh)  # the same search refreshed: already recorded
    search(avery_client, NAME)  # and searched again
    _, other_address = search(avery_client, "someone else")
    avery_client.get(other_address, **refresh)

    found = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__found_by__isnull=False)
    assert sorted((e.object_id, e.actor.username) for e in found) == [(wanted.pk, "avery"), (other.pk, "avery")]
