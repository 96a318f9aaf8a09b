"""Export the audit log as CSV for an auditor: who did what to which record, when, from where.

Changed fields are exported by name only, never with their values. The export itself is
recorded in the audit log (an ACCESS entry), since the file leaves the application.
"""

import csv
import datetime as dt
import getpass
import json
from pathlib import Path

from auditlog import get_logentry_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from intake.audit import actor_of, record

HEADER = [
    "timestamp",
    "actor",
    "actor_name",
    "actor_email",
    "remote_addr",
    "action",
    "content_type",
    "object_id",
    "object_repr",
    "changed_fields",
    "additional_data",
]


def _cell(value: str) -> str:
    """A leading =, +, - or @ would make a spreadsheet run the cell as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _day(value: str, option: str) -> dt.date:
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.")
    return day


def _start_of(day: dt.date) -> dt.datetime:
    # Days are the centre's days (TIME_ZONE), as staff and auditors read them.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class Command(BaseCommand):
    help = "Write the audit log as CSV (changed field names only, no values); the export is itself audited."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="First day to include, YYYY-MM-DD (centre's time zone).")
        parser.add_argument("--until", help="Last day to include, YYYY-MM-DD (inclusive).")
        parser.add_argument("--output", help="CSV file to write (default: standard output).")

    def handle(self, *args, since=None, until=None, output=None, **options) -> None:
        LogEntry = get_logentry_model()
        entries = LogEntry.objects.select_related("actor", "content_type").order_by("timestamp", "pk")
        period = {}
        if since:
            start = _day(since, "--since")
            entries = entries.filter(timestamp__gte=_start_of(start))
            period["since"] = start.isoformat()
        if until:
            end = _day(until, "--until")
            entries = entries.filter(timestamp__lt=_start_of(end + dt.timedelta(days=1)))
            period["until"] = end.isoformat()
        if "since" in period and "until" in period and period["since"] > period["until"]:
            raise CommandError("--since is after --until.")

        actions = dict(LogEntry.Action.choices)
        if output:
            try:
                stream = Path(output).open("w", newline="", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        else:
            stream = self.stdout
        rows = 0
        try:
            writer = csv.writer(stream)
            writer.writerow(HEADER)
            for entry in entries.iterator(chunk_size=2000):
                writer.writerow(self.row(entry, actions))
                rows += 1
        finally:
            if output:
                stream.close()

        record(
            LogEntry,
            LogEntry.Action.ACCESS,
            object_pk="audit-log-export",
            label="Audit log export",
            export="audit_log",
            **period,
            rows=rows,
            destination="file" if output else "stdout",
            os_user=_os_user(),
        )
        if output:
            self.stderr.write(f"Wrote {rows} audit log entries to {output}.")

    def row(self, entry, actions: dict) -> list:
        changes = entry.changes_dict or {}
        content_type = entry.content_type
        # The account, or the copy of it the entry kept: an entry never loses who made it.
        who = actor_of(entry) or {}
        return [
            entry.timestamp.astimezone(dt.UTC).isoformat(timespec="seconds"),
            _cell(who.get("username", "")),
            _cell(who.get("full_name", "")),
            _cell(who.get("email", "")),
            entry.remote_addr or "",
            str(actions.get(entry.action, entry.action)),
            f"{content_type.app_label}.{content_type.model}",
            _cell(entry.object_pk),
            _cell(entry.object_repr),
            _cell(";".join(sorted(changes))),
            _cell(json.dumps(entry.additional_data, sort_keys=True) if entry.additional_data is not None else ""),
        ]


def _os_user() -> str:
    """Who ran the export on the server: the command has no web user to name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
