from django.core.management.base import BaseCommand

from intake.extensions import lead_parts
from intake.retention import anonymise_expired, preview


class Command(BaseCommand):
    help = (
        "Anonymise leads closed more than RETENTION_DAYS days ago: PHI of the lead, its requests, "
        "attempts and notes, and of what other apps keep about it (insurance verifications), is "
        "blanked and their files (card photos) are deleted. Prints counts only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised; change nothing.")
        parser.add_argument("--limit", type=int, default=None, help="Anonymise at most this many leads.")

    def handle(self, *args, dry_run: bool = False, limit: int | None = None, **options) -> None:
        result = preview() if dry_run else anonymise_expired(limit=limit)
        if not result.enabled:
            self.stdout.write("Retention is off (RETENTION_DAYS is 0); nothing anonymised.")
            return
        verb = "Would anonymise" if dry_run else "Anonymised"
        deleted = "to delete" if dry_run else "deleted"
        parts = ", ".join(
            f"{result.records[part.name]} {part.records_noun}, {result.files[part.name]} {part.files_noun} {deleted}"
            for part in lead_parts()
        )
        self.stdout.write(
            f"{verb} {result.leads} leads closed more than {result.days} days ago" + (f" ({parts})." if parts else ".")
        )
