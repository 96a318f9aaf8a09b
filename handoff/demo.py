"""Demo content for `manage.py seed_demo`: an admitted person whose record may go to the clinical
record at once. Their insurance request was answered by the sandbox payer, their phone screen is
complete, and their signed consent names FHIR_EXPORT_RECIPIENT; a supervisor can download the
bundle from the lead page. Idempotent: made once, by its demo phone number. An invented person."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from admissions.models import PhoneScreen
from intake.consent import CURRENT_VERIFICATION_CONSENT
from intake.models import AttemptOutcome, Facility, Lead, LeadKind, LeadRequest, LeadStatus, Part2Consent
from intake.signals import seed_demo_content
from verification import disclosures
from verification.models import EligibilityCheck, VerificationRequest
from verification.payers import Payer

from .models import HandoffConsent, Share

PHONE = "+13125550177"
NAME = ("Avery", "Demoson")
SCREEN = {
    "substances": ["alcohol"],
    "routes": ["oral"],
    "last_use": "1_3_days",
    "daily_use": True,
    "daily_amount": "About a bottle of wine a day",
    "pregnancy": "not_applicable",
    "asq_1": "no",
    "asq_2": "no",
    "asq_3": "no",
    "asq_4": "no",
    "overdose_recent": "no",
    "housing": "stable",
    "legal": "none",
    **{f"dim{n}_rating": "1" for n in range(1, 7)},
    "dim1_rating": "3",
}


@receiver(seed_demo_content, dispatch_uid="handoff.demo")
def seed_demo_handoff(sender, **kwargs) -> str | None:
    worker = User.objects.filter(username="admissions").first()
    if worker is None or Lead.objects.for_phone(PHONE).exists():
        return None
    with transaction.atomic():
        lead = _admitted_lead(worker)
    return f"Created a demo admitted lead, {lead.reference}, whose record may go to the clinical record"


def _admitted_lead(worker: User) -> Lead:
    asked = timezone.now() - dt.timedelta(days=4)
    admitted = timezone.now() - dt.timedelta(hours=3)
    said = {"name": " ".join(NAME), "email": "avery.demoson@example.com", "for_whom": "self", "ok_to_voicemail": True}
    lead = Lead.objects.create(
        kind=LeadKind.VERIFICATION,
        phone=PHONE,
        status=LeadStatus.ADMITTED,
        facility_id=Facility.objects.default_id(),
        created_at=asked,
        last_requested_at=asked,
        sla_due_at=asked + dt.timedelta(minutes=15),
        first_contacted_at=asked + dt.timedelta(minutes=6),
        attempt_count=1,
        last_attempt_at=asked + dt.timedelta(minutes=6),
        last_attempt_outcome=AttemptOutcome.REACHED,
        assigned_to=worker,
        assigned_at=asked + dt.timedelta(minutes=6),
        closed_at=admitted,
        admitted_on=timezone.localdate(admitted),
        **said,
    )
    request = LeadRequest.objects.create(
        lead=lead,
        kind=LeadKind.VERIFICATION,
        created_at=asked,
        consent_version=CURRENT_VERIFICATION_CONSENT,
        consent_at=asked,
        consent_page="/verify/",
        **said,
    )
    payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    verification = VerificationRequest.objects.create(
        lead=lead,
        lead_request=request,
        first_name=NAME[0],
        last_name=NAME[1],
        date_of_birth=dt.date(1988, 6, 2),
        payer=payer,
        member_id="LNT100001",  # the sandbox's member with full behavioural-health benefits
        group_number="GRP-4410",
        created_at=asked,
    )
    Part2Consent.objects.record(
        request,
        version=CURRENT_VERIFICATION_CONSENT,
        patient=" ".join(NAME),
        recipients=disclosures.recipients(payer.name, electronic=payer.electronic, gateway="sandbox"),
    )
    # Asked of the sandbox payer whatever gateway is configured: demo data never reaches a real one.
    check = EligibilityCheck.objects.create(
        verification=verification, gateway="sandbox", status=EligibilityCheck.Status.SENDING, attempts=1
    )
    check.perform(None)
    PhoneScreen.objects.create(
        lead=lead,
        status=PhoneScreen.Status.COMPLETE,
        answers=SCREEN,
        created_by=worker,
        completed_by=worker,
        completed_at=asked + dt.timedelta(minutes=30),
    )
    HandoffConsent.objects.create(
        lead=lead,
        recipient=settings.FHIR_EXPORT_RECIPIENT,
        method=HandoffConsent.Method.SIGNED_FORM,
        patient_name=" ".join(NAME),
        signed_by=" ".join(NAME),
        signed_on=timezone.localdate(admitted),
        kinds=list(Share.values),
        expires_on=timezone.localdate(admitted) + dt.timedelta(days=365),
        states_revocation=True,
        states_hipaa_redisclosure=True,
        kept_at="Admissions office, consent binder",
        recorded_by=worker,
    )
    return lead
