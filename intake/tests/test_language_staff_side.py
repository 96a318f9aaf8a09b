"""The person's language on the staff side: "Español" on the queue and the lead page, a queue
filtered by language, a correction made on the call (recorded on the timeline), and the roster
recording who speaks what."""

import pytest

from intake.front_door import Submission
from intake.models import Lead, LeadEvent, StaffProfile
from intake.tests.helpers import JORDAN


def receive(language: str, phone: str = JORDAN["phone"]) -> Lead:
    submission = Submission.from_callback(
        {**JORDAN, "phone": phone, "in_danger": "no"},
        consent_version="callback-2026-11-21",
        consent_page="/callback/",
        attribution={},
        language=language,
    )
    return Lead.objects.receive(submission)[0]


@pytest.fixture
def avery_client(client, staff):
    client.force_login(staff["avery"])
    return client


@pytest.mark.django_db
def test_it_shows_espanol_on_the_queue_row_of_a_spanish_request_only(avery_client):
    spanish = receive("es")
    english = receive("en", phone="+14155550100")

    html = avery_client.get("/staff/").content.decode()

    row = html[html.index(f'data-lead-id="{spanish.pk}"') :].split("</tr>")[0]
    other = html[html.index(f'data-lead-id="{english.pk}"') :].split("</tr>")[0]
    assert '<span class="badge text-bg-info" lang="es">Español</span>' in row
    assert "Español" not in other and 'lang="en"' not in other


@pytest.mark.django_db
def test_it_filters_the_queue_by_the_persons_language(avery_client):
    spanish = receive("es")
    english = receive("en", phone="+14155550100")

    html = avery_client.get("/staff/?language=es").content.decode()

    assert spanish.reference in html and english.reference not in html
    assert "Open requests, in Español." in html


@pytest.mark.django_db
def test_it_shows_the_language_on_the_lead_page_for_every_lead(avery_client):
    spanish, english = receive("es"), receive("en", phone="+14155550100")

    assert (
        'lang="es" title="The person\'s language">Español</span>'
        in avery_client.get(f"/staff/leads/{spanish.pk}/").content.decode()
    )
    assert (
        'lang="en" title="The person\'s language">English</span>'
        in avery_client.get(f"/staff/leads/{english.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_a_worker_corrects_the_language_the_person_prefers_and_the_timeline_records_it(avery_client, staff):
    lead = receive("en")

    page = avery_client.post(
        f"/staff/leads/{lead.pk}/facility-and-source/", {"language": "es"}, follow=True
    ).content.decode()

    lead.refresh_from_db()
    assert lead.language == "es"
    assert f"{lead.reference}: language Español saved." in page
    event = LeadEvent.objects.get(lead=lead, kind="language")
    assert event.actor == staff["avery"]
    assert event.describe() == "Language: English → Español (the person's preference)"


@pytest.mark.django_db
def test_the_roster_records_the_languages_each_member_speaks(client, staff):
    client.force_login(staff["sam"])
    url = f"/staff/roster/{staff['avery'].pk}/"

    form = client.get(url).content.decode()
    client.post(url, {"on_duty": "on", "notify_by_email": "on", "languages": ["es"]})
    roster = client.get("/staff/roster/").content.decode()

    assert 'name="languages" value="es"' in form and 'value="en"' not in form
    assert StaffProfile.objects.get(user=staff["avery"]).languages == ["es"]
    avery_row = roster[roster.index('<th scope="row">avery</th>') :].split("</tr>")[0]
    assert "<td>English, Español</td>" in avery_row


@pytest.mark.django_db
def test_the_roster_refuses_a_language_the_site_does_not_speak(client, staff):
    client.force_login(staff["sam"])

    page = client.post(f"/staff/roster/{staff['avery'].pk}/", {"on_duty": "on", "languages": ["fr"]})

    assert "Select a valid choice" in page.content.decode()
    assert StaffProfile.objects.get(user=staff["avery"]).languages == []


@pytest.mark.django_db
def test_the_admin_lists_each_members_languages(client, staff):
    StaffProfile.objects.filter(user=staff["blake"]).update(languages=["es"])
    client.force_login(staff["admin"])

    html = client.get("/admin/auth/user/").content.decode()

    assert "English, Español" in html
