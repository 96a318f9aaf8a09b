"""The phone screen page as an admissions worker uses it during a call: drafts, completing, red
flags heard once by the clinicians, the crisis protocol, versions, and who may do what."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from admissions.lead_part_screen import Screens
from admissions.models import PhoneScreen
from intake.channels import message_context, render_email, render_text
from intake.models import LeadMerge, LeadStatus, Notification
from intake.tests.helpers import raw

from .screen_helpers import CALM_ANSWERS, SEIZURES, post_data, reached_lead

pytestmark = pytest.mark.django_db


def screen_url(lead):
    return reverse("admissions:screen", kwargs={"lead_id": lead.pk})


@pytest.fixture
def avery(client, staff):
    client.force_login(staff["avery"])
    return staff["avery"]


def test_it_saves_a_draft_with_only_some_answers(client, avery):
    lead = reached_lead()
    response = client.post(screen_url(lead), post_data({"substances": ["alcohol"], "daily_amount": "six beers"}))
    assert response.status_code == 302
    screen = PhoneScreen.objects.get(lead=lead)
    assert screen.status == PhoneScreen.Status.DRAFT
    assert screen.answers == {"substances": ["alcohol"], "daily_amount": "six beers"}
    assert "six beers" in client.get(screen_url(lead)).content.decode()


def test_it_refuses_to_complete_with_answers_missing_and_keeps_what_was_typed(client, avery):
    lead = reached_lead()
    answers = {**CALM_ANSWERS, "daily_amount": "two grams a day"}
    del answers["housing"]
    response = client.post(screen_url(lead), post_data(answers, "complete"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Answer this before completing the screen." in html
    assert 'id="error_1_id_housing"' in html or "id_housing" in html
    assert "two grams a day" in html
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REACHED
    assert not PhoneScreen.objects.filter(lead=lead).exists()


def test_it_alerts_the_clinicians_once_per_set_of_red_flags_without_phi(client, avery, clinician):
    lead = reached_lead()
    client.post(screen_url(lead), post_data(SEIZURES))
    client.post(screen_url(lead), post_data({**SEIZURES, "daily_amount": "more"}))
    alerts = Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG)
    assert {alert.recipient for alert in alerts} == {clinician}
    assert alerts.count() == alerts.values("channel").distinct().count()  # one alert, not two
    assert all(alert.urgent for alert in alerts)
    alert = alerts.first()
    words = render_text(alert) + "".join(render_email("work-due", message_context(alert)))
    for phi in ("Jordan", "Whitlock", "seizure", "vodka", "alcohol"):
        assert phi.lower() not in words.lower()
    assert reverse("admissions:review", kwargs={"lead_id": lead.pk}) in words
    # A second, different flag later in the call is news: the clinicians hear of it.
    client.post(screen_url(lead), post_data({**SEIZURES, "overdose_recent": "yes"}))
    assert Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG).count() == 2 * alerts.count()


def test_it_shows_the_red_flag_banners_on_the_screen_and_the_lead_page(client, avery):
    lead = reached_lead()
    client.post(screen_url(lead), post_data(SEIZURES))
    for url in (screen_url(lead), lead.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Red flag: Medical urgency" in html
        assert "Seizures or delirium tremens in a past withdrawal" in html


def test_it_shows_the_crisis_protocol_at_once_on_a_yes_to_the_asq(client, avery):
    lead = reached_lead()
    html = client.get(screen_url(lead)).content.decode()
    assert 'id="crisis-protocol" class="alert alert-danger border-3 crisis-protocol" hidden' in html
    # Even a completion refused for a missing answer shows it: the person is on the line.
    response = client.post(screen_url(lead), post_data({"asq_2": "yes"}, "complete"))
    html = response.content.decode()
    assert 'crisis-protocol" role="alert"' in html
    assert "988" in html and "911" in html and "Stay on the line" in html
    assert "A yes to questions 1-4: ask question 5 now." in html
    assert "Red flag: Safety" in html


def test_it_sends_a_completed_screen_to_clinical_review(client, avery, clinician):
    lead = reached_lead()
    response = client.post(screen_url(lead), post_data(CALM_ANSWERS, "complete"))
    assert response.status_code == 302
    lead.refresh_from_db()
    screen = PhoneScreen.objects.get(lead=lead)
    assert lead.status == LeadStatus.AWAITING_REVIEW
    assert screen.is_complete and screen.completed_by == avery
    event = lead.events.filter(kind="status").latest("at")
    assert event.details == {"from": "reached", "to": "awaiting_review", "screen": screen.pk}
    alerts = Notification.objects.filter(lead=lead, kind=Notification.Kind.REVIEW_NEEDED)
    assert {alert.recipient for alert in alerts} == {clinician}
    assert "A suggestion for the clinician, not a decision." in client.get(screen_url(lead)).content.decode()


def test_it_refuses_to_screen_a_lead_not_yet_reached(client, avery):
    lead = reached_lead(status=LeadStatus.CONTACTING)
    response = client.get(screen_url(lead))
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()


def test_it_lets_nobody_but_the_owner_change_a_claimed_lead_screen(client, staff):
    lead = reached_lead(assigned_to=staff["blake"])
    client.force_login(staff["avery"])
    assert client.get(screen_url(lead)).status_code == 200  # reading is every worker's
    client.post(screen_url(lead), post_data(CALM_ANSWERS, "complete"))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REACHED
    assert not PhoneScreen.objects.filter(lead=lead).exists()


def test_it_keeps_the_screen_from_clinicians(client, clinician):
    client.force_login(clinician)
    lead = reached_lead()
    assert client.get(screen_url(lead)).status_code == 403
    assert client.post(screen_url(lead), post_data(CALM_ANSWERS, "complete")).status_code == 403


def test_it_records_an_audited_access_for_each_render(client, avery):
    lead = reached_lead()
    client.get(screen_url(lead))
    client.post(screen_url(lead), post_data({"housing": "elsewhere"}))  # invalid: re-rendered
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__lead_id=lead.pk, actor=avery)
    assert entries.count() == 2


def test_it_keeps_every_answer_encrypted_at_rest(client, avery):
    lead = reached_lead()
    client.post(screen_url(lead), post_data({**SEIZURES, "medications": "Suboxone 8mg"}))
    screen = PhoneScreen.objects.get(lead=lead)
    stored = raw(PhoneScreen, "answers_json", screen.pk) + raw(PhoneScreen, "alerted_flags", screen.pk)
    for plain in ("Suboxone", "vodka", "seizures", "alcohol", "complicated_withdrawal"):
        assert plain not in stored
    assert screen.answers["medications"] == "Suboxone 8mg"


def test_it_blanks_the_screen_on_retention(client, avery):
    lead = reached_lead()
    client.post(screen_url(lead), post_data(SEIZURES, "complete"))
    done = Screens().anonymise(lead)
    screen = PhoneScreen.objects.get(lead=lead)
    assert done.details["phone_screens"] == 1
    assert screen.answers == {} and "vodka" not in screen.answers_json


def test_it_keeps_the_old_screen_when_more_information_starts_a_new_one(client, avery, clinician):
    lead = reached_lead()
    client.post(screen_url(lead), post_data(CALM_ANSWERS, "complete"))
    lead.refresh_from_db()
    lead.advance(LeadStatus.MORE_INFO, by=clinician)
    client.post(screen_url(lead), {"action": "new_version"})
    client.post(screen_url(lead), post_data({**CALM_ANSWERS, "medications": "none"}, "complete"))
    first, second = PhoneScreen.objects.filter(lead=lead).order_by("version")
    assert first.is_complete and "medications" not in first.answers
    assert second.version == 2 and second.is_complete and second.answers["medications"] == "none"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW
    assert "Earlier screens" in client.get(screen_url(lead)).content.decode()


def test_it_sends_a_lead_back_to_review_when_information_is_added(client, avery, clinician):
    lead = reached_lead()
    client.post(screen_url(lead), post_data(CALM_ANSWERS, "complete"))
    lead.refresh_from_db()
    lead.advance(LeadStatus.MORE_INFO, by=clinician)
    response = client.post(screen_url(lead), {"action": "add_information", "information": "No heart problems."})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW
    assert PhoneScreen.objects.get(lead=lead).information_added == "No heart problems."
    assert Notification.objects.filter(lead=lead, kind=Notification.Kind.REVIEW_NEEDED).count() == 2


def test_it_moves_screens_with_a_merged_lead_and_keeps_each_readable(client, avery, staff):
    first = reached_lead(phone="+14155550111")
    second = reached_lead(phone="+14155550112")
    for lead in (first, second):
        client.post(screen_url(lead), post_data(SEIZURES))
    LeadMerge.objects.record_merge(first, second, by=staff["sam"], reason="same person, new phone")
    assert PhoneScreen.objects.filter(lead=second).count() == 2
    html = client.get(screen_url(second)).content.decode()
    assert "Earlier screens" in html and "Screen 1: draft" in html


def test_it_logs_screen_changes_with_every_answer_masked(client, avery):
    lead = reached_lead()
    client.post(screen_url(lead), post_data({**SEIZURES, "medications": "Suboxone 8mg"}))
    entries = LogEntry.objects.filter(content_type__model="phonescreen")
    assert entries.exists()
    logged = " ".join(str(entry.changes) for entry in entries)
    assert "Suboxone" not in logged and "vodka" not in logged and "answers_json" in logged
