"""Spanish as the visitor reads it beyond the templates: the phone line's hours and openings, dates,
times and numbers, and the centre's own text entered by admins (with the English as fallback)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from centre.demo import seed_demo_centre
from centre.models import CentreProfile, Programme, TeamMember
from intake.hours import phone_line_status

NEW_YORK = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in the first week of December 2025 (Monday the 1st), in the centre's zone."""
    return dt.datetime(2025, 12, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    "moment, opens",
    [
        (at(2, 22), "mañana a las 8:00 a. m."),  # Tuesday night
        (at(1, 6, 30), "hoy a las 8:00 a. m."),  # Monday, before opening
        (at(4, 21), "el sábado a las 9:30 a. m."),  # Thursday night, closed on Friday
        (at(6, 14), "el lunes a las 8:00 a. m."),  # Saturday after closing
    ],
)
def test_it_says_when_the_phone_line_opens_in_spanish_words(settings, moment, opens):
    settings.CENTRE_PHONE_HOURS = "mon-thu 08:00-20:00; sat 09:30-13:00"

    with translation.override("es"):
        status = phone_line_status(moment)

    assert status.opens == opens
    assert status.hours == "de lunes a jueves, de 8:00 a. m. a 8:00 p. m.; sábado, de 9:30 a. m. a 1:00 p. m."


def test_it_keeps_the_english_phone_line_words_unchanged(settings):
    settings.CENTRE_PHONE_HOURS = "mon-thu 08:00-20:00; sat 09:30-13:00"

    status = phone_line_status(at(2, 22))

    assert (status.opens, status.hours) == ("at 8 a.m. tomorrow", "Mon–Thu 8 a.m.–8 p.m., Sat 9:30 a.m.–1 p.m.")


def test_it_says_next_monday_and_every_hour_in_spanish(settings):
    settings.CENTRE_PHONE_HOURS = "mon 08:00-09:00"
    with translation.override("es"):
        assert phone_line_status(at(1, 10)).opens == "el próximo lunes a las 8:00 a. m."
        settings.CENTRE_PHONE_HOURS = "24/7"
        assert phone_line_status(at(1, 10)).hours == "las 24 horas del día, los 7 días de la semana"


def test_it_formats_dates_times_and_numbers_as_us_spanish():
    template = Template(
        '{{ day|date }} · {{ moment|time }} · {{ moment|date:"SHORT_DATE_FORMAT" }} · {{ amount|floatformat:"2g" }}'
    )
    context = Context(
        {"day": dt.date(2026, 12, 1), "moment": dt.datetime(2026, 12, 1, 20, 5), "amount": Decimal("1250")}
    )

    with translation.override("es"):
        spanish = template.render(context)
    english = template.render(context)

    assert spanish == "1 de diciembre de 2026 · 8:05 p. m. · 12/01/2026 · 1,250.00"
    assert english.endswith("1,250.00")


def test_it_shows_the_spanish_text_an_admin_wrote_and_the_english_where_there_is_none(profile):
    detox = Programme.objects.get(level="detox")
    detox.name_es, detox.description_es = "Desintoxicación", "Atención médica mientras el alcohol sale de su cuerpo."
    detox.save()
    profile.why_us_es = "Enfermeras en el centro de día y de noche."
    profile.save()

    with translation.override("es"):
        assert detox.local.title == "Desintoxicación"
        assert detox.local.description == "Atención médica mientras el alcohol sale de su cuerpo."
        assert detox.local.who_for == "People who feel sick when they stop drinking."  # not translated yet
        assert profile.local.reasons == ["Enfermeras en el centro de día y de noche."]
        assert profile.local.treats == "alcohol and opioid addiction"
    # English pages never see the Spanish.
    assert (detox.local.title, profile.local.reasons[0]) == ("Detox", "Nurses on site day and night.")


def test_it_shows_spanish_centre_text_on_the_spanish_home_page(client, profile):
    profile.treats_es = "la adicción al alcohol y a los opioides"
    profile.save()
    TeamMember.objects.filter(name="Ada Brook").update(role_es="Directora médica")

    spanish = client.get("/es/").content.decode()
    english = client.get("/").content.decode()

    assert "Tratamos la adicción al alcohol y a los opioides." in spanish and "Directora médica" in spanish
    assert "Licencia estatal: Vermont Department of Health" in spanish
    assert "We treat alcohol and opioid addiction." in english and "Directora médica" not in english


def test_it_seeds_the_demo_centre_in_spanish(media_root, db):
    seed_demo_centre(sender=None)

    profile = CentreProfile.objects.current()
    assert profile.treats_es and profile.phone_answered_by_es and len(profile.why_us_es.splitlines()) == 4
    assert all(p.name_es and p.description_es and p.who_for_es for p in Programme.objects.all())
    assert all(m.role_es and m.bio_es and m.photo_alt_es for m in TeamMember.objects.all())
    assert profile.insurance_plans.get(name="Blue Cross Blue Shield").note_es == "la mayoría de los planes PPO"


def test_it_fills_spanish_on_an_older_demo_site_but_leaves_an_admins_own_text_alone(media_root, db):
    seed_demo_centre(sender=None)
    Programme.objects.update(name_es="", description_es="")
    Programme.objects.filter(level="detox").update(description="Our own words.")

    seed_demo_centre(sender=None)

    assert Programme.objects.get(level="residential").description_es
    assert Programme.objects.get(level="detox").description_es == ""


def test_it_describes_the_clinic_in_spanish_on_the_spanish_page_as_one_clinic(client, profile, settings):
    import json
    import re

    settings.SITE_URL = "https://lantern.example"
    Programme.objects.filter(level="detox").update(name_es="Desintoxicación")

    def data(path: str) -> dict:
        html = client.get(path).content.decode()
        return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])

    english, spanish = data("/"), data("/es/")
    assert spanish["description"] == "Tratamos alcohol and opioid addiction."
    assert spanish["availableService"][0]["name"] == "Desintoxicación"
    assert spanish["@id"] == english["@id"] == "https://lantern.example/#clinic"
    assert spanish["url"] == "https://lantern.example/es/"


def test_it_names_two_days_side_by_side_as_a_pair_in_spanish_and_a_range_in_english(settings):
    settings.CENTRE_PHONE_HOURS = "mon-fri 08:00-20:00; sat-sun 09:00-17:00"
    moment = timezone.now()

    with translation.override("es"):
        spanish = phone_line_status(moment).hours
    english = phone_line_status(moment).hours

    assert spanish.startswith("de lunes a viernes, de 8:00 a. m. a 8:00 p. m.; sábado y domingo, de 9:00 a. m.")
    assert "Sat–Sun" in english
