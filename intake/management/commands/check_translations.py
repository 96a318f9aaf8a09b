from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.translations import gaps


class Command(BaseCommand):
    help = (
        "List visitor-facing English that would ship untranslated: template text outside the translation "
        "tags, form strings without gettext, and messages the catalogues do not translate. Run `make "
        "messages` first: the compiled catalogues are what is checked."
    )

    def add_arguments(self, parser):
        codes = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        parser.add_argument("--language", default=codes[0], choices=codes)

    def handle(self, *args, language: str, **options):
        found = gaps(language)
        for gap in found:
            self.stdout.write(str(gap))
        if found:
            raise CommandError(f"{len(found)} untranslated strings")
        self.stdout.write(f"Every public string has a translation ({language}).")
