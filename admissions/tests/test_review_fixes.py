"""Issue 18 review fixes on the clinicians' side: supervisors (who get the clinicians' alerts when
there is no clinician) can read the review pages, a decision reaches a worker still here, and a
clinician signs in to the review list with a nav of only the pages they may open."""

import pytest
from django.urls import reverse

from admissions.models import ClinicalDecision, PhoneScreen
from intake.models import LeadStatus, Notification

from .screen_helpers import CALM_ANSWERS, reached_lead

pytestmark = pytest.mark.django_db


def screened_lead(worker, **kwargs):
    lead = reached_lead(assigned_to=worker, **kwargs)
    PhoneScreen(lead=lead).complete(CALM_ANSWERS, by=worker)
    lead.refresh_from_db()
    return lead


def test_a_supervisor_alerted_for_review_can_read_the_review_but_not_decide(client, staff):
    lead = screened_lead(staff["avery"])
    alerted = Notification.objects.filter(lead=lead, kind=Notification.Kind.REVIEW_NEEDED)
    assert staff["sam"] in {alert.recipient for alert in alerted}  # no clinician: the supervisors
    client.force_login(staff["sam"])
    assert lead.reference in client.get(reverse("admissions:review_list")).content.decode()
    page = client.get(reverse("admissions:review", kwargs={"lead_id": lead.pk}))
    assert page.status_code == 200
    assert "the decision is a clinician's" in page.content.decode()
    refused = client.post(
        reverse("admissions:review", kwargs={"lead_id": lead.pk}), {"kind": "more_info", "note": "More"}
    )
    assert refused.status_code == 403
    lead.refresh_from_db()
    assert lead.status == LeadStatus.AWAITING_REVIEW


def test_a_decision_on_a_lead_whose_worker_left_tells_the_workers_on_duty(staff, clinician):
    lead = screened_lead(staff["drew"])  # drew has left (inactive)
    ClinicalDecision.decide(lead, kind=ClinicalDecision.Kind.MORE_INFO, note="More", by=clinician)
    told = {n.recipient for n in Notification.objects.filter(lead=lead, kind=Notification.Kind.CLINICAL_DECISION)}
    assert staff["drew"] not in told
    assert {staff["avery"], staff["blake"]} <= told


def test_a_clinician_signs_in_to_the_clinical_review_list(client, clinician):
    response = client.post(reverse("staff:login"), {"username": "dr-lee", "password": "correct horse battery"})
    assert response.status_code == 302
    assert "next=/staff/clinical-review/" in response["Location"]


def test_a_clinician_sees_only_the_nav_links_they_may_open(client, clinician):
    client.force_login(clinician)
    html = client.get(reverse("admissions:review_list")).content.decode()
    assert 'href="/staff/clinical-review/"' in html
    for forbidden in (reverse("staff:queue"), reverse("staff:roster"), reverse("admissions:board")):
        assert f'href="{forbidden}"' not in html
