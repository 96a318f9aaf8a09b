"""Metrics by facility and by referral source, on a small known set of leads, and the demo's
facilities, programmes and sources."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from admissions.demo_facilities import seed_demo_facilities
from admissions.models import Programme
from intake.models import Facility, Lead, ReferralSource

NY = ZoneInfo("America/New_York")
MARCH = {"from": "2026-03-02", "to": "2026-03-04"}


@pytest.fixture(autouse=True)
def _centre_in_new_york(settings):
    settings.CENTRE_TIMEZONE = "America/New_York"


@pytest.fixture
def referred(db):
    """Six leads on 2 March 2026.

    |    | facility  | source   | first call | status    |
    | L1 | Maple     | hospital | 10 min     | admitted  |
    | L2 | Maple     | hospital | 20 min     | contacting|
    | L3 | Riverside | court    | 5 min      | admitted  |
    | L4 | Riverside | (none)   | never      | new       |
    | L5 | Maple     | (none)   | 30 min     | admitted  |
    | L6 | Riverside | hospital | 60 min     | reached   |
    """
    maple = Facility.objects.get(is_default=True)
    maple.name = "Maple House"
    maple.save()
    riverside = Facility.objects.create(name="Riverside Day Center")
    hospital = ReferralSource.objects.create(name="Example General Hospital (demo)", kind="hospital")
    court = ReferralSource.objects.create(name="Example County Drug Court (demo)", kind="court")
    rows = [
        (maple, hospital, 10, "admitted"),
        (maple, hospital, 20, "contacting"),
        (riverside, court, 5, "admitted"),
        (riverside, None, None, "new"),
        (maple, None, 30, "admitted"),
        (riverside, hospital, 60, "reached"),
    ]
    leads = []
    for n, (facility, source, after, status) in enumerate(rows):
        created = dt.datetime(2026, 3, 2, 9 + n, 0, tzinfo=NY)
        leads.append(
            Lead.objects.create(
                name=f"Person {n}",
                phone=f"+1415555020{n}",
                created_at=created,
                first_contacted_at=created + dt.timedelta(minutes=after) if after is not None else None,
                status=status,
                facility=facility,
                referral_source=source,
            )
        )
    return {"maple": maple, "riverside": riverside, "leads": leads}


def _figures(rows) -> list[tuple]:
    return [(r.name, r.leads, r.admitted, r.admission_percent, r.median_text) for r in rows]


@pytest.mark.django_db
def test_it_counts_leads_admissions_and_speed_to_lead_per_referral_source(client, staff, referred):
    client.force_login(staff["sam"])

    response = client.get("/staff/metrics/", MARCH)

    assert _figures(response.context["by_referral_source"]) == [
        ("Example General Hospital (demo)", 3, 1, 33, "20 min"),  # median of 10, 20, 60
        ("Example County Drug Court (demo)", 1, 1, 100, "5 min"),
        ("No source recorded", 2, 1, 50, "30 min"),  # L4 never called: the median is L5's
    ]
    page = response.content.decode()
    assert 'id="referrals-table"' in page and "No source recorded" in page


@pytest.mark.django_db
def test_it_filters_the_metrics_and_the_csv_by_facility(client, staff, referred):
    riverside = referred["riverside"]
    client.force_login(staff["sam"])

    response = client.get("/staff/metrics/", {**MARCH, "facility": riverside.pk})

    assert response.context["m"].total == 3
    assert _figures(response.context["by_referral_source"]) == [
        ("Example County Drug Court (demo)", 1, 1, 100, "5 min"),
        ("Example General Hospital (demo)", 1, 0, 0, "60 min"),
        ("No source recorded", 1, 0, 0, ""),
    ]
    page = response.content.decode()
    assert f'<option value="{riverside.pk}" selected>Riverside Day Center</option>' in page
    assert f"facility={riverside.pk}" in response.context["export_query"]

    body = client.get("/staff/metrics/export.csv", {**MARCH, "facility": riverside.pk}).content.decode()
    header, *rows = csv.reader(io.StringIO(body))
    assert header[-2:] == ["facility", "referral source"]
    assert [row[-2:] for row in rows] == [
        ["Riverside Day Center", "Example County Drug Court (demo)"],
        ["Riverside Day Center", ""],
        ["Riverside Day Center", "Example General Hospital (demo)"],
    ]


@pytest.mark.django_db
def test_it_says_so_when_the_facility_asked_for_is_unknown_and_shows_them_all(client, staff, referred):
    client.force_login(staff["sam"])

    response = client.get("/staff/metrics/", {**MARCH, "facility": "999999"})

    assert response.context["m"].total == 6
    assert "Choose one of the facilities, or all of them." in response.content.decode()


@pytest.mark.django_db
def test_it_offers_no_facility_choice_on_the_metrics_of_a_single_site_centre(client, staff):
    client.force_login(staff["sam"])

    page = client.get("/staff/metrics/", MARCH).content.decode()

    assert 'name="facility"' not in page
    assert "By referral source" in page


@pytest.mark.django_db
def test_it_seeds_two_demo_facilities_five_programmes_and_six_sources_once(settings):
    lead = Lead.objects.create(phone="+14155550301", facility=Facility.objects.default())
    placeholder = Facility.objects.get(is_default=True)  # migration 0017's, named after the centre

    assert seed_demo_facilities(sender=None)

    maple = Facility.objects.get(name="Maple House")
    assert maple.pk == placeholder.pk and maple.is_default  # renamed: no second default
    assert Facility.objects.count() == 2
    codes = {(p.facility.name, p.level): (p.capacity, p.unit, p.service_code) for p in Programme.objects.all()}
    assert codes == {
        ("Maple House", "detox"): (6, "bed", "H0010"),
        ("Maple House", "residential"): (24, "bed", "H0018"),
        ("Riverside Day Center", "php"): (20, "place", "H0035"),
        ("Riverside Day Center", "iop"): (30, "place", "H0015"),
        ("Riverside Day Center", "outpatient"): (40, "place", "H0004"),
    }
    assert all(p.payers.exists() and p.min_age == 18 and p.daily_price > 0 for p in Programme.objects.all())
    assert ReferralSource.objects.count() == 6
    assert len(set(ReferralSource.objects.values_list("kind", flat=True))) == 6
    lead.refresh_from_db()
    assert lead.facility in (maple, Facility.objects.get(name="Riverside Day Center"))

    assert seed_demo_facilities(sender=None) is None  # a second run adds and changes nothing
    assert Facility.objects.count() == 2 and Programme.objects.count() == 5
