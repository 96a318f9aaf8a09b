"""Indexes for a lead's audit page: the entries tied to the lead (additional_data -> 'lead_id'),
and the queue views that listed it among others (-> 'lead_ids'). With the index auditlog has on
the object, PostgreSQL answers the page's three-way OR from indexes instead of reading every
entry of a log that grows with each queue view.

A queue view is one audit entry naming the leads it showed (additional_data -> 'lead_ids'); the
lead's audit page finds them with JSON containment (intake.audit.entries_about_lead), which only
PostgreSQL has, and which a GIN index answers without reading every entry of a growing log.
SQLite (make run) matches those entries in Python and gets no index.
"""

from django.db import migrations

INDEXES = {
    "auditlog_entry_lead_id": "((additional_data -> 'lead_id'))",
    "auditlog_entry_lead_ids": "USING gin ((additional_data -> 'lead_ids') jsonb_path_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, how in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON auditlog_logentry {how}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0014_queue_closed_index"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
