"""People and partners for the referrals tests: a reached lead, the directory, a signed consent."""

import datetime as dt

from django.utils import timezone

from admissions.models import Partner, ReferralConsent, Share
from intake.models import Lead, LeadStatus
from verification.models import VerificationRequest
from verification.payers import Payer


def reached_lead(name: str = "Jordan Whitlock", phone: str = "+14155552671", status: str = LeadStatus.REACHED) -> Lead:
    return Lead.objects.create(name=name, phone=phone, status=status, sla_due_at=timezone.now())


def payer(name: str) -> Payer:
    return Payer.objects.get_or_create(name=name)[0]


def partner(name: str, services: list[str], payers: list[str] = (), **facts) -> Partner:
    made = Partner.objects.create(name=name, services=services, phone="(312) 555-0100", **facts)
    made.payers.set([payer(p) for p in payers])
    return made


def insured(lead: Lead, payer_name: str, born: dt.date = dt.date(1990, 1, 1)) -> VerificationRequest:
    return VerificationRequest.objects.create(
        lead=lead,
        first_name="Jordan",
        last_name="Whitlock",
        date_of_birth=born,
        payer=payer(payer_name),
        member_id="W123",
    )


def consent(lead: Lead, to: Partner, by, kinds=(Share.NAME_PHONE,), expires_in: int = 90) -> ReferralConsent:
    return ReferralConsent.objects.create(
        lead=lead,
        partner=to,
        method=ReferralConsent.Method.SIGNED_FORM,
        patient_name=lead.name,
        signed_by=lead.name,
        signed_on=timezone.localdate(),
        kinds=list(kinds),
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in),
        states_revocation=True,
        recorded_by=by,
    )
