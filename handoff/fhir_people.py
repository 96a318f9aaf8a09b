"""The people of the bundle: the Patient (the admitted person) and the RelatedPersons around them
(the loved one who asked for help, and the holder of a plan the person is a dependent on)."""

from intake.models import ForWhom, Language

from .terms import LANGUAGE, V3_ROLE_CODE, Entries, coding, concept, lead_system, name_of, ref

# The policy holder's relationship to the patient, from the patient's relationship to the policy
# holder as the visitor gave it: a patient who is the holder's child has the holder as a parent.
HOLDER_ROLES = {
    "spouse": coding(V3_ROLE_CODE, "SPS", "spouse"),
    "child": coding(V3_ROLE_CODE, "PRN", "parent"),
}
POLICY_HOLDER = coding(V3_ROLE_CODE, "POLHOLD", "policy holder")


def _telecom(phone: str, email: str) -> list[dict]:
    telecom = []
    if phone:
        telecom.append({"system": "phone", "value": phone})
    if email:
        telecom.append({"system": "email", "value": email})
    return telecom


def patient(entries: Entries, record) -> str:
    """The admitted person, identified by the lead's reference. Without the consent covering who
    they are, the Patient carries that reference alone."""
    lead, verification = record.lead, record.verification
    resource = {"resourceType": "Patient", "active": True}
    if record.shares("identity"):
        name = name_of(verification.first_name, verification.last_name) if verification else None
        if name is None and record.consent.patient_name.strip():
            name = {"use": "official", "text": record.consent.patient_name.strip()}
        if name is None and lead.for_whom == ForWhom.SELF and lead.name:
            name = {"use": "usual", "text": lead.name}
        if name:
            resource["name"] = [name]
        if verification and verification.date_of_birth:
            resource["birthDate"] = verification.date_of_birth.isoformat()
        # The lead's phone and email are the asker's: the person's own only when they asked for themself.
        if lead.for_whom == ForWhom.SELF and (telecom := _telecom(lead.phone, lead.email)):
            resource["telecom"] = telecom
        language = Language(lead.language) if lead.language in Language.values else Language.ENGLISH
        resource["communication"] = [{"language": concept(LANGUAGE, language.value, language.label), "preferred": True}]
    return entries.add(resource, lead.reference, lead_system())


def requester(entries: Entries, record, patient_url: str) -> str | None:
    """The loved one who asked the centre for help, when the person did not ask for themself."""
    lead = record.lead
    if lead.for_whom == ForWhom.SELF or not record.shares("identity"):
        return None
    asked = lead.requests.filter(for_whom=ForWhom.LOVED_ONE).order_by("created_at").first()
    name = (asked.name if asked else "") or lead.name
    resource = {
        "resourceType": "RelatedPerson",
        "active": True,
        "patient": ref(patient_url),
        # No code says "loved one": the visitor did not say how they are related.
        "relationship": [{"text": "Loved one who asked the centre for help for the person"}],
    }
    if name:
        resource["name"] = [{"text": name}]
    if telecom := _telecom(lead.phone, lead.email):
        resource["telecom"] = telecom
    return entries.add(resource, f"{lead.reference}-requester")


def policy_holder(entries: Entries, record, plan, patient_url: str) -> str | None:
    """The holder of a plan the person is covered on as a dependent; None when it is their own."""
    if plan.relationship == "self":
        return None
    roles = [HOLDER_ROLES[plan.relationship]] if plan.relationship in HOLDER_ROLES else []
    resource = {
        "resourceType": "RelatedPerson",
        "active": True,
        "patient": ref(patient_url),
        # Two relationships, not two codings of one: how they are related, and that they hold the plan.
        "relationship": [*({"coding": [role]} for role in roles), {"coding": [POLICY_HOLDER], "text": "Policy holder"}],
    }
    if name := name_of(plan.subscriber_first_name, plan.subscriber_last_name):
        resource["name"] = [name]
    if plan.subscriber_date_of_birth:
        resource["birthDate"] = plan.subscriber_date_of_birth.isoformat()
    return entries.add(resource, f"{record.lead.reference}-{plan.which}-holder")
