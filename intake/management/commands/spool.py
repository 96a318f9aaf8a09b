from django.core.management.base import BaseCommand

from intake.spool import configured


class Command(BaseCommand):
    help = (
        "Say how many requests wait in the submission spool (kept while the database was down) and how "
        "many were set aside as impossible to store; --retry-set-aside queues those again, once the "
        "cause (a bug, a key removed from FIELD_ENCRYPTION_KEYS) is fixed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retry-set-aside", action="store_true", help="Queue the set-aside requests again.")

    def handle(self, *args, retry_set_aside: bool, **options):
        where = configured()
        if retry_set_aside:
            self.stdout.write(f"{where.retry_set_aside()} set-aside requests queued again")
        waiting, set_aside = where.counts()
        self.stdout.write(f"{waiting} requests waiting, {set_aside} set aside")
