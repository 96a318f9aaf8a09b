"""The insurance result on a queue row: what a worker can tell the caller before opening the lead."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from intake.retention import anonymise_expired
from verification.models import EligibilityCheck, VerificationRequest

from .test_queue import make_lead
from .test_queue_rows import row_of

Status = VerificationRequest.Status


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


def verification(lead, *, status=Status.SUBMITTED, created_minutes_ago=10, **fields):
    return VerificationRequest.objects.create(
        lead=lead,
        status=status,
        first_name="Ana",
        last_name="Reyes",
        date_of_birth=dt.date(1990, 5, 17),
        member_id="LNT100001",
        created_at=timezone.now() - dt.timedelta(minutes=created_minutes_ago),
        **fields,
    )


def answered(request, coverage: str):
    return EligibilityCheck.objects.create(
        verification=request, gateway="sandbox", status=EligibilityCheck.Status.SENT, coverage_status=coverage
    )


@pytest.mark.django_db
def test_each_row_says_where_its_insurance_check_stands(avery_client):
    cases = {}

    def lead_with(n, **fields):
        lead = make_lead(n, kind="verification")
        return lead, verification(lead, **fields)

    lead, _ = lead_with(1, status=Status.VERIFIED, outcome="covered")
    cases[lead] = "Covered"
    lead, _ = lead_with(2, status=Status.VERIFIED, outcome="partially_covered")
    cases[lead] = "Partly covered"
    lead, _ = lead_with(3, status=Status.VERIFIED, outcome="not_covered")
    cases[lead] = "Not covered"
    lead, _ = lead_with(4, status=Status.CHECKING)
    cases[lead] = "Checking"
    lead, _ = lead_with(5, status=Status.NEEDS_REVIEW, by_phone=True)
    cases[lead] = "By phone: insurer not contacted"
    lead, request = lead_with(6, status=Status.NEEDS_REVIEW)
    answered(request, "active")
    cases[lead] = "Plan active: to review"
    lead, request = lead_with(7, status=Status.NEEDS_REVIEW)
    answered(request, "inactive")
    cases[lead] = "Plan inactive: to review"
    lead, request = lead_with(8, status=Status.NEEDS_INFO)
    answered(request, "rejected")
    cases[lead] = "Payer found no match: check details"
    callback = make_lead(9)

    html = avery_client.get("/staff/").content.decode()

    for lead, words in cases.items():
        assert words in row_of(html, lead), words
    assert "No check asked" in row_of(html, callback)
    assert re.search(r'fact-danger">Not covered<', html) and re.search(r'fact-good">Covered<', html)


@pytest.mark.django_db
def test_the_newest_request_and_its_newest_check_decide(avery_client):
    lead = make_lead(1, kind="verification")
    old = verification(lead, status=Status.VERIFIED, outcome="not_covered", created_minutes_ago=60)
    answered(old, "inactive")
    newer = verification(lead, status=Status.NEEDS_REVIEW, created_minutes_ago=5)
    answered(newer, "error")
    answered(newer, "active")  # asked again: the payer answered this time

    row = row_of(avery_client.get("/staff/").content.decode(), lead)

    assert "Plan active: to review" in row and "Not covered" not in row


@pytest.mark.django_db
def test_the_insurance_results_of_a_page_are_read_in_one_query(avery_client, django_assert_num_queries):
    for n in range(25):
        lead = make_lead(n + 1, kind="verification")
        answered(verification(lead, status=Status.NEEDS_REVIEW), "active")
    avery_client.get("/staff/")

    # As many queries as the queue with no verification at all (test_queue's count): none per row.
    with django_assert_num_queries(12):
        html = avery_client.get("/staff/").content.decode()
    assert html.count("Plan active: to review") == 25


@pytest.mark.django_db
def test_a_request_closed_by_staff_does_not_hide_an_earlier_result(avery_client):
    lead = make_lead(1, kind="verification")
    verification(lead, status=Status.VERIFIED, outcome="covered", created_minutes_ago=60)
    verification(lead, status=Status.CLOSED, created_minutes_ago=5)  # a duplicate, closed
    only_closed = make_lead(2, kind="verification")
    verification(only_closed, status=Status.CLOSED)

    html = avery_client.get("/staff/").content.decode()

    assert "Covered" in row_of(html, lead) and "No check asked" not in row_of(html, lead)
    assert "Insurance: Check closed" in row_of(html, only_closed)


def rejected_for(request, code: str):
    check = answered(request, "rejected")
    check.summary_json = json.dumps({"status": "rejected", "rejections": [{"loop": "2100C", "code": code}]})
    check.save()


@pytest.mark.django_db
def test_a_rejection_is_worded_from_its_reason_not_always_as_the_visitors_details(avery_client):
    member_id = make_lead(1, kind="verification")
    rejected_for(verification(member_id, status=Status.NEEDS_INFO), "72")
    our_npi = make_lead(2, kind="verification")
    rejected_for(verification(our_npi, status=Status.NEEDS_INFO), "43")
    payer_down = make_lead(3, kind="verification")
    rejected_for(verification(payer_down, status=Status.NEEDS_REVIEW), "42")

    html = avery_client.get("/staff/").content.decode()

    assert "Payer found no match: check details" in row_of(html, member_id)
    assert "Payer refused our provider details: nothing to ask the visitor" in row_of(html, our_npi)
    assert "details" not in row_of(html, payer_down) and "Payer could not answer: try again" in row_of(html, payer_down)


@pytest.mark.django_db
def test_a_closed_view_shows_an_anonymised_leads_rejected_check_without_reading_what_retention_removed(
    avery_client, settings
):
    settings.RETENTION_DAYS = 30
    lead = make_lead(1, kind="verification", status="not_a_fit", closed_at=timezone.now() - dt.timedelta(days=31))
    request = verification(lead, status=Status.NEEDS_INFO)
    check = answered(request, "rejected")
    EligibilityCheck.objects.filter(pk=check.pk).update(summary_json=json.dumps({"rejections": [{"code": "72"}]}))
    assert anonymise_expired().leads == 1

    response = avery_client.get("/staff/", {"status": "closed"})

    assert response.status_code == 200
    assert "Payer found no match" in row_of(response.content.decode(), lead)
