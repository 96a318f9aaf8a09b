"""Prepared texts: admins write them without a code change, they stay discreet and short, their
placeholders are filled for the person, and a worker can send one as it is."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake.phones import display_phone
from texting.message_templates import TextTemplate
from texting.models import OutgoingText
from texting.wording import telling_words

from .helpers import daytime_now, texting_lead

pytestmark = pytest.mark.django_db


def test_it_starts_with_five_discreet_prepared_texts_in_each_language_that_name_nobody():
    defaults = list(TextTemplate.objects.active())

    assert [t.language for t in defaults].count("en") == 5 and [t.language for t in defaults].count("es") == 5
    for template in defaults:
        template.full_clean()
        assert not telling_words(template.words)
        assert "{first_name}" not in template.words


@pytest.mark.parametrize(
    ("words", "why"),
    [
        ("Your detox bed is ready.", "It names 'detox'"),
        ("Call the Lantern Recovery Center.", "It names 'recovery', 'Lantern Recovery Center'"),
        ("x" * 301, "Keep it to 300 characters; it has 301."),
        ("Hi {name}, call us.", "Unknown placeholder {name}"),
        ("A lone { brace.", "Unknown placeholder"),
    ],
    ids=["treatment", "the centre", "too long", "unknown placeholder", "broken placeholder"],
)
def test_it_refuses_a_prepared_text_that_would_tell_or_not_fit(words, why):
    template = TextTemplate(name="Careless", words=words)

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert any(why in message for message in refused.value.message_dict["words"])


def test_it_fills_in_the_centres_phone_and_if_asked_the_first_name(settings):
    settings.CENTRE_PHONE = "+18005550142"
    lead = texting_lead()
    template = TextTemplate(name="Named", words="Hi {first_name}, please call {centre_phone}.")
    template.full_clean()

    assert template.filled(lead) == f"Hi Jordan, please call {display_phone('+18005550142')}."


def test_the_admin_refuses_a_telling_prepared_text_and_keeps_a_discreet_one(client, staff):
    client.force_login(staff["admin"])
    add = reverse("admin:texting_texttemplate_add")
    fields = {"name": "Bed", "language": "en", "active": "on", "order": "5", "slug": ""}

    refused = client.post(add, {**fields, "words": "Your rehab bed is ready."})

    assert refused.status_code == 200 and "It names &#x27;rehab&#x27;" in refused.content.decode()
    assert not TextTemplate.objects.filter(name="Bed").exists()
    assert client.post(add, {**fields, "words": "We have news. Please call us."}).status_code == 302
    assert TextTemplate.objects.get(name="Bed").slug == "bed"


def test_a_worker_can_send_a_prepared_text_as_it_is_without_a_script(client, staff, settings):
    daytime_now(settings)
    lead = texting_lead()
    client.force_login(staff["avery"])

    client.post(reverse("texting:send", args=[lead.pk]), {"template": "please-call-back", "body": ""})

    text = OutgoingText.objects.get(lead=lead)
    phone = display_phone(settings.CENTRE_PHONE)
    assert text.body == f"Lantern: Please call us back at {phone} when you can talk. Reply STOP to opt out."
    assert text.template == "please-call-back"


def test_the_lead_page_offers_the_active_prepared_texts_filled_in(client, staff, settings):
    lead = texting_lead()
    TextTemplate.objects.filter(slug="right-number").update(active=False)
    client.force_login(staff["avery"])

    page = client.get(lead.get_absolute_url()).content.decode()

    phone = display_phone(settings.CENTRE_PHONE)
    assert f'data-words="Please call us back at {phone} when you can talk."' in page
    assert ">Right number?<" not in page
