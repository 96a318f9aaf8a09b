"""The audit log outlives the people in it: every entry keeps who acted, accounts with a history
are deactivated rather than deleted, and the database itself refuses to change or delete an entry."""

import datetime as dt
import io

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.test import Client
from django.utils import timezone

from conftest import authenticator_for
from intake.audit import AuditedAccountProtected, record, refuse_deleting_audited_users
from intake.models import AuthenticatorApp, ContactAttempt, Lead, LeadNote, RecoveryCodes, StaffProfile
from tests.conftest import sign_in

JORDAN = {"name": "Jordan Whitlock", "phone": "+14155552671"}


@pytest.fixture
def avery(staff):
    User.objects.filter(pk=staff["avery"].pk).update(first_name="Avery", last_name="Lee")
    staff["avery"].refresh_from_db()
    return staff["avery"]


# --- Every entry keeps who acted ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_keeps_who_opened_a_lead_page_in_the_entry_itself(client, avery):
    lead = Lead.objects.create(**JORDAN)
    client.force_login(avery)

    client.get(f"/staff/leads/{lead.pk}/")

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=lead.pk)
    assert entry.actor == avery and entry.actor_email == "avery@lantern.example"
    assert entry.additional_data["actor"] == {
        "id": avery.pk,
        "username": "avery",
        "full_name": "Avery Lee",
        "email": "avery@lantern.example",
    }


@pytest.mark.django_db
def test_it_keeps_who_acted_in_entries_written_by_hand_and_by_auditlog_alike(avery):
    lead = Lead.objects.create(**JORDAN)

    by_hand = record(lead, LogEntry.Action.ACCESS, actor=avery, label="Card photo", lead_id=lead.pk)
    with set_actor(avery):
        lead.notes.create(author=avery, body="Called back")
    by_auditlog = LogEntry.objects.get(content_type__model="leadnote")

    for entry in (by_hand, by_auditlog):
        entry.refresh_from_db()
        assert entry.actor_email == "avery@lantern.example"
        assert entry.additional_data["actor"]["username"] == "avery"
        assert entry.additional_data["lead_id"] == lead.pk  # what the entry said besides is kept
    # Nobody acting (the retention job, a command): nothing invented.
    system = record(lead, LogEntry.Action.UPDATE, label="Lead", lead_id=lead.pk)
    system.refresh_from_db()
    assert system.actor is None and "actor" not in system.additional_data


@pytest.mark.django_db
def test_it_names_who_changed_a_lead_outside_a_request_and_leaves_a_request_s_own_actor_alone(client, avery, staff):
    """A change made from the shell or a command (no request, so no auditlog middleware) is
    logged as the `by=` staff member's, not as nobody's."""
    lead = Lead.objects.create(**JORDAN)

    lead.transition("contacting", by=avery)
    lead.schedule_follow_up(timezone.now() + dt.timedelta(days=1), by=avery)

    changes = LogEntry.objects.filter(content_type__model="lead", action=LogEntry.Action.UPDATE).order_by("pk")
    assert [sorted(entry.changes_dict) for entry in changes] == [["status"], ["follow_up_at"]]
    assert {entry.actor for entry in changes} == {avery}
    # In a request the signed-in user's entry keeps its client address.
    client.force_login(staff["sam"])
    client.post(f"/staff/leads/{lead.pk}/status/", {"status": "reached"}, REMOTE_ADDR="10.1.2.3")
    latest = LogEntry.objects.filter(content_type__model="lead", action=LogEntry.Action.UPDATE).latest("pk")
    assert (latest.actor, latest.remote_addr, latest.changes_dict["status"][1]) == (staff["sam"], "10.1.2.3", "reached")


def gone_author_entries(lead: Lead) -> None:
    """Entries whose account is gone (deleted before the log kept copies, or by hand in the
    database): one with the copy, one older with only auditlog's email."""
    lead_type = ContentType.objects.get_for_model(Lead)
    common = {"content_type": lead_type, "object_pk": str(lead.pk), "object_id": lead.pk, "object_repr": "Lead"}
    LogEntry.objects.create(
        **common,
        action=LogEntry.Action.ACCESS,
        additional_data={"actor": {"id": 99, "username": "quinn", "full_name": "Quinn Park", "email": "q@x.example"}},
    )
    LogEntry.objects.create(**common, action=LogEntry.Action.UPDATE, actor_email="old@x.example")


