"""When a person answers the phone, and every public page telling the truth about it."""

import datetime as dt
import runpy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intake.hours import Hours, phone_line_status

NEW_YORK = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in the first week of December 2025 (Monday the 1st), in the centre's zone."""
    return dt.datetime(2025, 12, day, hour, minute, tzinfo=NEW_YORK)


def closed_now_opening_tomorrow() -> str:
    # No window today, one tomorrow at 8: closed whatever the time of this run.
    tomorrow = timezone.now().astimezone(NEW_YORK) + dt.timedelta(days=1)
    return f"{tomorrow.strftime('%a').lower()} 08:00-09:00"


def test_it_reads_24_7_as_a_line_answered_at_every_hour():
    hours = Hours.parse(" 24/7 ", "America/New_York")
    sunday_3am = at(7, 3)

    assert hours.is_open(sunday_3am) and hours.is_open(at(3, 23, 59))
    assert hours.summary() == "24 hours a day, 7 days a week"
    assert hours.next_opening(sunday_3am) == sunday_3am
    assert hours.deadline(sunday_3am, 10) == sunday_3am + dt.timedelta(minutes=10)


@pytest.mark.parametrize(
    "moment, answered, opens",
    [
        (at(2, 12), True, ""),  # Tuesday noon
        (at(2, 22), False, "at 8 a.m. tomorrow"),  # Tuesday night
        (at(1, 6, 30), False, "at 8 a.m. today"),  # Monday, before opening
        (at(4, 21), False, "at 9:30 a.m. Saturday"),  # Thursday night, closed on Friday
        (at(6, 14), False, "at 8 a.m. Monday"),  # Saturday after closing
    ],
)
def test_it_says_whether_the_phone_is_answered_and_when_it_opens(settings, moment, answered, opens):
    settings.CENTRE_PHONE_HOURS = "mon-thu 08:00-20:00; sat 09:30-13:00"

    status = phone_line_status(moment)

    assert (status.answered, status.opens) == (answered, opens)
    assert status.hours == "Mon–Thu 8 a.m.–8 p.m., Sat 9:30 a.m.–1 p.m."


def test_it_says_next_monday_when_the_only_opening_is_a_week_away(settings):
    settings.CENTRE_PHONE_HOURS = "mon 08:00-09:00"
    assert phone_line_status(at(1, 10)).opens == "at 8 a.m. next Monday"


def test_it_answers_the_phone_during_call_back_hours_unless_told_otherwise(monkeypatch):
    monkeypatch.setenv("CENTRE_HOURS", "mon-fri 09:00-17:00")
    monkeypatch.delenv("CENTRE_PHONE_HOURS", raising=False)
    assert runpy.run_path(str(ROOT / "config" / "settings.py"))["CENTRE_PHONE_HOURS"] == "mon-fri 09:00-17:00"

    monkeypatch.setenv("CENTRE_PHONE_HOURS", "24/7")
    assert runpy.run_path(str(ROOT / "config" / "settings.py"))["CENTRE_PHONE_HOURS"] == "24/7"


# --- What the pages say ------------------------------------------------------------------------


def header(html: str) -> str:
    return html.split('<main id="main"', 1)[0]


def home_card(html: str) -> str:
    return html.split('id="talk-now"', 1)[1].split("</div></div>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/callback/", "/privacy/"])
def test_it_says_answered_now_beside_the_phone_while_someone_answers(client, settings, path):
    settings.CENTRE_PHONE_HOURS = "24/7"
    html = client.get(path).content.decode()

    assert "Answered now" in header(html)
    assert 'id="crisis-bar"' not in html
    assert "Phone answered: 24 hours a day, 7 days a week" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/callback/", "/privacy/"])
def test_it_puts_911_and_988_first_and_says_when_the_phone_opens_while_nobody_answers(client, settings, path):
    settings.CENTRE_PHONE_HOURS = closed_now_opening_tomorrow()
    html = client.get(path).content.decode()
    top = header(html)

    assert "Answered now" not in html and "answered now" not in html
    assert "Opens at 8 a.m. tomorrow" in top
    assert top.index('href="tel:911"') < top.index('href="tel:988"') < top.index('href="tel:+18005550142"')
    assert "opens at 8 a.m. tomorrow" in html.split("<footer", 1)[1]


@pytest.mark.django_db
def test_it_invites_a_call_on_the_home_page_only_while_someone_answers(client, settings):
    settings.CENTRE_PHONE_HOURS = "24/7"
    card = home_card(client.get("/").content.decode())
    assert "Talk to someone now" in card and "A person answers" in card
    assert 'href="tel:+18005550142"' in card

    settings.CENTRE_PHONE_HOURS = closed_now_opening_tomorrow()
    html = client.get("/").content.decode()
    card = home_card(html)
    assert "Talk to someone now" not in html and "A person answers" not in html
    assert "Our phone line opens at 8 a.m. tomorrow" in card
    assert card.index('href="tel:911"') < card.index('href="tel:988"') < card.index("Our phone line opens")
    assert 'href="/callback/"' in card
