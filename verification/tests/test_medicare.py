"""Medicare and Medicaid on the insurance form: the state asked where it matters, the state's own
Medicaid chosen from it, and a Medicare Number checked as one or left out by a person without their
card (the check then looks it up: test_mbi_lookup)."""

import re

import pytest

from intake.models import Part2Consent
from intake.tasks import store_spooled_submissions
from intake.tests.test_spool import database_down, kept  # noqa: F401 - the spool fixture, Redis and folder
from verification.eligibility.mbi import mbi_fault, normalise_mbi
from verification.models import Payer, VerificationRequest

from .test_verify_form import field_error, nothing_saved

VERIFY = "/verify/"


@pytest.fixture
def medicare(db) -> Payer:
    # Seeded by a migration; made again because transactional tests empty the tables.
    return Payer.objects.get_or_create(name="Medicare", defaults={"payer_id": "CMS", "kind": "medicare"})[0]


@pytest.fixture
def medicaid(db) -> Payer:
    return Payer.objects.get_or_create(name="Medicaid (state plan)", defaults={"kind": "medicaid"})[0]


@pytest.fixture
def new_york_medicaid(db) -> Payer:
    return Payer.objects.get_or_create(
        name="New York Medicaid", defaults={"payer_id": "SKNY0", "kind": "medicaid", "state": "NY"}
    )[0]


@pytest.fixture
def medicare_visitor(patient_data, medicare) -> dict:
    """Ruth, 76, checks her Medicare without her card at hand."""
    return {
        **patient_data,
        "first_name": "Ruth",
        "last_name": "Abernathy",
        "date_of_birth": "1950-01-01",
        "payer": str(medicare.pk),
        "member_id": "",
        "group_number": "",
        "no_card": "on",
        "state": "OH",
    }


def submit(client, data: dict) -> VerificationRequest:
    response = client.post(VERIFY, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return VerificationRequest.objects.latest("pk")


# --- The Medicare Number's format ------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1EG4-TE5-MK73", "1eg4 te5 mk73", "1EG4TE5MK73", "9AA0A00AA00"])
def test_it_accepts_a_medicare_number_however_it_is_typed(typed):
    assert mbi_fault(normalise_mbi(typed)) == ""


@pytest.mark.parametrize(
    ("typed", "fault"),
    [
        ("1EG4-TE5-MK7", "length"),
        ("1EG4-TE5-MK733", "length"),
        *[(f"1{letter}G4-TE5-MK73", "letters") for letter in "SLOIBZ"],
        ("1EG4-TE5-MS73", "letters"),
        ("0EG4-TE5-MK73", "pattern"),  # position 1 is 1-9
        ("1234-TE5-MK73", "pattern"),  # position 2 is a letter
        ("1EGA-TE5-MK73", "pattern"),  # position 4 is a digit
        ("1EG4-TE5-MK7A", "pattern"),  # position 11 is a digit
    ],
)
def test_it_says_what_is_wrong_with_a_medicare_number(typed, fault):
    assert mbi_fault(normalise_mbi(typed)) == fault


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1EG4-TE5-MK7", "A Medicare Number has 11 letters and numbers; this one has 10."),
        ("1EG4-TE5-MO73", "never has the letters S, L, O, I, B or Z: check for a 5, 1, 0, 1, 8 or 2."),
        ("0EG4-TE5-MK73", "starting with a number from 1 to 9"),
    ],
)
def test_it_explains_a_mistyped_medicare_number_next_to_the_field_and_keeps_the_rest(
    client, medicare_visitor, typed, message
):
    response = client.post(VERIFY, {**medicare_visitor, "member_id": typed, "no_card": ""})

    assert response.status_code == 200
    assert message in field_error(response, "member_id")
    html = response.content.decode()
    assert 'value="Abernathy"' in html and f'value="{typed}"' in html
    assert '<option value="OH" selected>Ohio</option>' in html
    assert nothing_saved()


@pytest.mark.django_db
def test_it_stores_a_medicare_number_typed_with_dashes_without_them(client, medicare_visitor):
    verification = submit(client, {**medicare_visitor, "member_id": "1eg4-te5-mk73", "no_card": "", "state": ""})

    assert verification.member_id == "1EG4TE5MK73" and not verification.member_id_looked_up


@pytest.mark.django_db
def test_it_asks_a_medicare_visitor_for_the_number_or_the_no_card_box(client, medicare_visitor):
    response = client.post(VERIFY, {**medicare_visitor, "no_card": ""})

    assert field_error(response, "member_id") == (
        'Enter the Medicare Number from the card, or tick "I don\'t have my Medicare card at hand".'
    )
    assert nothing_saved()


@pytest.mark.django_db
def test_it_still_asks_other_insurers_for_the_member_id_whatever_the_no_card_box_says(client, patient_data):
    response = client.post(VERIFY, {**patient_data, "member_id": "", "no_card": "on"})

    assert field_error(response, "member_id") == "Enter the member ID from the insurance card."
    assert nothing_saved()


