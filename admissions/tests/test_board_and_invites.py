import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from admissions.models import WaitlistEntry
from intake.models import Facility, LevelOfCare

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule


@pytest.mark.django_db
def test_it_serves_a_calendar_invite_without_the_persons_name(client, staff, clinician):
    prog = programme(level=LevelOfCare.RESIDENTIAL, capacity=3)
    lead = accepted_lead(staff["avery"], clinician, prog)
    admission = schedule(lead, prog, staff["avery"])
    client.force_login(staff["avery"])
    response = client.get(f"/staff/leads/{lead.pk}/admission.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="admission-{lead.reference}.ics"'
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT\r\n" in body
    assert f"UID:{admission.uid}\r\n" in body
    start = admission.admit_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}\r\n" in body and re.search(r"DTSTAMP:\d{8}T\d{6}Z\r\n", body)
    assert f"SUMMARY:Admission {lead.reference} — Residential\\, Maple House\r\n" in body
    assert f"/staff/leads/{lead.pk}/" in body
    assert "Jordan" not in body and lead.phone not in body and (lead.email or "@") not in body
    assert client.get(f"/staff/leads/{lead.pk}/admission.ics").content.decode().count(admission.uid) == 1
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__lead_id=lead.pk).exists()


@pytest.mark.django_db
def test_the_board_shows_free_capacity_todays_admissions_and_first_names_only(client, staff, clinician):
    prog = programme(level=LevelOfCare.RESIDENTIAL, capacity=4)
    worker = staff["avery"]
    today_lead = accepted_lead(worker, clinician, prog, 1)
    soon = timezone.now() + dt.timedelta(minutes=5)
    if timezone.localtime(soon).date() != timezone.localdate():
        pytest.skip("run just before midnight")
    schedule(today_lead, prog, worker, admit_at=soon)
    week_lead = accepted_lead(worker, clinician, prog, 2)
    schedule(week_lead, prog, worker, admit_at=timezone.now() + dt.timedelta(days=3))
    arrived = schedule(accepted_lead(worker, clinician, prog, 3), prog, worker)
    arrived.arrive(by=worker)
    WaitlistEntry.objects.create(lead=accepted_lead(worker, clinician, prog, 4), programme=prog, next_check_in_at=soon)
    client.force_login(worker)
    html = client.get("/staff/board/").content.decode()
    assert "Residential: 1 of 4 beds free · 2 held · 1 occupied · 1 waiting" in html
    today = html.split('id="today-h"')[1].split('id="week-h"')[0]
    assert today_lead.reference in today and "Jordan" in today and "Whitlock1" not in today
    assert week_lead.reference in html.split('id="week-h"')[1]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk="board").get()
    assert today_lead.pk in entry.additional_data["lead_ids"]


@pytest.mark.django_db
def test_the_board_shows_another_facility_when_asked(client, staff, clinician):
    programme()
    other = Facility.objects.create(name="Riverside Day Center")
    programme(level=LevelOfCare.IOP, capacity=12, facility=other)
    client.force_login(staff["avery"])
    html = client.get(f"/staff/board/?facility={other.pk}").content.decode()
    assert "Board · Riverside Day Center" in html and "12 of 12 places free" in html


@pytest.mark.django_db
def test_the_lead_page_shows_the_admission_panel_with_its_actions(client, staff, clinician):
    prog = programme()
    lead = accepted_lead(staff["avery"], clinician, prog)
    client.force_login(staff["avery"])
    assert "Schedule the admission" in client.get(f"/staff/leads/{lead.pk}/").content.decode()
    schedule(lead, prog, staff["avery"])
    html = client.get(f"/staff/leads/{lead.pk}/").content.decode()
    assert "Arrived — admit" in html and "Release hold" in html and "admission.ics" in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "clinician"])
def test_it_keeps_beds_pages_to_admissions_staff(client, staff, clinician, who):
    prog = programme()
    lead = accepted_lead(staff["avery"], clinician, prog)
    schedule(lead, prog, staff["avery"])
    if who == "clinician":
        client.force_login(clinician)
    for url in ["/staff/board/", f"/staff/leads/{lead.pk}/admission/", f"/staff/leads/{lead.pk}/admission.ics"]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert client.post(f"/staff/leads/{lead.pk}/admission/release/", {"reason": "x"}).status_code in (302, 403)
    lead.refresh_from_db()
    assert lead.status == "admission_scheduled"


@pytest.mark.django_db
def test_the_demo_fills_the_board_with_a_full_detox_and_two_waiting(client, staff):
    from admissions.demo_beds import seed_demo_beds
    from admissions.models import Admission, Programme

    assert seed_demo_beds(sender=object)
    assert seed_demo_beds(sender=object) is None  # idempotent
    detox = Programme.objects.get(level=LevelOfCare.DETOX)
    assert WaitlistEntry.objects.filter(programme=detox).waiting().count() == 2
    client.force_login(staff["avery"])
    html = client.get(f"/staff/board/?facility={detox.facility_id}").content.decode()
    assert "Detox: 0 of 6 beds free · 1 held · 5 occupied · 2 waiting" in html
    assert "Residential: 3 of 24 beds free · 2 held · 19 occupied · 0 waiting" in html
    assert Admission.objects.filter(state=Admission.State.HELD).count() == 3
