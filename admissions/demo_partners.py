"""Demo partners and referrals for `manage.py seed_demo`: five invented organisations (555 numbers)
across levels of care and payers, one person referred out whom the partner has accepted, and one
whose referral was sent and is due a follow-up. Idempotent: a second run adds nothing."""

import datetime as dt

from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils import timezone

from intake.crypto import keyed_hash
from intake.models import Facility, Lead, LeadStatus
from intake.signals import seed_demo_content
from verification.payers import Payer

from .models import Partner, Referral, ReferralConsent, ReferralState, Share

DEMO_PARTNERS = [
    {
        "name": "Example Valley Recovery Center (demo)",
        "services": ["detox", "residential"],
        "payers": ["Aetna", "Cigna", "UnitedHealthcare / Optum"],
        "accepts_self_pay": True,
        "phone": "(312) 555-0141",
        "address": "1 Example Valley Road, Springfield, IL 62701",
        "intake_hours": "Every day, 24 hours",
    },
    {
        "name": "Sample Street Outpatient Clinic (demo)",
        "services": ["iop", "outpatient", "moud"],
        "payers": ["Aetna", "Blue Cross Blue Shield / Anthem", "Medicaid (state plan)"],
        "accepts_medicaid": True,
        "phone": "(312) 555-0142",
        "address": "22 Sample Street, Springfield, IL 62702",
        "intake_hours": "Mon-Fri 8am-6pm; walk-ins until 2pm",
    },
    {
        "name": "Placeholder Youth Services (demo)",
        "services": ["outpatient", "iop"],
        "payers": ["Medicaid (state plan)", "Molina Healthcare"],
        "accepts_medicaid": True,
        "min_age": 12,
        "max_age": 17,
        "phone": "(312) 555-0143",
        "address": "3 Placeholder Avenue, Springfield, IL 62703",
        "intake_hours": "Mon-Thu 9am-5pm",
    },
    {
        "name": "Fictional Pines Behavioral Hospital (demo)",
        "services": ["mh_inpatient", "detox"],
        "payers": ["Humana", "Cigna", "TRICARE"],
        "phone": "(312) 555-0144",
        "address": "44 Fictional Pines Drive, Springfield, IL 62704",
        "intake_hours": "Every day, 24 hours (call ahead)",
    },
    {
        "name": "Imaginary House Sober Living (demo)",
        "services": ["sober_living"],
        "accepts_self_pay": True,
        "phone": "(312) 555-0145",
        "address": "5 Imaginary Lane, Springfield, IL 62705",
        "intake_hours": "Interviews Tue and Sat, 10am-noon",
    },
]

# Invented people, on 555 numbers, referred out in the demo.
DEMO_REFERRED = [
    ("Robin Demo-Referral", "+13125550191", "Example Valley Recovery Center (demo)", "residential", True),
    ("Quinn Demo-Referral", "+13125550192", "Sample Street Outpatient Clinic (demo)", "iop", False),
]


@receiver(seed_demo_content)
def seed_demo_partners(sender, **kwargs) -> str | None:
    made = 0
    for facts in DEMO_PARTNERS:
        facts = dict(facts)
        payers = facts.pop("payers", [])
        partner, created = Partner.objects.get_or_create(name=facts.pop("name"), defaults=facts)
        if created:
            partner.payers.set(Payer.objects.filter(name__in=payers))
            made += 1
    worker = User.objects.filter(username="admissions").first()
    referred = 0
    if worker is not None:
        referred = sum(_demo_referral(worker, *row) for row in DEMO_REFERRED)
    if made or referred:
        return f"Created {made} demo partners and {referred} demo referrals out"
    return None


def _demo_referral(worker: User, name: str, phone: str, partner_name: str, level: str, accepted: bool) -> bool:
    partner = Partner.objects.get(name=partner_name)
    if Referral.objects.filter(partner=partner, lead__phone_hash=keyed_hash(phone)).exists():
        return False
    now = timezone.now()
    lead = Lead.objects.create(
        name=name, phone=phone, status=LeadStatus.REACHED, sla_due_at=now, facility_id=Facility.objects.default_id()
    )
    shares = []
    if accepted:
        ReferralConsent.objects.create(
            lead=lead,
            partner=partner,
            method=ReferralConsent.Method.SIGNED_FORM,
            patient_name=name,
            signed_by=name,
            signed_on=timezone.localdate(),
            kinds=[Share.NAME_PHONE, Share.SCREEN],
            expires_on=timezone.localdate() + dt.timedelta(days=90),
            states_revocation=True,
            kept_at="Demo binder",
            recorded_by=worker,
        )
        shares = [Share.NAME_PHONE]
    referral = Referral.objects.send(
        lead, partner=partner, level_of_care=level, note="Demo referral.", shares=shares, by=worker
    )
    if accepted:
        referral.move(ReferralState.ACCEPTED, by=worker, happened_at=timezone.now(), note="Intake booked (demo).")
    else:
        # Sent three days ago and not heard of since: its follow-up is due now.
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=now - dt.timedelta(days=3), follow_up_due_at=now - dt.timedelta(days=1)
        )
    return True