@pytest.mark.django_db
def test_it_names_an_author_whose_account_is_gone_on_the_lead_audit_page(client, staff):
    lead = Lead.objects.create(**JORDAN)
    gone_author_entries(lead)
    client.force_login(staff["sam"])

    html = client.get(f"/staff/leads/{lead.pk}/audit/").content.decode()

    assert "quinn (Quinn Park), account since removed" in html
    assert "old@x.example, account since removed" in html


@pytest.mark.django_db
def test_it_names_an_author_whose_account_is_gone_in_the_export(avery):
    lead = Lead.objects.create(**JORDAN)
    gone_author_entries(lead)
    record(lead, LogEntry.Action.ACCESS, actor=avery, label="Card photo", lead_id=lead.pk)
    out = io.StringIO()

    call_command("export_audit_log", stdout=out)

    rows = out.getvalue().splitlines()
    assert rows[0].startswith("timestamp,actor,actor_name,actor_email,")
    assert any(row.startswith(tuple("0123456789")) and ",quinn,Quinn Park,q@x.example," in row for row in rows)
    assert any(",,,old@x.example," in row for row in rows)
    assert any(",avery,Avery Lee,avery@lantern.example," in row for row in rows)


# --- The database refuses to change or delete an entry ------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_an_update_or_delete_of_an_entry_in_raw_sql(staff):
    lead = Lead.objects.create(**JORDAN)
    entry = record(lead, LogEntry.Action.ACCESS, actor=staff["avery"], label="Lead", lead_id=lead.pk)

    for sql in (
        "UPDATE auditlog_logentry SET object_repr = 'nothing happened', actor_id = NULL WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk)._raw_delete(connection.alias)

    kept = LogEntry.objects.get(pk=entry.pk)
    assert (kept.object_repr, kept.actor) == ("Lead", staff["avery"])
    record(lead, LogEntry.Action.ACCESS, actor=staff["avery"], label="Lead")  # adding still works


@pytest.mark.django_db
def test_it_still_lets_a_test_database_be_emptied_with_truncate(staff):
    record(Lead.objects.create(**JORDAN), LogEntry.Action.ACCESS, actor=staff["avery"], label="Lead")

    class RollBack(Exception):
        pass

    with pytest.raises(RollBack), transaction.atomic():
        with connection.cursor() as cursor:
            # The foreign keys' deferred checks would otherwise still be pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE auditlog_logentry")
        assert not LogEntry.objects.exists()
        raise RollBack


# --- Accounts with a history are deactivated, never deleted --------------------------------------------


@pytest.mark.django_db
def test_it_refuses_to_delete_an_account_the_log_names(staff):
    avery = staff["avery"]
    lead = Lead.objects.create(**JORDAN)
    entry = record(lead, LogEntry.Action.ACCESS, actor=avery, label="Lead", lead_id=lead.pk)

    with pytest.raises(AuditedAccountProtected, match="deactivate the account"), transaction.atomic():
        avery.delete()
    with pytest.raises(AuditedAccountProtected), transaction.atomic():
        User.objects.filter(username="avery").delete()

    # Without the application's check, the database refuses all the same, and nothing happens.
    pre_delete.disconnect(refuse_deleting_audited_users, sender=User, dispatch_uid="intake.audit.keep_authors.users")
    try:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            User.objects.get(pk=avery.pk).delete()
    finally:
        pre_delete.connect(refuse_deleting_audited_users, sender=User, dispatch_uid="intake.audit.keep_authors.users")
    assert User.objects.filter(pk=avery.pk).exists()
    assert StaffProfile.objects.filter(user=avery).exists()
    assert LogEntry.objects.get(pk=entry.pk).actor == avery


@pytest.mark.django_db
def test_it_deletes_nothing_of_an_account_whose_work_records_keep_it(staff):
    """An account with no audit entry but with call records: all or nothing, so nothing."""
    blake = staff["blake"]
    lead = Lead.objects.create(**JORDAN)
    note = LeadNote.objects.create(lead=lead, author=blake, body="Left a message")
    ContactAttempt.objects.create(lead=lead, staff=blake, outcome="no_answer")
    assert not LogEntry.objects.filter(actor=blake).exists()  # made outside a request: no actor

    with pytest.raises(ProtectedError), transaction.atomic():
        blake.delete()

    note.refresh_from_db()
    assert note.author == blake and User.objects.filter(pk=blake.pk).exists()


def admin_page(client, staff):
    client.force_login(staff["admin"])
    return client


@pytest.mark.django_db
def test_it_explains_in_the_admin_why_an_account_with_a_history_cannot_be_deleted(client, staff):
    avery = staff["avery"]
    record(Lead.objects.create(**JORDAN), LogEntry.Action.ACCESS, actor=avery, label="Lead")
    admin = admin_page(client, staff)

    page = admin.post(f"/admin/auth/user/{avery.pk}/delete/", {"post": "yes"}, follow=True)

    assert page.redirect_chain[-1][0] == f"/admin/auth/user/{avery.pk}/change/"
    assert "appears in the audit log" in page.content.decode() and "deactivate" in page.content.decode()
    listing = admin.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [avery.pk, staff["casey"].pk], "post": "yes"},
        follow=True,
    )
    assert "Avery appears in the audit log" in listing.content.decode()  # the admin capitalises messages
    assert "Nothing was deleted" in listing.content.decode()
    assert User.objects.filter(pk__in=[avery.pk, staff["casey"].pk]).count() == 2

    # An account made by mistake, which never did anything, can still go.
    admin.post(f"/admin/auth/user/{staff['casey'].pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=staff["casey"].pk).exists()


@pytest.mark.django_db
def test_it_deactivates_an_account_from_the_admin_and_ends_its_sessions(client, staff):
    avery = staff["avery"]
    StaffProfile.objects.filter(user=avery).update(on_call=True)
    signed_in = sign_in(Client(), avery)
    assert signed_in.get("/staff/").status_code == 200
    admin = admin_page(client, staff)

    page = admin.post(
        f"/admin/auth/user/{avery.pk}/change/",
        {"CHANGE_FORM-action": "deactivate", "_selected_action": [avery.pk]},
        follow=True,
    )

    assert "Deactivated and signed out: avery." in page.content.decode()
    avery.refresh_from_db()
    profile = StaffProfile.objects.get(user=avery)
    assert not avery.is_active and (profile.on_duty, profile.on_call, profile.session_generation) == (False, False, 1)
    assert signed_in.get("/staff/").status_code == 302  # sent to sign in again, and refused
    entry = LogEntry.objects.get(content_type__model="user", object_id=avery.pk)
    assert entry.additional_data["deactivated"] is True
    assert entry.additional_data["actor"]["username"] == "root"


@pytest.mark.django_db
def test_an_admin_resets_a_lost_second_factor_and_the_next_sign_in_enrols_a_new_one(client, staff):
    avery = staff["avery"]
    authenticator_for(avery)
    RecoveryCodes.objects.create(user=avery, name="Recovery codes")
    signed_in = sign_in(Client(), avery)
    admin = admin_page(client, staff)

    page = admin.post(
        f"/admin/auth/user/{avery.pk}/change/",
        {"CHANGE_FORM-action": "reset_second_factors", "_selected_action": [avery.pk]},
        follow=True,
    )

    assert "Second factor removed and signed out: avery." in page.content.decode()
    assert not AuthenticatorApp.objects.filter(user=avery).exists()
    assert not RecoveryCodes.objects.filter(user=avery).exists()
    assert signed_in.get("/staff/").status_code == 302  # that session is over
    entry = LogEntry.objects.get(content_type__model="user", object_id=avery.pk)
    assert (entry.additional_data["removed"], entry.additional_data["actor"]["username"]) == (2, "root")
    fresh = Client()
    fresh.force_login(avery)  # the password step
    assert "Protect your account with a second step" in fresh.get("/staff/login/verify/").content.decode()


@pytest.mark.django_db
def test_an_active_staff_account_cannot_be_saved_without_an_email(client, staff):
    avery = staff["avery"]
    admin = admin_page(client, staff)
    form = {
        "username": "avery",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-0-id": avery.staff_profile.pk,
        "staff_profile-0-user": avery.pk,
    }

    page = admin.post(f"/admin/auth/user/{avery.pk}/change/", form)

    assert page.status_code == 200
    assert "An active account needs an email address" in page.content.decode()
    avery.refresh_from_db()
    assert avery.email


@pytest.mark.django_db
def test_a_leads_audit_page_lists_the_queue_views_that_showed_its_name_and_no_others(client, staff):
    shown = Lead.objects.create(**JORDAN)
    client.force_login(staff["avery"])
    client.get("/staff/")  # the queue shows Jordan's first name
    later = Lead.objects.create(name="Sam Ortiz", phone="+14155552672")
    client.force_login(staff["sam"])

    shown_page = client.get(f"/staff/leads/{shown.pk}/audit/").content.decode()
    later_page = client.get(f"/staff/leads/{later.pk}/audit/").content.decode()

    assert shown_page.count("Staff queue") == 1 and "avery" in shown_page
    assert "Staff queue" not in later_page  # it was not on the queue Avery saw
