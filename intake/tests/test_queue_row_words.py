"""A row's words say the right thing for the lead's state: an urgent lead is called now whatever
the hour asked for, long waits read in hours and days, a repeat request says when it came, a lead
marked reached by hand does not read as waiting, and a merged lead names (and links) where it went."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intake.models import Lead
from intake.queue_rows import queue_rows

from .test_queue import make_lead
from .test_queue_rows import row_of, time_cell

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


@pytest.mark.django_db
def test_an_urgent_lead_is_to_be_called_now_whatever_part_of_the_day_it_asked_for(settings):
    settings.CENTRE_HOURS = "mon-sun 08:00-20:00"
    ten_am = dt.datetime(2026, 12, 2, 10, 0, tzinfo=NEW_YORK)
    urgent = make_lead(1, best_time="evening", urgent=True, created_at=ten_am, sla_due_at=ten_am)
    calm = make_lead(2, best_time="evening", created_at=ten_am, sla_due_at=ten_am)

    rows = {row.lead.pk: row for row in queue_rows(list(Lead.objects.all()), ten_am + dt.timedelta(minutes=2))}

    fact = rows[urgent.pk].best_time
    assert (fact.words, fact.tone) == ("Asked for evening (5–8 p.m.); danger reported: call now", "danger")
    assert "opens" not in fact.words
    assert rows[calm.pk].best_time.words == "Evening (5–8 p.m.): opens 5 p.m. today"


@pytest.mark.django_db
def test_long_waits_and_late_calls_read_in_hours_and_days_not_thousands_of_minutes(avery_client):
    now = timezone.now()
    overdue = make_lead(1, created_at=now - dt.timedelta(days=3, minutes=15), sla_due_at=now - dt.timedelta(days=3))
    late = make_lead(
        2,
        status="contacting",
        created_at=now - dt.timedelta(days=4),
        sla_due_at=now - dt.timedelta(days=4) + dt.timedelta(minutes=15),
        first_contacted_at=now - dt.timedelta(days=4) + dt.timedelta(minutes=2835),
    )

    html = avery_client.get("/staff/").content.decode()

    assert "First call overdue by 3 days" in row_of(html, overdue)
    assert "Waiting 3 days" in row_of(html, overdue)
    assert "First call 1 day 23 hours after request: target missed by 1 day 23 hours" in row_of(html, late)
    assert " min" not in html.replace("minute", "")


@pytest.mark.django_db
def test_a_repeat_request_says_when_the_person_first_asked_and_when_again(avery_client):
    now = timezone.now()
    called = make_lead(
        1,
        created_at=now - dt.timedelta(days=3),
        last_requested_at=now - dt.timedelta(minutes=2),
        request_count=2,
        status="contacting",
        first_contacted_at=now - dt.timedelta(days=3),
    )
    waiting = make_lead(
        2, created_at=now - dt.timedelta(hours=5), last_requested_at=now - dt.timedelta(minutes=4), request_count=3
    )

    html = avery_client.get("/staff/").content.decode()

    assert time_cell(html, called) == "First asked 3 days ago, again 2 minutes ago"
    assert time_cell(html, waiting) == "Waiting 5 hours; asked again 4 minutes ago"


@pytest.mark.django_db
def test_a_lead_marked_reached_by_hand_does_not_read_as_waiting_or_overdue(avery_client):
    now = timezone.now()
    lead = make_lead(
        1, status="reached", created_at=now - dt.timedelta(hours=2), sla_due_at=now - dt.timedelta(hours=1)
    )

    html = avery_client.get("/staff/").content.decode()

    assert time_cell(html, lead) == "Marked reached; no call logged"
    assert "overdue" not in row_of(html, lead).lower()
    assert "No call logged" in row_of(html, lead)


@pytest.mark.django_db
def test_as_soon_as_possible_says_whether_call_back_hours_are_open(settings):
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00"
    lead = make_lead(1, best_time="asap")
    saturday_noon = dt.datetime(2026, 12, 5, 12, 0, tzinfo=NEW_YORK)

    [row] = queue_rows([Lead.objects.get(pk=lead.pk)], saturday_noon)

    assert row.best_time.words == "As soon as possible: call-back hours open 8 a.m. Monday"


@pytest.mark.django_db
def test_a_merged_row_names_and_links_the_lead_it_went_into_once(avery_client):
    target = make_lead(1)
    merged = make_lead(2, status="merged", merged_into=target, closed_at=timezone.now())

    html = avery_client.get("/staff/", {"status": "merged"}).content.decode()

    row = row_of(html, merged)
    assert time_cell(html, merged) == f"Merged into {target.reference}"
    assert f'<a href="{target.get_absolute_url()}">Merged into {target.reference}</a>' in html
    assert row.count("Merged into") == 1 and "another lead" not in row


@pytest.mark.django_db
def test_the_time_column_is_headed_for_what_it_holds(avery_client):
    make_lead(1)
    html = avery_client.get("/staff/").content.decode()
    assert '<th scope="col">Waiting / outcome</th>' in html and '<th scope="col">Time</th>' not in html
