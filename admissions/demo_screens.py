"""Demo phone screens and clinical decisions for `manage.py seed_demo`: one lead awaiting review
with a medical-urgency red flag, one accepted for residential at Maple House, one where the
clinician asked for more information. Made through the real workflow (screen completed, lead
advanced, decision recorded), so timelines and alerts look as they will. Idempotent: a lead with
a demo phone number is made once."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from intake.consent import CURRENT_CALLBACK_CONSENT
from intake.models import AttemptOutcome, ContactAttempt, Facility, Lead, LeadRequest, LeadStatus, LevelOfCare
from intake.signals import seed_demo_content

from .demo_facilities import demo_programme
from .models import ClinicalDecision, PhoneScreen

CALM = {f"dim{n}_rating": "1" for n in range(1, 7)}
BASE = {"asq_1": "no", "asq_2": "no", "asq_3": "no", "asq_4": "no", "overdose_recent": "no", "legal": "none"}

# Invented people; numbers in the 555-01xx range kept for fiction.
DEMO_SCREENS = [
    (
        "Lee Harmon",
        "+13125550181",
        {
            **BASE,
            **CALM,
            "substances": ["alcohol"],
            "routes": ["oral"],
            "last_use": "within_24h",
            "daily_use": True,
            "daily_amount": "About a fifth of vodka a day",
            "withdrawal_history": ["seizures"],
            "pregnancy": "not_applicable",
            "housing": "stable",
            "dim1_rating": "3",
        },
        None,
    ),
    (
        "Rowan Ellis",
        "+13125550182",
        {
            **BASE,
            **CALM,
            "substances": ["fentanyl"],
            "routes": ["smoked"],
            "last_use": "4_7_days",
            "pregnancy": "no",
            "housing": "unstable",
            "dim5_rating": "3",
            "dim6_rating": "3",
        },
        ClinicalDecision.Kind.ACCEPT,
    ),
    (
        "Parker Quinn",
        "+13125550183",
        {
            **BASE,
            **CALM,
            "substances": ["stimulants"],
            "routes": ["snorted"],
            "last_use": "1_3_days",
            "pregnancy": "unknown",
            "housing": "stable",
        },
        ClinicalDecision.Kind.MORE_INFO,
    ),
]


@receiver(seed_demo_content)
def seed_demo_screens(sender, **kwargs) -> str:
    worker = User.objects.filter(username="admissions").first()
    clinician = User.objects.filter(username="clinician").first()
    if worker is None or clinician is None:
        return ""
    made = 0
    for name, phone, answers, decision in DEMO_SCREENS:
        if Lead.objects.for_phone(phone).exists():
            continue
        with transaction.atomic():
            _demo_lead(name, phone, answers, decision, worker, clinician)
        made += 1
    return f"Created {made} demo phone screens" if made else ""


def _demo_lead(name, phone, answers, decision, worker: User, clinician: User) -> None:
    lead = _reached(name, phone, worker)
    PhoneScreen(lead=lead, created_by=worker).complete(answers, by=worker)
    if decision == ClinicalDecision.Kind.ACCEPT:
        ClinicalDecision.decide(
            lead,
            kind=decision,
            by=clinician,
            programme=demo_programme(LevelOfCare.RESIDENTIAL),
            note="Relapse risk and living situation call for residential care. Accepted.",
        )
    elif decision == ClinicalDecision.Kind.MORE_INFO:
        ClinicalDecision.decide(
            lead, kind=decision, by=clinician, note="Please ask about current medications and any heart problems."
        )


def _reached(name: str, phone: str, worker: User) -> Lead:
    """A callback asked for yesterday and answered an hour later, as the queue's demo leads are."""
    asked = timezone.now() - dt.timedelta(days=1)
    called = asked + dt.timedelta(hours=1)
    said = {"name": name, "for_whom": "self", "best_time": "asap", "ok_to_text": False, "ok_to_voicemail": True}
    lead = Lead.objects.create(
        phone=phone,
        created_at=asked,
        last_requested_at=asked,
        sla_due_at=called,
        facility_id=Facility.objects.default_id(),
        **said,
    )
    LeadRequest.objects.create(
        lead=lead,
        created_at=asked,
        consent_version=CURRENT_CALLBACK_CONSENT,
        consent_at=asked,
        consent_page="/callback/",
        **said,
    )
    ContactAttempt.objects.create(lead=lead, staff=worker, outcome=AttemptOutcome.REACHED, created_at=called)
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.REACHED,
        first_contacted_at=called,
        attempt_count=1,
        last_attempt_at=called,
        last_attempt_outcome=AttemptOutcome.REACHED,
        assigned_to=worker,
        assigned_at=called,
    )
    lead.refresh_from_db()
    return lead
