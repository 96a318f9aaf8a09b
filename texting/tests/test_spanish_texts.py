"""Texts to a person who asked in Spanish are in Spanish: the first text, the STOP/START/HELP
confirmations (ALTO, COMENZAR and AYUDA understood too), the opt-out line on a worker's first text,
the prepared texts offered first; and no text names a condition in Spanish either."""

import pytest
from django.urls import reverse

from intake.front_door import Submission
from intake.models import EventKind, Lead, LeadEvent, WorkflowError
from outbox.tests.helpers import deliver
from texting import compose
from texting.message_templates import TextTemplate
from texting.models import OutgoingText, Purpose
from texting.wording import telling_words

from .helpers import JORDAN_PHONE, daytime_now, inbound, sent_texts, texting_lead

pytestmark = pytest.mark.django_db

SPANISH_OPT_OUT = "Responda STOP o ALTO para no recibir más mensajes."


@pytest.fixture
def lucia(visitor_data):
    """Lucía asked for a call on /es/callback/, texts allowed."""
    submission = Submission.from_callback(
        {**visitor_data, "name": "Lucía Ramírez", "phone": JORDAN_PHONE},
        consent_version="callback-es-2026-12-01",
        consent_page="/es/callback/",
        attribution={},
        language="es",
    )
    return Lead.objects.receive(submission)[0]


def test_it_sends_a_spanish_request_its_first_text_in_spanish_naming_no_condition(sms, lucia, settings):
    text = OutgoingText.objects.get(lead=lucia, purpose=Purpose.FIRST)
    deliver(text)

    body = sent_texts(sms, JORDAN_PHONE)[0]["Body"]
    assert body.startswith("Lantern: recibimos su solicitud. Una persona de nuestro equipo le llamará desde el (")
    assert body.endswith(SPANISH_OPT_OUT)
    assert "Lucía" not in body and not telling_words(body)


@pytest.mark.parametrize("word", ["ALTO", " alto. ", "Parar", "CANCELAR", "baja!", "STOP"])
def test_a_spanish_stop_word_stops_texts_and_is_confirmed_in_spanish(client, sms, lucia, word):
    inbound(client, JORDAN_PHONE, word)

    lucia.refresh_from_db()
    assert lucia.texts_stopped_at is not None
    reply = OutgoingText.objects.get(purpose=Purpose.STOP_REPLY)
    assert reply.body.startswith("Lantern: ya no recibirá mensajes de este número.")
    assert "Responda START o COMENZAR" in reply.body and not telling_words(reply.body)
    event = LeadEvent.objects.get(lead=lucia, kind=EventKind.TEXTS_STOPPED)
    assert event.details["word"] == word.strip(" .!").upper()


def test_comenzar_resumes_texts_and_is_confirmed_in_spanish(client, sms, lucia):
    inbound(client, JORDAN_PHONE, "ALTO")

    inbound(client, JORDAN_PHONE, "Comenzar")

    lucia.refresh_from_db()
    assert lucia.texts_stopped_at is None
    reply = OutgoingText.objects.get(purpose=Purpose.START_REPLY)
    assert reply.body == f"Lantern: los mensajes de este número están activados otra vez. {SPANISH_OPT_OUT}"


def test_ayuda_is_answered_in_spanish_with_the_centres_name_and_phone(client, sms, lucia, settings):
    inbound(client, JORDAN_PHONE, "Ayúda")

    reply = OutgoingText.objects.get(purpose=Purpose.HELP_REPLY)
    assert reply.body.startswith(f"{settings.CENTRE_NAME}: para hablar con nosotros, llame al (")
    assert "En una emergencia, llame al 911" in reply.body and "988" in reply.body


def test_a_spanish_word_from_an_english_speaker_is_answered_in_spanish_and_english_words_in_english(
    client, sms, jordan
):
    inbound(client, JORDAN_PHONE, "HELP")
    inbound(client, JORDAN_PHONE, "AYUDA")

    bodies = list(OutgoingText.objects.filter(purpose=Purpose.HELP_REPLY).order_by("pk").values_list("body", flat=True))
    assert "to talk to us call" in bodies[0] and "para hablar con nosotros" in bodies[1]


def test_sí_alone_is_a_message_for_a_person_not_an_opt_in(client, sms, lucia):
    inbound(client, JORDAN_PHONE, "ALTO")

    inbound(client, JORDAN_PHONE, "Sí")

    lucia.refresh_from_db()
    assert lucia.texts_stopped_at is not None


def test_a_workers_first_text_to_a_spanish_speaker_ends_with_the_spanish_opt_out_line(staff, settings):
    daytime_now(settings)
    lead = texting_lead(language="es")

    text = compose.write_text(lead, "Hola, ¿cuándo podemos llamarle?", by=staff["avery"])

    assert text.body == f"Lantern: Hola, ¿cuándo podemos llamarle? {SPANISH_OPT_OUT}"


@pytest.mark.parametrize(
    "words",
    [
        "Su cama de desintoxicación está lista.",
        "Hablemos de su tratamiento.",
        "Llame a la clínica.",
        "Sobre su adicción",
    ],
)
def test_a_spanish_text_that_names_a_condition_is_refused_without_plain_words(staff, settings, words):
    daytime_now(settings)
    lead = texting_lead(language="es")

    with pytest.raises(WorkflowError, match="anyone holding the phone can read it"):
        compose.write_text(lead, words, by=staff["avery"])


def test_everyday_spanish_words_are_not_mistaken_for_telling_ones():
    assert telling_words("Su sobrino dijo que está seguro; el bebé duerme. ¿Podemos llamar mañana?") == []


def test_the_write_form_offers_a_spanish_speakers_prepared_texts_in_spanish_first(client, staff):
    lead = texting_lead(language="es")
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    spanish, english = page.index("Tried to call (Español)"), page.index(">Tried to call<")
    assert spanish < english
    assert 'data-words="Intentamos llamarle. ¿Cuándo es un buen momento?"' in page


def test_the_spanish_prepared_texts_are_discreet(client, staff, settings):
    daytime_now(settings)
    for template in TextTemplate.objects.filter(language="es"):
        template.full_clean()
        assert not telling_words(template.words) and "{first_name}" not in template.words
    lead = texting_lead(language="es")
    client.force_login(staff["avery"])

    client.post(reverse("texting:send", args=[lead.pk]), {"template": "tried-to-call-es", "body": ""})

    assert OutgoingText.objects.get(lead=lead).body == (
        f"Lantern: Intentamos llamarle. ¿Cuándo es un buen momento? {SPANISH_OPT_OUT}"
    )
