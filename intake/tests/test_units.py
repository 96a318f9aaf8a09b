"""Opening hours, phone numbers and encryption: the small parts the journey leans on."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection

from intake import crypto
from intake.forms import PHONE_ERROR
from intake.hours import Hours
from intake.models import Lead
from intake.phones import normalise_phone
from intake.timing import call_expectation

NY = ZoneInfo("America/New_York")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    ("moment", "promise"),
    [
        (at(2026, 11, 18, 10, 0), "within about 15 minutes"),  # Wednesday morning
        (at(2026, 11, 18, 6, 30), "soon after we open at 8 a.m. today"),
        (at(2026, 11, 20, 21, 0), "soon after we open at 9 a.m. tomorrow"),  # Friday night -> Saturday
        (at(2026, 11, 22, 17, 30), "soon after we open at 8 a.m. tomorrow"),  # Sunday evening -> Monday
    ],
)
def test_it_promises_a_call_time_that_respects_opening_hours(settings, moment, promise):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00; sat-sun 09:00-17:00"
    assert call_expectation(moment) == promise


def test_it_names_the_weekday_when_the_next_opening_is_days_away(settings):
    settings.CENTRE_HOURS = "mon-fri 09:00-17:00"
    assert call_expectation(at(2026, 11, 20, 18, 0)) == "soon after we open at 9 a.m. Monday"


def test_it_summarises_hours_for_the_footer():
    hours = Hours.parse("mon-fri 08:00-20:00; sat 09:30-13:00", "America/New_York")
    assert hours.summary() == "Mon–Fri 8 a.m.–8 p.m., Sat 9:30 a.m.–1 p.m."


def test_it_refuses_unreadable_hours():
    with pytest.raises(ValueError, match="mon-fri 08:00-20:00"):
        Hours.parse("weekdays 8 till late", "America/New_York")


@pytest.mark.django_db
def test_it_reads_phi_after_a_key_rotation_and_re_encrypts_under_the_new_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    old_token = _raw(lead.pk)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Lead.objects.get(pk=lead.pk).name == "Jordan Whitlock"
    rotated = crypto.rotate(old_token)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "Jordan Whitlock"
    with pytest.raises(InvalidToken):
        crypto.decrypt(old_token)


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM intake_lead WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_it_finds_a_lead_by_phone_through_the_keyed_hash_only(staff):
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    assert list(Lead.objects.for_phone("+14155552671")) == [lead]
    assert lead.phone_hash != "+14155552671" and "4155552671" not in lead.phone_hash


def test_the_phone_error_gives_an_example_the_form_accepts():
    example = re.search(r"like (\(\d{3}\) \d{3}-\d{4})", PHONE_ERROR).group(1)
    assert normalise_phone(example) is not None
