"""Admins manage facilities, programmes and referral sources in /admin/: bad values are refused
with a message by their field, and what leads or programmes use is deactivated, never deleted."""

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages

from admissions.models import Programme
from intake.models import Facility, Lead, LevelOfCare, ReferralSource

FACILITY = {
    "name": "Riverside Day Center",
    "street_address": "",
    "city": "",
    "state": "",
    "postal_code": "",
    "phone": "",
    "npi": "",
    "tax_id": "",
    "active": "on",
}


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff["admin"])
    return client


def _errors(response, field: str) -> list[str]:
    return response.context["adminform"].form.errors.get(field, [])


@pytest.mark.django_db
def test_it_refuses_an_npi_that_is_not_ten_digits_and_keeps_what_was_typed(admin_client):
    response = admin_client.post("/admin/intake/facility/add/", {**FACILITY, "npi": "12345"})

    assert response.status_code == 200
    assert _errors(response, "npi") == ["An NPI is 10 digits."]
    assert 'value="12345"' in response.content.decode()
    assert not Facility.objects.filter(name="Riverside Day Center").exists()


@pytest.mark.django_db
def test_it_refuses_a_malformed_tax_id(admin_client):
    response = admin_client.post("/admin/intake/facility/add/", {**FACILITY, "tax_id": "12-34"})
    assert _errors(response, "tax_id") == ["A tax ID (EIN) is 9 digits, written like 12-3456789."]


@pytest.mark.django_db
def test_it_keeps_one_default_moving_the_mark_and_refusing_to_leave_none(admin_client):
    first = Facility.objects.get(is_default=True)  # made by migration 0017

    response = admin_client.post("/admin/intake/facility/add/", {**FACILITY, "is_default": "on"})
    assert response.status_code == 302
    second = Facility.objects.get(name="Riverside Day Center")
    assert list(Facility.objects.filter(is_default=True)) == [second]
    created = LogEntry.objects.get(content_type__model="facility", action=LogEntry.Action.CREATE)
    assert (created.object_pk, created.actor.username) == (str(second.pk), "root")

    # Unticking the default leaves new requests nowhere: refused, with the way to do it.
    response = admin_client.post(f"/admin/intake/facility/{second.pk}/change/", {**FACILITY})
    assert _errors(response, "is_default") == [
        "One facility must be the default: tick “default” on another one instead."
    ]
    first.refresh_from_db()
    assert not first.is_default
    assert Facility.objects.default() == second


@pytest.mark.django_db
def test_it_says_to_deactivate_a_facility_that_leads_use_instead_of_deleting_it(admin_client):
    facility = Facility.objects.create(name="Riverside Day Center")
    Lead.objects.create(phone="+14155550101", facility=facility)

    response = admin_client.post(f"/admin/intake/facility/{facility.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/intake/facility/{facility.pk}/change/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "Riverside Day Center is used by 1 lead: untick “Active” instead (old leads keep it). Nothing was deleted."
    )
    assert Facility.objects.filter(pk=facility.pk).exists()


@pytest.mark.django_db
def test_it_refuses_the_bulk_delete_of_a_facility_with_programmes_and_deletes_an_unused_one(admin_client):
    used = Facility.objects.create(name="Riverside Day Center")
    Programme.objects.create(facility=used, level=LevelOfCare.IOP, capacity=30, typical_length_days=36, daily_price=400)
    unused = Facility.objects.create(name="Spare Site")
    action = {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"}

    response = admin_client.post("/admin/intake/facility/", action, follow=True)
    assert "Riverside Day Center is used by leads or programmes" in response.content.decode()
    assert Facility.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2

    action["_selected_action"] = [unused.pk]
    admin_client.post("/admin/intake/facility/", action)
    assert not Facility.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_it_keeps_a_referral_source_that_leads_name(admin_client):
    source = ReferralSource.objects.create(name="Example County Drug Court (demo)", kind="court")
    Lead.objects.create(phone="+14155550102", referral_source=source)

    response = admin_client.post(f"/admin/intake/referralsource/{source.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert ReferralSource.objects.filter(pk=source.pk).exists()
    listing = admin_client.get("/admin/intake/referralsource/?active__exact=1").content.decode()
    assert "Example County Drug Court (demo)" in listing


@pytest.mark.django_db
def test_it_refuses_a_programme_whose_upper_age_is_below_the_lower(admin_client):
    facility = Facility.objects.default()
    programme = {
        "facility": facility.pk,
        "level": LevelOfCare.RESIDENTIAL,
        "name": "",
        "active": "on",
        "capacity": "24",
        "typical_length_days": "28",
        "daily_price": "1200",
        "service_code": "H0018",
        "accepts_self_pay": "on",
        "min_age": "18",
        "max_age": "17",
    }

    response = admin_client.post("/admin/admissions/programme/add/", programme)
    assert _errors(response, "max_age") == ["The upper age is below the lower one."]
    assert not Programme.objects.exists()

    response = admin_client.post("/admin/admissions/programme/add/", {**programme, "max_age": ""})
    assert response.status_code == 302
    listing = admin_client.get("/admin/admissions/programme/").content.decode()
    assert "24 beds" in listing and "18+" in listing


def test_it_asks_for_an_organisation_or_group_never_a_former_patients_name(admin_client):
    page = admin_client.get("/admin/intake/referralsource/add/").content.decode()

    assert "former patient" in page
    assert "Alumni association or group" in page
    assert "professional name" not in page
