"""Closing a lead records how it ended, after a look at what will be recorded; reopening says why."""

import datetime as dt
import html as htmllib
import re

import pytest
from auditlog.models import LogEntry
from django.utils import dateformat, timezone

from intake.models import EventKind, Lead, LeadEvent, LeadStatus, OutcomeFacts, WorkflowError
from intake.retention import anonymise_lead
from intake.tests.helpers import raw


@pytest.fixture(autouse=True)
def avery_lee(db, staff):
    """Avery, the admissions worker, as colleagues know her."""
    staff["avery"].first_name, staff["avery"].last_name = "Avery", "Lee"
    staff["avery"].save()


@pytest.fixture
def lead(db, staff):
    """Jordan's lead, asked for two days ago, worked by Avery Lee up to an assessment."""
    lead = Lead.objects.create(
        name="Jordan Whitlock", phone="+14155552671", created_at=timezone.now() - dt.timedelta(days=2)
    )
    lead.log_attempt(by=staff["avery"], outcome="reached")
    lead.transition(LeadStatus.ASSESSMENT_SCHEDULED, by=staff["avery"])
    return lead


@pytest.fixture
def worker(client, staff):
    client.force_login(staff["avery"])
    return client


def close_url(lead) -> str:
    return f"/staff/leads/{lead.pk}/close/"


def confirm_through_the_page(client, lead, facts: dict, **kwargs):
    """What a worker does: review the facts, then press Confirm on the page that shows them."""
    review = client.post(close_url(lead), facts).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', review)
    assert token, "the review page carries what was checked"
    return client.post(close_url(lead), {**facts, "token": token[1], "confirm": "1"}, **kwargs)


def error_next_to(page: str, field: str) -> str:
    """The message crispy renders under a field ("" if none)."""
    found = re.search(rf'id="error_1_id_{field}"><strong>(.*?)</strong>', page)
    return htmllib.unescape(found[1]) if found else ""


def text_of(page: str) -> str:
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def day(value: dt.date) -> str:
    """As every staff page writes a date: "Nov. 30, 2026"."""
    return dateformat.format(value, "N j, Y")


@pytest.mark.django_db
def test_it_refuses_to_admit_without_a_date_and_a_level_saying_so_next_to_each_field(worker, lead):
    response = worker.post(close_url(lead), {"status": "admitted", "programme": "Evergreen"})

    assert response.status_code == 400
    page = response.content.decode()
    assert error_next_to(page, "admitted_on") == "Enter the date they were admitted."
    assert error_next_to(page, "level_of_care") == "Choose the level of care they were admitted to."
    assert 'value="Evergreen"' in page  # what was typed is kept
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ASSESSMENT_SCHEDULED and lead.admitted_on is None
    assert not lead.events.filter(kind=EventKind.CLOSED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_from_today", "message"),
    [(1, "That date is in the future: record the admission once they have arrived."), (-3, "That is before they")],
)
def test_it_refuses_an_admission_date_in_the_future_or_before_the_request(worker, lead, days_from_today, message):
    when = timezone.localdate() + dt.timedelta(days=days_from_today)
    facts = {"status": "admitted", "admitted_on": when.isoformat(), "level_of_care": "residential", "confirm": "1"}

    page = worker.post(close_url(lead), facts).content.decode()

    assert error_next_to(page, "admitted_on").startswith(message)
    assert error_next_to(page, "level_of_care") == ""
    assert '<option value="residential" selected>' in page
    lead.refresh_from_db()
    assert lead.is_open


@pytest.mark.django_db
def test_it_shows_what_will_be_recorded_and_closes_only_on_confirm(worker, lead, staff):
    today = timezone.localdate()
    facts = {"status": "admitted", "admitted_on": today.isoformat(), "level_of_care": "residential"}

    review = worker.post(close_url(lead), {**facts, "programme": "Evergreen men's programme"})

    assert review.status_code == 200
    page = text_of(review.content.decode())
    assert f"Admitted to Residential (Evergreen men's programme) on {day(today)}" in page
    assert "Recorded by Avery Lee when you confirm" in page and "Confirm" in page
    lead.refresh_from_db()
    assert lead.is_open, "reviewing must not close the lead"

    # "Change something" brings the form back with what was typed.
    again = worker.post(close_url(lead), {**facts, "programme": "Evergreen", "change": "1"}).content.decode()
    assert 'value="Evergreen"' in again and '<option value="residential" selected>' in again

    done = confirm_through_the_page(worker, lead, {**facts, "programme": "Evergreen"}, follow=True)

    lead.refresh_from_db()
    assert (lead.status, lead.admitted_on) == (LeadStatus.ADMITTED, today)
    event = lead.outcome()
    assert event.actor == staff["avery"] and event.details["level_of_care"] == "residential"
    page = text_of(done.content.decode())
    recorded = dateformat.format(timezone.localtime(event.at), "N j, Y, P")
    assert f"Admitted to Residential (Evergreen) on {day(today)} — recorded by Avery Lee, {recorded}" in page


@pytest.mark.django_db
def test_it_records_a_referral_with_its_destination_kept_encrypted(worker, lead):
    refused = worker.post(close_url(lead), {"status": "referred", "referred_to": "  ", "confirm": "1"})
    assert error_next_to(refused.content.decode(), "referred_to").startswith("Say where they were referred")

    confirm_through_the_page(worker, lead, {"status": "referred", "referred_to": "Harbor House, Dr Ruiz"})

    lead.refresh_from_db()
    assert lead.status == LeadStatus.REFERRED
    event = lead.outcome()
    assert "Harbor House" not in raw(LeadEvent, "text", event.pk)
    page = text_of(worker.get(f"/staff/leads/{lead.pk}/").content.decode())
    assert "Referred elsewhere: to Harbor House, Dr Ruiz — recorded by Avery Lee" in page


