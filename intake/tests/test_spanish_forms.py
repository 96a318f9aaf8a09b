"""The callback form in Spanish, as a Spanish-speaking visitor lives it: Spanish labels and
messages, the Spanish consent stored as shown, and a thank-you page that says whether a Spanish
speaker will call."""

import datetime as dt

import pytest
from django.utils import translation

from intake.consent import CONSENT_TEXTS, consent_text, current_consent
from intake.models import Lead, LeadRequest, StaffProfile
from intake.timing import call_expectation

CENTRE = "Lantern Recovery Center"


def spanish_post(client, data):
    return client.post("/es/callback/", data)


@pytest.mark.django_db
def test_it_answers_a_spanish_callback_with_mistakes_in_spanish_and_keeps_the_input(client, visitor_data):
    data = {**visitor_data, "phone": "12", "consent": ""}

    response = spanish_post(client, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Por favor, revise los 2 campos marcados abajo" in html
    assert "Escriba un número de teléfono al que podamos llamar" in html
    assert "Por favor, marque esta casilla para que podamos llamarle." in html
    assert "Todo lo demás que escribió sigue aquí." in html
    assert 'value="Jordan Whitlock"' in html
    assert "My brother Ezekiel needs detox from alcohol" in html
    assert "Please check" not in html and "Enter a phone number" not in html
    assert Lead.objects.count() == 0 and LeadRequest.objects.count() == 0


@pytest.mark.django_db
def test_it_shows_the_spanish_form_with_the_spanish_consent(client):
    html = client.get("/es/callback/").content.decode()

    assert "Pida una llamada de vuelta confidencial" in html
    assert "¿Para quién es la ayuda?" in html
    assert "Por la noche (5–8 p. m.)" in html
    assert "Pedir mi llamada" in html
    assert consent_text(current_consent("callback", "es"), CENTRE) in html.replace("&#x27;", "'")


@pytest.mark.django_db
def test_it_stores_a_spanish_request_with_its_language_and_the_spanish_consent_version(client, visitor_data):
    response = spanish_post(client, visitor_data)

    assert response.status_code == 302
    assert response["Location"] == "/es/callback/thanks/"
    request = LeadRequest.objects.get()
    assert request.language == "es"
    assert request.consent_version == "callback-es-2026-12-01"
    assert Lead.objects.get().language == "es"


@pytest.mark.django_db
def test_it_tells_a_spanish_visitor_a_spanish_speaker_will_call_when_one_is_on_shift(client, staff, visitor_data):
    StaffProfile.objects.filter(user=staff["avery"]).update(languages=["es"])

    spanish_post(client, visitor_data)
    html = client.get("/es/callback/thanks/").content.decode()

    assert "Gracias. Recibimos su solicitud." in html
    assert "Avisamos primero a las personas de nuestro equipo que hablan español." in html
    assert "Su número de referencia es" in html
    assert "nadie de nuestro equipo en turno habla español" not in html


@pytest.mark.django_db
def test_it_offers_a_free_interpreter_when_no_spanish_speaker_is_on_shift(client, staff, visitor_data):
    spanish_post(client, visitor_data)
    html = client.get("/es/callback/thanks/").content.decode()

    assert "es posible que la llamada sea en inglés" in html
    assert "intérprete por teléfono, sin costo" in html
    assert "language-assistance/" in html
    assert "Avisamos primero a las personas de nuestro equipo que hablan español." not in html


@pytest.mark.django_db
def test_it_says_nothing_about_languages_on_the_english_thank_you_page(client, staff, visitor_data):
    client.post("/callback/", visitor_data)
    html = client.get("/callback/thanks/").content.decode()

    assert "got your request." in html
    assert "Spanish" not in html and "interpreter" not in html
    assert LeadRequest.objects.get().consent_version == "callback-2026-11-30"


def test_it_keeps_the_english_consents_word_for_word():
    # Stored consents must keep matching the words people agreed to.
    assert CONSENT_TEXTS["callback-2026-11-30"].startswith("I agree that {centre} may call me at the number above")
    assert current_consent("callback", "en") == "callback-2026-11-30"
    assert current_consent("article-callback", "es") == "article-callback-es-2026-12-01"
    assert current_consent("callback", "fr") == "callback-2026-11-30"


def test_it_says_when_we_call_in_spanish_with_spanish_times(settings):
    settings.CENTRE_HOURS = "mon-sun 08:00-20:00"
    settings.CENTRE_TIMEZONE = "America/Chicago"
    tz = dt.timezone(dt.timedelta(hours=-6))
    morning = dt.datetime(2026, 12, 1, 9, 0, tzinfo=tz)
    night = dt.datetime(2026, 12, 1, 22, 0, tzinfo=tz)

    with translation.override("es"):
        assert call_expectation(morning) == f"en unos {settings.CALLBACK_RESPONSE_MINUTES} minutos"
        assert call_expectation(morning, best_time="evening") == "esta noche, de 5:00 a 8:00 p. m."
        assert call_expectation(night) == "poco después de que abramos, mañana a las 8:00 a. m."
    assert call_expectation(morning, best_time="evening") == "this evening, between 5 and 8 p.m."
    assert call_expectation(night) == "soon after we open at 8 a.m. tomorrow"
