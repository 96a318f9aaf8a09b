"""What each row of the queue tells a worker deciding whom to call, without opening the lead."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intake.models import Lead
from intake.queue_rows import queue_rows

from .test_queue import make_lead

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


def row_of(html: str, lead: Lead) -> str:
    """The text of the lead's row, tags and runs of spaces removed."""
    match = re.search(rf'<tr[^>]*data-lead-id="{lead.pk}".*?</tr>', html, re.S)
    assert match, f"{lead.reference} is not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match[0]).split())


def time_cell(html: str, lead: Lead) -> str:
    """The words of the row's "Waiting / outcome" cell."""
    return row_of(html, lead).split("Waiting / outcome: ")[1].split(" First call: ")[0]


@pytest.mark.django_db
def test_a_row_shows_the_first_name_for_whom_and_urgency_but_not_the_surname(avery_client):
    jordan = make_lead(1, name="Jordan Whitlock", for_whom="loved_one", urgent=True)
    sam = make_lead(2, name="Sam", for_whom="self")

    html = avery_client.get("/staff/").content.decode()

    assert f"Jordan {jordan.reference} for a loved one Urgent" in row_of(html, jordan)
    assert f"Sam {sam.reference} for themself" in row_of(html, sam)
    assert "Whitlock" not in html  # the first name is enough to greet them; the rest stays on the lead page


@pytest.mark.django_db
def test_a_first_call_that_missed_its_target_says_by_how_much_in_a_warning_style(avery_client):
    now = timezone.now()
    late = make_lead(
        1,
        status="contacting",
        created_at=now - dt.timedelta(minutes=120),
        sla_due_at=now - dt.timedelta(minutes=60),
        first_contacted_at=now - dt.timedelta(minutes=30),
    )
    prompt = make_lead(
        2,
        status="contacting",
        created_at=now - dt.timedelta(minutes=20),
        sla_due_at=now - dt.timedelta(minutes=5),
        first_contacted_at=now - dt.timedelta(minutes=12),
    )

    html = avery_client.get("/staff/").content.decode()

    assert "First call 1 hour 30 minutes after request: target missed by 30 minutes" in row_of(html, late)
    assert re.search(r'class="fact fact-warning">First call 1 hour 30 minutes', html)
    assert "First call 8 minutes after request: on target" in row_of(html, prompt)
    assert re.search(r'class="fact fact-good">First call 8 minutes', html)
    # Once called, the person is no longer "waiting": the row says when they asked.
    assert "Asked 2 hours ago" in row_of(html, late) and "Waiting " not in time_cell(html, late)


@pytest.mark.django_db
def test_a_closed_lead_says_what_happened_and_when_never_how_long_it_waits(avery_client):
    closed_at = timezone.localtime().replace(month=12, day=3, hour=14) - dt.timedelta(days=365)
    admitted = make_lead(
        1,
        status="admitted",
        created_at=closed_at - dt.timedelta(days=2),
        first_contacted_at=closed_at - dt.timedelta(days=2),
        closed_at=closed_at,
    )
    just_now = timezone.localtime() - dt.timedelta(minutes=1)
    never_called = make_lead(2, status="not_a_fit", closed_at=just_now)

    html = avery_client.get("/staff/", {"status": "closed"}).content.decode()

    row = row_of(html, admitted)
    assert f"Admitted 3 Dec {closed_at.year}" in row  # closed last year: the year says so
    assert "Waiting " not in time_cell(html, admitted) and "overdue" not in row.lower()
    assert "Closed requests" in html and "Open requests" not in html
    # Closed this year, without a call: no "overdue" on a lead nobody will call now.
    assert time_cell(html, never_called) == f"Not a fit {just_now:%-d %b}"
    assert "First call: Closed without a call" in row_of(html, never_called)


@pytest.mark.django_db
def test_an_admitted_row_is_dated_by_the_day_the_person_arrived_not_when_it_was_recorded(avery_client):
    recorded = timezone.localtime()
    arrived = recorded.date() - dt.timedelta(days=3)
    lead = make_lead(1, status="admitted", closed_at=recorded, admitted_on=arrived)

    row = row_of(avery_client.get("/staff/", {"status": "closed"}).content.decode(), lead)

    assert f"Admitted {arrived:%-d %b}" in row and f"Admitted {recorded:%-d %b}" not in row


@pytest.mark.django_db
def test_the_caption_says_what_the_filters_chose(avery_client):
    make_lead(1, status="not_a_fit", kind="callback")
    make_lead(2)

    def caption(**query):
        html = avery_client.get("/staff/", query).content.decode()
        return " ".join(re.sub(r"<[^>]+>", "", re.search(r"<caption.*?</caption>", html, re.S)[0]).split())

    assert caption().startswith("Open requests.")
    assert caption(status="not_a_fit").startswith("Requests: not a fit.")
    assert caption(status="closed", kind="callback").startswith("Closed callback requests.")
    empty = avery_client.get("/staff/", {"status": "contacting", "kind": "verification", "show": "mine"})
    assert "Nothing here: no insurance verification requests: contacting, assigned to you." in empty.content.decode()


@pytest.mark.django_db
def test_the_assignee_is_named_in_full_and_the_last_attempt_says_what_and_when(avery_client, staff):
    blake = staff["blake"]
    blake.first_name, blake.last_name = "Blake", "Okafor"
    blake.save()
    now = timezone.now()
    lead = make_lead(
        1,
        status="contacting",
        assigned_to=blake,
        first_contacted_at=now - dt.timedelta(minutes=3),
        last_attempt_at=now - dt.timedelta(minutes=3),
        last_attempt_outcome="voicemail",
        attempt_count=2,
    )

    row = row_of(avery_client.get("/staff/").content.decode(), lead)

    assert "Blake Okafor" in row and "blake" not in row
    assert "Left voicemail 3 minutes ago (2 attempts)" in row


@pytest.mark.django_db
def test_the_best_time_says_whether_its_window_is_open_now(settings):
    settings.CENTRE_HOURS = "mon-sun 08:00-20:00"
    evening = make_lead(1, best_time="evening")
    morning = make_lead(2, best_time="morning")
    soon = make_lead(3, best_time="asap")
    six_pm = dt.datetime(2026, 12, 2, 18, 0, tzinfo=NEW_YORK)  # a Wednesday

    rows = {row.lead.pk: row.best_time for row in queue_rows(list(Lead.objects.all()), six_pm)}

    assert (rows[evening.pk].words, rows[evening.pk].tone) == ("Evening (5–8 p.m.): open now", "good")
    assert rows[morning.pk].words == "Morning (8 a.m.–12 p.m.): opens 8 a.m. tomorrow"
    assert (rows[soon.pk].words, rows[soon.pk].tone) == ("As soon as possible: call-back hours open now", "good")
    nine_pm = queue_rows([Lead.objects.get(pk=soon.pk)], six_pm + dt.timedelta(hours=3))[0]
    assert nine_pm.best_time.words == "As soon as possible: call-back hours open 8 a.m. tomorrow"
    # Inside the evening window but outside call-back hours (the centre closes at 7 on Sundays here).
    settings.CENTRE_HOURS = "mon-sat 08:00-20:00; sun 09:00-19:00"
    sunday_half_seven = dt.datetime(2026, 12, 6, 19, 30, tzinfo=NEW_YORK)
    row = queue_rows([Lead.objects.get(pk=evening.pk)], sunday_half_seven)[0]
    assert row.best_time.words == "Evening (5–8 p.m.): opens 5 p.m. tomorrow"
