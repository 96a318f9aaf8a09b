"""Facilities and referral sources on the staff side: the roster ties people to facilities, the
queue filters by facility (and looks as it always has with one), the lead page sets a lead's
facility and referral source, each change leaving an event and an audit entry."""

import re

import pytest
from auditlog.models import LogEntry

from intake.models import EventKind, Facility, Lead, LeadEvent, ReferralSource, StaffProfile


@pytest.fixture
def two_sites(db):
    maple = Facility.objects.get(is_default=True)
    maple.name = "Maple House"
    maple.save()
    riverside = Facility.objects.create(name="Riverside Day Center")
    return maple, riverside


def _lead(phone: str, facility, name: str = "Jordan Whitlock", **fields) -> Lead:
    return Lead.objects.create(name=name, phone=phone, facility=facility, **fields)


def _html(response) -> str:
    return response.content.decode()


def _options(html: str, select_id: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1]) if select else []


def _queue_rows(html: str) -> dict[str, str]:
    """Lead id to the facility its queue row names ("" for none)."""
    rows = re.findall(r'<tr class="[^"]*" data-lead-id="(\d+)"(.*?)</tr>', html, re.S)
    return {pk: (re.search(r'class="queue-facility[^"]*">([^<]*)<', row) or [None, ""])[1] for pk, row in rows}


# --- Roster -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lets_a_supervisor_tie_a_worker_to_facilities_and_audits_it(client, staff, two_sites):
    maple, riverside = two_sites
    avery = staff["avery"]
    client.force_login(staff["sam"])

    form = _html(client.get(f"/staff/roster/{avery.pk}/"))
    assert set(re.findall(r'name="facilities" value="(\d+)"', form)) == {str(maple.pk), str(riverside.pk)}

    change = {"on_duty": "on", "notify_by_email": "on", "facilities": [riverside.pk]}
    response = client.post(f"/staff/roster/{avery.pk}/", change, REMOTE_ADDR="10.4.4.5")

    assert response.status_code == 302
    assert list(avery.staff_profile.facilities.all()) == [riverside]
    entry = LogEntry.objects.get(content_type__model="staffprofile", changes__has_key="facilities")
    assert (entry.actor, entry.remote_addr) == (staff["sam"], "10.4.4.5")
    assert entry.changes["facilities"]["objects"] == ["Riverside Day Center"]
    client.post(f"/staff/roster/{avery.pk}/", change)  # the same again: nothing changed, nothing recorded
    assert LogEntry.objects.filter(content_type__model="staffprofile", changes__has_key="facilities").count() == 1

    roster = _html(client.get("/staff/roster/"))
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', roster, re.S))
    assert "<td>Riverside Day Center</td>" in rows["avery"]
    assert "<td>All</td>" in rows["blake"]


@pytest.mark.django_db
def test_it_offers_no_facility_choice_on_the_roster_of_a_single_site_centre(client, staff):
    client.force_login(staff["sam"])

    assert 'name="facilities"' not in _html(client.get(f"/staff/roster/{staff['avery'].pk}/"))
    assert "Facilities" not in client.get("/staff/roster/").content.decode()


# --- Queue --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_filters_the_queue_by_facility_and_names_each_rows_facility(client, staff, two_sites):
    maple, riverside = two_sites
    at_maple, at_riverside = _lead("+14155550111", maple), _lead("+14155550112", riverside)
    client.force_login(staff["avery"])

    page = _html(client.get("/staff/"))
    assert _options(page, "id_facility") == [
        ("", "All facilities"),
        ("mine", "My facilities"),
        (str(maple.pk), "Maple House"),
        (str(riverside.pk), "Riverside Day Center"),
    ]
    assert _queue_rows(page) == {str(at_maple.pk): "Maple House", str(at_riverside.pk): "Riverside Day Center"}

    page = _html(client.get("/staff/", {"facility": riverside.pk}))
    assert list(_queue_rows(page)) == [str(at_riverside.pk)]
    assert "Open requests, at Riverside Day Center." in page
    # The live refresh asks again with the same filter.
    assert re.search(rf'id="queue-region" data-refresh-url="[^"]*facility={riverside.pk}', page)

    # "My facilities": everything for a worker tied to none, only theirs once they are.
    assert len(_queue_rows(_html(client.get("/staff/", {"facility": "mine"})))) == 2
    staff["avery"].staff_profile.facilities.set([maple])
    assert list(_queue_rows(_html(client.get("/staff/", {"facility": "mine"})))) == [str(at_maple.pk)]


@pytest.mark.django_db
def test_it_keeps_the_facility_filter_through_a_search(client, staff, two_sites):
    _maple, riverside = two_sites
    client.force_login(staff["avery"])

    response = client.post("/staff/search/", {"facility": riverside.pk, "q": "Jordan"})

    assert response.status_code == 303
    assert f"facility={riverside.pk}" in response["Location"]


