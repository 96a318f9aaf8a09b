"""Indexes for the staff queue's views beyond the open backlog (lead_queue_by_target serves that).

- lead_closed_newest_first: the "closed" views, newest closed first (LeadQuerySet.newest_closed_first),
  read from the index instead of sorting every closed lead; also what their capped count walks.
- lead_last_requested: the live refresh's count of leads asked for since the worker's last look.

Written as SQL, not as Meta.indexes: the Lead model is another change's file for now; the indexes
move to Lead.Meta with the next change to it (with SeparateDatabaseAndState, so nothing is rebuilt).
"""

from django.db import migrations

OPEN = "('new', 'contacting', 'reached', 'assessment_scheduled')"


class Migration(migrations.Migration):
    dependencies = [("intake", "0013_lead_events_from_the_audit_log")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX lead_closed_newest_first ON intake_lead (closed_at DESC NULLS LAST, id DESC)"
            f" WHERE NOT (status IN {OPEN})",
            "DROP INDEX lead_closed_newest_first",
        ),
        migrations.RunSQL(
            "CREATE INDEX lead_last_requested ON intake_lead (last_requested_at)",
            "DROP INDEX lead_last_requested",
        ),
    ]
