"""The admissions queue: what a worker sees when they keep it open all day."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import OPEN_STATUSES, Lead
from intake.queue_views import QueuePaginator


def make_lead(n: int, **fields) -> Lead:
    now = timezone.now()
    defaults = {
        "name": f"Person {n}",
        "phone": f"+1415555{n:04d}",
        "created_at": now - dt.timedelta(minutes=n),
        "sla_due_at": now - dt.timedelta(minutes=n) + dt.timedelta(minutes=15),
    }
    return Lead.objects.create(**{**defaults, **fields})


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


@pytest.mark.django_db
def test_it_lists_leads_awaiting_a_call_first_urgent_then_oldest_with_sla_in_words(avery_client, staff):
    old = make_lead(40)
    fresh = make_lead(2)
    urgent = make_lead(1, urgent=True)
    make_lead(3, status="admitted")

    in_progress = make_lead(60, urgent=True, first_contacted_at=timezone.now(), status="reached")

    html = avery_client.get("/staff/").content.decode()

    # Waiting for a first call: urgent, then oldest. Then the ones already called.
    positions = [html.index(lead.reference) for lead in (urgent, old, fresh, in_progress)]
    assert positions == sorted(positions)
    assert "First call overdue by 25 minutes" in html  # 40 minutes old, 15 minute target
    assert "First call due in 13 minutes" in html
    assert "Unassigned" in html and "No call yet" in html


@pytest.mark.django_db
def test_it_filters_by_mine_unassigned_status_and_type(avery_client, staff):
    mine = make_lead(1, assigned_to=staff["avery"])
    theirs = make_lead(2, assigned_to=staff["blake"])
    nobodys = make_lead(3)
    closed = make_lead(4, status="not_a_fit")

    def shown(query):
        html = avery_client.get(f"/staff/?{query}").content.decode()
        return {lead for lead in (mine, theirs, nobodys, closed) if lead.reference in html}

    assert shown("show=mine") == {mine}
    assert shown("show=unassigned") == {nobodys}
    assert shown("status=closed") == {closed}
    assert shown("status=not_a_fit") == {closed}
    assert shown("kind=verification") == set()
    assert shown("") == {mine, theirs, nobodys}


@pytest.mark.django_db
def test_it_finds_a_lead_by_any_spelling_of_its_phone_or_by_reference_without_a_phone_in_the_url(avery_client):
    wanted = make_lead(1, phone="+14155552671")
    other = make_lead(2)

    for query in ["(415) 555-2671", "415.555.2671", "+1 415 555 2671", wanted.reference, str(wanted.pk)]:
        response = avery_client.post("/staff/search/", {"q": query, "show": ""})
        assert response.status_code == 303
        # A phone travels as its keyed hash (64 hex digits, which may happen to contain "555"); a
        # reference as itself.
        location = response["Location"]
        assert re.fullmatch(r"/staff/\?(phone=[0-9a-f]{64}|q=[-\w]+)", location), location
        assert "4155552671" not in location, location
        html = avery_client.get(response["Location"]).content.decode()
        assert wanted.reference in html, query
        assert other.reference not in html, query
    # Other text is a name or email search, kept in the session: the address holds a token.
    assert "Nothing here" in avery_client.post("/staff/search/", {"q": "nonsense"}, follow=True).content.decode()


@pytest.mark.django_db
def test_it_pages_the_queue_and_keeps_filters_in_the_page_links(avery_client):
    for n in range(30):
        make_lead(n + 1)

    first = avery_client.get("/staff/", {"show": "unassigned"}).content.decode()
    second = avery_client.get("/staff/", {"show": "unassigned", "page": 2}).content.decode()

    assert "page 1 of 2" in first and "show=unassigned&amp;page=2" in first
    assert first.count('href="/staff/leads/') == 25
    assert second.count('href="/staff/leads/') == 5


@pytest.mark.django_db
def test_it_serves_just_the_table_to_the_auto_refresh(avery_client):
    lead = make_lead(1)
    response = avery_client.get("/staff/", HTTP_X_QUEUE_REFRESH="1")
    html = response.content.decode()
    assert lead.reference in html
    assert "<html" not in html and "1 lead ·" in html and "data-queue-looked=" in html
    assert "no-store" in response["Cache-Control"]


def millis(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


@pytest.mark.django_db
def test_the_auto_refresh_marks_and_counts_what_was_asked_for_since_its_last_look(avery_client):
    now = timezone.now()
    looked = now - dt.timedelta(minutes=1)
    earlier = now - dt.timedelta(minutes=5)
    seen = make_lead(5, last_requested_at=earlier)
    arrived = make_lead(0)
    # A person on screen for half an hour asks again; another, already called, reports danger.
    again = make_lead(30, last_requested_at=now, request_count=2)
    danger = make_lead(
        40, urgent=True, request_count=2, last_requested_at=now, danger_reported_at=now, first_contacted_at=earlier
    )

    html = avery_client.get("/staff/", HTTP_X_QUEUE_REFRESH="1", HTTP_X_QUEUE_SINCE=millis(looked)).content.decode()

    assert 'data-queue-arrived="3"' in html
    marks = dict(re.findall(r'data-lead-id="(\d+)" data-new="([^"]+)"', html))
    assert marks == {str(arrived.pk): "New", str(again.pk): "Asked again", str(danger.pk): "Danger reported again"}
    assert str(seen.pk) not in marks
    next_look = re.search(r'data-queue-looked="(\d+)"', html)[1]
    html = avery_client.get("/staff/", HTTP_X_QUEUE_REFRESH="1", HTTP_X_QUEUE_SINCE=next_look).content.decode()
    assert 'data-queue-arrived="0"' in html and "data-new=" not in html
    # The first load of the page marks nothing: everything on it is what the worker sees first.
    assert "data-new=" not in avery_client.get("/staff/").content.decode()


@pytest.mark.django_db
def test_a_huge_backlog_is_counted_up_to_a_cap(avery_client, monkeypatch):
    monkeypatch.setattr(QueuePaginator, "COUNT_CAP", 30)
    for n in range(31):
        make_lead(n + 1)
    html = avery_client.get("/staff/").content.decode()
    assert "More than 30 leads" in html and "page 1 of 2+" in html
    assert "More than" not in avery_client.get("/staff/", {"kind": "verification"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [30, 200])
def test_it_uses_the_same_number_of_queries_however_long_the_queue(
    avery_client, staff, django_assert_num_queries, count
):
    now = timezone.now()
    Lead.objects.bulk_create(
        Lead(
            name="x",
            phone=f"+1415555{n:04d}",
            phone_hash=f"h{n}",
            created_at=now - dt.timedelta(minutes=n),
            sla_due_at=now,
            assigned_to=staff["blake"] if n % 2 else None,
            last_attempt_at=now if n % 3 else None,
            last_attempt_outcome="no_answer" if n % 3 else "",
            attempt_count=n % 3,
        )
        for n in range(count)
    )
    avery_client.get("/staff/")  # the first request of a session stamps it; measure the next one
    # session, user, second-factor device, session generation, the user's groups (read once for the
    # role check and the navigation's), the active facilities (for the filter), page of leads (with
    # assignees), count (capped), the page's insurance results, its unread texts, its audit entry,
    # whether alerts are reaching anyone
    with django_assert_num_queries(12):
        response = avery_client.get("/staff/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_list_that_fits_on_one_page_or_is_empty_is_not_counted_again(avery_client, staff):
    for n in range(3):
        make_lead(n + 1, kind="callback")
    avery_client.get("/staff/")
    since = {"HTTP_X_QUEUE_REFRESH": "1", "HTTP_X_QUEUE_SINCE": millis(timezone.now())}

    with CaptureQueriesContext(connection) as short:
        html = avery_client.get("/staff/", **since).content.decode()
    with CaptureQueriesContext(connection) as empty:
        nothing = avery_client.get("/staff/", {"kind": "verification", "show": "unassigned"}, **since).content.decode()

    assert "3 leads ·" in html and "0 leads ·" in nothing

    def lead_queries(captured):
        return [query["sql"] for query in captured.captured_queries if "intake_lead" in query["sql"]]

    # A short list: itself and the count of what arrived since the last look; no count of the list.
    assert len(lead_queries(short)) == 2 and "LIMIT 1001" not in " ".join(lead_queries(short))
    # An empty list: nothing to count, nothing arrived.
    assert len(lead_queries(empty)) == 1, lead_queries(empty)


@pytest.mark.django_db
def test_the_closed_view_is_read_newest_closed_first_from_its_own_index(avery_client):
    now = timezone.now()
    long_ago = make_lead(1, status="admitted", closed_at=now - dt.timedelta(days=30), sla_due_at=now)
    yesterday = make_lead(2, status="referred", closed_at=now - dt.timedelta(days=1), sla_due_at=now)
    today = make_lead(3, status="not_a_fit", closed_at=now - dt.timedelta(hours=1), sla_due_at=now)

    html = avery_client.get("/staff/", {"status": "closed"}).content.decode()

    positions = [html.index(lead.reference) for lead in (today, yesterday, long_ago)]
    assert positions == sorted(positions)
    assert "Newest closed first." in html and "waiting for a first call" not in html
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        sql, params = Lead.objects.exclude(status__in=OPEN_STATUSES).newest_closed_first()[:25].query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "lead_closed_newest_first" in plan and "Sort" not in plan, plan


@pytest.mark.django_db
def test_it_refuses_the_queue_to_a_user_of_another_role(client):
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(editor)
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/roster/").status_code == 403
