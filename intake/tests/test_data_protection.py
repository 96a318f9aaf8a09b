"""Data at rest: key rotation, retention (anonymising old closed leads) and a read-only audit log."""

import csv
import datetime as dt
import io
import json
import types

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import path, reverse
from django.utils import timezone

from config import urls as site_urls
from intake.audit import AuditLogImmutable, _unprotect_audit_log, harden_auditlog_admin, protect_audit_log
from intake.models import ContactAttempt, Lead, LeadNote, LeadRequest, LeadStatus
from intake.retention import REMOVED, anonymise_expired
from intake.tasks import purge_expired
from intake.tests.helpers import JORDAN, closed_lead, raw, rotate_keys

MESSAGE = "My brother Ezekiel needs detox from alcohol"
ATTEMPT_NOTE = "Spoke to Ezekiel's sister, call back after 6"
NOTE_BODY = "Ezekiel drinks daily, history of seizures"
PHI = [*JORDAN.values(), "Jordan", "Ezekiel", "Whitlock"]


def add_history(lead: Lead, worker) -> None:
    LeadRequest.objects.create(lead=lead, message=MESSAGE, consent_version="v1", consent_at=lead.created_at)
    LeadRequest.objects.create(lead=lead, message="", consent_version="v1", consent_at=lead.created_at)
    ContactAttempt.objects.create(lead=lead, staff=worker, outcome="reached", note=ATTEMPT_NOTE)
    LeadNote.objects.create(lead=lead, author=worker, body=NOTE_BODY)
    Lead.objects.filter(pk=lead.pk).update(request_count=2, attempt_count=1)


# --- Key rotation (verification's columns and card photos: verification/tests/test_on_the_lead.py) -


