"""The queue's search box: a name or an email a worker types never lands in a URL or the access log."""

import re

import pytest
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


@pytest.mark.django_db
def test_it_finds_a_lead_by_name_and_answers_in_the_post_without_the_name_in_any_url(avery_client):
    wanted = make_lead(1, name=NAME)
    other = make_lead(2, name="Someone Else")

    response = avery_client.post("/staff/search/", {"q": "  marisol   QUENBY ", "show": ""})

    assert response.status_code == 200  # no redirect that would carry the name to a URL
    html = response.content.decode()
    assert wanted.reference in html and other.reference not in html
    assert 'value="marisol   QUENBY"' in html or 'value="  marisol   QUENBY "' in html  # the box keeps it
    assert "data-refresh-form=" in html  # the auto-refresh posts the form again
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

    html = avery_client.post("/staff/search/", {"q": "quenby.m@example.org"}).content.decode()

    assert wanted.reference in html and other_open.reference not in html
    assert "1 lead ·" in html


@pytest.mark.django_db
def test_the_auto_refresh_of_a_name_search_posts_and_keeps_the_filter(avery_client):
    wanted = make_lead(1, name=NAME)
    make_lead(2)

    response = avery_client.post(
        "/staff/search/", {"q": "Quenby", "page": "1"}, HTTP_X_QUEUE_REFRESH="1", HTTP_X_QUEUE_SINCE="0"
    )

    html = response.content.decode()
    assert "<html" not in html and "1 lead ·" in html and wanted.reference in html


@pytest.mark.django_db
def test_a_name_in_the_queue_url_finds_nothing(avery_client):
    make_lead(1, name=NAME)

    html = avery_client.get("/staff/", {"q": NAME}).content.decode()

    assert "Nothing here" in html


@pytest.mark.django_db
def test_the_pages_of_a_name_search_are_posted_not_linked(avery_client):
    for n in range(30):
        make_lead(n + 1, name=f"{NAME} {n}")

    first = avery_client.post("/staff/search/", {"q": NAME}).content.decode()
    second = avery_client.post("/staff/search/", {"q": NAME, "page": "2"}).content.decode()

    assert "page 1 of 2" in first and 'form="queue-search" name="page" value="2"' in first
    assert "page 2 of 2" in second
    assert second.count('href="/staff/leads/') == 5
    assert not [url for url in urls_on(first + second) if "page=" in url or "q=" in url]


@pytest.mark.django_db
def test_a_name_search_is_on_the_audit_page_of_each_lead_it_found(avery_client, staff):
    from auditlog.models import LogEntry

    wanted = make_lead(1, name=NAME)
    other = make_lead(2, name="Someone Else")
    refresh = {"HTTP_X_QUEUE_REFRESH": "1", "HTTP_X_QUEUE_SINCE": "999999999"}  # what the browser says is no proof

    avery_client.post("/staff/search/", {"q": NAME})
    avery_client.post("/staff/search/", {"q": NAME}, **refresh)  # the same search again: already recorded
    avery_client.post("/staff/search/", {"q": "someone else"}, **refresh)  # new text, typed before a refresh

    found = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__found_by__isnull=False)
    assert sorted((e.object_id, e.actor.username) for e in found) == [(wanted.pk, "avery"), (other.pk, "avery")]
