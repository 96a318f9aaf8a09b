"""Demo beds for `manage.py seed_demo`: holds and occupants on the demo programmes, a full detox
programme with two people waiting, one admission today and two this week. Idempotent: nothing is
added once any admission exists. Invented people only."""

import datetime as dt

from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils import timezone

from intake.consent import CURRENT_CALLBACK_CONSENT
from intake.models import AttemptOutcome, Facility, Lead, LeadRequest, LeadStatus, LevelOfCare
from intake.signals import seed_demo_content

from .demo_facilities import demo_programme
from .models import Admission, WaitlistEntry

PEOPLE = ["Riley Demo", "Morgan Sample", "Jamie Example", "Taylor Invented", "Quinn Placeholder", "Sky Fictional"]


def _lead(n: int, status: str, worker: User | None, facility: Facility) -> Lead:
    """A request that was called back, reached and accepted days ago (so it is not at the top of
    the queue as a new one), with the request it came from."""
    asked = timezone.now() - dt.timedelta(days=6, hours=n)
    said = {"name": PEOPLE[n % len(PEOPLE)], "for_whom": "self", "best_time": "asap", "ok_to_text": n % 2 == 0}
    lead = Lead.objects.create(
        phone=f"+1312555{900 + n:04d}",
        status=status,
        facility=facility,
        created_at=asked,
        last_requested_at=asked,
        sla_due_at=asked + dt.timedelta(minutes=15),
        first_contacted_at=asked + dt.timedelta(minutes=9),
        attempt_count=1,
        last_attempt_at=asked + dt.timedelta(minutes=9),
        last_attempt_outcome=AttemptOutcome.REACHED,
        assigned_to=worker,
        assigned_at=asked + dt.timedelta(minutes=9) if worker else None,
        closed_at=asked + dt.timedelta(days=2) if status == LeadStatus.ADMITTED else None,
        admitted_on=timezone.localtime(asked + dt.timedelta(days=2)).date() if status == LeadStatus.ADMITTED else None,
        **said,
    )
    LeadRequest.objects.create(
        lead=lead, created_at=asked, consent_version=CURRENT_CALLBACK_CONSENT, consent_at=asked, **said
    )
    return lead


@receiver(seed_demo_content, dispatch_uid="admissions.demo_beds")
def seed_demo_beds(sender, **kwargs) -> str | None:
    if Admission.objects.exists():
        return None
    worker = User.objects.filter(username="admissions").first()
    detox, residential = demo_programme(LevelOfCare.DETOX), demo_programme(LevelOfCare.RESIDENTIAL)
    facility = detox.facility
    now = timezone.now()
    today_at_ten = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    if today_at_ten < now:
        today_at_ten = now + dt.timedelta(hours=1)
    n = 0
    # Detox full: every bed but one occupied, the last held for today; two people waiting.
    detox_occupants = [
        (now - dt.timedelta(days=1 + i), detox, Admission.State.OCCUPIED) for i in range(detox.capacity - 1)
    ]
    for when, programme, state in (
        detox_occupants
        + [
            (today_at_ten, detox, Admission.State.HELD),
            (now + dt.timedelta(days=2), residential, Admission.State.HELD),
            (now + dt.timedelta(days=4), residential, Admission.State.HELD),
        ]
        + [(now - dt.timedelta(days=10 + i), residential, Admission.State.OCCUPIED) for i in range(19)]
    ):
        status = LeadStatus.ADMITTED if state == Admission.State.OCCUPIED else LeadStatus.ADMISSION_SCHEDULED
        lead = _lead(n, status, worker, programme.facility)
        n += 1
        Admission.objects.create(
            lead=lead,
            programme=programme,
            state=state,
            admit_at=when,
            hold_expires_at=when + dt.timedelta(hours=24),
            arrived_at=when if state == Admission.State.OCCUPIED else None,
        )
    for i in range(2):
        lead = _lead(n, LeadStatus.WAITLISTED, worker, detox.facility)
        n += 1
        WaitlistEntry.objects.create(
            lead=lead,
            programme=detox,
            joined_at=now - dt.timedelta(days=3 - i),
            next_check_in_at=now + dt.timedelta(days=1),
        )
    return f"Created demo beds: {n} admissions and waitlist places at {facility}"
