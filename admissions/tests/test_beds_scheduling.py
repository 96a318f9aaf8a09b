import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from admissions.capacity import figures, sweep
from admissions.models import Admission, ProgrammeFull, WaitlistEntry, schedule_admission, taken_places
from intake.channels import render_text
from intake.models import Lead, LeadStatus, NotAFitReason, Notification, OutcomeFacts

from .beds_helpers import accepted_lead, programme, tomorrow


def schedule(lead, prog, worker, **extra):
    admit_at = extra.get("admit_at", tomorrow())
    return schedule_admission(
        lead,
        programme=prog,
        admit_at=admit_at,
        hold_expires_at=extra.get("hold_expires_at", max(admit_at + dt.timedelta(hours=24), tomorrow(48))),
        note="",
        email_reminder=extra.get("email_reminder", False),
        by=worker,
    )


@pytest.mark.django_db
def test_it_holds_a_bed_and_schedules_the_lead_from_the_page(client, staff, clinician):
    prog = programme(capacity=2)
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    client.force_login(worker)
    page = client.get(f"/staff/leads/{lead.pk}/admission/")
    assert page.status_code == 200
    assert f'value="{prog.pk}" selected' in page.content.decode()  # the accepted programme by default
    when = timezone.localtime(tomorrow()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/staff/leads/{lead.pk}/admission/", {"programme": prog.pk, "admit_at": when})
    assert response.status_code == 302
    lead.refresh_from_db()
    admission = Admission.objects.get(lead=lead)
    assert lead.status == LeadStatus.ADMISSION_SCHEDULED
    assert admission.hold_expires_at - admission.admit_at == dt.timedelta(hours=24)  # BED_HOLD_HOURS
    assert figures(prog).words == "Detox: 1 of 2 beds free · 1 held · 0 occupied · 0 waiting"


@pytest.mark.django_db
def test_it_refuses_an_admission_time_in_the_past_and_keeps_the_input(client, staff, clinician):
    prog = programme()
    lead = accepted_lead(staff["avery"], clinician, prog)
    client.force_login(staff["avery"])
    past = timezone.localtime(timezone.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(f"/staff/leads/{lead.pk}/admission/", {"programme": prog.pk, "admit_at": past}).content.decode()
    assert "That time has passed" in html and past in html
    assert not Admission.objects.exists()


@pytest.mark.django_db
def test_it_offers_the_waitlist_with_the_place_in_line_when_the_programme_is_full(client, staff, clinician):
    prog = programme(capacity=1)
    worker = staff["avery"]
    schedule(accepted_lead(worker, clinician, prog, 1), prog, worker)
    second = accepted_lead(worker, clinician, prog, 2)
    client.force_login(worker)
    when = timezone.localtime(tomorrow()).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/staff/leads/{second.pk}/admission/", {"programme": prog.pk, "admit_at": when})
    html = response.content.decode()
    assert response.status_code == 409
    assert "The last bed at Detox, Maple House was just taken; add the person to the waitlist?" in html
    assert "Join the waitlist" in html
    response = client.post(f"/staff/leads/{second.pk}/waitlist/", {"programme": prog.pk}, follow=True)
    assert "1st in line for Detox at Maple House" in response.content.decode()
    second.refresh_from_db()
    assert second.status == LeadStatus.WAITLISTED


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_last_bed_to_one_of_two_workers_racing_for_it(staff, clinician):
    prog = programme(capacity=1)
    leads = [accepted_lead(staff["avery"], clinician, prog, 1), accepted_lead(staff["blake"], clinician, prog, 2)]
    workers = [staff["avery"], staff["blake"]]
    barrier = threading.Barrier(2)
    outcomes = []

    def race(lead, worker):
        try:
            barrier.wait(timeout=10)
            schedule(lead, prog, worker)
            outcomes.append("won")
        except ProgrammeFull as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=pair) for pair in zip(leads, workers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[1] == "won" and outcomes.count("won") == 1
    assert "was just taken; add the person to the waitlist?" in sorted(outcomes)[0]
    assert Admission.objects.count() == 1 and taken_places(prog) == 1
    statuses = sorted(Lead.objects.filter(pk__in=[x.pk for x in leads]).values_list("status", flat=True))
    assert statuses == [LeadStatus.ACCEPTED, LeadStatus.ADMISSION_SCHEDULED]  # the loser: nothing saved


@pytest.mark.django_db
def test_it_never_exceeds_capacity_counting_holds_occupants_and_offers(staff, clinician):
    prog = programme(capacity=2)
    worker = staff["avery"]
    first = schedule(accepted_lead(worker, clinician, prog, 1), prog, worker)
    first.arrive(by=worker)
    schedule(accepted_lead(worker, clinician, prog, 2), prog, worker)
    for n in range(3, 6):
        with pytest.raises(ProgrammeFull):
            schedule(accepted_lead(worker, clinician, prog, n), prog, worker)
    assert taken_places(prog) == 2 and Admission.objects.count() == 2


@pytest.mark.django_db
def test_it_releases_expired_holds_back_to_accepted_and_alerts_the_worker(staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    admission = schedule(lead, prog, worker)
    Admission.objects.filter(pk=admission.pk).update(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep()["released"] == 1
    admission.refresh_from_db()
    lead.refresh_from_db()
    assert admission.state == Admission.State.RELEASED and admission.release_reason == "The hold expired"
    assert lead.status == LeadStatus.ACCEPTED
    alert = Notification.objects.get(lead=lead, kind=Notification.Kind.HOLD_RELEASED, recipient=worker)
    words = render_text(alert)
    assert "A bed hold expired and the bed was given back" in words and "about to expire" not in words
    assert not alert.no_longer_needed()
    assert not Notification.objects.filter(lead=lead, kind=Notification.Kind.HOLD_EXPIRING).exists()
    assert "Hold released: The hold expired" in [entry.what for entry in lead.timeline()]
    assert sweep()["released"] == 0


@pytest.mark.django_db
def test_it_warns_of_an_expiring_hold_and_reminds_staff_of_the_admission_once(staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    schedule(lead, prog, worker, admit_at=tomorrow(3), hold_expires_at=tomorrow(3))
    assert sweep()["warned"] == 1 and sweep()["warned"] == 0
    assert Notification.objects.filter(lead=lead, kind=Notification.Kind.ADMISSION_REMINDER).count() == 1
    assert Notification.objects.filter(lead=lead, kind=Notification.Kind.HOLD_EXPIRING).count() == 1


@pytest.mark.django_db
def test_it_admits_on_arrival_and_frees_the_bed_on_discharge(client, staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    schedule(lead, prog, worker)
    client.force_login(worker)
    assert client.post(f"/staff/leads/{lead.pk}/admission/arrived/").status_code == 302
    lead.refresh_from_db()
    admission = Admission.objects.get(lead=lead)
    assert lead.status == LeadStatus.ADMITTED and lead.admitted_on == timezone.localdate()
    assert admission.state == Admission.State.OCCUPIED
    outcome = lead.outcome()
    assert outcome.details["level_of_care"] == "detox"
    today = timezone.localdate().isoformat()
    client.post(f"/staff/leads/{lead.pk}/admission/discharge/", {"discharged_on": today})
    admission.refresh_from_db()
    assert admission.state == Admission.State.DISCHARGED and taken_places(prog) == 0


@pytest.mark.django_db
def test_it_asks_why_a_hold_is_released_by_hand(client, staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    schedule(lead, prog, worker)
    client.force_login(worker)
    client.post(f"/staff/leads/{lead.pk}/admission/release/", {"reason": ""})
    assert Admission.objects.get(lead=lead).state == Admission.State.HELD
    client.post(f"/staff/leads/{lead.pk}/admission/release/", {"reason": "They postponed"})
    lead.refresh_from_db()
    assert Admission.objects.get(lead=lead).release_reason == "They postponed"
    assert lead.status == LeadStatus.ACCEPTED


@pytest.mark.django_db
def test_it_releases_the_hold_when_the_lead_is_closed_another_way(staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    schedule(lead, prog, worker)
    waiting = accepted_lead(worker, clinician, prog, 2)
    entry = WaitlistEntry.join(waiting, prog, by=worker)
    lead.close(OutcomeFacts(status=LeadStatus.NOT_A_FIT, reason=NotAFitReason.values[0], note="x"), by=worker)
    admission = Admission.objects.get(lead=lead)
    assert admission.state == Admission.State.RELEASED and admission.release_reason == "The lead became not a fit"
    entry.refresh_from_db()
    assert entry.offered_at is not None  # the bed went to the next in line


@pytest.mark.django_db
def test_it_marks_the_hold_occupied_when_the_generic_close_form_records_the_admission(staff, clinician):
    prog = programme()
    worker = staff["avery"]
    lead = accepted_lead(worker, clinician, prog)
    schedule(lead, prog, worker)
    facts = OutcomeFacts(status=LeadStatus.ADMITTED, admitted_on=timezone.localdate(), level_of_care="detox")
    lead.close(facts, by=worker)
    assert Admission.objects.get(lead=lead).state == Admission.State.OCCUPIED
