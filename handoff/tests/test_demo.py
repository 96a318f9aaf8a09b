"""The demo: an admitted person whose record a supervisor can download at once."""

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from handoff import bundle as bundles
from handoff.demo import PHONE, seed_demo_handoff
from handoff.models import export_refusal
from intake.models import Lead

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_admitted_lead_whose_record_downloads_at_once_and_is_made_once(staff, client):
    User.objects.create_user("admissions", "admissions@lantern.example", "x")

    said = seed_demo_handoff(sender=None)
    again = seed_demo_handoff(sender=None)

    (lead,) = Lead.objects.for_phone(PHONE)
    assert lead.reference in said and again is None
    assert export_refusal(lead) is None
    client.force_login(staff["sam"])
    made = json.loads(client.post(reverse("handoff:download", args=[lead.pk])).content)
    bundles.validate(made)
    kinds = {entry["resource"]["resourceType"] for entry in made["entry"]}
    assert {"Patient", "Coverage", "CoverageEligibilityResponse", "Consent", "QuestionnaireResponse"} <= kinds
