"""What the beds refuse: a colleague's lead, a merge that would strand a bed, an arrival onto a
bed that was given away, and the order locks are taken in."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.models import Admission, WaitlistEntry
from intake.models import Lead, LeadMerge, LeadStatus, LevelOfCare, WorkflowError

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule


@pytest.mark.django_db
def test_it_leaves_the_waitlist_and_the_discharge_of_a_claimed_lead_to_its_worker(client, staff, clinician):
    prog = programme(capacity=1)
    avery = staff["avery"]
    occupant = accepted_lead(avery, clinician, prog, 1)
    schedule(occupant, prog, avery).arrive(by=avery)
    waiting = accepted_lead(avery, clinician, prog, 2)
    entry = WaitlistEntry.join(waiting, prog, by=avery)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offered_at=timezone.now(), offer_expires_at=timezone.now() + dt.timedelta(hours=4)
    )
    client.force_login(staff["blake"])
    base = f"/staff/leads/{waiting.pk}/waitlist/{entry.pk}"
    for url, data in [
        (f"{base}/check-in/", {"note": "spoke"}),
        (f"{base}/pass/", {}),
        (f"{base}/leave/", {"reason": "declined"}),
    ]:
        page = client.post(url, data, follow=True).content.decode()
        assert "Nothing was changed" in page, url
    entry.refresh_from_db()
    assert entry.last_check_in_at is None and entry.offered_at is not None and entry.is_waiting
    page = client.post(
        f"/staff/leads/{occupant.pk}/admission/discharge/",
        {"discharged_on": timezone.localdate().isoformat()},
        follow=True,
    ).content.decode()
    assert "Nothing was changed" in page
    assert Admission.objects.get(lead=occupant).state == Admission.State.OCCUPIED


@pytest.mark.django_db
def test_it_refuses_a_hold_that_would_expire_before_the_admission_and_keeps_the_input(client, staff, clinician):
    prog = programme()
    lead = accepted_lead(staff["avery"], clinician, prog)
    client.force_login(staff["avery"])
    admit_at = timezone.localtime(timezone.now() + dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    expires = timezone.localtime(timezone.now() + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    data = {"programme": prog.pk, "admit_at": admit_at, "hold_expires_at": expires}
    html = client.post(f"/staff/leads/{lead.pk}/admission/", data).content.decode()
    assert "The hold must last at least until the admission time." in html and expires in html
    assert not Admission.objects.exists()


@pytest.mark.django_db
def test_it_refuses_the_arrival_of_a_person_whose_expired_hold_was_given_to_someone_else(client, staff, clinician):
    prog = programme(capacity=1)
    avery = staff["avery"]
    late = accepted_lead(avery, clinician, prog, 1)
    expired = schedule(late, prog, avery)
    Admission.objects.filter(pk=expired.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=5))
    schedule(accepted_lead(avery, clinician, prog, 2), prog, avery)  # the bed is free again: held by another
    client.force_login(avery)
    page = client.post(f"/staff/leads/{late.pk}/admission/arrived/", follow=True).content.decode()
    assert "every bed at Detox, Maple House is taken now" in page
    late.refresh_from_db()
    expired.refresh_from_db()
    assert late.status == LeadStatus.ADMISSION_SCHEDULED and expired.state == Admission.State.HELD
    assert Admission.objects.filter(programme=prog).taking_a_bed().count() == 1


@pytest.mark.django_db
def test_it_admits_a_person_whose_expired_hold_still_has_a_free_bed(staff, clinician):
    prog = programme(capacity=1)
    avery = staff["avery"]
    lead = accepted_lead(avery, clinician, prog)
    admission = schedule(lead, prog, avery)
    Admission.objects.filter(pk=admission.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=5))
    admission.refresh_from_db()
    admission.arrive(by=avery)
    assert admission.state == Admission.State.OCCUPIED


def _locks(queries) -> list[str]:
    """The rows locked, in order: "lead" or "programme <pk>"."""
    found = []
    for query in queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        if 'FROM "intake_lead"' in sql:
            found.append("lead")
        elif match := re.search(r'"admissions_programme"\."id" = (\d+)', sql):
            found.append(f"programme {match[1]}")
    return found


@pytest.mark.django_db
def test_it_locks_the_lead_before_any_programme_and_programmes_in_pk_order(staff, clinician):
    avery = staff["avery"]
    first, second = programme(capacity=2), programme(level=LevelOfCare.RESIDENTIAL, capacity=2)
    lead = accepted_lead(avery, clinician, first)
    entries = [WaitlistEntry.join(lead, prog, by=avery) for prog in (first, second)]
    with CaptureQueriesContext(connection) as leaving:
        entries[0].leave(WaitlistEntry.LeaveReason.DECLINED, by=avery, advance=True)
    assert _locks(leaving.captured_queries)[0] == "lead"
    other = accepted_lead(avery, clinician, first, 2)
    WaitlistEntry.join(other, first, by=avery)
    WaitlistEntry.join(other, second, by=avery)
    with CaptureQueriesContext(connection) as scheduling:
        schedule(other, second, avery)
    programmes = [lock for lock in _locks(scheduling.captured_queries) if lock != "lead"]
    assert _locks(scheduling.captured_queries)[0] == "lead"
    assert programmes[:2] == [f"programme {first.pk}", f"programme {second.pk}"]


@pytest.mark.django_db
def test_it_refuses_to_merge_two_leads_waiting_for_the_same_programme_and_says_what_to_do(client, staff, clinician):
    prog = programme(capacity=1)
    avery = staff["avery"]
    schedule(accepted_lead(avery, clinician, prog, 9), prog, avery)  # full: both wait
    source, target = accepted_lead(avery, clinician, prog, 1), accepted_lead(avery, clinician, prog, 1)
    for lead in (source, target):
        WaitlistEntry.join(lead, prog, by=avery)
    client.force_login(avery)
    response = client.post(f"/staff/leads/{source.pk}/merge/", {"target": target.reference})
    assert response.status_code == 400
    assert f"{source.reference} is on the waitlist for Detox, Maple House: leave the waitlist first" in (
        response.content.decode()
    )
    source.refresh_from_db()
    assert source.status == LeadStatus.WAITLISTED and not LeadMerge.objects.exists()
    assert WaitlistEntry.objects.filter(lead=source).waiting().count() == 1


@pytest.mark.django_db
def test_it_refuses_to_merge_a_lead_with_a_held_bed_into_another(staff, clinician):
    prog = programme(capacity=2)
    avery = staff["avery"]
    source = accepted_lead(avery, clinician, prog, 1)
    admission = schedule(source, prog, avery)
    target = Lead.objects.create(name="Jordan Whitlock", phone=source.phone, status=LeadStatus.CONTACTING)
    with pytest.raises(WorkflowError, match="has a bed at Detox, Maple House held: release the hold first"):
        source.merge_into(target, by=avery)
    with pytest.raises(WorkflowError, match="release the hold first"):
        target.merge_into(source, by=avery)
    admission.refresh_from_db()
    assert admission.lead_id == source.pk and admission.is_held and not LeadMerge.objects.exists()


@pytest.mark.django_db
def test_the_schedule_page_holds_a_place_for_a_programme_counted_in_places(client, staff, clinician):
    prog = programme(level=LevelOfCare.IOP, capacity=12)
    lead = accepted_lead(staff["avery"], clinician, prog)
    client.force_login(staff["avery"])
    page = client.get(f"/staff/leads/{lead.pk}/admission/").content.decode()
    assert "Hold the place and schedule" in page and "Hold the place until" in page
    assert "Hold the bed" not in page
