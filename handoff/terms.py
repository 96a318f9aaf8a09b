"""The FHIR vocabulary the bundle speaks (code systems, the labels every resource carries) and the
small helpers its builders share: identifiers under Lantern's own address, conditional requests,
references between entries of one transaction."""

import base64
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings

V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
LOINC = "http://loinc.org"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
BENEFIT_TYPE = "http://terminology.hl7.org/CodeSystem/benefit-type"
BENEFIT_NETWORK = "http://terminology.hl7.org/CodeSystem/benefit-network"
BENEFIT_UNIT = "http://terminology.hl7.org/CodeSystem/benefit-unit"
ELIGIBILITY_PURPOSE = "http://hl7.org/fhir/eligibilityresponse-purpose"
X12_SERVICE_TYPES = "https://x12.org/codes/service-type-codes"
LANGUAGE = "urn:ietf:bcp:47"
PART2_REGULATION = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"

# On every resource and on the bundle: the record is under 42 CFR Part 2, restricted, and may not
# be redisclosed without the person's consent (the §2.32 notice travels as text beside it).
SECURITY = [
    {"system": V3_ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {"system": V3_CONFIDENTIALITY, "code": "R", "display": "restricted"},
    {"system": V3_ACT_CODE, "code": "NORDSCLCD", "display": "no redisclosure without consent directive"},
]
PART2_CATEGORY = {
    "coding": [
        {"system": LOINC, "code": "59284-0", "display": "Patient Consent"},
        {"system": V3_ACT_CODE, "code": "IDSCL", "display": "information disclosure"},
    ],
    "text": "Consent to disclose under 42 CFR Part 2",
}
PART2_POLICY_RULE = {
    "coding": [{"system": V3_ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}],
    "text": "42 CFR Part 2",
}


def site() -> str:
    return settings.SITE_URL.rstrip("/")


def lead_system() -> str:
    """The system of a lead's reference (L-000123): the person's identifier in the clinical record."""
    return f"{site()}/ids/lead"


def record_system() -> str:
    """The system of every other resource's identifier: one value per thing Lantern keeps."""
    return f"{site()}/ids/handoff"


def identifier(value: str, system: str | None = None) -> dict:
    return {"system": system or record_system(), "value": value}


def coding(system: str, code: str, display: str = "") -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def concept(system: str, code: str, display: str = "", text: str = "") -> dict:
    return {"coding": [coding(system, code, display)], **({"text": text} if text else {})}


def text_attachment(text: str, title: str) -> dict:
    return {
        "contentType": "text/plain; charset=utf-8",
        "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
        "title": title,
    }


@dataclass
class Entries:
    """The bundle's entries as they are made: each resource with its urn:uuid and the conditional
    request that makes a second export update it rather than add another."""

    items: list[dict] = field(default_factory=list)

    def add(self, resource: dict, value: str, system: str | None = None) -> str:
        """Add `resource` (its identifier set to `value`) and return its fullUrl, for references."""
        system = system or record_system()
        kind = resource["resourceType"]
        ident = identifier(value, system)
        # QuestionnaireResponse has one identifier, every other resource here a list.
        resource["identifier"] = ident if kind == "QuestionnaireResponse" else [ident]
        resource["meta"] = {"security": [dict(label) for label in SECURITY]}
        full_url = f"urn:uuid:{uuid.uuid4()}"
        url = f"{kind}?identifier={quote(system, safe=':/')}|{quote(value, safe='')}"
        self.items.append({"fullUrl": full_url, "resource": resource, "request": {"method": "PUT", "url": url}})
        return full_url

    def kinds(self) -> list[str]:
        return [item["resource"]["resourceType"] for item in self.items]


def ref(full_url: str, display: str = "") -> dict:
    return {"reference": full_url, **({"display": display} if display else {})}


def name_of(first: str, last: str) -> dict | None:
    first, last = (first or "").strip(), (last or "").strip()
    if not (first or last):
        return None
    name = {"use": "official", "text": " ".join(part for part in (first, last) if part)}
    if last:
        name["family"] = last
    if first:
        name["given"] = [first]
    return name
