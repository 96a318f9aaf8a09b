"""The queue shows visitors' first names: an auditor can tell who saw whose, without an entry for
every 10-second refresh of a queue kept open all day."""

import pytest
from auditlog.models import LogEntry

from .test_queue import make_lead

REFRESH = {"HTTP_X_QUEUE_REFRESH": "1"}


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


def queue_views():
    return list(LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__view="queue").order_by("pk"))


@pytest.mark.django_db
def test_a_queue_view_is_one_audit_entry_naming_every_lead_it_showed(avery_client, staff):
    shown = [make_lead(n) for n in (1, 2, 3)]
    make_lead(4, status="admitted")  # not on the open queue

    avery_client.get("/staff/")

    [entry] = queue_views()
    assert entry.actor == staff["avery"]
    assert entry.additional_data["lead_ids"] == sorted(lead.pk for lead in shown)
    assert entry.object_repr == "Staff queue"


@pytest.mark.django_db
def test_a_live_refresh_showing_nothing_new_adds_no_entry_and_one_showing_a_new_lead_adds_one(avery_client):
    first = make_lead(1)
    avery_client.get("/staff/")
    avery_client.get("/staff/", **REFRESH)
    avery_client.get("/staff/", **REFRESH)
    assert len(queue_views()) == 1

    arrived = make_lead(2)
    avery_client.get("/staff/", **REFRESH)
    avery_client.get("/staff/", **REFRESH)

    entries = queue_views()
    assert len(entries) == 2
    assert entries[-1].additional_data["lead_ids"] == sorted([first.pk, arrived.pk])


@pytest.mark.django_db
def test_the_refresh_header_cannot_skip_a_view_no_entry_has_recorded(avery_client, client, staff):
    make_lead(1)

    # The first thing this session asks for is a "refresh": nothing recorded it yet, so it is recorded.
    avery_client.get("/staff/", **REFRESH)
    assert len(queue_views()) == 1

    # Another worker's session keeps its own record.
    blake = type(avery_client)()
    blake.force_login(staff["blake"])
    blake.get("/staff/", **REFRESH)
    assert [entry.actor.username for entry in queue_views()] == ["avery", "blake"]


@pytest.mark.django_db
def test_an_empty_queue_shows_no_one_and_records_nothing(avery_client):
    make_lead(1, status="admitted")
    avery_client.get("/staff/")
    assert queue_views() == []


@pytest.mark.django_db
def test_two_tabs_refreshing_side_by_side_add_no_entry_after_their_first(avery_client, staff):
    for n in range(30):
        make_lead(n + 1, assigned_to=staff["avery"] if n % 2 else None)
    avery_client.get("/staff/")
    avery_client.get("/staff/", {"page": 2})
    avery_client.get("/staff/", {"show": "mine"})
    assert len(queue_views()) == 3

    # A shift of refreshes: page 1, page 2 and "Mine", in turn, every 10 seconds.
    for _ in range(5):
        avery_client.get("/staff/", **REFRESH)
        avery_client.get("/staff/", {"page": 2}, **REFRESH)
        avery_client.get("/staff/", {"show": "mine"}, **REFRESH)

    assert len(queue_views()) == 3
