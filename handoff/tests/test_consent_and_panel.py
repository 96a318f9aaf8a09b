"""The lead page's clinical record panel: recording the person's signed consent (mistakes shown
next to their field, nothing half-saved), revoking it, the button that sends, and the history of
exports."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from handoff.models import HandoffConsent, RecordExport, Share
from intake.models import LeadStatus

from .helpers import admitted_lead, consent

pytestmark = pytest.mark.django_db


def facts(**changes) -> dict:
    today = timezone.localdate()
    return {
        "recipient": "Clinical record system (EHR)",
        "method": "signed_form",
        "patient_name": "Maya Okonkwo",
        "signed_by": "Maya Okonkwo",
        "signed_on": today.isoformat(),
        "kinds": ["identity", "insurance", "screen"],
        "purpose": "Continuity of care: the record of admission in the clinical record",
        "expires_on": (today + dt.timedelta(days=365)).isoformat(),
        "states_revocation": "on",
        "states_hipaa_redisclosure": "on",
        "kept_at": "Binder 3",
        **changes,
    }


def test_it_records_the_signed_consent_from_the_lead_page_and_the_record_may_then_go(staff, client):
    lead = admitted_lead()
    client.force_login(staff["avery"])
    before = client.get(lead.get_absolute_url()).content.decode()

    answer = client.post(reverse("handoff:consent", args=[lead.pk]), facts(), follow=True)

    assert "has no Part 2 consent naming Clinical record system (EHR)" in before
    signed = HandoffConsent.objects.get()
    assert signed.recorded_by == staff["avery"] and signed.kinds == ["identity", "insurance", "screen"]
    page = answer.content.decode()
    assert f"Consent {signed.reference} naming Clinical record system (EHR) recorded." in page
    assert "Download the FHIR file" not in page and "has no Part 2 consent" not in page
    logged = LogEntry.objects.get_for_object(signed).get()
    assert "patient_name" in logged.changes_dict and "Maya" not in str(logged.changes)  # changed, never the value


def test_it_shows_each_mistake_next_to_its_field_and_saves_nothing(staff, client):
    lead = admitted_lead()
    client.force_login(staff["avery"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    answer = client.post(
        reverse("handoff:consent", args=[lead.pk]),
        facts(signed_on=tomorrow, kinds=["screen"], states_hipaa_redisclosure=""),
    )

    assert answer.status_code == 400 and not HandoffConsent.objects.exists()
    errors = answer.context["form"].errors
    assert "in the future" in errors["signed_on"][0]
    assert "cannot go without who it is about" in errors["kinds"][0]
    assert "states_hipaa_redisclosure" in errors
    assert 'value="Binder 3"' in answer.content.decode()  # the rest kept


def test_a_revoked_consent_stops_the_record_and_says_so(staff, client):
    lead = admitted_lead()
    signed = consent(lead, staff["avery"])
    client.force_login(staff["avery"])

    client.post(
        reverse("handoff:consent_revoke", args=[signed.pk]), {"method": "call", "said_on": timezone.localdate()}
    )
    page = client.get(lead.get_absolute_url()).content.decode()

    signed.refresh_from_db()
    assert signed.revoked_on == timezone.localdate() and signed.revoked_by == staff["avery"]
    assert f"The person revoked consent {signed.reference} (on a call)" in page
    assert "Send to the clinical record" not in page


def test_a_lead_claimed_by_someone_else_is_theirs_and_the_supervisors_to_record_for(staff, client):
    lead = admitted_lead()
    lead.assigned_to = staff["blake"]
    lead.save(update_fields=["assigned_to"])
    client.force_login(staff["avery"])

    client.post(reverse("handoff:consent", args=[lead.pk]), facts())
    client.force_login(staff["sam"])
    client.post(reverse("handoff:consent", args=[lead.pk]), facts())

    assert HandoffConsent.objects.get().recorded_by == staff["sam"]


def test_the_panel_offers_the_send_button_and_lists_each_export(staff, client, settings):
    settings.FHIR_EXPORT_URL = "http://127.0.0.1:9/fhir"
    lead = admitted_lead()
    consent(lead, staff["avery"], kinds=[Share.IDENTITY])
    RecordExport.objects.create(
        lead=lead, how=RecordExport.How.BY_STAFF, requested_by=staff["blake"], status="failed", last_error="HTTP 401."
    )
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    assert "Send to the clinical record" in page
    assert "Sent by staff" in page and "blake" in page and "Failed: HTTP 401." in page


def test_the_panel_stays_off_a_lead_nowhere_near_admission(staff, client):
    lead = admitted_lead(status=LeadStatus.CONTACTING)
    client.force_login(staff["avery"])

    assert 'id="clinical-record"' not in client.get(lead.get_absolute_url()).content.decode()