@pytest.fixture
def keys(settings, tmp_path):
    """An old key everything was written under, and a new one to rotate to."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    keys = types.SimpleNamespace(old=Fernet.generate_key().decode(), new=Fernet.generate_key().decode())
    settings.FIELD_ENCRYPTION_KEYS = [keys.old]
    return keys


@pytest.mark.django_db
def test_it_re_encrypts_every_encrypted_column_under_the_new_key(keys, settings, staff):
    lead = closed_lead(status=LeadStatus.NEW, closed_days_ago=None)
    add_history(lead, staff["avery"])
    before = raw(Lead, "name", lead.pk)
    entries = LogEntry.objects.count()

    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    assert Lead.objects.get().name == JORDAN["name"]  # both keys read during the changeover
    output = rotate_keys()
    settings.FIELD_ENCRYPTION_KEYS = [keys.new]  # the old key is dropped

    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.email) == tuple(JORDAN.values())
    assert sorted(r.message for r in LeadRequest.objects.all()) == ["", MESSAGE]
    assert ContactAttempt.objects.get().note == ATTEMPT_NOTE
    assert LeadNote.objects.get().body == NOTE_BODY
    now_stored = raw(Lead, "name", lead.pk)
    assert now_stored != before
    Fernet(keys.new.encode()).decrypt(now_stored.encode())
    with pytest.raises(InvalidToken):
        Fernet(keys.old.encode()).decrypt(now_stored.encode())
    assert "intake.Lead.name: 1 rotated" in output
    assert "intake.LeadRequest.message: 1 rotated" in output  # the empty message has nothing to rotate
    assert not any(value in output for value in PHI)
    assert LogEntry.objects.count() == entries  # no save signal ran, so the audit log saw nothing


@pytest.mark.django_db
def test_it_does_nothing_the_second_time(keys, settings):
    lead = closed_lead(status=LeadStatus.NEW, closed_days_ago=None)
    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]
    rotate_keys()
    token = raw(Lead, "name", lead.pk)

    output = rotate_keys()

    assert raw(Lead, "name", lead.pk) == token
    assert "intake.Lead.name: 0 rotated, 1 already current" in output
    assert "Total: 0 rotated." in output


@pytest.mark.django_db
def test_it_only_counts_in_a_dry_run(keys, settings):
    lead = closed_lead(status=LeadStatus.NEW, closed_days_ago=None)
    token = raw(Lead, "name", lead.pk)
    settings.FIELD_ENCRYPTION_KEYS = [keys.new, keys.old]

    output = rotate_keys("--dry-run")

    assert raw(Lead, "name", lead.pk) == token
    assert "intake.Lead.name: 1 would rotate" in output
    settings.FIELD_ENCRYPTION_KEYS = [keys.new]
    with pytest.raises(InvalidToken):
        Lead.objects.get()


@pytest.mark.django_db
def test_it_fails_naming_ids_only_when_a_value_is_under_an_unknown_key(keys, settings):
    stranger = closed_lead(status=LeadStatus.NEW, closed_days_ago=None)
    settings.FIELD_ENCRYPTION_KEYS = [keys.new]
    known = closed_lead(status=LeadStatus.NEW, closed_days_ago=None, phone="+14155550100")

    with pytest.raises(CommandError) as failure:
        rotate_keys()

    assert f"intake.Lead.name ids {stranger.pk}" in str(failure.value)
    assert not any(value in str(failure.value) for value in PHI)
    assert Lead.objects.get(pk=known.pk).name == JORDAN["name"]


# --- Retention (a verification's rows and photos: verification/tests/test_on_the_lead.py) ---------


@pytest.fixture
def retention(settings, tmp_path):
    settings.RETENTION_DAYS = 30
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


@pytest.mark.django_db
def test_it_anonymises_an_old_closed_lead_and_its_history(retention, staff):
    lead = closed_lead(status=LeadStatus.REFERRED, closed_days_ago=31)
    add_history(lead, staff["avery"])

    result = anonymise_expired()

    assert result.leads == 1
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.email) == (REMOVED, REMOVED, "")
    assert not Lead.objects.for_phone(JORDAN["phone"]).exists()  # a new request won't join it
    assert sorted(r.message for r in lead.requests.all()) == ["", REMOVED]
    assert [a.note for a in lead.attempts.all()] == [REMOVED]
    assert [n.body for n in lead.notes.all()] == [REMOVED]
    # What the metrics need is kept.
    assert (lead.status, lead.utm_source) == (LeadStatus.REFERRED, "google")
    assert lead.landing_page == "/articles/alcohol-detox/"
    assert (lead.request_count, lead.attempt_count, lead.closed_at is not None) == (2, 1, True)
    assert [a.outcome for a in lead.attempts.all()] == ["reached"]


@pytest.mark.django_db
def test_it_anonymises_a_lead_merged_into_another_long_ago(retention):
    merged = closed_lead(status=LeadStatus.MERGED, closed_days_ago=60)

    assert anonymise_expired().lead_ids == [merged.pk]
    assert Lead.objects.get().name == REMOVED


@pytest.mark.django_db
def test_it_leaves_open_and_recently_closed_leads_alone(retention, staff):
    still_open = closed_lead(status=LeadStatus.CONTACTING, closed_days_ago=None)
    Lead.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - dt.timedelta(days=900))
    recent = closed_lead(status=LeadStatus.ADMITTED, closed_days_ago=29, phone="+14155550100")
    add_history(recent, staff["avery"])

    assert anonymise_expired().leads == 0

    for lead in Lead.objects.all():
        assert (lead.name, lead.email) == (JORDAN["name"], JORDAN["email"])
    assert Lead.objects.for_phone("+14155550100").get() == recent
    assert LeadNote.objects.get().body == NOTE_BODY


@pytest.mark.django_db
def test_it_leaves_one_audit_entry_per_lead_that_names_no_phi(retention, staff):
    lead = closed_lead(closed_days_ago=400)
    add_history(lead, staff["avery"])
    entries = LogEntry.objects.count()

    anonymise_expired()

    assert LogEntry.objects.count() == entries + 1  # the automatic diffs did not fire
    entry = LogEntry.objects.latest("pk")
    assert (entry.action, entry.actor, entry.object_repr) == (LogEntry.Action.UPDATE, None, f"Lead #{lead.pk}")
    assert (entry.content_type.model, entry.object_id) == ("lead", lead.pk)
    assert entry.additional_data["retention"] == "anonymised"
    assert entry.additional_data["days"] == 30
    assert entry.additional_data["notes"] == 1
    stored = json.dumps([entry.object_repr, entry.changes, entry.changes_text, entry.additional_data])
    assert not any(value in stored for value in PHI)


@pytest.mark.django_db
def test_it_does_nothing_more_when_run_again(retention, staff):
    lead = closed_lead(closed_days_ago=400)
    add_history(lead, staff["avery"])
    anonymise_expired()
    marker, entries = Lead.objects.get().phone_hash, LogEntry.objects.count()

    assert anonymise_expired().leads == 0
    assert (Lead.objects.get().phone_hash, LogEntry.objects.count()) == (marker, entries)


@pytest.mark.django_db
def test_it_keeps_everything_when_retention_days_is_zero(retention):
    retention.RETENTION_DAYS = 0
    closed_lead(closed_days_ago=4000)
    out = io.StringIO()

    call_command("purge_expired", stdout=out)

    assert anonymise_expired().leads == 0
    assert purge_expired() == 0
    assert Lead.objects.get().name == JORDAN["name"]
    assert "Retention is off" in out.getvalue()


@pytest.mark.django_db
def test_it_counts_without_changing_anything_in_a_dry_run(retention):
    closed_lead(closed_days_ago=400)
    closed_lead(closed_days_ago=400, phone="+14155550100")
    out = io.StringIO()

    call_command("purge_expired", "--dry-run", stdout=out)

    assert "Would anonymise 2 leads closed more than 30 days ago" in out.getvalue()
    assert [lead.name for lead in Lead.objects.all()] == [JORDAN["name"]] * 2


@pytest.mark.django_db
def test_it_anonymises_from_the_command_and_the_beat_task(retention):
    closed_lead(closed_days_ago=400)
    out = io.StringIO()

    call_command("purge_expired", stdout=out)
    closed_lead(closed_days_ago=400, phone="+14155550100")

    assert "Anonymised 1 leads closed more than 30 days ago" in out.getvalue()
    assert purge_expired() == 1
    assert [lead.name for lead in Lead.objects.all()] == [REMOVED, REMOVED]


# --- The audit log cannot be changed ------------------------------------------------------------------


@pytest.fixture
def audit_admin(settings):
    """An admin site with the hardened LogEntry admin, mounted at /admin/ for this test (beside the
    site's other pages, which its refusal page links to)."""
    site = AdminSite(name="admin")
    harden_auditlog_admin(site)
    urls = types.ModuleType("audit_admin_urls")
    others = [p for p in site_urls.urlpatterns if not str(p.pattern).startswith("admin/")]
    urls.urlpatterns = [path("admin/", site.urls), *others]
    settings.ROOT_URLCONF = urls
    return site


@pytest.fixture
def protected():
    newly = protect_audit_log()
    yield
    if newly:
        _unprotect_audit_log()


@pytest.fixture
def entry(db):
    lead = Lead.objects.create(**JORDAN)
    return LogEntry.objects.get(content_type__model="lead", object_id=lead.pk)


@pytest.mark.django_db
def test_it_shows_audit_entries_to_a_superuser_but_lets_them_change_nothing(audit_admin, client, staff, entry):
    client.force_login(staff["admin"])
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])

    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"action": "2"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    client.post(
        reverse("admin:auditlog_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert LogEntry.objects.get(pk=entry.pk).action == LogEntry.Action.CREATE


@pytest.mark.django_db
def test_it_refuses_deleting_audit_entries_even_as_a_cascade_from_another_admin_page(audit_admin, staff):
    # auditlog's own admin allows this when the request is on another model's delete page.
    request = RequestFactory().post("/admin/auth/user/1/delete/")
    request.user = staff["admin"]
    request.resolver_match = types.SimpleNamespace(url_name="auth_user_delete")

    assert audit_admin.get_model_admin(LogEntry).has_delete_permission(request) is False


@pytest.mark.django_db
def test_it_refuses_to_change_or_delete_an_audit_entry_through_the_orm(protected, entry):
    entry.object_repr = "nothing happened"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        entry.delete()
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogImmutable):
        LogEntry(pk=entry.pk, content_type=entry.content_type, object_pk="1", object_repr="x", action=1).save()

    assert LogEntry.objects.get(pk=entry.pk).object_repr == str(Lead.objects.get())


@pytest.mark.django_db
def test_it_still_records_new_entries_and_retention_while_the_log_is_protected(protected, retention):
    closed_lead(closed_days_ago=400)

    assert anonymise_expired().leads == 1
    assert LogEntry.objects.filter(additional_data__retention="anonymised").count() == 1


# --- Exporting the audit log ----------------------------------------------------------------------


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_it_exports_the_audit_log_with_changed_field_names_only_and_audits_the_export(staff, tmp_path):
    with set_actor(staff["avery"], remote_addr="10.1.2.3"):
        lead = Lead.objects.create(**JORDAN)
    old = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_pk="1",
        object_repr="Callback #1",
        action=LogEntry.Action.ACCESS,
        timestamp=timezone.make_aware(dt.datetime(2020, 1, 5, 12)),
    )
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    target = tmp_path / "audit.csv"

    call_command("export_audit_log", "--since", since, "--output", str(target), stderr=io.StringIO())

    text = target.read_text()
    rows = read_csv(text)
    leads = [row for row in rows if row["content_type"] == "intake.lead"]
    assert [row["object_id"] for row in leads] == [str(lead.pk)]  # the 2020 entry is before --since
    row = leads[0]
    assert (row["actor"], row["remote_addr"], row["action"]) == ("avery", "10.1.2.3", "create")
    assert (row["content_type"], row["object_repr"]) == ("intake.lead", f"Callback #{lead.pk}")
    assert {"name", "phone", "email", "phone_hash"} <= set(row["changed_fields"].split(";"))
    assert not any(value in text for value in PHI)
    assert "[redacted]" not in text  # names only, not even the masked values
    export = LogEntry.objects.get(action=LogEntry.Action.ACCESS, additional_data__export="audit_log")
    assert export.additional_data["rows"] == len(rows) and export.additional_data["since"] == since
    assert export.actor is None and old.pk != export.pk


@pytest.mark.django_db
def test_it_exports_a_period_to_standard_output_with_formulas_defused():
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_pk="7",
        object_repr='=HYPERLINK("http://evil.example","x")',
        action=LogEntry.Action.UPDATE,
        additional_data={"lead_id": 7},
        timestamp=timezone.make_aware(dt.datetime(2020, 1, 5, 23, 30)),
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Lead),
        object_pk="8",
        object_repr="Callback #8",
        action=LogEntry.Action.UPDATE,
        timestamp=timezone.make_aware(dt.datetime(2020, 1, 6, 0, 30)),
    )
    out = io.StringIO()

    call_command("export_audit_log", "--since", "2020-01-05", "--until", "2020-01-05", stdout=out)

    rows = read_csv(out.getvalue())
    assert [row["object_id"] for row in rows] == ["7"]  # the 6th (centre time) is after --until
    assert rows[0]["object_repr"].startswith("'=HYPERLINK")
    assert json.loads(rows[0]["additional_data"]) == {"lead_id": 7}
    assert LogEntry.objects.filter(additional_data__export="audit_log", additional_data__destination="stdout").exists()


@pytest.mark.django_db
def test_it_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("export_audit_log", "--since", "last tuesday")

    assert not LogEntry.objects.exists()