# --- The state ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_asks_a_medicaid_visitor_for_their_state_next_to_the_field_and_keeps_the_rest(
    client, patient_data, medicaid
):
    response = client.post(VERIFY, {**patient_data, "payer": str(medicaid.pk), "member_id": "NY55120931"})

    assert response.status_code == 200
    assert field_error(response, "state") == "Choose the state of your Medicaid plan."
    html = response.content.decode()
    assert 'value="Okonkwo"' in html and 'value="NY55120931"' in html
    assert nothing_saved()


@pytest.mark.django_db
def test_it_asks_a_medicare_visitor_without_the_card_for_their_state(client, medicare_visitor):
    response = client.post(VERIFY, {**medicare_visitor, "state": ""})

    assert field_error(response, "state") == "Choose your state: without the card, Medicare finds you by it."
    assert 'value="Abernathy"' in response.content.decode()
    assert nothing_saved()


@pytest.mark.django_db
def test_it_sends_a_medicaid_visitor_to_their_states_medicaid_and_the_consent_names_it(
    client, patient_data, medicaid, new_york_medicaid
):
    verification = submit(client, {**patient_data, "payer": str(medicaid.pk), "member_id": "NY55120931", "state": "NY"})

    assert verification.payer == new_york_medicaid and verification.state == "NY"
    assert verification.checks.filter(status="pending").count() == 1
    consent = Part2Consent.objects.get(lead_request=verification.lead_request)
    assert "Who receives it: New York Medicaid." in consent.terms


@pytest.mark.django_db
def test_it_leaves_medicaid_of_a_state_without_electronic_eligibility_to_staff(
    client, patient_data, medicaid, new_york_medicaid
):
    verification = submit(client, {**patient_data, "payer": str(medicaid.pk), "member_id": "PA1200456", "state": "PA"})

    assert verification.payer == medicaid and verification.state == "PA"
    assert verification.status == "needs_review" and not verification.checks.exists()


@pytest.mark.django_db
def test_it_lists_medicaid_once_and_marks_which_insurers_ask_for_a_state(client, medicare, medicaid, new_york_medicaid):
    Payer.objects.get_or_create(name="Blue Cross Blue Shield / Anthem")
    html = client.get(VERIFY).content.decode()

    assert "New York Medicaid" not in html  # reached through Medicaid and the state
    assert re.search(rf'<option value="{medicaid.pk}" data-state="asked"', html)
    assert re.search(rf'<option value="{medicare.pk}" data-kind="medicare" data-state="if-no-card"', html)
    assert re.search(r'<option value="\d+" data-state="asked">Blue Cross Blue Shield', html)
    assert re.search(r'<option value="\d+">Aetna', html)
    assert 'name="state"' in html and 'name="no_card"' in html
    assert '<option value="NY">New York</option>' in html and '<option value="PR">Puerto Rico</option>' in html


@pytest.mark.django_db
def test_it_asks_for_the_state_in_spanish_with_the_states_in_spanish_order(client, patient_data, medicaid):
    response = client.post("/es/verify/", {**patient_data, "payer": str(medicaid.pk), "member_id": "NY55120931"})

    assert field_error(response, "state") == "Elija el estado de su plan de Medicaid."
    html = response.content.decode()
    states = re.findall(r'<option value="([A-Z]{2})">', html)
    assert states.index("NY") < states.index("OH")  # "Nueva York" sorts with the Ns
    assert '<option value="NY">Nueva York</option>' in html
    assert "No tengo mi tarjeta de Medicare a mano" in html
    assert "En la tarjeta de Medicare, el número de miembro es el número de Medicare" in html


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_state_and_the_missing_mbi_of_a_request_sent_while_the_database_is_down(
    client,
    staff,
    medicare_visitor,
    medicaid,
    new_york_medicaid,
    kept,  # noqa: F811
):
    client.get(VERIFY)  # the page was loaded while the database was up
    medicaid_visitor = {**medicare_visitor, "payer": str(medicaid.pk), "member_id": "NY55120931", "state": "NY"}
    with database_down():
        for data in (medicare_visitor, {**medicaid_visitor, "phone": "(646) 555-0199"}):
            assert client.post(VERIFY, data).status_code == 302
    assert VerificationRequest.objects.count() == 0

    assert store_spooled_submissions() == 2

    ruth, on_medicaid = VerificationRequest.objects.order_by("pk")
    assert (ruth.payer.name, ruth.state) == ("Medicare", "OH")
    # Stored without a number; the worker may already have looked it up from her state.
    assert ruth.member_id == "" or ruth.member_id_looked_up
    assert (on_medicaid.payer, on_medicaid.state) == (new_york_medicaid, "NY")
