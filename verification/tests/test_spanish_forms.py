"""The insurance check in Spanish: Spanish messages that keep what was typed (the card photo too),
and a Part 2 consent stored in the Spanish words the visitor read, with Spanish dates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from intake.consent import long_date
from intake.models import LeadRequest, Part2Consent, StaffProfile
from verification.models import VerificationRequest

from .conftest import jpeg_bytes

VERIFY = "/es/verify/"


@pytest.mark.django_db
def test_it_answers_spanish_mistakes_in_spanish_and_keeps_the_card_photo(client, patient_data):
    photo = SimpleUploadedFile("front.jpg", jpeg_bytes(), content_type="image/jpeg")
    data = {**patient_data, "date_of_birth": "31/12/1990", "member_id": "", "card_front": photo}

    html = client.post(VERIFY, data).content.decode()

    assert "Por favor, revise los 2 campos marcados abajo" in html
    assert "Escriba una fecha real en el orden mes/día/año" in html
    assert "Escriba el número de miembro (ID) de la tarjeta del seguro médico." in html
    assert "Frente de la tarjeta: recibida (foto guardada)" in html
    assert 'value="Okonkwo"' in html
    assert "Consentimiento para compartir información con la compañía de seguro médico" in html
    assert "Paciente: el paciente cuyo nombre aparece arriba." in html
    assert VerificationRequest.objects.count() == 0 and LeadRequest.objects.count() == 0


@pytest.mark.django_db
def test_it_stores_the_spanish_part2_consent_filled_in_with_spanish_dates(client, patient_data):
    response = client.post(VERIFY, patient_data)

    assert response.status_code == 302 and response["Location"] == "/es/verify/thanks/"
    request = LeadRequest.objects.get()
    assert request.language == "es"
    assert request.consent_version == "verification-part2-es-2026-12-01"
    consent = Part2Consent.objects.get(lead_request=request)
    assert consent.version == "verification-part2-es-2026-12-01"
    assert consent.terms[0] == "Paciente: Maya Okonkwo."
    assert "Quién recibe la información: Aetna." in consent.terms
    signed = timezone.localdate(consent.signed_at)
    assert consent.terms[-1].endswith(f"el {long_date(signed, 'es')}.")
    assert " de " in long_date(signed, "es")


@pytest.mark.django_db
def test_it_stores_the_spanish_by_phone_consent_for_a_visitor_who_asks_for_a_call(client, patient_data):
    client.post(VERIFY, {**patient_data, "insurer_contact": "by_phone", "consent": ""})

    assert LeadRequest.objects.get().consent_version == "verification-by-phone-es-2026-12-01"
    assert Part2Consent.objects.count() == 0


@pytest.mark.django_db
def test_the_spanish_thank_you_page_says_a_spanish_speaker_will_call(client, staff, patient_data):
    StaffProfile.objects.filter(user=staff["blake"]).update(languages=["es"])
    client.post(VERIFY, patient_data)

    html = client.get("/es/verify/thanks/").content.decode()

    assert "Gracias. Estamos consultando sus beneficios." in html
    assert "Avisamos primero a las personas de nuestro equipo que hablan español." in html
    assert "Su número de referencia es" in html


@pytest.mark.django_db
def test_the_spanish_thank_you_page_offers_an_interpreter_when_no_speaker_is_on_shift(client, staff, patient_data):
    client.post(VERIFY, patient_data)

    html = client.get("/es/verify/thanks/").content.decode()

    assert "intérprete por teléfono, sin costo" in html


def test_it_writes_spanish_dates_day_first_and_english_ones_unchanged():
    import datetime as dt

    day = dt.date(2026, 12, 1)
    assert long_date(day, "es") == "1 de diciembre de 2026"
    assert long_date(day, "en") == "December 1, 2026"
