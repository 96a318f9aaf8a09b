import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.models import AuthenticatorApp


class Command(BaseCommand):
    help = "Print the current second-step code of a demo user (DEBUG only), for trying Lantern locally."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code works only with DEBUG on: real staff use their own authenticator app.")
        device = AuthenticatorApp.objects.filter(user__username=username, name="Demo authenticator").first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator; run seed_demo first.")
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{device.current_code()}  (valid for {left} more seconds)")
