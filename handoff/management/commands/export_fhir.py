"""`manage.py export_fhir L-000123 --output FILE`: an admitted person's record as a FHIR R4
transaction Bundle, written to FILE, and listed in their accounting of disclosures. Exits 1 with a
one-line reason when the lead may not be exported (handoff.models.export_refusal) or the file
cannot be written; nothing is written or listed then."""

import re
from pathlib import Path

from auditlog.models import LogEntry
from django.core.management.base import BaseCommand, CommandError

from intake.audit import record
from intake.models import Lead

from ...bundle import InvalidBundle
from ...models import RecordExport
from ...sending import ExportRefused, write_out

REFERENCE = re.compile(r"(?:L-)?0*(\d+)", re.IGNORECASE)


class Command(BaseCommand):
    help = "Write an admitted lead's record as a FHIR R4 transaction Bundle (JSON) to a file."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The lead's reference, e.g. L-000123.")
        parser.add_argument("--output", required=True, help="The file to write the bundle to.")

    def handle(self, *args, reference: str, output: str, **options) -> None:
        found = REFERENCE.fullmatch(reference.strip())
        lead = Lead.objects.filter(pk=int(found.group(1))).first() if found else None
        if lead is None:
            raise CommandError(f"No lead {reference}: give a lead's reference, such as L-000123.")
        path = Path(output)

        def deliver(body: bytes) -> None:
            try:
                path.write_bytes(body)
            except OSError as exc:
                why = (exc.strerror or type(exc).__name__).lower()
                raise CommandError(f"Could not write {output}: {why}.") from None

        channel = "FHIR export (manage.py export_fhir)"
        try:
            export, _ = write_out(lead, how=RecordExport.How.COMMAND, by=None, channel=channel, deliver=deliver)
        except (ExportRefused, InvalidBundle) as refused:
            raise CommandError(str(refused)) from None
        label = f"{lead.reference} record written as FHIR by manage.py export_fhir ({export.reference})"
        record(lead, LogEntry.Action.ACCESS, label=label, lead_id=lead.pk, view="export_fhir", export=export.pk)
        self.stdout.write(
            f"Wrote {lead.reference}'s record ({export.entries} entries) to {output}; "
            f"listed in its accounting of disclosures as {export.reference}."
        )
