"""A claimed lead is its owner's: others are refused, in the view and in the model; every claim,
release, assignment and roster change is in the audit log, naming who."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, User
from django.utils import timezone

from intake.models import (
    ClaimedByAnother,
    ContactAttempt,
    Lead,
    LeadEvent,
    LeadMerge,
    LeadNote,
    LeadStatus,
    OutcomeFacts,
    WorkflowError,
)

CLAIMED = "Claimed by avery; ask them or a supervisor."


@pytest.fixture
def lead(db, staff):
    """Jordan's lead, claimed by Avery, who has reached Jordan once."""
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671", ok_to_text=True)
    lead.requests.create(consent_version="v", consent_at=timezone.now())
    lead.claim(by=staff["avery"])
    lead.log_attempt(by=staff["avery"], outcome="reached")
    return lead


@pytest.fixture
def twin(db, lead):
    """Another open lead with Jordan's phone: a candidate for a merge."""
    return Lead.objects.create(name="Jordan W", phone="+14155552671")


def signed_in(client, user):
    client.force_login(user)
    return client


def later() -> str:
    return (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def writes(lead, twin) -> list[tuple[str, dict]]:
    """Every write a worker can post on a lead, with valid data."""
    return [
        (f"/staff/leads/{lead.pk}/status/", {"status": "assessment_scheduled"}),
        (f"/staff/leads/{lead.pk}/notes/", {"body": "Call after 6, ask for Ezekiel"}),
        (f"/staff/leads/{lead.pk}/attempts/", {"outcome": "no_answer", "note": "rang out"}),
        (f"/staff/leads/{lead.pk}/follow-up/", {"follow_up_at": later()}),
        (f"/staff/leads/{lead.pk}/contact-preferences/", {"ok_to_voicemail": "on"}),
        (f"/staff/leads/{lead.pk}/merge/", {"target": twin.reference}),
        (f"/staff/leads/{lead.pk}/release/", {}),
        (f"/staff/leads/{lead.pk}/close/", {"status": "referred", "referred_to": "Harbor House", "confirm": "1"}),
        (f"/staff/leads/{lead.pk}/reopen/", {"reason": "Called back"}),
    ]


def state() -> dict:
    """What a refused write must leave as it was."""
    return {
        "leads": list(
            Lead.objects.order_by("pk").values(
                "status", "assigned_to", "follow_up_at", "merged_into", "attempt_count", "ok_to_voicemail"
            )
        ),
        "attempts": ContactAttempt.objects.count(),
        "notes": LeadNote.objects.count(),
        "merges": LeadMerge.objects.count(),
        "events": LeadEvent.objects.count(),
    }


@pytest.mark.django_db
def test_it_refuses_every_write_by_a_second_worker_on_a_claimed_lead_and_changes_nothing(client, staff, lead, twin):
    before = state()
    blake = signed_in(client, staff["blake"])

    for url, data in writes(lead, twin):
        response = blake.post(url, data, follow=True)
        assert response.redirect_chain == [(f"/staff/leads/{lead.pk}/", 302)], url
        assert CLAIMED in response.content.decode(), url

    assert state() == before


@pytest.mark.django_db
def test_it_lets_a_supervisor_do_what_the_owner_may_on_a_claimed_lead(client, staff, lead, twin):
    sam = signed_in(client, staff["sam"])
    for url, data in writes(lead, twin)[:5]:
        response = sam.post(url, data, follow=True)
        html = response.content.decode()
        assert CLAIMED not in html and response.status_code == 200, (url, html[html.find('role="status"') :][:500])

    lead.refresh_from_db()
    assert lead.status == LeadStatus.ASSESSMENT_SCHEDULED and lead.follow_up_at is not None
    assert lead.ok_to_voicemail and lead.attempt_count == 2
    assert "Call after 6, ask for Ezekiel" in [note.body for note in lead.notes.filter(author=staff["sam"])]

    sam.post(f"/staff/leads/{lead.pk}/merge/", {"target": twin.reference})
    lead.refresh_from_db()
    assert lead.merged_into == twin


@pytest.mark.django_db
def test_it_shows_a_non_owner_who_has_the_lead_instead_of_its_forms(client, staff, lead, twin):
    page = signed_in(client, staff["blake"]).get(f"/staff/leads/{lead.pk}/").content.decode()
    assert CLAIMED in page
    for url, _ in writes(lead, twin)[:6]:
        assert f'action="{url}"' not in page, url

    page = signed_in(client, staff["avery"]).get(f"/staff/leads/{lead.pk}/").content.decode()
    assert CLAIMED not in page
    for url, _ in writes(lead, twin)[:6]:
        assert f'action="{url}"' in page, url


@pytest.mark.django_db
def test_the_model_refuses_a_non_owner_even_with_a_copy_loaded_before_the_claim(staff, twin):
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    stale = Lead.objects.get(pk=lead.pk)  # blake's page, opened before avery claimed it
    lead.claim(by=staff["avery"])
    lead.log_attempt(by=staff["avery"], outcome="reached")
    before = state()
    blake = staff["blake"]

    for attempt in [
        lambda: stale.transition(LeadStatus.ASSESSMENT_SCHEDULED, by=blake),
        lambda: stale.add_note("a note", by=blake),
        lambda: stale.log_attempt(by=blake, outcome="no_answer"),
        lambda: stale.schedule_follow_up(timezone.now() + dt.timedelta(days=1), by=blake),
        lambda: stale.record_contact_preferences(ok_to_text=True, ok_to_voicemail=True, by=blake),
        lambda: stale.release(by=blake),
        lambda: stale.merge_into(twin, by=blake),
        lambda: twin.merge_into(stale, by=blake),
        lambda: stale.close(OutcomeFacts(status=LeadStatus.REFERRED, referred_to="Harbor House"), by=blake),
        lambda: stale.reopen("Called back", by=blake),
    ]:
        with pytest.raises(ClaimedByAnother, match=CLAIMED):
            attempt()
    with pytest.raises(WorkflowError, match="Only a supervisor"):
        stale.assign(blake, by=blake)
    assert state() == before


@pytest.mark.django_db
def test_an_unclaimed_lead_stays_anyones_and_the_first_call_claims_it(client, staff):
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    blake = signed_in(client, staff["blake"])
    blake.post(f"/staff/leads/{lead.pk}/notes/", {"body": "Left a message with the front desk"})
    assert lead.notes.count() == 1

    blake.post(f"/staff/leads/{lead.pk}/attempts/", {"outcome": "no_answer"})
    lead.refresh_from_db()
    assert lead.assigned_to == staff["blake"]


@pytest.mark.django_db
def test_it_audits_claims_releases_and_assignments_naming_who(client, staff):
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    signed_in(client, staff["avery"]).post(f"/staff/leads/{lead.pk}/claim/", REMOTE_ADDR="10.1.2.3")
    client.post(f"/staff/leads/{lead.pk}/release/")
    sam = signed_in(client, staff["sam"])
    sam.post(f"/staff/leads/{lead.pk}/assign/", {"assignee": staff["blake"].pk})

    events = [
        (e.actor.username, e.additional_data["event"], e.additional_data.get("owner"))
        for e in LogEntry.objects.filter(object_id=lead.pk, additional_data__event__isnull=False).order_by("pk")
    ]
    assert events == [("avery", "claim", "avery"), ("avery", "release", None), ("sam", "assign", "blake")]
    claim = LogEntry.objects.get(object_id=lead.pk, additional_data__event="claim")
    assert claim.remote_addr == "10.1.2.3"

    page = sam.get(f"/staff/leads/{lead.pk}/audit/").content.decode()
    ref = lead.reference
    for line in [f"{ref} claimed by avery", f"{ref} released by avery", f"{ref} assigned to blake by sam"]:
        assert line in page


# --- The roster -----------------------------------------------------------------------------------


@pytest.fixture
def robin(staff):
    """A second supervisor."""
    user = User.objects.create_user("robin", "robin@lantern.example", "correct horse battery")
    user.groups.add(Group.objects.get(name="supervisor"))
    return user


@pytest.mark.django_db
def test_it_audits_a_roster_change_with_who_whose_row_and_the_new_values(client, staff):
    avery = staff["avery"]
    change = {"on_duty": "on", "on_call": "on", "notify_by_email": "on", "notify_by_sms": "on"}
    change["mobile"] = "415 555 0100"
    response = signed_in(client, staff["sam"]).post(f"/staff/roster/{avery.pk}/", change, REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 302

    entry = LogEntry.objects.get(content_type__model="staffprofile", action=LogEntry.Action.UPDATE)
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (staff["sam"], "10.4.4.4", "Staff profile of avery")
    assert {field: new for field, (old, new) in entry.changes_dict.items()} == {
        "on_call": "True",
        "notify_by_sms": "True",
        "mobile": "[redacted]",  # a staff member's own number stays out of the log
    }
    assert "0100" not in str(entry.changes)

    client.post(f"/staff/roster/{avery.pk}/", change)  # the same again: nothing changed, nothing recorded
    assert LogEntry.objects.filter(content_type__model="staffprofile", action=LogEntry.Action.UPDATE).count() == 1


@pytest.mark.django_db
def test_a_supervisor_cannot_reroute_another_supervisors_or_a_superusers_alerts(client, staff, robin):
    admin, sam = staff["admin"], staff["sam"]
    change = {"on_duty": "on", "notify_by_email": "on"}
    supervisor = signed_in(client, sam)
    for member in (robin, admin):
        assert supervisor.get(f"/staff/roster/{member.pk}/").status_code == 403
        assert supervisor.post(f"/staff/roster/{member.pk}/", change).status_code == 403
    assert not robin.staff_profile.on_duty
    roster = supervisor.get("/staff/roster/").content.decode()
    assert f"/staff/roster/{robin.pk}/" not in roster and f"/staff/roster/{staff['avery'].pk}/" in roster

    assert supervisor.post(f"/staff/roster/{sam.pk}/", change).status_code == 302  # their own row
    superuser = signed_in(client, admin)
    assert superuser.post(f"/staff/roster/{robin.pk}/", change).status_code == 302
    robin.staff_profile.refresh_from_db()
    assert robin.staff_profile.on_duty
