"""Referring a person out: nothing is shared without a Part 2 consent naming the partner; what is
shared is written to the accounting of disclosures with the §2.32 notice; the lead closes as referred."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from admissions.models import REDISCLOSURE_NOTICE, Referral, Share
from intake.models import ConsentRevocation, Disclosure, LeadStatus
from intake.tests.helpers import raw

from .referrals_helpers import consent, partner, reached_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def valley():
    return partner("Example Valley", ["residential"], ["Aetna"])


def refer(client, lead, to, shares=(), note="Spoke to Kim at intake."):
    data = {"partner": to.pk, "level_of_care": "residential", "note": note, "shares": list(shares)}
    return client.post(reverse("admissions:refer", args=[lead.pk]), data)


def test_it_refuses_to_share_without_a_consent_naming_the_partner(client, staff, valley):
    lead = reached_lead()
    other = partner("Sample Street Clinic", ["iop"])
    consent(lead, other, staff["avery"])  # names another partner: does not count
    client.force_login(staff["avery"])

    page = refer(client, lead, valley, shares=[Share.NAME_PHONE])

    assert page.status_code == 400
    assert "without the person&#x27;s written Part 2 consent naming it" in page.content.decode()
    assert page.context["form"]["note"].value() == "Spoke to Kim at intake."  # input kept
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REACHED
    assert not Referral.objects.exists() and not Disclosure.objects.exists()


def test_it_refuses_a_share_the_consent_does_not_cover_or_after_a_revocation(client, staff, valley):
    lead = reached_lead()
    consent(lead, valley, staff["avery"], kinds=[Share.NAME_PHONE])
    client.force_login(staff["avery"])

    assert refer(client, lead, valley, shares=[Share.NAME_PHONE, Share.SCREEN]).status_code == 400
    said_on = timezone.localdate(lead.created_at)
    ConsentRevocation.objects.record(lead, method="call", said_on=said_on, by=staff["avery"])
    page = refer(client, lead, valley, shares=[Share.NAME_PHONE])

    assert page.status_code == 400
    assert "revoked their consent" in page.content.decode()
    assert not Referral.objects.exists()


def test_it_shares_under_a_consent_and_accounts_for_it_by_category_with_the_notice(client, staff, valley):
    lead = reached_lead()
    signed = consent(lead, valley, staff["avery"], kinds=[Share.NAME_PHONE, Share.SCREEN])
    signed.purpose = "Residential treatment after detox"
    signed.save(update_fields=["purpose"])
    client.force_login(staff["avery"])

    answer = refer(client, lead, valley, shares=[Share.NAME_PHONE])

    referral = Referral.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("admissions:referral", args=[referral.pk])
    disclosure = Disclosure.objects.get(lead=lead)
    assert referral.disclosure == disclosure and referral.consent == signed
    assert disclosure.recipient_names == ["Example Valley"]
    assert disclosure.what == "Name and phone number (warm hand-off)"
    assert disclosure.reference == f"consent RC-{signed.pk}"
    assert disclosure.purpose == "Residential treatment after detox"  # the consent's, not a stock one
    accounting = client.get(reverse("staff:lead", args=[lead.pk])).content.decode()
    assert f"Under: the signed consent RC-{signed.pk}." in accounting
    assert "no written consent on record" not in accounting
    assert disclosure.channel == f"Referral out (staff user #{staff['avery'].pk})"
    sheet = client.get(answer["Location"]).content.decode()
    assert REDISCLOSURE_NOTICE[:80] in sheet
    assert "Jordan Whitlock" in sheet  # the name was shared, so the sheet for the partner carries it


def test_a_worker_with_a_long_username_can_share_under_a_consent(client, staff, valley):
    worker = staff["avery"]
    worker.username = "avery.longname." + "x" * 120  # Django allows 150 characters
    worker.save(update_fields=["username"])
    lead = reached_lead()
    consent(lead, valley, worker, kinds=[Share.NAME_PHONE])
    client.force_login(worker)

    answer = refer(client, lead, valley, shares=[Share.NAME_PHONE])

    assert answer.status_code == 302
    assert Disclosure.objects.get(lead=lead).channel == f"Referral out (staff user #{worker.pk})"


def test_it_shares_nothing_by_default_and_closes_the_lead_as_referred(client, staff, valley):
    lead = reached_lead()
    client.force_login(staff["avery"])

    refer(client, lead, valley)

    lead.refresh_from_db()
    assert lead.status == LeadStatus.REFERRED
    assert lead.outcome().text == "Example Valley"
    referral = Referral.objects.get()
    assert referral.shares == [] and referral.disclosure is None and referral.state == "sent"
    assert not Disclosure.objects.exists()
    sheet = client.get(reverse("admissions:referral", args=[referral.pk])).content.decode()
    assert "Jordan Whitlock" not in sheet and "Nothing (no consent to share)" in sheet


def test_it_says_why_a_lead_that_cannot_be_referred_is_not(client, staff, valley):
    lead = reached_lead(status=LeadStatus.NEW)
    client.force_login(staff["avery"])

    page = refer(client, lead, valley)

    assert page.status_code == 400
    assert "cannot be closed as referred" in page.content.decode()
    assert not Referral.objects.exists()


def test_it_records_a_consent_with_the_elements_of_2_31_and_refuses_an_incomplete_one(client, staff, valley):
    lead = reached_lead()
    client.force_login(staff["avery"])
    url = reverse("admissions:referral_consent", args=[lead.pk])
    facts = {
        "partner": valley.pk,
        "method": "signed_form",
        "patient_name": "Jordan Whitlock",
        "signed_by": "Jordan Whitlock",
        "signed_on": timezone.localdate(lead.created_at).isoformat(),
        "kinds": ["name_phone"],
        "purpose": "Referral for treatment",
        "expires_on": "2099-01-01",
        "kept_at": "Binder 3",
    }

    missing = client.post(url, facts)  # the form's revocation statement not confirmed
    assert missing.status_code == 400 and not lead.referral_consents.exists()
    client.post(url, {**facts, "states_revocation": "on", "states_hipaa_redisclosure": "on"})

    recorded = lead.referral_consents.get()
    assert recorded.partner == valley and recorded.kinds == ["name_phone"]
    assert "Jordan" not in raw(type(recorded), "patient_name", recorded.pk)


def test_it_keeps_notes_encrypted_and_masks_them_in_the_change_log(client, staff, valley):
    lead = reached_lead()
    client.force_login(staff["avery"])

    refer(client, lead, valley, note="Has a court date on the 12th")

    referral = Referral.objects.get()
    assert "court" not in raw(Referral, "note", referral.pk)
    assert referral.note == "Has a court date on the 12th"
    logged = LogEntry.objects.get_for_object(referral).get()
    assert "court" not in json.dumps(logged.changes)


def test_it_keeps_referrals_for_staff(client, staff, valley):
    lead = reached_lead()
    for url in (
        reverse("admissions:partners"),
        reverse("admissions:refer", args=[lead.pk]),
        reverse("admissions:referrals"),
    ):
        assert client.get(url).status_code in (302, 403)
    client.force_login(staff["avery"])
    assert client.get(reverse("admissions:refer", args=[lead.pk])).status_code == 200


def test_it_leaves_a_lead_claimed_by_a_colleague_to_them(client, staff, valley):
    lead = reached_lead()
    lead.claim(by=staff["blake"])
    client.force_login(staff["avery"])

    page = refer(client, lead, valley)

    assert page.status_code == 400 and "Claimed by" in page.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.REACHED and not Referral.objects.exists()
