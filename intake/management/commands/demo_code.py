import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-step code of a demo user (DEBUG only), for trying Lantern locally."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code works only with DEBUG on: real staff use their own authenticator app.")
        device = TOTPDevice.objects.filter(user__username=username, name="Demo authenticator").first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator; run seed_demo first.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}  (valid for {left} more seconds)")
