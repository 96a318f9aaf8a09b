"""A clinician's side: the review list, the review page, and each of the three decisions moving the
lead and telling its worker."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from admissions.lead_part_screen import Screens
from admissions.models import ClinicalDecision, PhoneScreen, Programme
from intake.models import Facility, LeadStatus, LevelOfCare, Notification, on_duty_admissions
from intake.tests.helpers import raw

from .screen_helpers import CALM_ANSWERS, SEIZURES, reached_lead

pytestmark = pytest.mark.django_db


def review_url(lead):
    return reverse("admissions:review", kwargs={"lead_id": lead.pk})


@pytest.fixture
def residential():
    facility, _ = Facility.objects.get_or_create(name="Maple House")
    return Programme.objects.create(
        facility=facility, level=LevelOfCare.RESIDENTIAL, capacity=20, typical_length_days=30, daily_price="600"
    )


def screened_lead(worker, answers=CALM_ANSWERS, **kwargs):
    lead = reached_lead(assigned_to=worker, **kwargs)
    PhoneScreen(lead=lead).complete(answers, by=worker)
    lead.refresh_from_db()
    return lead


@pytest.fixture
def dr_lee(client, clinician):
    client.force_login(clinician)
    return clinician


def test_it_lists_leads_awaiting_review_red_flags_first_by_first_name(client, staff, dr_lee):
    calm = screened_lead(staff["avery"], name="Ada Calm", phone="+14155550101")
    flagged = screened_lead(staff["avery"], SEIZURES, name="Ben Flagged", phone="+14155550102")
    reached_lead(name="Cy Unscreened", phone="+14155550103")
    html = client.get(reverse("admissions:review_list")).content.decode()
    assert html.index(flagged.reference) < html.index(calm.reference)
    assert "Ben" in html and "Flagged" not in html.replace("Ben Flagged", "") and "Calm" not in html
    assert "Cy" not in html
    assert "Medical urgency" in html
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=dr_lee)
    assert set(entry.additional_data["lead_ids"]) == {calm.pk, flagged.pk}


def test_it_shows_the_clinician_the_screen_flags_and_suggestion(client, staff, dr_lee):
    lead = screened_lead(staff["avery"], SEIZURES)
    response = client.get(review_url(lead))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jordan Whitlock" in html and "a fifth of vodka" in html
    assert "Red flag: Medical urgency" in html
    assert "Suggested level of care: Detox" in html and "A suggestion for the clinician, not a decision." in html
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=dr_lee, additional_data__lead_id=lead.pk
    ).exists()


def test_it_accepts_a_lead_for_a_programme_and_tells_the_worker(client, staff, dr_lee, residential):
    lead = screened_lead(staff["avery"])
    assert "Residential at Maple House" in client.get(review_url(lead)).content.decode()
    response = client.post(review_url(lead), {"kind": "accept", "programme": residential.pk, "note": "Good fit."})
    assert response.status_code == 302
    lead.refresh_from_db()
    decision = ClinicalDecision.objects.get(lead=lead)
    assert lead.status == LeadStatus.ACCEPTED
    event = lead.events.filter(kind="status").latest("at")
    assert event.details["programme"] == residential.pk and event.details["decision"] == decision.pk
    alerts = Notification.objects.filter(lead=lead, kind=Notification.Kind.CLINICAL_DECISION)
    assert {alert.recipient for alert in alerts} == {staff["avery"]}
    assert "Good fit." not in raw(ClinicalDecision, "note", decision.pk)


def test_it_asks_for_more_information(client, staff, dr_lee):
    lead = screened_lead(staff["avery"])
    client.post(review_url(lead), {"kind": "more_info", "note": "Ask about heart problems."})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.MORE_INFO
    assert Notification.objects.filter(
        lead=lead, kind=Notification.Kind.CLINICAL_DECISION, recipient=staff["avery"]
    ).exists()


def test_it_recommends_referral_out_and_tells_the_on_duty_team_of_an_unclaimed_lead(client, staff, dr_lee):
    lead = screened_lead(staff["avery"])
    lead.assigned_to = None
    lead.save(update_fields=["assigned_to"])
    client.post(
        review_url(lead), {"kind": "refer_out", "level_needed": "php", "note": "Needs a day programme nearer home."}
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REFER_OUT
    assert ClinicalDecision.objects.get(lead=lead).level_needed == "php"
    recipients = {n.recipient for n in Notification.objects.filter(lead=lead, kind=Notification.Kind.CLINICAL_DECISION)}
    assert recipients and recipients == set(on_duty_admissions())


def test_it_shows_the_decision_on_the_lead_page(client, staff, dr_lee, residential):
    lead = screened_lead(staff["avery"])
    client.post(review_url(lead), {"kind": "accept", "programme": residential.pk, "note": "Good fit."})
    client.force_login(staff["avery"])
    html = client.get(lead.get_absolute_url()).content.decode()
    assert "Clinical decision: Accept for a programme" in html and "Good fit." in html and "Morgan Lee" in html


def test_it_keeps_the_input_and_saves_nothing_when_a_decision_is_incomplete(client, staff, dr_lee):
    lead = screened_lead(staff["avery"])
    response = client.post(review_url(lead), {"kind": "accept", "note": "Keep this note"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the programme the person is accepted for." in html and "Keep this note" in html
    assert not ClinicalDecision.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW


def test_it_refuses_a_second_decision_on_a_decided_lead(client, staff, dr_lee):
    lead = screened_lead(staff["avery"])
    client.post(review_url(lead), {"kind": "more_info", "note": "one"})
    response = client.post(review_url(lead), {"kind": "refer_out", "level_needed": "iop", "note": "two"})
    assert response.status_code == 400
    assert ClinicalDecision.objects.filter(lead=lead).count() == 1


def test_it_lets_a_clinician_decide_on_a_lead_someone_else_claimed(client, staff, dr_lee):
    lead = screened_lead(staff["blake"])
    client.post(review_url(lead), {"kind": "more_info", "note": "Ask more."})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.MORE_INFO


def test_it_keeps_admissions_workers_from_deciding(client, staff):
    lead = screened_lead(staff["avery"])
    client.force_login(staff["avery"])
    assert client.get(reverse("admissions:review_list")).status_code == 403
    assert client.post(review_url(lead), {"kind": "more_info", "note": "x"}).status_code == 403
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW


def test_it_opens_the_review_page_from_a_clinician_alert_and_the_lead_page_from_a_decision(staff, clinician):
    lead = screened_lead(staff["avery"], SEIZURES)
    part = Screens()
    for kind in (Notification.Kind.RED_FLAG, Notification.Kind.REVIEW_NEEDED):
        alert = Notification.objects.filter(lead=lead, kind=kind).first()
        assert part.alert_link(alert) == review_url(lead)
    ClinicalDecision.decide(lead, kind="more_info", note="x", by=clinician)
    decision_alert = Notification.objects.filter(lead=lead, kind=Notification.Kind.CLINICAL_DECISION).first()
    assert part.alert_link(decision_alert) == ""


def test_it_puts_screens_and_decisions_on_the_timeline(staff, clinician):
    lead = screened_lead(staff["avery"])
    ClinicalDecision.decide(lead, kind="more_info", note="Ask about meds.", by=clinician)
    whats = [entry.what for entry in Screens().timeline(lead)]
    assert whats == [
        "Phone screen 1 started",
        "Phone screen 1 completed",
        "Clinical decision: ask for more information",
    ]


def test_it_blanks_decision_notes_on_retention(staff, clinician):
    lead = screened_lead(staff["avery"])
    decision = ClinicalDecision.decide(lead, kind="more_info", note="Ask about meds.", by=clinician)
    Screens().anonymise(lead)
    decision.refresh_from_db()
    assert "meds" not in decision.note
