"""Leads worked before events were recorded: their claims, hand-overs and status changes, read back
from the audit log, so that their timelines say who moved them and when.

The audit log holds what is needed: a claim, an assignment or a release as an entry written by
hand (additional_data["event"]), a status change as a tracked change of the lead's "status",
each with its actor and time. The most common claim has no entry of its own: logging the first
call of an unassigned lead made the caller its owner in the same tracked save as the call's
figures (an owner from nobody to someone beside a new "last_attempt_at"). A hand-over to someone
whose username has since changed keeps `owner_unknown`, so that it is not read as unassigning. Closings found this way have no facts (nobody was asked for them):
they are marked `backfilled`, and the lead page says the details were not recorded. Merges are
left out (their LeadMerge rows are on the timeline already), and so are follow-ups (the log keeps
their times as text in the server's format of the day). Reading only UPDATE entries of leads, in
pk order and in batches, keeps the access entries (the bulk of the log) out of it.
"""

import json

from django.db import migrations

CLOSED = {"admitted", "referred", "not_a_fit", "unreachable"}
UPDATE = 1  # auditlog's LogEntry.Action.UPDATE
BATCH = 2000
NOBODY = (None, "None", "")  # how a tracked change writes an empty foreign key


def _changes(entry) -> dict:
    if isinstance(entry.changes, dict):
        return entry.changes
    try:
        return json.loads(entry.changes or entry.changes_text or "{}")
    except ValueError:
        return {}


def events_from(entry, user_ids: dict) -> list[dict]:
    """The events one audit entry about a lead stands for (none for most)."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    kind = {"claim": "claimed", "assign": "assigned", "release": "released"}.get(data.get("event"))
    if kind:
        details = {"backfilled": True}
        if kind != "claimed":
            owner, previous = data.get("owner"), data.get("previous_owner")
            details |= {"owner": user_ids.get(owner), "previous_owner": user_ids.get(previous)}
            if owner and owner not in user_ids:
                details["owner_unknown"] = True
        return [{"kind": kind, "details": details}]
    changes = _changes(entry)
    events = []
    if _claimed_by_a_call(changes):
        events.append({"kind": "claimed", "details": {"by_call": True, "backfilled": True}})
    status = changes.get("status")
    if not isinstance(status, list) or len(status) != 2 or "merged" in status:
        return events
    before, after = status
    if after in CLOSED:
        events.append({"kind": "closed", "details": {"from": before, "to": after, "backfilled": True}})
    elif before in CLOSED:
        events.append({"kind": "reopened", "details": {"from": before, "backfilled": True}})
    else:
        events.append({"kind": "status", "details": {"from": before, "to": after, "backfilled": True}})
    return events


def _claimed_by_a_call(changes: dict) -> bool:
    """An owner from nobody to someone, saved with a call's figures: the first call's claim. (A
    supervisor's hand-over saved only the owner, and wrote its own entry.)"""
    owner = changes.get("assigned_to")
    if not isinstance(owner, list) or len(owner) != 2 or "last_attempt_at" not in changes:
        return False
    before, after = owner
    return before in NOBODY and after not in NOBODY


def backfill(apps, schema_editor) -> None:
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LeadEvent = apps.get_model("intake", "LeadEvent")
    Lead = apps.get_model("intake", "Lead")
    User = apps.get_model("auth", "User")
    lead_type = ContentType.objects.filter(app_label="intake", model="lead").first()
    if lead_type is None:
        return
    user_ids = dict(User.objects.values_list("username", "pk"))
    with_events = set(LeadEvent.objects.values_list("lead_id", flat=True).distinct())
    existing = set(Lead.objects.values_list("pk", flat=True))
    entries = (
        LogEntry.objects.filter(content_type=lead_type, action=UPDATE, object_id__isnull=False)
        .only("object_id", "actor_id", "timestamp", "changes", "changes_text", "additional_data")
        .order_by("pk")
    )
    batch = []
    for entry in entries.iterator(chunk_size=BATCH):
        if entry.object_id in with_events or entry.object_id not in existing:
            continue
        for event in events_from(entry, user_ids):
            batch.append(LeadEvent(lead_id=entry.object_id, actor_id=entry.actor_id, at=entry.timestamp, **event))
        if len(batch) >= BATCH:
            LeadEvent.objects.bulk_create(batch)
            batch = []
    LeadEvent.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0012_lead_events_and_outcomes"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
