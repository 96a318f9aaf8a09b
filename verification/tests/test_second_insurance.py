"""A second insurance on the verify form: Maya is on her own employer's plan and still on her
father's. Both cards are kept (encrypted), both are checked under a consent naming both payers,
each check is its own line in the accounting of disclosures, and retention blanks both."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from intake.models import Disclosure, DisclosureRefused, LeadStatus, Part2Consent
from intake.retention import REMOVED, anonymise_expired
from intake.tests.helpers import closed_lead
from outbox.tests.helpers import deliver
from verification import spooled
from verification.eligibility import read_270
from verification.forms import VerificationForm
from verification.insurances import SecondInsurance
from verification.models import EligibilityCheck, Payer, VerificationRequest

from .test_part2 import clearinghouse  # noqa: F401 - the x12 gateway through a faked clearinghouse
from .test_verify_form import field_error, nothing_saved

VERIFY = "/verify/"


@pytest.fixture
def cigna(db) -> Payer:
    return Payer.objects.get_or_create(name="Cigna", defaults={"payer_id": "62308"})[0]


@pytest.fixture
def second_card(cigna) -> dict:
    """Her father's plan: Cigna, where she is a dependent."""
    return {
        "has_second_insurance": "on",
        "second_payer": str(cigna.pk),
        "second_member_id": "lnt 600002",
        "second_group_number": "CG-55120",
        "second_relationship": "child",
        "second_subscriber_first_name": "Chidi",
        "second_subscriber_last_name": "Okonkwo",
        "second_subscriber_date_of_birth": "1965-07-02",
    }


