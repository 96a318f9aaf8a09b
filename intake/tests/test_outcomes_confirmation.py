"""Closing happens only after the worker has seen what will be recorded, and "unreachable" is
justified only by the calls made since the lead was last reopened."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from intake.models import Lead, LeadStatus, OutcomeFacts
from intake.tests import test_outcomes
from intake.tests.test_outcomes import close_url, confirm_through_the_page, text_of


@pytest.fixture
def worker(client, staff):
    client.force_login(staff["avery"])
    return client


scheduled = test_outcomes.lead  # the fixture: Jordan's lead, worked by Avery up to an assessment

ADMITTED = {"status": "admitted", "level_of_care": "residential", "programme": "Evergreen"}


@pytest.mark.django_db
def test_a_single_post_with_confirm_shows_the_review_instead_of_closing(worker, scheduled):
    facts = {**ADMITTED, "admitted_on": timezone.localdate().isoformat()}

    response = worker.post(close_url(scheduled), {**facts, "confirm": "1"})

    assert response.status_code == 200
    assert "Check what will be recorded" in text_of(response.content.decode())
    scheduled.refresh_from_db()
    assert scheduled.is_open


@pytest.mark.django_db
def test_facts_changed_after_the_review_are_shown_again_before_anything_is_closed(worker, scheduled):
    today = timezone.localdate()
    review = worker.post(close_url(scheduled), {**ADMITTED, "admitted_on": today.isoformat()}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', review)[1]

    changed = {**ADMITTED, "admitted_on": today.isoformat(), "level_of_care": "detox", "token": token, "confirm": "1"}
    page = text_of(worker.post(close_url(scheduled), changed).content.decode())

    scheduled.refresh_from_db()
    assert scheduled.is_open
    assert "Admitted to Detox (Evergreen)" in page and "changed since you checked" in page


@pytest.mark.django_db
def test_a_review_of_one_lead_does_not_confirm_another(worker, scheduled, staff):
    other = Lead.objects.create(name="Sam", phone="+14155550199", created_at=timezone.now() - dt.timedelta(days=1))
    other.log_attempt(by=staff["avery"], outcome="reached")
    facts = {**ADMITTED, "admitted_on": timezone.localdate().isoformat()}
    review = worker.post(close_url(scheduled), facts).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', review)[1]

    worker.post(close_url(other), {**facts, "token": token, "confirm": "1"})

    other.refresh_from_db()
    assert other.is_open


@pytest.mark.django_db
def test_confirming_what_was_reviewed_closes_the_lead(worker, scheduled):
    facts = {**ADMITTED, "admitted_on": timezone.localdate().isoformat()}

    page = text_of(confirm_through_the_page(worker, scheduled, facts, follow=True).content.decode())

    scheduled.refresh_from_db()
    assert scheduled.status == LeadStatus.ADMITTED
    assert "closed as admitted" in page


@pytest.mark.django_db
def test_attempts_from_before_a_reopening_do_not_justify_unreachable(worker, staff, settings):
    settings.UNREACHABLE_AFTER_ATTEMPTS = 3
    avery = staff["avery"]
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    for outcome in ("no_answer", "no_answer", "reached"):
        lead.log_attempt(by=avery, outcome=outcome)
    lead.transition(LeadStatus.ASSESSMENT_SCHEDULED, by=avery)
    lead.close(OutcomeFacts(status="admitted", admitted_on=timezone.localdate(), level_of_care="detox"), by=avery)
    lead.reopen("Left on day two; her sister asked us to call again", by=avery)

    assert LeadStatus.UNREACHABLE not in lead.closing_outcomes()
    refused = text_of(worker.get(close_url(lead) + "?outcome=unreachable", follow=True).content.decode())
    assert "Make at least 3 attempts since it was reopened" in refused

    lead.log_attempt(by=avery, outcome="wrong_number")
    lead.log_attempt(by=avery, outcome="no_answer")
    lead.log_attempt(by=avery, outcome="no_answer")
    page = text_of(worker.get(close_url(lead) + "?outcome=unreachable").content.decode())
    justified = page.split("The attempts that justify it", 1)[1].split("Anything to add", 1)[0]
    assert "Only the calls since it was last reopened count." in justified
    assert justified.count("by avery") == 3 and "Reached" not in justified

    confirm_through_the_page(worker, lead, {"status": "unreachable"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNREACHABLE
    assert lead.outcome().outcome_sentence() == "Unreachable after 3 attempts"
