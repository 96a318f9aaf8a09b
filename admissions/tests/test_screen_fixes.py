"""Issue 18 review fixes on the screen side: screening again after a lead comes back, red flags
alerted once across versions and on every channel, true alert and crisis wording, review alerts
dropped once decided, and the "unreachable" close past the screen."""

import pytest
from django.urls import reverse

from admissions.models import ClinicalDecision, PhoneScreen
from intake.channels import message_context, render_email
from intake.models import LeadStatus, Notification, OutcomeFacts, StaffProfile

from .screen_helpers import CALM_ANSWERS, SEIZURES, post_data, reached_lead

pytestmark = pytest.mark.django_db

ASQ_YES = {**CALM_ANSWERS, "asq_1": "yes", "asq_5": "no"}


def screen_url(lead):
    return reverse("admissions:screen", kwargs={"lead_id": lead.pk})


@pytest.fixture
def avery(client, staff):
    client.force_login(staff["avery"])
    return staff["avery"]


def completed(lead, worker, answers=CALM_ANSWERS) -> PhoneScreen:
    screen = PhoneScreen(lead=lead)
    screen.complete(answers, by=worker)
    lead.refresh_from_db()
    return screen


def red_flag_alerts(lead) -> int:
    # One alert is several rows (recipients, channels) sharing one moment.
    rows = Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG)
    return rows.values("created_at").distinct().count()


def test_it_offers_and_starts_a_new_screen_when_a_screened_lead_is_back_at_reached(client, avery, clinician):
    lead = reached_lead(assigned_to=avery)
    completed(lead, avery)
    ClinicalDecision.decide(lead, kind=ClinicalDecision.Kind.MORE_INFO, note="Ask about sleep", by=clinician)
    lead.refresh_from_db()
    lead.transition(LeadStatus.REACHED, by=avery)

    page = client.get(screen_url(lead)).content.decode()
    assert "Start a new screen from these answers" in page
    client.post(screen_url(lead), {"action": "new_version"})
    newest = PhoneScreen.objects.latest_for(lead)
    assert (newest.version, newest.status) == (2, PhoneScreen.Status.DRAFT)


def test_a_new_version_alerts_the_clinicians_only_of_new_red_flags(client, avery, clinician):
    lead = reached_lead(assigned_to=avery)
    first = completed(lead, avery, SEIZURES)
    ClinicalDecision.decide(lead, kind=ClinicalDecision.Kind.MORE_INFO, note="More", by=clinician)
    lead.refresh_from_db()
    second = first.next_version(by=avery)
    second.save_answers({**SEIZURES, "daily_amount": "a litre"}, by=avery)
    assert (
        Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG).values("created_at").distinct().count()
        == 1
    )
    second.save_answers({**SEIZURES, "overdose_recent": "yes"}, by=avery)
    assert (
        Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG).values("created_at").distinct().count()
        == 2
    )


def test_a_red_flag_reaches_every_channel_of_the_clinicians_as_urgent(avery, clinician):
    StaffProfile.objects.update_or_create(
        user=clinician, defaults={"mobile": "+14155550199", "notify_by_email": True, "notify_by_sms": False}
    )
    lead = reached_lead(assigned_to=avery)
    PhoneScreen(lead=lead).save_answers(SEIZURES, by=avery)
    alerts = Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG, recipient=clinician)
    assert set(alerts.values_list("channel", flat=True)) == {Notification.Channel.EMAIL, Notification.Channel.SMS}
    assert all(alert.urgent for alert in alerts)


def test_a_red_flag_email_says_a_screen_raised_it_not_that_someone_is_in_danger(avery, clinician):
    lead = reached_lead(assigned_to=avery)
    PhoneScreen(lead=lead).save_answers(SEIZURES, by=avery)
    alert = Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG).first()
    subject, text, html = render_email("work-due", message_context(alert))
    assert "URGENT: a phone screen raised a red flag" in text
    assert "in danger" not in text and "in danger" not in html


def test_an_alert_about_a_lead_that_reported_danger_keeps_the_danger_line(avery, clinician):
    lead = reached_lead(assigned_to=avery)
    lead.urgent = True
    lead.save(update_fields=["urgent"])
    completed(lead, avery)
    alert = Notification.objects.filter(lead=lead, kind=Notification.Kind.REVIEW_NEEDED).first()
    _, text, _ = render_email("work-due", message_context(alert))
    assert "URGENT: the visitor said someone may be in danger right now." in text


def test_the_crisis_protocol_says_to_save_before_the_clinicians_were_alerted(client, avery, clinician):
    lead = reached_lead(assigned_to=avery)
    shown = client.post(screen_url(lead), post_data({"asq_1": "yes"}, "complete")).content.decode()
    assert "Save the screen to alert the clinicians." in shown
    assert "have been alerted" not in shown and "clinician on call" not in shown
    client.post(screen_url(lead), post_data({"asq_1": "yes"}))
    saved = client.get(screen_url(lead)).content.decode()
    assert "The clinicians have been alerted." in saved


def test_a_review_request_is_closed_unsent_once_decided_but_a_red_flag_still_goes(avery, clinician):
    lead = reached_lead(assigned_to=avery)
    completed(lead, avery, SEIZURES)
    review = Notification.objects.filter(lead=lead, kind=Notification.Kind.REVIEW_NEEDED).first()
    red_flag = Notification.objects.filter(lead=lead, kind=Notification.Kind.RED_FLAG).first()
    assert review.no_longer_needed() == ""
    ClinicalDecision.decide(lead, kind=ClinicalDecision.Kind.MORE_INFO, note="More", by=clinician)
    review.refresh_from_db()
    red_flag.refresh_from_db()
    assert "no longer awaiting review" in review.no_longer_needed()
    assert red_flag.no_longer_needed() == ""


@pytest.mark.parametrize("status", [LeadStatus.MORE_INFO, LeadStatus.ACCEPTED, LeadStatus.REFER_OUT])
def test_a_lead_past_the_screen_can_be_closed_as_unreachable_after_the_attempts(avery, settings, status):
    settings.UNREACHABLE_AFTER_ATTEMPTS = 1
    lead = reached_lead(assigned_to=avery, status=status)
    lead.log_attempt(by=avery, outcome="no_answer")
    lead.close(OutcomeFacts(status="unreachable"), by=avery)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.UNREACHABLE


@pytest.mark.parametrize("status", [LeadStatus.REFERRED, LeadStatus.ADMITTED, LeadStatus.NOT_A_FIT])
def test_a_closed_lead_offers_no_phone_screen(client, avery, status):
    lead = reached_lead(assigned_to=avery, status=status)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Start the phone screen" not in page
    response = client.post(screen_url(lead), post_data(CALM_ANSWERS))
    assert response.status_code == 302
    assert not PhoneScreen.objects.filter(lead=lead).exists()