def submit(client, data) -> VerificationRequest:
    response = client.post(VERIFY, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return VerificationRequest.objects.latest("pk")


@pytest.mark.django_db
def test_it_asks_about_a_second_insurance_behind_one_box(client):
    html = client.get(VERIFY).content.decode()

    assert "Do you have a second insurance?" in html
    assert 'name="has_second_insurance"' in html and 'class="second-insurance-section"' in html
    for field in ("second_payer", "second_member_id", "second_relationship", "second_subscriber_date_of_birth"):
        assert f'name="{field}"' in html
    # In the page's order: after the first card's photos, before the consent.
    assert html.index('id="id_card_back"') < html.index('id="id_has_second_insurance"') < html.index('id="id_consent"')


@pytest.mark.django_db
def test_it_stores_both_insurances_encrypted_and_checks_each(
    client, staff, patient_data, second_card, cigna, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, {**patient_data, **second_card})

    second = SecondInsurance.objects.get(verification=verification)
    assert (second.payer, second.member_id, second.group_number) == (cigna, "LNT600002", "CG-55120")
    assert (second.relationship, second.subscriber_first_name) == ("child", "Chidi")
    assert second.subscriber_date_of_birth == dt.date(1965, 7, 2)
    assert [plan.payer_name for plan in verification.plans()] == ["Aetna", "Cigna"]
    pending = verification.checks.filter(status="pending")
    assert sorted(pending.values_list("insurance", flat=True)) == ["first", "second"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM verification_secondinsurance")
        raw = repr(cursor.fetchall())
        cursor.execute("SELECT changes, changes_text FROM auditlog_logentry")
        raw += repr(cursor.fetchall())
    for secret in ("LNT600002", "CG-55120", "Chidi", "1965-07-02"):
        assert secret not in raw


@pytest.mark.django_db
def test_it_ignores_what_was_typed_for_a_second_card_when_the_box_is_not_ticked(client, staff, patient_data, cigna):
    half_typed = {"second_payer": str(cigna.pk), "second_member_id": "not a card!", "second_relationship": "child"}
    verification = submit(client, {**patient_data, **half_typed})

    assert not SecondInsurance.objects.exists()
    assert [plan.which for plan in verification.plans()] == ["first"]
    assert verification.checks.count() == 1


@pytest.mark.django_db
def test_it_says_what_the_second_card_lacks_next_to_each_field_and_keeps_the_rest(client, staff, patient_data):
    response = client.post(
        VERIFY,
        {
            **patient_data,
            "has_second_insurance": "on",
            "second_group_number": "CG-55120",
            "second_relationship": "spouse",
            "second_subscriber_first_name": "Ade",
            "second_subscriber_date_of_birth": "2099-01-01",
        },
    )

    assert response.status_code == 200
    assert field_error(response, "second_payer") == 'Choose the second insurance company, or "isn\'t listed".'
    assert field_error(response, "second_member_id") == "Enter the member ID from the second insurance card."
    assert field_error(response, "second_subscriber_last_name") == "Enter the second policy holder's last name."
    assert field_error(response, "second_subscriber_date_of_birth") == "A date of birth must be in the past."
    assert field_error(response, "second_subscriber_first_name") == ""
    html = response.content.decode()
    for kept in ('value="LNT100001"', 'value="CG-55120"', 'value="Ade"', 'value="Maya"'):
        assert kept in html
    assert "checked" in re.search(r'<input[^>]*name="has_second_insurance"[^>]*>', html).group(0)
    assert nothing_saved()


@pytest.mark.django_db
def test_it_asks_for_an_unlisted_second_insurer_by_name(client, staff, patient_data):
    response = client.post(
        VERIFY, {**patient_data, "has_second_insurance": "on", "second_payer": "other", "second_member_id": "ZX9912"}
    )

    assert field_error(response, "second_payer_other") == "Tell us the name of the second insurance company."
    assert nothing_saved()


@pytest.mark.django_db
def test_it_refuses_the_first_card_given_twice(client, staff, patient_data):
    aetna = patient_data["payer"]
    response = client.post(
        VERIFY, {**patient_data, "has_second_insurance": "on", "second_payer": aetna, "second_member_id": "LNT100001"}
    )

    assert field_error(response, "second_member_id") == (
        "This is the same card as the first one: give the second card's details, or untick the box."
    )
    assert nothing_saved()


@pytest.mark.django_db
def test_it_asks_in_spanish_on_the_spanish_page(client, staff, patient_data):
    html = client.get("/es/verify/").content.decode()
    assert "¿Tiene un segundo seguro médico?" in html and "Sí, tengo un segundo seguro médico" in html

    response = client.post("/es/verify/", {**patient_data, "has_second_insurance": "on"})
    assert field_error(response, "second_member_id") == (
        "Escriba el número de miembro (ID) de la segunda tarjeta del seguro médico."
    )


@pytest.mark.django_db
def test_the_consent_names_both_payers_and_the_clearinghouse(
    client,
    patient_data,
    second_card,
    clearinghouse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    html = client.get(VERIFY).content.decode()
    assert "Who receives it: the insurance company or companies chosen above, and Availity" in html

    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, {**patient_data, **second_card})

    consent = Part2Consent.objects.get(lead_request=verification.lead_request)
    assert consent.recipient_names == ["Aetna", "Cigna", "Availity"]
    assert "Who receives it: Aetna, Cigna, and Availity." in consent.terms
    assert verification.disclosure_refusal() is None


@pytest.mark.django_db
def test_each_plan_is_asked_of_its_own_payer_and_listed_as_its_own_disclosure(
    client,
    patient_data,
    second_card,
    clearinghouse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, {**patient_data, **second_card})
    deliver(*verification.checks.filter(status="pending"))

    asked = sorted((inquiry.payer_id, inquiry.member_id) for inquiry in map(read_270, clearinghouse))
    assert asked == [("60054", "LNT100001"), ("62308", "LNT600002")]
    lines = {tuple(line.recipient_names): line for line in Disclosure.objects.filter(lead=verification.lead)}
    assert set(lines) == {("Aetna", "Availity"), ("Cigna", "Availity")}
    # Her father's plan: his name and date of birth went with it, and the accounting says so (not the values).
    assert "policy holder's name and date of birth" in lines["Cigna", "Availity"].what
    assert "policy holder" not in lines["Aetna", "Availity"].what
    assert "Chidi" not in lines["Cigna", "Availity"].what


@pytest.mark.django_db
def test_nothing_is_sent_when_the_consent_does_not_name_the_second_payer(
    client,
    patient_data,
    cigna,
    clearinghouse,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    verification.checks.all().delete()
    # A second plan the consent she signed never named (added after she signed).
    SecondInsurance.objects.create(verification=verification, payer=cigna, member_id="LNT600002")

    refusal = verification.disclosure_refusal()

    assert "does not name Cigna" in refusal
    with pytest.raises(DisclosureRefused, match="does not name Cigna"):
        verification.start_check()
    assert not EligibilityCheck.objects.exists() and clearinghouse == []


@pytest.mark.django_db(transaction=True)
def test_a_second_insurance_kept_in_the_spool_is_stored_with_the_request(staff, patient_data, second_card):
    form = VerificationForm({**patient_data, **second_card})
    assert form.is_valid(), form.errors
    payload = spooled.request_payload(
        form.cleaned_data, consent_version=form.consent_version, consent_page="/verify/", attribution={}
    )
    kept = json.loads(json.dumps(payload))  # as the spool keeps it
    verification = spooled.store(kept, timezone.now(), uuid.uuid4())

    second = verification.second_insurance
    assert (second.payer.name, second.member_id, second.subscriber_date_of_birth) == (
        "Cigna",
        "LNT600002",
        dt.date(1965, 7, 2),
    )


@pytest.mark.django_db
def test_retention_blanks_the_second_insurance(settings, cigna):
    settings.RETENTION_DAYS = 30
    lead = closed_lead(status=LeadStatus.NOT_A_FIT, closed_days_ago=400, kind="verification")
    verification = VerificationRequest.objects.create(
        lead=lead, first_name="Maya", last_name="Okonkwo", date_of_birth=dt.date(1991, 3, 14), member_id="LNT100001"
    )
    SecondInsurance.objects.create(
        verification=verification,
        payer=cigna,
        member_id="LNT600002",
        group_number="CG-55120",
        relationship="child",
        subscriber_first_name="Chidi",
        subscriber_last_name="Okonkwo",
        subscriber_date_of_birth=dt.date(1965, 7, 2),
    )

    anonymise_expired()

    second = SecondInsurance.objects.get()
    assert (second.member_id, second.group_number, second.subscriber_first_name) == (REMOVED,) * 3
    assert second.subscriber_date_of_birth is None
    assert second.payer == cigna  # which insurer it was is not PHI: the metrics may count it
