"""The public "verify your insurance" form: short, forgiving, and safe with what it is given."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from intake.models import Lead, LeadRequest, Notification
from verification.models import EligibilityCheck, VerificationRequest

from .conftest import jpeg_bytes

VERIFY = "/verify/"


def field_error(response, field: str) -> str:
    html = response.content.decode()
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    return html_lib.unescape(match.group(1).strip()) if match else ""


def nothing_saved():
    return (
        Lead.objects.count() == 0
        and VerificationRequest.objects.count() == 0
        and LeadRequest.objects.count() == 0
        and Notification.objects.count() == 0
        and EligibilityCheck.objects.count() == 0
    )


@pytest.mark.django_db
def test_it_offers_the_seeded_payers_and_other(client):
    html = client.get(VERIFY).content.decode()
    for name in ["Aetna", "Cigna", "UnitedHealthcare / Optum", "My insurer isn&#x27;t listed"]:
        assert name in html
    for field in [
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "email",
        "payer",
        "member_id",
        "group_number",
        "relationship",
        "subscriber_first_name",
        "subscriber_last_name",
        "subscriber_date_of_birth",
        "card_front",
        "card_back",
        "consent",
    ]:
        assert f'name="{field}"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_it_stores_the_request_as_a_lead_and_thanks_with_a_reference(client, staff, patient_data, private_media):
    response = client.post(
        VERIFY, {**patient_data, "card_front": SimpleUploadedFile("front.jpg", jpeg_bytes(), "image/jpeg")}, follow=True
    )

    verification = VerificationRequest.objects.get()
    lead = verification.lead
    assert lead.kind == "verification" and lead.name == "Maya Okonkwo" and lead.phone == "+16465550173"
    assert verification.member_id == "LNT100001" and verification.date_of_birth == dt.date(1991, 3, 14)
    assert verification.status == "checking"
    assert EligibilityCheck.objects.filter(verification=verification, status="pending").count() == 1
    assert Notification.objects.filter(lead=lead, kind="new_lead").count() == 2
    html = response.content.decode()
    assert verification.lead_request.reference in html and "What happens next" in html
    assert lead.reference not in html  # the lead's reference would tell a stranger that this phone asked before
    assert len(list((private_media / "cards").iterdir())) == 1


@pytest.mark.django_db
def test_it_keeps_no_plaintext_phi_in_the_database(client, staff, patient_data):
    client.post(
        VERIFY,
        {
            **patient_data,
            "relationship": "child",
            "subscriber_first_name": "Chidi",
            "subscriber_last_name": "Okonkwo",
            "subscriber_date_of_birth": "1965-07-02",
        },
    )
    with connection.cursor() as cursor:
        raw = ""
        for table in ["verification_verificationrequest", "intake_lead", "auditlog_logentry"]:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            raw += repr(cursor.fetchall())
    for secret in ["Maya", "Okonkwo", "Chidi", "LNT100001", "GRP-7741", "1991-03-14", "1965-07-02"]:
        assert secret not in raw


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2099-01-01", "must be in the past"),
        ("1880-05-05", "over 110"),
        ("1991-02-30", "Enter a real date"),
        ("yesterday-ish", "Enter a real date"),
    ],
)
def test_it_checks_dates_of_birth_and_keeps_the_rest(client, staff, patient_data, value, message):
    response = client.post(VERIFY, {**patient_data, "date_of_birth": value})

    assert response.status_code == 200
    assert message in field_error(response, "date_of_birth")
    assert 'value="LNT100001"' in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
def test_it_accepts_a_us_style_date(client, staff, patient_data):
    client.post(VERIFY, {**patient_data, "date_of_birth": "03/14/1991"})
    assert VerificationRequest.objects.get().date_of_birth == dt.date(1991, 3, 14)


@pytest.mark.django_db
def test_it_asks_for_the_policy_holder_when_it_is_someone_elses_policy(client, staff, patient_data):
    response = client.post(VERIFY, {**patient_data, "relationship": "spouse"})

    assert "policy holder's first name" in field_error(response, "subscriber_first_name")
    assert "policy holder's date of birth" in field_error(response, "subscriber_date_of_birth")
    assert nothing_saved()

    client.post(
        VERIFY,
        {
            **patient_data,
            "relationship": "spouse",
            "subscriber_first_name": "Ade",
            "subscriber_last_name": "Okonkwo",
            "subscriber_date_of_birth": "1989-11-30",
        },
    )
    verification = VerificationRequest.objects.get()
    assert (verification.relationship, verification.subscriber_first_name) == ("spouse", "Ade")


@pytest.mark.django_db
def test_it_needs_a_payer_name_when_the_insurer_is_not_listed(client, staff, patient_data):
    response = client.post(VERIFY, {**patient_data, "payer": "other"})
    assert "name of your insurance company" in field_error(response, "payer_other")
    assert nothing_saved()

    client.post(VERIFY, {**patient_data, "payer": "other", "payer_other": "Harbor Mutual"})
    verification = VerificationRequest.objects.get()
    # No electronic route to an unlisted insurer: straight to staff for a phone check.
    assert verification.payer is None and verification.payer_name == "Harbor Mutual"
    assert verification.status == "needs_review" and verification.checks.count() == 0


@pytest.mark.django_db
def test_it_rejects_a_member_id_with_stray_characters(client, staff, patient_data):
    response = client.post(VERIFY, {**patient_data, "member_id": "LNT<1000>"})
    assert "letters and numbers" in field_error(response, "member_id")
    client.post(VERIFY, {**patient_data, "member_id": " lnt 100 001 "})
    assert VerificationRequest.objects.get().member_id == "LNT100001"


@pytest.mark.django_db
def test_it_requires_consent_and_gives_bots_the_thank_you_page(client, staff, patient_data):
    response = client.post(VERIFY, {k: v for k, v in patient_data.items() if k != "consent"})
    assert "tick this box" in field_error(response, "consent")

    bot = client.post(VERIFY, {**patient_data, "website": "spam"}, follow=True)
    assert "checking your benefits" in bot.content.decode()
    assert nothing_saved()
