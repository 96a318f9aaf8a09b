"""A visitor on a phone photographs the card, mistypes the phone number, and does not have to
photograph the card again (issue 12, "photos survive mistakes"). Screenshots: artifacts/kept-photo-*.png."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from verification import cards
from verification.models import Payer, VerificationRequest

from .conftest import PHONE, card_jpeg, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_a_phone_visitors_card_photo_through_a_mistyped_phone_number(live_server, page_factory, settings):
    Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    page = page_factory(viewport=PHONE)

    page.goto(f"{live_server.url}/verify/")
    page.fill("#id_first_name", "Maya")
    page.fill("#id_last_name", "Okonkwo")
    page.fill("#id_date_of_birth", "1991-03-14")
    page.fill("#id_phone", "646 555")  # a digit short of a number anyone can call
    page.select_option("#id_best_time", label="Evening (5–8 p.m.)")
    page.select_option("#id_payer", label="Aetna")
    page.fill("#id_member_id", "LNT100001")
    page.set_input_files("#id_card_front", {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": card_jpeg()})
    page.check("#id_consent")
    page.get_by_role("button", name="Check my insurance").click()
    page.wait_for_load_state()

    expect(page.locator("#id_phone_error")).to_contain_text("Enter a phone number we can call")
    expect(page.locator("#div_id_card_front")).to_contain_text("Front of card: received (photo kept)")
    expect(page.locator("#div_id_card_back")).not_to_contain_text("received")
    expect(page.locator("#form-errors")).not_to_contain_text("choose it again")
    expect(page.get_by_label("Remove this photo")).not_to_be_checked()
    expect(page.locator("#id_best_time")).to_have_value("evening")
    shot(page, "kept-photo-1-phone-mistyped")
    assert VerificationRequest.objects.count() == 0

    page.fill("#id_phone", "(646) 555-0173")
    page.get_by_role("button", name="Check my insurance").click()
    page.wait_for_url("**/verify/thanks/")
    shot(page, "kept-photo-2-thanks")

    verification = VerificationRequest.objects.get()
    assert verification.card_front and not verification.card_back
    assert Image.open(io.BytesIO(cards.load(verification.card_front))).size == (320, 200)
    assert not any(cards.held_root().iterdir())  # the held copy went once it was used
    assert page.console_errors == []
