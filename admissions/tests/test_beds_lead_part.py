import pytest

from admissions.lead_part_beds import BedsPart
from admissions.models import Admission, WaitlistEntry
from intake.models import LeadStatus, Notification, OutcomeFacts
from intake.tests.helpers import raw

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule


@pytest.mark.django_db
def test_it_releases_the_bed_of_an_admitted_lead_that_is_reopened(staff, clinician):
    prog = programme()
    lead = accepted_lead(staff["avery"], clinician, prog)
    schedule(lead, prog, staff["avery"])
    waiting = WaitlistEntry.join(accepted_lead(staff["avery"], clinician, prog, 2), prog, by=staff["avery"])
    lead.close(OutcomeFacts(status=LeadStatus.REFERRED, referred_to="Hillside"), by=staff["avery"])
    lead.reopen("They called back", by=staff["avery"])
    assert Admission.objects.get(lead=lead).state == Admission.State.RELEASED
    waiting.refresh_from_db()
    assert waiting.has_open_offer


@pytest.mark.django_db
def test_it_closes_an_offer_alert_unsent_once_the_offer_was_passed(staff, clinician):
    prog = programme()
    admission = schedule(accepted_lead(staff["avery"], clinician, prog), prog, staff["avery"])
    entry = WaitlistEntry.join(accepted_lead(staff["avery"], clinician, prog, 2), prog, by=staff["avery"])
    admission.release(reason="They postponed", by=staff["avery"])
    alert = Notification.objects.filter(lead=entry.lead, kind=Notification.Kind.BED_OFFERED).first()
    assert BedsPart().alert_no_longer_needed(alert) == ""
    entry.refresh_from_db()
    entry.pass_offer(by=staff["avery"])
    assert BedsPart().alert_no_longer_needed(alert) == "Closed unsent: the offer was taken or passed on."


@pytest.mark.django_db
def test_retention_blanks_the_notes_of_holds_and_waitlist_places(staff, clinician):
    prog = programme(capacity=2)
    lead = accepted_lead(staff["avery"], clinician, prog)
    admission = schedule(lead, prog, staff["avery"])
    Admission.objects.filter(pk=admission.pk).update(note="Bringing her daughter")
    assert "Bringing" not in raw(Admission, "note", admission.pk)  # encrypted at rest
    result = BedsPart().anonymise(lead)
    admission.refresh_from_db()
    assert result.records == 1 and "Bringing" not in admission.note
