import datetime as dt
import random

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from intake.consent import current_consent
from intake.models import (
    ADMISSIONS_GROUP,
    CLINICIAN_GROUP,
    SUPERVISOR_GROUP,
    AttemptOutcome,
    AuthenticatorApp,
    ContactAttempt,
    Lead,
    LeadRequest,
    LeadStatus,
    LevelOfCare,
    StaffProfile,
    ensure_staff_groups,
)
from intake.models.choices import NotAFitReason
from intake.models.events import EventKind, LeadEvent
from intake.models.outcomes import OutcomeFacts
from intake.models.second_factor import base32_key
from intake.signals import seed_demo_content
from intake.timing import first_call_target

# Invented places a demo lead was referred to.
DEMO_REFERRALS = ["Northside Community Clinic (outpatient)", "Harbor Women's Recovery Home", "County crisis unit"]

# Invented people for the demo queue; the numbers are in the 555-01xx range kept for fiction.
DEMO_NAMES = [
    "Alex Rivera",
    "Sam Okafor",
    "Jamie Chen",
    "Taylor Brooks",
    "Morgan Diaz",
    "Casey Novak",
    "Riley Patel",
    "Jordan Kim",
    "Avery Lopez",
    "Quinn Foster",
    "Drew Martin",
    "Skyler Reed",
]
DEMO_SOURCES = [
    ("google", "cpc", "/articles/alcohol-withdrawal/"),
    ("", "", "/"),
    ("newsletter", "email", "/"),
    ("", "", "/articles/what-is-detox/"),
    ("facebook", "social", "/callback/"),
]

DEMO_USERS = [
    # username, full name (invented), groups, superuser, on duty
    ("admin", ("Robin", "Hale"), [], True, False),
    ("admissions", ("Avery", "Lee"), [ADMISSIONS_GROUP], False, True),
    ("supervisor", ("Dana", "Whitfield"), [ADMISSIONS_GROUP, SUPERVISOR_GROUP], False, True),
    ("clinician", ("Morgan", "Reyes"), [CLINICIAN_GROUP], False, False),
]


def demo_totp_secret(user: User) -> str:
    """The base32 key of the demo user's authenticator (created once, kept across runs)."""
    device, _ = AuthenticatorApp.objects.get_or_create(user=user, name="Demo authenticator")
    return base32_key(device.key)


