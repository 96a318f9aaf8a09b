"""Part 2 consents naming a partner: the HIPAA redisclosure statement, revocation per partner,
and what a lead-wide revocation takes back."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from admissions.models import Referral, ReferralConsent, Share
from admissions.models.referrals import HIPAA_REDISCLOSURE_STATEMENT
from intake.models import ConsentRevocation

from .referrals_helpers import consent, partner, reached_lead

pytestmark = pytest.mark.django_db


def consent_facts(lead, to) -> dict:
    return {
        "partner": to.pk,
        "method": "signed_form",
        "patient_name": "Jordan Whitlock",
        "signed_by": "Jordan Whitlock",
        "signed_on": timezone.localdate(lead.created_at).isoformat(),
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


def test_a_consent_revoked_for_its_partner_no_longer_counts_and_is_listed_as_revoked(client, staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    signed = consent(lead, valley, staff["avery"])
    client.force_login(staff["avery"])

    future = client.post(
        reverse("admissions:referral_consent_revoke", args=[signed.pk]),
        {"method": "call", "said_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 400 and "in the future" in future.content.decode()
    answer = client.post(
        reverse("admissions:referral_consent_revoke", args=[signed.pk]),
        {"method": "call", "said_on": timezone.localdate().isoformat()},
    )

    assert answer.status_code == 302
    signed.refresh_from_db()
    assert signed.revoked_on == timezone.localdate() and signed.revoked_by == staff["avery"]
    assert not ReferralConsent.objects.in_force().exists()
    assert "revoked_on" in LogEntry.objects.get_for_object(signed).get(action=LogEntry.Action.UPDATE).changes_dict
    page = client.get(reverse("admissions:refer", args=[lead.pk])).content.decode()
    assert "No longer in force:</strong> The person revoked this consent (on a call)" in page
    refused = client.post(
        reverse("admissions:refer", args=[lead.pk]),
        {"partner": valley.pk, "level_of_care": "residential", "shares": ["name_phone"]},
    )
    assert refused.status_code == 400 and not Referral.objects.exists()


def test_an_expired_consent_is_not_in_force(staff):
    lead = reached_lead()
    old = consent(lead, partner("Example Valley", ["residential"]), staff["avery"], expires_in=-1)

    assert not ReferralConsent.objects.in_force().exists()
    assert old.lapse().startswith("This consent expired")


def test_a_lead_wide_revocation_takes_back_only_consents_signed_on_or_before_it(staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    before = consent(lead, valley, staff["avery"])
    before.signed_on = timezone.localdate() - dt.timedelta(days=10)
    before.save(update_fields=["signed_on"])
    ConsentRevocation.objects.record(
        lead, method="call", said_on=timezone.localdate() - dt.timedelta(days=5), by=staff["avery"]
    )
    after = consent(lead, valley, staff["avery"])  # signed today, after the revocation

    assert list(ReferralConsent.objects.in_force()) == [after]
    assert ReferralConsent.objects.covering(lead, valley, [Share.NAME_PHONE]) == after
    assert "revoked their consent" in before.lapse() and after.lapse() == ""


def test_the_printed_sheet_stops_printing_the_person_once_the_consent_is_revoked(client, staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    signed = consent(lead, valley, staff["avery"])
    signed.purpose = "Residential treatment after detox"
    signed.save(update_fields=["purpose"])
    client.force_login(staff["avery"])
    client.post(
        reverse("admissions:refer", args=[lead.pk]),
        {"partner": valley.pk, "level_of_care": "residential", "shares": ["name_phone"]},
    )
    sheet_url = reverse("admissions:referral", args=[Referral.objects.get().pk])

    before = client.get(sheet_url).content.decode()
    assert "Jordan Whitlock" in before and "Residential treatment after detox" in before
    signed.revoke(method="writing", said_on=timezone.localdate(), by=staff["avery"])
    after = client.get(sheet_url).content.decode()

    assert "Jordan Whitlock" not in after and "(415) 555" not in after
    assert "The person revoked this consent (in writing" in after
    assert "Residential treatment after detox" in after and "Name and phone number" in after  # the scope
    assert "42 CFR part 2" in after  # the §2.32 notice still goes with the sheet


def test_the_phone_screen_summary_is_no_longer_offered_as_a_share(client, staff):
    lead = reached_lead()
    valley = partner("Example Valley", ["residential"])
    consent(lead, valley, staff["avery"], kinds=[Share.NAME_PHONE, Share.SCREEN])
    client.force_login(staff["avery"])

    page = client.get(reverse("admissions:refer", args=[lead.pk])).content.decode()
    refused = client.post(
        reverse("admissions:refer", args=[lead.pk]),
        {"partner": valley.pk, "level_of_care": "residential", "shares": ["screen"]},
    )

    assert 'value="screen"' not in page
    assert refused.status_code == 400 and not Referral.objects.exists()
