"""The bundle itself: an admitted person's whole record, as a FHIR R4 transaction that validates,
each resource pointing at the right others, the Part 2 labels and notice on it, and only what the
person's consent covers."""

import base64
import logging

import pytest
from django.conf import settings
from fhir.resources.R4B.bundle import Bundle

from admissions.models import REDISCLOSURE_NOTICE
from handoff import bundle as bundles
from handoff.models import HandoffConsent, Share
from intake.models import ForWhom
from verification import cards

from .helpers import admitted_lead, consent, everything, insured

pytestmark = pytest.mark.django_db


def built(lead) -> dict:
    made = bundles.build(lead, HandoffConsent.objects.covering(lead))
    Bundle.model_validate(made)  # fhir.resources' R4B Bundle (R4's, for these resources)
    bundles.validate(made)
    return made


def resources(made: dict, kind: str) -> list[dict]:
    return [entry["resource"] for entry in made["entry"] if entry["resource"]["resourceType"] == kind]


def url_of(made: dict, resource: dict) -> str:
    return next(entry["fullUrl"] for entry in made["entry"] if entry["resource"] is resource)


def test_it_makes_an_admitted_persons_record_one_valid_transaction_with_every_kind_of_resource(staff):
    lead = everything(staff["avery"])

    made = built(lead)

    assert made["type"] == "transaction"
    kinds = {entry["resource"]["resourceType"] for entry in made["entry"]}
    assert kinds == {
        "Patient",
        "RelatedPerson",
        "Coverage",
        "CoverageEligibilityResponse",
        "Consent",
        "QuestionnaireResponse",
        "DocumentReference",
    }
    (patient,) = resources(made, "Patient")
    assert patient["name"][0]["family"] == "Okonkwo" and patient["birthDate"] == "1991-03-14"
    assert {"system": "phone", "value": "+16465550173"} in patient["telecom"]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    # A second export updates the same Patient: PUT on the lead's reference.
    first = made["entry"][0]
    assert first["request"] == {
        "method": "PUT",
        "url": f"Patient?identifier={settings.SITE_URL}/ids/lead|{lead.reference}",
    }
    assert all(
        entry["fullUrl"].startswith("urn:uuid:") and entry["request"]["method"] == "PUT" for entry in made["entry"]
    )


def test_it_points_each_coverage_at_the_person_its_holder_and_its_benefits(staff):
    lead = everything(staff["avery"])

    made = built(lead)

    patient_url = url_of(made, resources(made, "Patient")[0])
    own, fathers = resources(made, "Coverage")
    (holder,) = resources(made, "RelatedPerson")
    assert own["beneficiary"]["reference"] == own["subscriber"]["reference"] == patient_url
    assert own["subscriberId"] == "LNT600002" and own["class"][0]["value"] == "GRP-7741" and own["order"] == 1
    assert fathers["subscriber"]["reference"] == url_of(made, holder) and fathers["order"] == 2
    assert fathers["relationship"]["coding"][0]["code"] == "child"
    assert holder["name"][0]["text"] == "Chidi Okonkwo"
    assert [r["coding"][0]["code"] for r in holder["relationship"]] == ["PRN", "POLHOLD"]
    answers = resources(made, "CoverageEligibilityResponse")
    assert [a["insurance"][0]["coverage"]["reference"] for a in answers] == [url_of(made, own), url_of(made, fathers)]
    items = answers[0]["insurance"][0]["item"]
    residential = [i for i in items if i["category"]["text"] == "Residential"]
    assert residential[0]["description"].startswith("Residential: covered")
    assert residential[0]["authorizationRequired"] is True
    benefit_types = {b["type"].get("text") or b["type"]["coding"][0]["code"] for i in items for b in i["benefit"]}
    assert {"deductible", "Coinsurance", "Out-of-pocket maximum"} <= benefit_types


