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
    if schema_editor.connection.vendor != "postgresql":
        return
    # Built CONCURRENTLY: every audited page writes to this table, and a plain CREATE INDEX would
    # hold those writes for as long as a long log takes to index. A build cut off halfway leaves an
    # invalid index that IF NOT EXISTS would keep: such a leftover is dropped first.
    with schema_editor.connection.cursor() as cursor:
        for name, how in INDEXES.items():
            cursor.execute(
                "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid"
                " WHERE relname = %s AND NOT indisvalid",
                [name],
            )
            if cursor.fetchone():
                cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON auditlog_logentry {how}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for name in INDEXES:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("intake", "0014_queue_closed_index"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