@pytest.mark.django_db
def test_it_shows_a_single_site_queue_without_any_facility(client, staff):
    _lead("+14155550113", Facility.objects.default())
    client.force_login(staff["avery"])

    page = _html(client.get("/staff/"))

    assert len(_queue_rows(page)) == 1
    assert 'id="id_facility"' not in page
    assert "queue-facility" not in page


# --- Lead page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_moves_a_lead_and_records_its_referral_source_with_events_naming_old_and_new(client, staff, two_sites):
    maple, riverside = two_sites
    court = ReferralSource.objects.create(name="Example County Drug Court (demo)", kind="court")
    ReferralSource.objects.create(name="Retired Clinic (demo)", active=False)
    lead = _lead("+14155550114", maple)
    client.force_login(staff["avery"])

    page = _html(client.get(f"/staff/leads/{lead.pk}/"))
    assert f'action="/staff/leads/{lead.pk}/facility-and-source/"' in page
    assert [label for _, label in _options(page, "id_referral_source")] == [
        "None / self",
        "Example County Drug Court (demo)",
    ]

    response = client.post(
        f"/staff/leads/{lead.pk}/facility-and-source/",
        {"facility": riverside.pk, "referral_source": court.pk},
        REMOTE_ADDR="10.6.6.6",
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.facility, lead.referral_source) == (riverside, court)
    moved, sourced = LeadEvent.objects.filter(lead=lead).order_by("pk")
    assert (moved.kind, moved.actor, moved.describe()) == (
        EventKind.FACILITY,
        staff["avery"],
        "Facility: Maple House → Riverside Day Center",
    )
    assert sourced.describe() == "Referral source: none / self → Example County Drug Court (demo)"
    assert "Jordan" not in str(moved.details) + str(sourced.details)
    entries = LogEntry.objects.filter(content_type__model="lead", object_pk=str(lead.pk), action=LogEntry.Action.UPDATE)
    assert {entry.actor for entry in entries} == {staff["avery"]}
    assert {"facility", "referral_source"} <= {field for entry in entries for field in entry.changes_dict}
    timeline = client.get(f"/staff/leads/{lead.pk}/").content.decode()
    assert "Facility: Maple House → Riverside Day Center" in timeline

    # Saving the same again records nothing.
    client.post(f"/staff/leads/{lead.pk}/facility-and-source/", {"facility": riverside.pk, "referral_source": court.pk})
    assert LeadEvent.objects.filter(lead=lead).count() == 2


@pytest.mark.django_db
def test_it_refuses_an_inactive_source_with_a_message_and_saves_nothing(client, staff):
    retired = ReferralSource.objects.create(name="Retired Clinic (demo)", active=False)
    lead = _lead("+14155550115", Facility.objects.default())
    client.force_login(staff["avery"])

    response = client.post(f"/staff/leads/{lead.pk}/facility-and-source/", {"referral_source": retired.pk})

    assert response.status_code == 400
    assert "That source is no longer active" in response.content.decode()
    assert "Jordan" not in response.content.decode()  # the error page names the lead by reference only
    lead.refresh_from_db()
    assert lead.referral_source is None
    assert not LeadEvent.objects.filter(lead=lead).exists()


@pytest.mark.django_db
def test_it_refuses_a_source_change_on_a_lead_another_worker_has_claimed(client, staff):
    source = ReferralSource.objects.create(name="County Court (demo)")
    lead = _lead("+14155550117", Facility.objects.default())
    lead.claim(by=staff["blake"])
    client.force_login(staff["avery"])

    response = client.post(f"/staff/leads/{lead.pk}/facility-and-source/", {"referral_source": source.pk}, follow=True)

    assert "Claimed by" in response.content.decode()
    lead.refresh_from_db()
    assert lead.referral_source is None


@pytest.mark.django_db
def test_it_asks_only_for_the_referral_source_at_a_single_site_centre(client, staff):
    lead = _lead("+14155550116", Facility.objects.default())
    client.force_login(staff["avery"])

    page = _html(client.get(f"/staff/leads/{lead.pk}/"))

    assert 'id="id_referral_source"' in page
    assert 'id="id_facility"' not in page
    assert '<h2 class="h5" id="facts-h">Referral source and language</h2>' in page


@pytest.mark.django_db
def test_it_keeps_workers_out_of_a_roster_facility_change_for_someone_else(client, staff, two_sites):
    _maple, riverside = two_sites
    client.force_login(staff["avery"])

    response = client.post(f"/staff/roster/{staff['blake'].pk}/", {"facilities": [riverside.pk]})

    assert response.status_code == 403
    assert not StaffProfile.objects.get(user=staff["blake"]).facilities.exists()