class Command(BaseCommand):
    help = "Create demo staff (and, as the apps grow, demo content). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password; run it with DEBUG on, or --force.")
        groups = ensure_staff_groups()
        password = settings.DEMO_PASSWORD
        for username, (first_name, last_name), group_names, superuser, on_duty in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@lantern.example"}
            )
            user.first_name, user.last_name = first_name, last_name
            user.is_staff = superuser
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.set([groups[name] for name in group_names])
            # The supervisor is on call, so an urgent request at night in the demo reaches someone.
            on_call = username == "supervisor"
            # The admissions worker speaks Spanish: the demo's Spanish requests reach her first.
            languages = ["es"] if username == "admissions" else []
            StaffProfile.objects.update_or_create(
                user=user, defaults={"on_duty": on_duty, "on_call": on_call, "languages": languages}
            )
            self.stdout.write(f"{'Created' if created else 'Updated'} demo user {username}")

        if not Lead.objects.exists():
            count = self._demo_leads(User.objects.get(username="admissions"))
            self.stdout.write(f"Created {count} demo leads over the last two weeks")

        # Other apps add their own demo content (intake depends on none of them),
        # after intake's own leads: an app's demo leads must not stop the queue's fortnight of history.
        for _, message in seed_demo_content.send(sender=self.__class__):
            if message:
                self.stdout.write(message)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for each: {password})"))
        self.stdout.write("Each asks for a second step: add the TOTP key to an authenticator app, or get the")
        self.stdout.write("current code with `DEBUG=1 .venv/bin/python manage.py demo_code USER`.")
        logins = [
            ("admissions", "admissions worker", "/staff/login/"),
            ("supervisor", "supervisor       ", "/staff/login/"),
            ("clinician", "clinician        ", "/staff/login/"),
            ("admin", "admin            ", "/admin/"),
        ]
        # Made by the articles app's demo content (intake knows only the name).
        if User.objects.filter(username="reviewer").exists():
            logins.append(("reviewer", "medical reviewer ", "/admin/"))
        for username, where, path in logins:
            secret = demo_totp_secret(User.objects.get(username=username))
            self.stdout.write(f"  {where}  {settings.SITE_URL}{path:<14} user: {username:<10} TOTP key: {secret}")

    @transaction.atomic
    def _demo_leads(self, worker: User) -> int:
        """A fortnight of invented history, so the queue and the metrics have something to show."""
        rng = random.Random(42)
        now = timezone.now()
        created = 0
        for n in range(36):
            when = now - dt.timedelta(days=rng.uniform(0, 14), minutes=rng.randint(0, 600))
            source, medium, landing = rng.choice(DEMO_SOURCES)
            said = {
                "name": rng.choice(DEMO_NAMES),
                "for_whom": rng.choice(["self", "loved_one"]),
                "best_time": rng.choice(["asap", "asap", "morning", "evening"]),
                "ok_to_text": rng.random() < 0.5,
                "ok_to_voicemail": rng.random() < 0.6,
                "urgent": rng.random() < 0.08,
                # One request in six came from the Spanish pages.
                "language": "es" if n % 6 == 1 else "en",
            }
            lead = Lead.objects.create(
                phone=f"+1312555{100 + n:04d}",
                created_at=when,
                last_requested_at=when,
                sla_due_at=first_call_target(when, best_time=said["best_time"], urgent=said["urgent"]),
                **said,
                utm_source=source,
                utm_medium=medium,
                landing_page=landing,
            )
            LeadRequest.objects.create(
                lead=lead,
                created_at=when,
                **said,
                consent_version=current_consent("callback", said["language"]),
                consent_at=when,
                consent_page="/es/callback/" if said["language"] == "es" else "/callback/",
            )
            created += 1
            if when > now - dt.timedelta(hours=6):
                continue  # recent ones wait in the queue
            first = when + dt.timedelta(minutes=rng.choice([2, 4, 7, 9, 12, 18, 25, 45, 90]))
            outcomes = [AttemptOutcome.NO_ANSWER] * rng.randint(0, 2) + [AttemptOutcome.REACHED]
            for i, outcome in enumerate(outcomes):
                ContactAttempt.objects.create(
                    lead=lead, staff=worker, outcome=outcome, created_at=first + dt.timedelta(hours=3 * i)
                )
            status = rng.choice(
                [
                    LeadStatus.REACHED,
                    LeadStatus.ASSESSMENT_SCHEDULED,
                    LeadStatus.ADMITTED,
                    LeadStatus.ADMITTED,
                    LeadStatus.REFERRED,
                    LeadStatus.NOT_A_FIT,
                ]
            )
            reached_at = first + dt.timedelta(hours=3 * (len(outcomes) - 1))
            closed_at = reached_at + dt.timedelta(days=1)
            closing = status in (LeadStatus.ADMITTED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT)
            Lead.objects.filter(pk=lead.pk).update(
                status=status,
                first_contacted_at=first,
                attempt_count=len(outcomes),
                last_attempt_at=reached_at,
                last_attempt_outcome=AttemptOutcome.REACHED,
                assigned_to=worker,
                assigned_at=first,
                closed_at=closed_at if closing else None,
                admitted_on=timezone.localtime(closed_at).date() if status == LeadStatus.ADMITTED else None,
            )
            lead.refresh_from_db()
            self._demo_history(lead, worker, rng, reached_at=reached_at, closed_at=closed_at)
        return created

    def _demo_history(self, lead: Lead, worker: User, rng: random.Random, *, reached_at, closed_at) -> None:
        """The steps a worker would have recorded on a demo lead, so its timeline reads like a real one."""
        LeadEvent.objects.record(lead, EventKind.CLAIMED, by=worker, at=lead.assigned_at, by_call=True)
        if lead.status == LeadStatus.REACHED:
            return
        scheduled_at = reached_at + dt.timedelta(minutes=20)
        LeadEvent.objects.record(
            lead, EventKind.STATUS, by=worker, at=scheduled_at, **{"from": "reached", "to": "assessment_scheduled"}
        )
        facts = {
            LeadStatus.ADMITTED: OutcomeFacts(
                LeadStatus.ADMITTED,
                admitted_on=lead.admitted_on,
                level_of_care=rng.choice([LevelOfCare.DETOX, LevelOfCare.RESIDENTIAL, LevelOfCare.IOP]),
            ),
            LeadStatus.REFERRED: OutcomeFacts(
                LeadStatus.REFERRED, referred_to=rng.choice(DEMO_REFERRALS), note="Warm hand-off made."
            ),
            LeadStatus.NOT_A_FIT: OutcomeFacts(
                LeadStatus.NOT_A_FIT, reason=rng.choice([NotAFitReason.LOWER_LEVEL, NotAFitReason.AGE])
            ),
        }.get(lead.status)
        if facts:
            lead.status = LeadStatus.ASSESSMENT_SCHEDULED  # what the closing event records it closed from
            facts.as_event(lead, by=worker, at=closed_at).save()
