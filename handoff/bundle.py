"""An admitted person's record as one FHIR R4 transaction Bundle, built from what Lantern holds at
the moment it leaves (never stored: the bundle is PHI, rebuilt for each export).

Every entry is a conditional PUT on an identifier under SITE_URL (the Patient's is the lead's
reference, L-000123), so a second export updates the clinical record rather than duplicating it.
What goes is what the person's hand-off consent covers (`HandoffConsent.kinds`); the consents and
the §2.32 notice always go. Each resource carries the Part 2 security labels (`terms.SECURITY`).

`validate` checks the bundle against fhir.resources before it leaves: an invalid bundle is a bug,
refused and logged by kind and place only (a validation message quotes the values).
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from admissions.models import PhoneScreen
from intake.models import Part2Consent
from verification.coordination import coordinate

from . import fhir_consents, fhir_coverage, fhir_people, fhir_screen
from .models import HandoffConsent
from .terms import SECURITY, Entries, identifier

log = logging.getLogger(__name__)


class InvalidBundle(Exception):
    """The bundle Lantern built does not validate as FHIR: a bug. Its message names no values."""


@dataclass
class Record:
    """What one export reads, gathered once: the lead, the consent it goes under, the person's
    latest insurance request with its plans and answers, the latest completed screen."""

    lead: object
    consent: HandoffConsent
    verification: object = None
    plans: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)
    primary: str = ""
    part2: Part2Consent | None = None
    screen: PhoneScreen | None = None

    @classmethod
    def of(cls, lead, consent: HandoffConsent) -> "Record":
        record = cls(lead=lead, consent=consent)
        verification = lead.verifications.select_related("payer", "lead_request").order_by("-created_at").first()
        if verification is not None:
            record.verification = verification
            record.plans = verification.plans()
            for plan in record.plans:
                check = verification.answer(plan.which)
                if check is not None:
                    record.answers[plan.which] = check
                    record.summaries[plan.which] = check.summary
            record.primary = coordinate(verification).primary if len(record.plans) > 1 else ""
            record.part2 = Part2Consent.objects.filter(lead_request_id=verification.lead_request_id).first()
        screens = PhoneScreen.objects.completed().filter(lead=lead).select_related("completed_by")
        record.screen = screens.order_by("-pk").first()
        return record

    def shares(self, kind: str) -> bool:
        return self.consent.covers(kind)

    def summary_of(self, which: str):
        return self.summaries.get(which)

    def order_of(self, which: str) -> int | None:
        """1 for the plan that pays first, 2 for the other; None when the answers do not say."""
        if not self.primary:
            return 1 if len(self.plans) == 1 else None
        return 1 if which == self.primary else 2


def build(lead, consent: HandoffConsent, *, reference: str = "") -> dict:
    """The transaction Bundle of `lead`'s record under `consent` (the caller asked export_refusal)."""
    record = Record.of(lead, consent)
    entries = Entries()
    patient = fhir_people.patient(entries, record)
    fhir_people.requester(entries, record, patient)
    first_coverage = None
    if record.shares("insurance") and record.verification is not None:
        for plan in record.plans:
            holder = fhir_people.policy_holder(entries, record, plan, patient)
            covered = fhir_coverage.coverage(entries, record, plan, patient, holder)
            first_coverage = first_coverage or covered
            fhir_coverage.benefits(entries, record, plan, covered, patient)
    fhir_consents.handoff_consent(entries, record, patient)
    if record.shares("insurance"):
        fhir_consents.visitor_consent(entries, record, patient)
    fhir_consents.notice(entries, record, patient)
    if record.shares("screen"):
        fhir_screen.screen_response(entries, record, patient)
    if record.shares("card_photos") and record.verification is not None:
        fhir_coverage.card_photos(entries, record, patient, first_coverage)
    bundle = {
        "resourceType": "Bundle",
        "meta": {"security": [dict(label) for label in SECURITY]},
        "type": "transaction",
        "timestamp": timezone.now().isoformat(),
        "entry": entries.items,
    }
    if reference:
        bundle["identifier"] = identifier(reference)
    return bundle


def validate(bundle: dict) -> None:
    """Raise InvalidBundle unless the bundle and each of its resources validate (fhir.resources'
    R4B models: the Bundle and every resource used here are R4's, FHIR 4.0.1, unchanged in 4.3.0)."""
    try:
        get_fhir_model_class("Bundle").model_validate(bundle)
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except ValidationError as exc:
        places = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
        log.error("An export's FHIR bundle did not validate (%s errors at %s)", exc.error_count(), ", ".join(places))
        message = f"The bundle did not validate as FHIR ({exc.error_count()} errors); nothing was sent."
        raise InvalidBundle(message) from None
    except (KeyError, TypeError, ValueError) as exc:
        log.error("An export's FHIR bundle could not be read: %s", type(exc).__name__)
        raise InvalidBundle("The bundle could not be read as FHIR; nothing was sent.") from None


def serialise(bundle: dict, *, indent: int | None = None) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=indent).encode("utf-8")


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
