"""Working a lead: claiming, calling, moving it along, following up, escalating, merging."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.utils import timezone

from intake.models import Lead, LeadStatus, Notification, OutcomeFacts, StaffProfile, WorkflowError, on_duty_admissions
from intake.tasks import escalate_overdue_leads, remind_due_follow_ups
from intake.tests.test_outcomes import confirm_through_the_page
from intake.timing import first_call_target


@pytest.fixture
def lead(db):
    return Lead.objects.create(
        name="Jordan Whitlock",
        phone="+14155552671",
        ok_to_voicemail=False,
        ok_to_text=False,
        sla_due_at=timezone.now() + dt.timedelta(minutes=15),
    )


def as_user(client, user):
    client.force_login(user)
    return client


def run_together(*calls):
    """Run callables at the same moment in threads, each on its own database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# --- Claiming ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_gives_a_lead_to_exactly_one_of_two_workers_claiming_at_once(staff):
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    for _ in range(5):
        Lead.objects.filter(pk=lead.pk).update(assigned_to=None)
        results = run_together(
            lambda: Lead.objects.get(pk=lead.pk).claim(by=staff["avery"]),
            lambda: Lead.objects.get(pk=lead.pk).claim(by=staff["blake"]),
        )
        assert sorted(results) == [False, True]
        winner = staff["avery"] if results[0] else staff["blake"]
        assert Lead.objects.get(pk=lead.pk).assigned_to == winner


@pytest.mark.django_db
def test_it_tells_the_second_claimer_who_has_the_lead(client, staff, lead):
    as_user(client, staff["avery"]).post(f"/staff/leads/{lead.pk}/claim/")
    response = as_user(client, staff["blake"]).post(f"/staff/leads/{lead.pk}/claim/", follow=True)

    assert "avery already has" in response.content.decode()
    lead.refresh_from_db()
    assert lead.assigned_to == staff["avery"]


@pytest.mark.django_db
def test_it_lets_only_the_assignee_or_a_supervisor_release_or_assign(client, staff, lead):
    staff["sam"].groups.add(*staff["avery"].groups.all())  # a supervisor who also works the queue
    lead.claim(by=staff["avery"])

    response = as_user(client, staff["blake"]).post(f"/staff/leads/{lead.pk}/release/", follow=True)
    assert "Claimed by avery; ask them or a supervisor" in response.content.decode()
    assert as_user(client, staff["blake"]).post(f"/staff/leads/{lead.pk}/assign/", {"assignee": ""}).status_code == 403

    staff["blake"].first_name, staff["blake"].last_name = "Blake", "Ortiz"
    staff["blake"].save()
    done = as_user(client, staff["sam"]).post(
        f"/staff/leads/{lead.pk}/assign/", {"assignee": staff["blake"].pk}, follow=True
    )
    lead.refresh_from_db()
    assert lead.assigned_to == staff["blake"]
    assert f"{lead.reference} assigned to Blake Ortiz." in done.content.decode()


# --- Attempts and the voicemail / text guard ------------------------------------------------


@pytest.mark.django_db
def test_it_warns_before_dialling_and_offers_no_voicemail_or_text_without_consent(client, staff, lead):
    html = as_user(client, staff["avery"]).get(f"/staff/leads/{lead.pk}/").content.decode()

    assert "Do not leave voicemail." in html and "Do not text." in html
    assert 'value="voicemail"' not in html and 'value="text_sent"' not in html
    assert 'value="no_answer"' in html


@pytest.mark.django_db
def test_it_refuses_a_voicemail_the_visitor_did_not_allow(client, staff, lead):
    response = as_user(client, staff["avery"]).post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "voicemail"})

    assert response.status_code == 400
    assert "did not agree to voicemail" in response.content.decode()
    assert lead.attempts.count() == 0


@pytest.mark.django_db
def test_it_offers_voicemail_and_text_when_allowed(client, staff, lead):
    Lead.objects.filter(pk=lead.pk).update(ok_to_voicemail=True, ok_to_text=True)
    html = as_user(client, staff["avery"]).get(f"/staff/leads/{lead.pk}/").content.decode()
    assert 'value="voicemail"' in html and 'value="text_sent"' in html
    assert "Do not text." not in html


@pytest.mark.django_db
def test_it_records_speed_to_lead_and_moves_status_as_calls_are_logged(client, staff, lead):
    worker = as_user(client, staff["avery"])
    worker.post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "no_answer", "note": "Rang out"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTING
    assert lead.first_contacted_at is not None
    assert lead.assigned_to == staff["avery"]  # whoever calls first owns it
    first = lead.first_contacted_at

    worker.post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "reached"})
    lead.refresh_from_db()
    assert (lead.status, lead.attempt_count, lead.first_contacted_at) == (LeadStatus.REACHED, 2, first)
    assert lead.last_attempt_outcome == "reached"
    html = worker.get("/staff/").content.decode()
    assert "Reached under a minute ago (2 attempts)" in html


