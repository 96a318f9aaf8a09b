"""Public pages, health, and the staff door."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User

from intake.models import Lead
from intake.views import server_error


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/callback/", "/privacy/", "/terms/"])
def test_it_shows_phone_calls_to_action_and_crisis_lines_on_every_public_page(client, path):
    html = client.get(path).content.decode()

    assert 'href="tel:+18005550142"' in html
    assert "Verify insurance" in html and "Request a call" in html
    assert "All calls are confidential" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert 'href="/privacy/"' in html and 'href="/terms/"' in html


@pytest.mark.django_db
def test_it_takes_the_centre_facts_from_settings(client, settings):
    settings.CENTRE_NAME = "Harbor Light Recovery"
    settings.CENTRE_PHONE = "+12125550199"
    html = client.get("/").content.decode()
    assert "Harbor Light Recovery" in html and "(212) 555-0199" in html


@pytest.mark.django_db
def test_it_serves_the_form_without_third_party_assets_and_with_a_strict_policy(client):
    response = client.get("/callback/")
    html = response.content.decode()

    assert "cdn" not in html.lower()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    for name in ["name", "phone", "email", "for_whom", "best_time", "ok_to_text", "ok_to_voicemail", "message"]:
        assert f'name="{name}"' in html
    assert 'name="consent"' in html and 'name="website"' in html
    assert 'type="tel"' in html


@pytest.mark.django_db
def test_it_reports_database_and_broker_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "private_media": "ok",
        "spool": "ok",
        "alerts": "ok",
    }


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client):
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    for path in ["/staff/", lead.get_absolute_url()]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_it_refuses_a_signed_in_user_without_an_admissions_role(client):
    lead = Lead.objects.create(name="Jordan", phone="+14155552671")
    client.force_login(User.objects.create_user("visitor-turned-user", password="x"))
    assert client.get(lead.get_absolute_url()).status_code == 403
    assert client.get("/staff/").status_code == 403


@pytest.mark.django_db
def test_it_audits_every_staff_view_of_a_lead_and_forbids_caching(client, staff):
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    client.force_login(staff["avery"])

    response = client.get(lead.get_absolute_url(), REMOTE_ADDR="10.1.2.3")

    assert "Jordan Whitlock" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_id=lead.pk).get()
    assert entry.actor == staff["avery"]
    assert entry.remote_addr == "10.1.2.3"
    assert "Jordan" not in entry.object_repr


@pytest.mark.django_db
def test_it_lists_open_leads_urgent_first_without_phi(client, staff):
    calm = Lead.objects.create(name="Calm Person", phone="+14155550001")
    urgent = Lead.objects.create(name="Urgent Person", phone="+14155550002", urgent=True)
    Lead.objects.create(name="Closed Person", phone="+14155550003", status="admitted")
    client.force_login(staff["avery"])

    html = client.get("/staff/").content.decode()

    assert html.index(urgent.reference) < html.index(calm.reference)
    assert "L-" in html and "Person" not in html


def test_it_shows_a_friendly_error_page_with_the_phone_number_without_touching_the_database(rf):
    response = server_error(rf.get("/callback/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "something went wrong on our side" in html and 'href="tel:+18005550142"' in html
    assert "Traceback" not in html