def test_it_carries_the_consents_the_screen_and_the_card_photos(staff):
    lead = everything(staff["avery"])
    verification = lead.verifications.get()

    made = built(lead)

    patient_url = url_of(made, resources(made, "Patient")[0])
    ours, visitors = resources(made, "Consent")
    assert ours["provision"]["actor"][0]["reference"]["display"] == settings.FHIR_EXPORT_RECIPIENT
    assert ours["provision"]["period"]["end"] == HandoffConsent.objects.get().expires_on.isoformat()
    assert ours["policyRule"]["coding"][0]["code"] == "42CFRPart2"
    assert [actor["reference"]["display"] for actor in visitors["provision"]["actor"]] == ["Aetna", "Cigna"]
    (screen,) = resources(made, "QuestionnaireResponse")
    assert screen["subject"]["reference"] == patient_url and screen["status"] == "completed"
    questions = {item["linkId"]: item for group in screen["item"] for item in group["item"]}
    assert questions["substances"]["text"] == "Substances used"
    assert [a["valueString"] for a in questions["substances"]["answer"]] == ["Alcohol", "Benzodiazepines"]
    assert questions["dim1_rating"]["answer"] == [{"valueInteger": 3}]
    photos = [d for d in resources(made, "DocumentReference") if d["type"]["text"].startswith("Insurance card")]
    assert [p["type"]["text"] for p in photos] == ["Insurance card, front", "Insurance card, back"]
    front = photos[0]["content"][0]["attachment"]
    assert front["contentType"] == "image/jpeg"
    assert base64.b64decode(front["data"]) == cards.load(verification.card_front)


def test_it_labels_every_resource_part2_and_sends_the_notice_every_receiver_sees(staff):
    lead = everything(staff["avery"])

    made = built(lead)

    for entry in [made, *(e["resource"] for e in made["entry"])]:
        codes = {label["code"] for label in entry["meta"]["security"]}
        assert {"42CFRPart2", "R", "NORDSCLCD"} <= codes
    (notice,) = [d for d in resources(made, "DocumentReference") if "2.32" in d["type"]["text"]]
    text = base64.b64decode(notice["content"][0]["attachment"]["data"]).decode()
    assert text == REDISCLOSURE_NOTICE
    assert "42 CFR part 2" in resources(made, "Consent")[0]["text"]["div"]


def test_it_names_the_loved_one_who_asked_and_keeps_their_phone_off_the_person(staff):
    lead = admitted_lead(for_whom=ForWhom.LOVED_ONE, name="Ngozi Okonkwo")
    insured(lead)
    consent(lead, staff["avery"])

    made = built(lead)

    (patient,) = resources(made, "Patient")
    assert patient["name"][0]["text"] == "Maya Okonkwo" and "telecom" not in patient
    (asker,) = resources(made, "RelatedPerson")
    assert asker["name"] == [{"text": "Ngozi Okonkwo"}]
    assert {"system": "phone", "value": "+16465550173"} in asker["telecom"]


def test_it_sends_only_what_the_consent_covers(staff):
    lead = admitted_lead()
    insured(lead, photos=True)
    consent(lead, staff["avery"], kinds=[Share.IDENTITY])

    made = built(lead)

    kinds = [entry["resource"]["resourceType"] for entry in made["entry"]]
    assert kinds == ["Patient", "Consent", "DocumentReference"]  # the person, their consent, the notice
    assert "LNT100001" not in bundles.serialise(made).decode()


def test_it_refuses_a_bundle_that_does_not_validate_and_logs_no_value_from_it(staff, caplog):
    lead = everything(staff["avery"])
    made = bundles.build(lead, HandoffConsent.objects.get())
    made["entry"][0]["resource"]["birthDate"] = "Maya Okonkwo, 14 March 1991"

    with caplog.at_level(logging.DEBUG), pytest.raises(bundles.InvalidBundle) as refused:
        bundles.validate(made)

    assert "nothing was sent" in str(refused.value)
    assert "birthDate" in caplog.text
    assert "Okonkwo" not in caplog.text and "1991" not in caplog.text and "Okonkwo" not in str(refused.value)
