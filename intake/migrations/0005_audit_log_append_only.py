"""The audit log is append-only in the database itself.

The application already refuses to change or delete an entry through the ORM and the admin; a
trigger makes the database refuse it too, so raw SQL, `QuerySet.update()`, a cascade from a
deleted account or content type, and anything that gets the application's credentials can add
entries but never rewrite or remove one. TRUNCATE fires no row trigger: the test suite empties
its own database that way, and a real deployment should also revoke TRUNCATE from the
application's role. Upgrading django-auditlog to a release whose migrations rewrite rows needs
this migration reversed around that upgrade, on purpose and in the open.
"""

from django.db import migrations

TABLE = "auditlog_logentry"
TRIGGER = "lantern_audit_log_append_only"
MESSAGE = "The audit log is append-only: entries cannot be changed or deleted."

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
    """,
]
POSTGRESQL_REVERSE = [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]

# SQLite (`make run`) has no trigger functions: one trigger per statement kind.
SQLITE = [
    f"CREATE TRIGGER {TRIGGER}_{verb.lower()} BEFORE {verb} ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TRIGGER}_{verb}" for verb in ("update", "delete")]

BY_VENDOR = {"postgresql": (POSTGRESQL, POSTGRESQL_REVERSE), "sqlite": (SQLITE, SQLITE_REVERSE)}


class RunSQLForVendor(migrations.RunSQL):
    """RunSQL with one script per database vendor; a vendor with none gets no trigger."""

    def __init__(self, by_vendor: dict[str, tuple[list[str], list[str]]]):
        self.by_vendor = by_vendor
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        forwards, _ = self.by_vendor.get(schema_editor.connection.vendor, ([], []))
        self.sql = forwards or migrations.RunSQL.noop
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _, backwards = self.by_vendor.get(schema_editor.connection.vendor, ([], []))
        self.reverse_sql = backwards or migrations.RunSQL.noop
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_requests_keep_what_people_said"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [RunSQLForVendor(BY_VENDOR)]
