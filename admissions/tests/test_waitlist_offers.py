import datetime as dt

import pytest
from django.utils import timezone

from admissions.capacity import sweep
from admissions.models import Admission, WaitlistEntry, taken_places
from intake.models import LeadStatus, Notification

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule


def full_programme_with_queue(staff, clinician, waiting=2):
    prog = programme(capacity=1)
    worker = staff["avery"]
    admitted = schedule(accepted_lead(worker, clinician, prog, 1), prog, worker)
    entries = []
    for n in range(waiting):
        entry = WaitlistEntry.join(accepted_lead(worker, clinician, prog, 10 + n), prog, by=worker)
        WaitlistEntry.objects.filter(pk=entry.pk).update(joined_at=timezone.now() - dt.timedelta(hours=10 - n))
        entry.refresh_from_db()
        entries.append(entry)
    return prog, admitted, entries


@pytest.mark.django_db
def test_it_offers_a_discharged_bed_to_the_first_in_line_and_alerts_their_worker(staff, clinician):
    prog, admission, (first, second) = full_programme_with_queue(staff, clinician)
    assert (first.position(), second.position()) == (1, 2)
    admission.arrive(by=staff["avery"])
    admission.refresh_from_db()
    admission.discharge(timezone.localdate(), by=staff["avery"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.has_open_offer and not second.offered_at
    assert Notification.objects.filter(lead=first.lead, kind=Notification.Kind.BED_OFFERED).exists()
    assert taken_places(prog) == 1  # the offer keeps the bed


@pytest.mark.django_db
def test_it_offers_an_expired_hold_in_order_and_passes_on_an_expired_offer(staff, clinician):
    prog, admission, (first, second) = full_programme_with_queue(staff, clinician)
    Admission.objects.filter(pk=admission.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    sweep()
    first.refresh_from_db()
    assert first.has_open_offer
    WaitlistEntry.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    sweep()
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.has_open_offer and not first.offered_at and first.is_waiting


@pytest.mark.django_db
def test_it_schedules_from_an_offer_and_takes_the_person_off_the_waitlist(client, staff, clinician):
    prog, admission, (first, second) = full_programme_with_queue(staff, clinician)
    admission.release(reason="They postponed", by=staff["avery"])
    first.refresh_from_db()
    schedule(first.lead, prog, staff["avery"])  # the offered bed is theirs: not refused as full
    first.refresh_from_db()
    first.lead.refresh_from_db()
    assert first.leave_reason == WaitlistEntry.LeaveReason.SCHEDULED_HERE
    assert first.lead.status == LeadStatus.ADMISSION_SCHEDULED
    assert second.position() == 1 and taken_places(prog) == 1


@pytest.mark.django_db
def test_it_passes_an_offer_to_the_next_in_line_from_the_lead_page(client, staff, clinician):
    prog, admission, (first, second) = full_programme_with_queue(staff, clinician)
    admission.release(reason="They postponed", by=staff["avery"])
    client.force_login(staff["avery"])
    client.post(f"/staff/leads/{first.lead.pk}/waitlist/{first.pk}/pass/")
    second.refresh_from_db()
    assert second.has_open_offer


@pytest.mark.django_db
def test_it_asks_why_someone_leaves_the_waitlist(client, staff, clinician):
    prog, admission, (first, _) = full_programme_with_queue(staff, clinician)
    client.force_login(staff["avery"])
    url = f"/staff/leads/{first.lead.pk}/waitlist/{first.pk}/leave/"
    client.post(url, {"reason": "other", "note": ""})
    first.refresh_from_db()
    assert first.is_waiting
    client.post(url, {"reason": "declined"})
    first.refresh_from_db()
    first.lead.refresh_from_db()
    assert first.leave_reason == "declined" and first.lead.status == LeadStatus.ACCEPTED


@pytest.mark.django_db
def test_it_reminds_the_worker_to_check_in_once_per_due_time(client, staff, clinician, settings):
    prog, _, (first,) = full_programme_with_queue(staff, clinician, waiting=1)
    WaitlistEntry.objects.filter(pk=first.pk).update(next_check_in_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep()["check_ins"] == 1 and sweep()["check_ins"] == 0
    client.force_login(staff["avery"])
    client.post(f"/staff/leads/{first.lead.pk}/waitlist/{first.pk}/check-in/", {"note": "Still keen"})
    first.refresh_from_db()
    assert first.next_check_in_at > timezone.now() + dt.timedelta(days=settings.WAITLIST_CHECK_IN_DAYS - 1)


@pytest.mark.django_db
def test_it_leaves_the_waitlist_when_the_lead_is_referred(staff, clinician):
    from intake.models import OutcomeFacts

    prog, _, (first, second) = full_programme_with_queue(staff, clinician)
    first.lead.close(OutcomeFacts(status=LeadStatus.REFERRED, referred_to="Hillside"), by=staff["avery"])
    first.refresh_from_db()
    assert first.leave_reason == WaitlistEntry.LeaveReason.REFERRED_OUT
    assert second.position() == 1
