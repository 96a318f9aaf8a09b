"""The patient notice under 42 CFR 2.22: public, complete, and found from both forms and every page."""

import re

import pytest

NOTICE = "/patient-notice/"


@pytest.mark.django_db
def test_it_publishes_a_patient_notice_anyone_can_read(client):
    response = client.get(NOTICE)
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    for needed in [
        "42 CFR Part 2",
        "42 U.S.C. 290dd-2",
        # The limits on disclosure without consent.
        "Medical emergencies",
        "A subpoena alone is not enough",
        "Crimes on our premises or against our staff",
        "Child abuse and neglect",
        "Research, audits and evaluations",
        # How to report a violation, and to whom, after the 2024 rule.
        "U.S. Department of Health and Human Services",
        "Office for Civil Rights",
        "United States Attorney",
        # Whom to contact at the centre.
        "privacy officer",
        'href="tel:+18005550142"',
    ]:
        assert needed in html, needed


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["/callback/", "/verify/"])
def test_it_links_the_notice_beside_each_forms_consent(client, form):
    html = client.get(form).content.decode()
    consent = html.index('id="id_consent"')
    link = html.index(f'href="{NOTICE}"', consent)
    # Under the consent box, before the button that sends the form.
    assert link < html.index('type="submit"', consent)
    assert re.search(r'id="id_consent_helptext"[^>]*>.*?patient notice', html, re.S)


@pytest.mark.django_db
def test_it_links_the_notice_from_the_footer_beside_the_privacy_policy_and_lists_it_in_the_sitemap(client):
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    assert footer.index('href="/privacy/"') < footer.index(f'href="{NOTICE}"')
    assert f"{NOTICE}</loc>" in client.get("/sitemap.xml").content.decode()
