"""The consents in the bundle, and the §2.32 notice every receiver must see.

The hand-off consent is the one the record goes under (42 CFR 2.31): it carries the notice in its
narrative. The visitor's consent to the insurance check goes beside it with its own recipients
and expiry. The notice also travels as a document of its own, so a receiver that files consents
away still shows it with the record."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from admissions.models.referrals import REDISCLOSURE_NOTICE
from intake.models import ConsentRevocation

from .terms import (
    CONSENT_SCOPE,
    PART2_CATEGORY,
    PART2_POLICY_RULE,
    PART2_REGULATION,
    V3_ACT_REASON,
    V3_CONFIDENTIALITY,
    V3_PARTICIPATION,
    Entries,
    coding,
    concept,
    ref,
    text_attachment,
)

NOTICE_TITLE = "Notice prohibiting redisclosure (42 CFR 2.32)"
RECIPIENT_ROLE = concept(V3_PARTICIPATION, "IRCP", "information recipient")
# What each share of the hand-off consent lets go, as the resource types that carry it.
SHARE_RESOURCES = {
    "identity": ["Patient", "RelatedPerson"],
    "insurance": ["Coverage", "CoverageEligibilityResponse", "RelatedPerson"],
    "card_photos": ["DocumentReference"],
    "screen": ["QuestionnaireResponse"],
}


def _narrative(*paragraphs: str) -> dict:
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return {"status": "additional", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def _recipient(name: str) -> dict:
    return {"role": RECIPIENT_ROLE, "reference": {"display": name}}


def handoff_consent(entries: Entries, record, patient_url: str) -> str:
    consent = record.consent
    classes = sorted({kind for share in consent.kinds for kind in SHARE_RESOURCES.get(share, [])})
    classes = sorted({*classes, "Consent", "DocumentReference"})  # the consents and the notice always go
    how = consent.get_method_display()
    source = {"title": f"{how}; kept at {consent.kept_at}" if consent.kept_at else how}
    resource = {
        "resourceType": "Consent",
        "text": _narrative(
            f"{consent.signed_by} consented on {consent.signed_on.isoformat()} to this record going to "
            f"{consent.recipient}, for: {consent.purpose}. It may be revoked; it expires on "
            f"{consent.expires_on.isoformat()}.",
            REDISCLOSURE_NOTICE,
        ),
        "status": "active",
        "scope": concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        "category": [PART2_CATEGORY],
        "patient": ref(patient_url),
        "dateTime": consent.signed_on.isoformat(),
        "performer": [{"display": consent.signed_by}],
        "organization": [{"display": settings.CENTRE_NAME}],
        "sourceAttachment": source,
        "policy": [{"authority": "https://www.ecfr.gov", "uri": PART2_REGULATION}],
        "policyRule": PART2_POLICY_RULE,
        "provision": {
            "type": "permit",
            "period": {"start": consent.signed_on.isoformat(), "end": consent.expires_on.isoformat()},
            "actor": [_recipient(consent.recipient)],
            "purpose": [coding(V3_ACT_REASON, "TREAT", "treatment")],
            "class": [coding("http://hl7.org/fhir/resource-types", kind) for kind in classes],
        },
    }
    return entries.add(resource, consent.reference)


def visitor_consent(entries: Entries, record, patient_url: str) -> str | None:
    """The Part 2 consent the visitor gave on the insurance form, naming who the check reached."""
    part2 = record.part2
    if part2 is None:
        return None
    lead = record.lead
    mine = Q(lead__phone_hash=lead.phone_hash) if lead.phone_hash else Q(lead_id=lead.pk)
    revoked = ConsentRevocation.objects.filter(mine, said_on__gte=timezone.localdate(part2.signed_at)).exists()
    resource = {
        "resourceType": "Consent",
        "status": "inactive" if revoked or part2.is_expired() else "active",
        "scope": concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        "category": [PART2_CATEGORY],
        "patient": ref(patient_url),
        "dateTime": part2.signed_at.isoformat(),
        "organization": [{"display": settings.CENTRE_NAME}],
        "sourceAttachment": text_attachment(part2.text, f"The consent as the visitor agreed to it ({part2.version})"),
        "policyRule": PART2_POLICY_RULE,
        "provision": {
            "type": "permit",
            "period": {"start": part2.signed_at.isoformat(), "end": part2.expires_at.isoformat()},
            "actor": [_recipient(name) for name in part2.recipient_names],
            "purpose": [coding(V3_ACT_REASON, "HPAYMT", "healthcare payment")],
        },
    }
    return entries.add(resource, f"{part2.lead_request.reference}-part2")


def notice(entries: Entries, record, patient_url: str) -> str:
    resource = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"text": NOTICE_TITLE},
        "subject": ref(patient_url),
        "date": timezone.now().isoformat(),
        "description": f"{NOTICE_TITLE}: it goes with this record and binds whoever receives it.",
        "securityLabel": [concept(V3_CONFIDENTIALITY, "R", "restricted")],
        "content": [{"attachment": text_attachment(REDISCLOSURE_NOTICE, NOTICE_TITLE)}],
    }
    return entries.add(resource, f"{record.lead.reference}-notice")
