"""Part 2 consents naming a partner: the HIPAA redisclosure statement, revocation per partner,
and what a lead-wide revocation takes back."""

import pytest
from django.urls import reverse

from admissions.models.referrals import HIPAA_REDISCLOSURE_STATEMENT

from .referrals_helpers import partner, reached_lead

pytestmark = pytest.mark.django_db


def consent_facts(lead, to) -> dict:
    return {
        "partner": to.pk,
        "method": "signed_form",
        "patient_name": "Jordan Whitlock",
        "signed_by": "Jordan Whitlock",
        "signed_on": lead.created_at.date().isoformat(),
        "kinds": ["name_phone"],
        "purpose": "Referral for treatment",
        "expires_on": "2099-01-01",
        "states_revocation": "on",
        "kept_at": "Binder 3",
    }


def test_it_refuses_a_consent_whose_form_lacks_the_hipaa_redisclosure_statement(client, staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    client.force_login(staff["avery"])
    url = reverse("admissions:referral_consent", args=[lead.pk])

    missing = client.post(url, consent_facts(lead, valley))

    assert missing.status_code == 400 and not lead.referral_consents.exists()
    assert "states_hipaa_redisclosure" in missing.context["consent_form"].errors
    assert HIPAA_REDISCLOSURE_STATEMENT.split("(or")[1] in missing.content.decode()  # the worker reads it
    client.post(url, {**consent_facts(lead, valley), "states_hipaa_redisclosure": "on"})
    assert lead.referral_consents.get().states_hipaa_redisclosure