# --- Status workflow --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_walks_a_lead_from_new_to_admitted(client, staff, lead):
    worker = as_user(client, staff["avery"])
    worker.post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "reached"})
    response = worker.post(f"/staff/leads/{lead.pk}/status/", {"status": "assessment_scheduled"}, follow=True)
    assert response.redirect_chain[-1] == (f"/staff/leads/{lead.pk}/", 302)
    today = timezone.localdate().isoformat()
    facts = {"status": "admitted", "admitted_on": today, "level_of_care": "detox"}
    response = confirm_through_the_page(worker, lead, facts, follow=True)
    assert response.redirect_chain[-1] == (f"/staff/leads/{lead.pk}/", 302)
    lead.refresh_from_db()
    assert lead.status == "admitted" and lead.closed_at is not None
    assert lead.admitted_on == timezone.localdate()
    assert lead.reference not in worker.get("/staff/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "to"),
    [("new", "admitted"), ("new", "reached"), ("contacting", "assessment_scheduled"), ("admitted", "referred")],
)
def test_it_refuses_transitions_the_workflow_does_not_allow(client, staff, lead, start, to):
    Lead.objects.filter(pk=lead.pk).update(status=start)
    response = as_user(client, staff["avery"]).post(f"/staff/leads/{lead.pk}/status/", {"status": to}, follow=True)

    assert response.redirect_chain == [(f"/staff/leads/{lead.pk}/", 302)]
    assert "cannot become" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == start


@pytest.mark.django_db
def test_it_allows_unreachable_only_after_the_configured_attempts(staff, lead, settings):
    settings.UNREACHABLE_AFTER_ATTEMPTS = 2
    lead.log_attempt(by=staff["avery"], outcome="no_answer")
    with pytest.raises(WorkflowError, match="at least 2 attempts"):
        lead.close(OutcomeFacts(status="unreachable"), by=staff["avery"])

    lead.log_attempt(by=staff["avery"], outcome="no_answer")
    lead.close(OutcomeFacts(status="unreachable"), by=staff["avery"])
    assert lead.status == "unreachable"

    lead.reopen("Her sister called back with a new number", by=staff["avery"])
    assert lead.is_open and lead.closed_at is None


# --- Follow-ups and escalation ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_reminds_the_assignee_once_when_a_follow_up_comes_due(client, staff, lead):
    lead.claim(by=staff["blake"])
    response = as_user(client, staff["blake"]).post(
        f"/staff/leads/{lead.pk}/follow-up/", {"follow_up_at": "2020-01-01T09:00"}
    )
    assert "Choose a time in the future" in response.content.decode()

    Lead.objects.filter(pk=lead.pk).update(follow_up_at=timezone.now() - dt.timedelta(minutes=1))
    results = run_together(remind_due_follow_ups, remind_due_follow_ups)
    assert sorted(results) == [0, 1]
    assert remind_due_follow_ups() == 0

    reminders = Notification.objects.filter(kind="follow_up_due")
    assert [n.recipient for n in reminders] == [staff["blake"]]

    # A new follow-up time arms a new reminder.
    Lead.objects.filter(pk=lead.pk).update(follow_up_at=timezone.now() - dt.timedelta(seconds=5))
    assert remind_due_follow_ups() == 1


@pytest.mark.django_db(transaction=True)
def test_it_escalates_an_uncontacted_lead_to_supervisors_exactly_once(staff, lead):
    Lead.objects.filter(pk=lead.pk).update(sla_due_at=timezone.now() - dt.timedelta(minutes=1))
    contacted = Lead.objects.create(
        name="Other", phone="+14155550000", sla_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    contacted.log_attempt(by=staff["avery"], outcome="no_answer")
    not_due = Lead.objects.create(name="Third", phone="+14155550001", sla_due_at=timezone.now() + dt.timedelta(hours=1))

    results = run_together(escalate_overdue_leads, escalate_overdue_leads)
    assert sorted(results) == [0, 1]
    assert escalate_overdue_leads() == 0

    escalations = Notification.objects.filter(kind="escalation")
    assert {n.lead_id for n in escalations} == {lead.pk}
    assert [n.recipient for n in escalations] == [staff["sam"]]
    assert not_due.notifications.count() == 0


def test_it_starts_the_sla_clock_at_opening_time_for_a_night_request(settings):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00"
    settings.LEAD_SLA_MINUTES = 15
    ny = ZoneInfo("America/New_York")
    night, morning = dt.datetime(2026, 11, 18, 23, 0, tzinfo=ny), dt.datetime(2026, 11, 18, 10, 0, tzinfo=ny)
    assert first_call_target(night) == dt.datetime(2026, 11, 19, 8, 15, tzinfo=ny)
    assert first_call_target(morning) == dt.datetime(2026, 11, 18, 10, 15, tzinfo=ny)


@pytest.mark.django_db
def test_it_sends_new_requests_to_supervisors_when_nobody_is_on_shift(staff, settings):
    StaffProfile.objects.update(shift_hours="mon-fri 09:00-10:00")
    saturday = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)  # noon in New York
    assert on_duty_admissions(saturday) == [staff["sam"]]
    StaffProfile.objects.filter(user=staff["blake"]).update(shift_hours="sat-sun 09:00-17:00")
    assert on_duty_admissions(saturday) == [staff["blake"]]


