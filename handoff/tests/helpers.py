"""People and records for the hand-off tests: Maya Okonkwo, admitted to residential care today,
who checked her insurance on the form (and, in some tests, gave her parent's plan too), was
screened on the phone, and signed a consent naming the clinical record system."""

import datetime as dt
import io

from django.conf import settings
from django.utils import timezone
from PIL import Image

from admissions.models import PhoneScreen
from handoff.models import HandoffConsent, Share
from intake.models import ForWhom, Lead, LeadKind, LeadRequest, LeadStatus, Part2Consent
from verification import cards
from verification.insurances import SecondInsurance, Which
from verification.models import EligibilityCheck, VerificationRequest
from verification.payers import Payer

SCREEN_ANSWERS = {
    "substances": ["alcohol", "benzodiazepines"],
    "routes": ["oral"],
    "last_use": "1_3_days",
    "daily_use": True,
    "daily_amount": "Most of a bottle of gin",
    "pregnancy": "no",
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


def jpeg(colour=(30, 90, 140)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, format="JPEG")
    return out.getvalue()


def admitted_lead(
    *, for_whom: str = ForWhom.SELF, name: str = "Maya Okonkwo", status: str = LeadStatus.ADMITTED
) -> Lead:
    now = timezone.now()
    admitted = status == LeadStatus.ADMITTED
    lead = Lead.objects.create(
        kind=LeadKind.VERIFICATION,
        name=name,
        phone="+16465550173",
        email="maya.okonkwo@example.com",
        for_whom=for_whom,
        language="es",
        status=status,
        closed_at=now if admitted else None,
        admitted_on=timezone.localdate() if admitted else None,
    )
    LeadRequest.objects.create(
        lead=lead, kind=LeadKind.VERIFICATION, name=name, for_whom=for_whom, consent_version="v", consent_at=now
    )
    return lead


def payer(name: str = "Aetna", payer_id: str = "60054") -> Payer:
    return Payer.objects.get_or_create(name=name, defaults={"payer_id": payer_id})[0]


def answer(verification: VerificationRequest, which: str = Which.FIRST) -> EligibilityCheck:
    """Ask the sandbox payer, as the outbox would, and keep its answer."""
    check = EligibilityCheck.objects.create(
        verification=verification, insurance=which, gateway="sandbox", status=EligibilityCheck.Status.SENDING
    )
    check.perform(None)
    return check


def insured(lead: Lead, *, second: bool = False, photos: bool = False) -> VerificationRequest:
    """Maya's insurance request with her Part 2 consent naming Aetna (and Cigna with `second`),
    answered by the sandbox (full benefits); `second`: her father's plan too, on which she is his
    child; `photos`: her card."""
    request = lead.requests.get()
    Part2Consent.objects.record(
        request,
        version="verification-part2-2026-11-30",
        patient="Maya Okonkwo",
        recipients=["Aetna", "Cigna"] if second else ["Aetna"],
    )
    verification = VerificationRequest.objects.create(
        lead=lead,
        lead_request=request,
        first_name="Maya",
        last_name="Okonkwo",
        date_of_birth=dt.date(1991, 3, 14),
        payer=payer(),
        # With a second plan, the sandbox members whose answers say which pays first: hers (LNT600002)
        # names her father's as secondary, his (LNT600001) names hers as primary.
        member_id="LNT600002" if second else "LNT100001",
        group_number="GRP-7741",
        card_front=cards.store(cards.CleanImage(jpeg(), 320, 200)) if photos else "",
        card_back=cards.store(cards.CleanImage(jpeg((200, 40, 40)), 320, 200)) if photos else "",
    )
    answer(verification)
    if second:
        SecondInsurance.objects.create(
            verification=verification,
            payer=payer("Cigna", "62308"),
            member_id="LNT600001",
            group_number="CG-19",
            relationship="child",
            subscriber_first_name="Chidi",
            subscriber_last_name="Okonkwo",
            subscriber_date_of_birth=dt.date(1960, 8, 1),
        )
        answer(verification, Which.SECOND)
    return verification


def screened(lead: Lead, by) -> PhoneScreen:
    return PhoneScreen.objects.create(
        lead=lead,
        status=PhoneScreen.Status.COMPLETE,
        answers=SCREEN_ANSWERS,
        created_by=by,
        completed_by=by,
        completed_at=timezone.now(),
    )


def consent(lead: Lead, by, *, recipient: str | None = None, kinds=None, expires_in: int = 365, signed_on=None):
    signed_on = signed_on or timezone.localdate()
    return HandoffConsent.objects.create(
        lead=lead,
        recipient=recipient or settings.FHIR_EXPORT_RECIPIENT,
        method=HandoffConsent.Method.SIGNED_FORM,
        patient_name="Maya Okonkwo",
        signed_by="Maya Okonkwo",
        signed_on=signed_on,
        kinds=list(kinds or Share.values),
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in),
        states_revocation=True,
        states_hipaa_redisclosure=True,
        kept_at="Binder 3",
        recorded_by=by,
    )


def everything(by, **lead_facts) -> Lead:
    """An admitted lead with every part of a record: two plans answered, card photos, a screen, a consent."""
    lead = admitted_lead(**lead_facts)
    insured(lead, second=True, photos=True)
    screened(lead, by)
    consent(lead, by)
    return lead
