import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.eligibility import EligibilityError, read_271, summary_from_json


class Command(BaseCommand):
    help = (
        "Read a 271 eligibility response (X12, or a clearinghouse's JSON answer) and print its benefit "
        "summary as JSON. Exits 1 with a one-line reason when the input cannot be read."
    )
    # Reading a file needs neither the database nor the project's checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the 271 file to read, or - for standard input")

    def handle(self, *args, file: str, **options):
        text = self._read(file)
        try:
            if text.lstrip().startswith("{"):
                summary = summary_from_json(self._json(file, text), gateway="file")
            else:
                summary = read_271(text, gateway="file")
        except EligibilityError as exc:
            raise CommandError(f"{file}: {exc}") from None
        self.stdout.write(json.dumps(summary.to_dict(), indent=2))

    def _json(self, file: str, text: str) -> object:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{file}: not valid JSON (line {getattr(exc, 'lineno', '?')}).") from None

    def _read(self, file: str) -> str:
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror or exc}).") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # X12 is plain ASCII; an answer in an old single-byte encoding still reads.
            return data.decode("latin-1")
