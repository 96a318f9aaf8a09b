"""What admissions sends a person who asked in Spanish is in Spanish: the admission reminder by
text and by email, with Spanish dates and the US 12-hour clock ("a las 8:00 a. m."), naming no
condition; and the email around a cost estimate (its PDF stays in English, and the email says so)."""

import datetime as dt
import email as email_lib
from email import policy
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from admissions.models import Admission, VisitorReminder
from admissions.models.estimates import estimate_email_words
from admissions.models.reminders import reminder_context, reminder_text
from intake import channels
from intake.models import Lead
from texting.wording import telling_words

from .test_beds_reminders import GIVEAWAYS, booked

pytestmark = pytest.mark.django_db


def in_spanish(admission: Admission, *, at: dt.datetime | None = None) -> Admission:
    Lead.objects.filter(pk=admission.lead_id).update(language="es")
    if at:
        Admission.objects.filter(pk=admission.pk).update(admit_at=at)
    return Admission.objects.select_related("lead").get(pk=admission.pk)


def centre_time(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_spanish_reminder_text_says_the_day_and_time_the_spanish_way(staff, clinician):
    admission = in_spanish(booked(staff, clinician, ok_to_text=True, email_reminder=False), at=centre_time(9, 8))

    text = reminder_text(admission)

    assert text == (
        "Recordatorio de Lantern: su cita es el miércoles 9 de diciembre a las 8:00 a. m. "
        f"¿Tiene preguntas o necesita cambiarla? Llame al {settings.CENTRE_PHONE}."
    )
    assert not GIVEAWAYS.search(text.split(":", 1)[1]) and not telling_words(text)


def test_one_oclock_is_a_la_una(staff, clinician):
    admission = in_spanish(booked(staff, clinician, ok_to_text=True, email_reminder=False), at=centre_time(10, 13))

    assert "su cita es el jueves 10 de diciembre a la 1:00 p. m." in reminder_text(admission)


def test_an_english_reminder_is_unchanged(staff, clinician):
    admission = booked(staff, clinician, ok_to_text=True, email_reminder=False)
    Admission.objects.filter(pk=admission.pk).update(admit_at=centre_time(9, 8))
    admission.refresh_from_db()

    assert reminder_text(admission).startswith(
        "Reminder from Lantern: your appointment is on Wednesday 9 December at 8:00 a.m. "
    )


def test_the_reminder_text_reaches_a_spanish_speaker_in_spanish(staff, clinician, http_inbox):
    in_spanish(booked(staff, clinician, ok_to_text=True, email_reminder=False, hours=2))

    VisitorReminder.objects.deliver_due()

    [request] = http_inbox.received("/Messages.json")
    body = parse_qs(request["body"].decode())["Body"][0]
    assert body.startswith("Recordatorio de Lantern: su cita es el ")
    assert "¿Tiene preguntas o necesita cambiarla?" in body and not GIVEAWAYS.search(body.split(":", 1)[1])


def test_the_reminder_email_is_in_spanish(staff, clinician, mailbox):
    admission = in_spanish(booked(staff, clinician, ok_to_text=False, email_reminder=True, hours=2))

    VisitorReminder.objects.deliver_due()
    [message] = mailbox.wait_for(1, timeout=5)
    with translation.override("es"):
        subject, text, html = channels.render_email("visitor-reminder", reminder_context(admission))

    assert email_lib.message_from_string(message["data"], policy=policy.default)["subject"] == subject
    assert subject.startswith("Recordatorio de Lantern: su cita del ")
    assert text.startswith("Hola:\n") and "¿Tiene preguntas o necesita cambiarla? Llame al" in text
    assert '<html lang="es">' in html and "<p>Hola:</p>" in html
    assert not GIVEAWAYS.search(text) and not GIVEAWAYS.search(subject.split(":", 1)[1])


def test_the_estimate_email_is_in_spanish_and_says_the_pdf_is_in_english():
    subject, body = estimate_email_words("Lantern Recovery Center", "es")

    assert subject == "Su estimado de costos de Lantern Recovery Center"
    assert body.startswith("Hola:\n\nComo nos pidió, le enviamos su estimado de costos")
    assert "en inglés" in body and "llámenos al" in body
    assert estimate_email_words("Lantern Recovery Center", "en")[0] == "Your cost estimate from Lantern Recovery Center"