@pytest.mark.django_db
def test_it_asks_why_a_lead_is_not_a_fit_and_a_note_for_other(worker, lead):
    page = worker.post(close_url(lead), {"status": "not_a_fit", "confirm": "1"}).content.decode()
    assert error_next_to(page, "reason") == "Choose why they are not a fit."

    page = worker.post(close_url(lead), {"status": "not_a_fit", "reason": "other", "confirm": "1"}).content.decode()
    assert error_next_to(page, "note") == "You chose “Other”: say why in the note."
    assert re.search(r'value="other"[^>]*checked', page)

    facts = {"status": "not_a_fit", "reason": "medical", "note": "Needs dialysis three times a week"}
    confirm_through_the_page(worker, lead, facts)

    page = text_of(worker.get(f"/staff/leads/{lead.pk}/").content.decode())
    assert "Not a fit: medical needs beyond what the centre can manage — recorded by Avery Lee" in page
    assert "Note: Needs dialysis three times a week" in page


@pytest.mark.django_db
def test_it_shows_the_attempts_that_justify_unreachable_and_keeps_the_attempts_rule(worker, staff, settings):
    settings.UNREACHABLE_AFTER_ATTEMPTS = 3
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    lead.log_attempt(by=staff["avery"], outcome="no_answer")
    lead.log_attempt(by=staff["avery"], outcome="no_answer")

    response = worker.get(close_url(lead) + "?outcome=unreachable", follow=True)
    assert "Make at least 3 attempts before marking a lead unreachable." in response.content.decode()

    lead.log_attempt(by=staff["avery"], outcome="wrong_number")
    page = text_of(worker.get(close_url(lead) + "?outcome=unreachable").content.decode())
    assert "The attempts that justify it" in page
    assert page.count("No answer by Avery Lee") == 2 and "Wrong number by Avery Lee" in page

    review = text_of(worker.post(close_url(lead), {"status": "unreachable"}).content.decode())
    assert "Unreachable after 3 attempts" in review
    confirm_through_the_page(worker, lead, {"status": "unreachable"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNREACHABLE


@pytest.mark.django_db
def test_it_never_closes_a_lead_by_a_bare_status_change(worker, lead, staff):
    with pytest.raises(WorkflowError, match="Closing a lead records its outcome"):
        lead.transition(LeadStatus.ADMITTED, by=staff["avery"])
    page = worker.post(f"/staff/leads/{lead.pk}/status/", {"status": "admitted"}, follow=True).content.decode()
    assert "Closing a lead records its outcome" in page
    lead.refresh_from_db()
    assert lead.is_open


@pytest.mark.django_db
def test_it_reopens_only_with_a_reason_and_shows_it_on_the_timeline(worker, lead, staff):
    admitted = OutcomeFacts(status="admitted", admitted_on=timezone.localdate(), level_of_care="detox")
    lead.close(admitted, by=staff["avery"])

    refused = worker.post(f"/staff/leads/{lead.pk}/reopen/", {"reason": " "})
    assert refused.status_code == 400
    assert error_next_to(refused.content.decode(), "reason") == "Say why this lead is being reopened."
    assert worker.post(f"/staff/leads/{lead.pk}/status/", {"status": "contacting"}, follow=True).status_code == 200
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ADMITTED, "a bare status change must not reopen it"

    worker.post(f"/staff/leads/{lead.pk}/reopen/", {"reason": "Left after two days; wants to come back"})

    lead.refresh_from_db()
    assert (lead.status, lead.closed_at, lead.admitted_on) == (LeadStatus.CONTACTING, None, None)
    page = text_of(worker.get(f"/staff/leads/{lead.pk}/").content.decode())
    assert "Reopened (it was admitted) by Avery Lee Reason given: Left after two days; wants to come back" in page
    assert "Admitted to Detox" in page  # the earlier outcome stays on the timeline


@pytest.mark.django_db
def test_it_says_when_a_lead_was_closed_before_outcomes_were_recorded(worker, staff):
    old = Lead.objects.create(name="Old", phone="+14155550101", status="not_a_fit", closed_at=timezone.now())
    page = text_of(worker.get(f"/staff/leads/{old.pk}/").content.decode())
    assert "Closed as not a fit" in page and "The details were not recorded" in page


@pytest.mark.django_db
def test_it_leaves_nothing_half_saved_when_the_event_cannot_be_written(lead, staff, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(LeadEvent, "save", broken)
    with pytest.raises(RuntimeError):
        lead.close(OutcomeFacts(status="referred", referred_to="Harbor House"), by=staff["avery"])
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ASSESSMENT_SCHEDULED and lead.closed_at is None


@pytest.mark.django_db
def test_it_audits_each_render_of_the_close_page(worker, lead):
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_id=lead.pk).count()
    worker.get(close_url(lead) + "?outcome=referred")
    worker.post(close_url(lead), {"status": "referred", "referred_to": "Harbor House"})
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_id=lead.pk).count() == before + 2


@pytest.mark.django_db
def test_it_blanks_an_outcomes_free_text_when_the_lead_is_anonymised(lead, staff):
    event = lead.close(OutcomeFacts(status="referred", referred_to="Harbor House"), by=staff["avery"])
    Lead.objects.filter(pk=lead.pk).update(closed_at=timezone.now() - dt.timedelta(days=400))

    anonymise_lead(lead.pk, now=timezone.now(), days=30)

    assert LeadEvent.objects.get(pk=event.pk).text == "[removed]"
