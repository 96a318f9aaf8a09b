from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from intake.models import ADMISSIONS_GROUP, SUPERVISOR_GROUP, StaffProfile, ensure_staff_groups

DEMO_USERS = [
    # username, groups, superuser, on duty
    ("admin", [], True, False),
    ("admissions", [ADMISSIONS_GROUP], False, True),
    ("supervisor", [ADMISSIONS_GROUP, SUPERVISOR_GROUP], False, True),
]


class Command(BaseCommand):
    help = "Create demo staff (and, as the apps grow, demo content). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password; run it with DEBUG on, or --force.")
        groups = ensure_staff_groups()
        password = settings.DEMO_PASSWORD
        for username, group_names, superuser, on_duty in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@lantern.example"}
            )
            user.is_staff = superuser
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.set([groups[name] for name in group_names])
            StaffProfile.objects.update_or_create(user=user, defaults={"on_duty": on_duty})
            self.stdout.write(f"{'Created' if created else 'Updated'} demo user {username}")

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for each: {password})"))
        self.stdout.write(f"  admissions worker  {settings.SITE_URL}/staff/login/   user: admissions")
        self.stdout.write(f"  supervisor         {settings.SITE_URL}/staff/login/   user: supervisor")
        self.stdout.write(f"  admin              {settings.SITE_URL}/admin/         user: admin")
