"""The short callback form beside each article: its consent says what that form allows."""

import html as htmllib
import re

import pytest
from django.contrib.auth.models import User

from articles.models import Category, MedicalReviewer
from articles.tests.test_articles import make_article
from intake.consent import (
    CURRENT_ARTICLE_CALLBACK_CONSENT,
    CURRENT_CALLBACK_CONSENT,
    consent_text,
)
from intake.models import Lead, LeadRequest

CENTRE = "Lantern Recovery Center"


@pytest.fixture
def article(db):
    user = User.objects.create_user("dr-okafor", "okafor@lantern.example", "x", is_staff=True)
    reviewer = MedicalReviewer.objects.create(name="Samira Okafor", credentials="MD", user=user)
    category = Category.objects.create(name="Detox", slug="detox")
    return make_article(category, reviewer, 1, title="What detox feels like")


def article_form(page: str) -> tuple[str, dict]:
    """The aside's callback form: its consent label and the hidden inputs a browser would send."""
    form = re.search(r'<form method="post" action="/callback/".*?</form>', page, re.S).group(0)
    label = re.search(r'<label class="form-check-label small" for="cb-consent">(.*?)</label>', form, re.S).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return htmllib.unescape(label), hidden


@pytest.mark.django_db
def test_it_labels_the_article_form_with_its_own_consent_and_stores_that_version(client, staff, article):
    label, hidden = article_form(client.get(article.get_absolute_url()).content.decode())
    assert label == consent_text(CURRENT_ARTICLE_CALLBACK_CONSENT, CENTRE)
    assert "No texts" in label and "tick" not in label

    # A forged text permission changes nothing: this form's consent allows a call only.
    response = client.post("/callback/", {**hidden, "name": "Robin", "phone": "(312) 555-0187", "consent": "on",
                                          "ok_to_text": "on", "ok_to_voicemail": "on"})  # fmt: skip

    assert response.status_code == 302
    request = LeadRequest.objects.get()
    assert request.consent_version == CURRENT_ARTICLE_CALLBACK_CONSENT
    assert request.consent_page == article.get_absolute_url()
    lead = Lead.objects.get()
    assert not lead.ok_to_text and not lead.ok_to_voicemail


@pytest.mark.django_db
def test_it_keeps_the_short_form_and_its_consent_when_an_article_post_needs_fixing(client, staff, article):
    _, hidden = article_form(client.get(article.get_absolute_url()).content.decode())

    response = client.post("/callback/", {**hidden, "name": "Robin", "phone": "12", "consent": "on"})
    page = htmllib.unescape(response.content.decode())

    assert response.status_code == 200 and LeadRequest.objects.count() == 0
    assert consent_text(CURRENT_ARTICLE_CALLBACK_CONSENT, CENTRE) in page
    assert 'name="ok_to_text"' not in page and 'name="ok_to_voicemail"' not in page
    assert 'value="Robin"' in page and 'name="form_variant" value="article"' in page

    fixed = client.post("/callback/", {**hidden, "name": "Robin", "phone": "(312) 555-0187", "consent": "on"})
    assert fixed.status_code == 302
    assert LeadRequest.objects.get().consent_version == CURRENT_ARTICLE_CALLBACK_CONSENT


@pytest.mark.django_db
def test_it_shows_and_stores_the_full_forms_own_consent_on_the_callback_page(client, staff, visitor_data):
    page = htmllib.unescape(client.get("/callback/").content.decode())
    full = consent_text(CURRENT_CALLBACK_CONSENT, CENTRE)
    assert full in page and "tick those boxes above" in full
    assert 'name="ok_to_text"' in page and 'name="ok_to_voicemail"' in page

    client.post("/callback/", {**visitor_data, "ok_to_text": "on"})

    assert LeadRequest.objects.get().consent_version == CURRENT_CALLBACK_CONSENT
    assert Lead.objects.get().ok_to_text