# --- Merging ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_merges_two_leads_of_one_person_keeping_the_history(client, staff, lead):
    older = Lead.objects.create(name="Jordan W", phone="+14155552671", urgent=True)
    older.requests.create(consent_version="v", consent_at=timezone.now(), message="first ask")
    lead.log_attempt(by=staff["avery"], outcome="no_answer", note="tried once")

    page = as_user(client, staff["avery"]).get(f"/staff/leads/{lead.pk}/").content.decode()
    assert older.reference in page  # suggested: same phone

    response = client.post(f"/staff/leads/{lead.pk}/merge/", {"target": older.reference}, follow=True)

    assert response.redirect_chain[-1][0] == f"/staff/leads/{older.pk}/"
    lead.refresh_from_db()
    older.refresh_from_db()
    assert lead.status == "merged" and lead.merged_into == older
    assert older.attempts.count() == 1 and older.urgent
    html = response.content.decode()
    assert "first ask" in html and "tried once" in html and f"{lead.reference} was merged into this lead" in html


@pytest.mark.django_db
def test_it_refuses_to_merge_into_an_unknown_reference(client, staff, lead):
    response = as_user(client, staff["sam"]).post(f"/staff/leads/{lead.pk}/merge/", {"reference": "L-999999"})
    assert response.status_code == 400
    assert "No lead has that reference" in response.content.decode()


# --- Notes and audit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_audits_views_and_changes_and_shows_supervisors_the_log(client, staff, lead):
    worker = as_user(client, staff["avery"])
    worker.get(f"/staff/leads/{lead.pk}/", REMOTE_ADDR="10.9.8.7")
    worker.post(f"/staff/leads/{lead.pk}/notes/", {"body": "Mother Ezekiel picks up after 6"})
    worker.post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "reached"})

    entries = LogEntry.objects.filter(actor=staff["avery"])
    actions = {(e.content_type.model, e.action) for e in entries}
    assert ("lead", LogEntry.Action.ACCESS) in actions
    assert ("leadnote", LogEntry.Action.CREATE) in actions
    assert ("contactattempt", LogEntry.Action.CREATE) in actions
    assert ("lead", LogEntry.Action.UPDATE) in actions
    assert "Ezekiel" not in repr(list(entries.values_list("changes", "changes_text", "object_repr")))

    assert worker.get(f"/staff/leads/{lead.pk}/audit/").status_code == 403
    log_page = as_user(client, staff["sam"]).get(f"/staff/leads/{lead.pk}/audit/").content.decode()
    assert "10.9.8.7" in log_page and "avery" in log_page and "Note #" in log_page


@pytest.mark.django_db
def test_it_keeps_notes_and_attempt_notes_encrypted(client, staff, lead):
    as_user(client, staff["avery"]).post(f"/staff/leads/{lead.pk}/notes/", {"body": "Prefers Spanish, ask for Lucia"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM intake_leadnote")
        assert "Lucia" not in cursor.fetchone()[0]
    assert lead.notes.get().body == "Prefers Spanish, ask for Lucia"


@pytest.mark.django_db
def test_it_lets_staff_edit_only_their_own_roster_row_unless_supervisor(client, staff):
    avery, blake = staff["avery"], staff["blake"]
    response = as_user(client, avery).post(
        f"/staff/roster/{avery.pk}/",
        {"on_duty": "on", "shift_hours": "mon-fri 08:00-16:00", "notify_by_email": "on", "mobile": "(415) 555-0100"},
    )
    assert response.status_code == 302
    avery.staff_profile.refresh_from_db()
    assert avery.staff_profile.mobile == "+14155550100"
    assert client.get(f"/staff/roster/{blake.pk}/").status_code == 403
    bad = client.post(f"/staff/roster/{avery.pk}/", {"shift_hours": "whenever"})
    assert "expected e.g." in bad.content.decode()


@pytest.mark.django_db
def test_the_status_buttons_say_what_they_do_and_never_read_as_the_current_status(client, staff, lead):
    worker = as_user(client, staff["avery"])
    lead.log_attempt(by=staff["avery"], outcome="reached")
    lead.transition("assessment_scheduled", by=staff["avery"])

    html = worker.get(f"/staff/leads/{lead.pk}/").content.decode()

    assert "Now: <strong>Assessment scheduled</strong>" in html
    assert 'value="reached">Move back to Reached</button>' in html
