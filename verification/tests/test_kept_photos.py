"""A card photo sent with a mistake elsewhere on the form is kept, so the visitor need not choose it again."""

import html as html_lib
import io
import os
import re
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.celery import app as celery_app
from intake.models import Lead
from verification import cards, tasks  # noqa: F401 - tasks: registers the beat task with Celery
from verification.forms import VerificationForm
from verification.models import VerificationRequest

from .conftest import jpeg_bytes, png_bytes

VERIFY = "/verify/"
BAD_PHONE = "555-01"
FRONT_KEPT = "Front of card: received (photo kept)"
BACK_KEPT = "Back of card: received (photo kept)"


def photo(data=None, name="card.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data or jpeg_bytes(), content_type)


def page_text(response) -> str:
    return html_lib.unescape(response.content.decode())


def hidden_inputs(response) -> dict:
    """The hidden fields a browser would send back from this page (form id, kept-photo tokens)."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", response.content.decode()):
        if 'type="hidden"' in tag and "csrfmiddlewaretoken" not in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            found[name] = html_lib.unescape(value.group(1)) if value else ""
    return found


def held_files() -> list:
    root = cards.held_root()
    return sorted(root.iterdir()) if root.exists() else []


def staff_sees_card(client, staff, verification, side: str) -> tuple[int, int]:
    client.force_login(staff["avery"])
    response = client.get(f"/staff/verifications/{verification.pk}/card/{side}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    return Image.open(io.BytesIO(response.content)).size


def post_with_bad_phone(client, patient_data, **files):
    response = client.post(VERIFY, {**patient_data, "phone": BAD_PHONE, **files})
    assert response.status_code == 200
    assert "phone number we can call" in page_text(response)
    return response


@pytest.mark.django_db
def test_it_keeps_a_photo_sent_with_a_bad_phone_and_uses_it_when_the_form_is_sent_again(client, staff, patient_data):
    first = post_with_bad_phone(client, patient_data, card_front=photo(jpeg_bytes((640, 400))))

    text = page_text(first)
    assert FRONT_KEPT in text and BACK_KEPT not in text
    assert "Remove this photo" in text
    assert "choose it again" not in text  # the banner no longer asks for the photo again
    assert VerificationRequest.objects.count() == 0 and Lead.objects.count() == 0
    assert len(held_files()) == 1

    # The visitor fixes the phone and sends the page as the browser has it: no file chosen this time.
    second = client.post(VERIFY, {**patient_data, **hidden_inputs(first)})

    assert second.status_code == 302 and second["Location"] == "/verify/thanks/"
    verification = VerificationRequest.objects.get()
    assert verification.card_front and not verification.card_back
    assert staff_sees_card(client, staff, verification, "front") == (640, 400)
    assert held_files() == []  # used: nothing left waiting


@pytest.mark.django_db
def test_it_replaces_a_kept_photo_with_a_newly_chosen_one(client, staff, patient_data):
    first = post_with_bad_phone(client, patient_data, card_front=photo(jpeg_bytes((640, 400))))
    # Still a bad phone, but a better photo of the card: it replaces the first.
    second = post_with_bad_phone(
        client, patient_data, **hidden_inputs(first), card_front=photo(png_bytes((500, 320)), "card.png", "image/png")
    )
    assert FRONT_KEPT in page_text(second)
    assert len(held_files()) == 1

    third = client.post(
        VERIFY,
        {**patient_data, **hidden_inputs(second), "card_front": photo(jpeg_bytes((800, 500)))},
    )

    assert third.status_code == 302
    verification = VerificationRequest.objects.get()
    assert staff_sees_card(client, staff, verification, "front") == (800, 500)
    assert held_files() == []


@pytest.mark.django_db
def test_it_removes_a_kept_photo_when_the_visitor_asks(client, staff, patient_data):
    first = post_with_bad_phone(client, patient_data, card_front=photo(), card_back=photo(png_bytes(), "b.png"))
    assert FRONT_KEPT in page_text(first) and BACK_KEPT in page_text(first)

    # Removed on a post that still fails: the page stops saying it is kept.
    second = post_with_bad_phone(client, patient_data, **hidden_inputs(first), **{"card_back-clear": "on"})
    assert FRONT_KEPT in page_text(second) and BACK_KEPT not in page_text(second)
    assert len(held_files()) == 1

    # Removed on the post that succeeds: the request has no photo at all.
    client.post(VERIFY, {**patient_data, **hidden_inputs(second), "card_front-clear": "on"})

    verification = VerificationRequest.objects.get()
    assert (verification.card_front, verification.card_back) == ("", "")
    assert held_files() == []


@pytest.mark.django_db
def test_it_keeps_the_earlier_photo_when_its_replacement_is_refused(client, patient_data):
    first = post_with_bad_phone(client, patient_data, card_front=photo())
    renamed_text = photo(b"Member: Maya Okonkwo\nID: LNT100001\n" * 20, "card.jpg")

    second = client.post(VERIFY, {**patient_data, **hidden_inputs(first), "card_front": renamed_text})

    text = page_text(second)
    assert "couldn't read this file as a photo" in text and FRONT_KEPT in text
    assert "any card photo not marked as kept: please choose it again" in text
    assert VerificationRequest.objects.count() == 0


@pytest.mark.django_db
def test_it_never_takes_a_photo_from_a_forged_token_or_one_from_another_form(client, patient_data, settings):
    settings.FORM_RATE_LIMIT = 100  # the limit has tests of its own; here every post must reach the form
    victim = post_with_bad_phone(client, patient_data, card_front=photo())
    victims_token = hidden_inputs(victim)["card_front-kept"]
    # Another visitor's own form: a fresh page, so a different form id.
    other_form_id = hidden_inputs(client.get(VERIFY))["form_id"]
    forged = signing.dumps({"form": other_form_id, "side": "card_front", "file": held_files()[0].name})

    for token in (victims_token, forged, victims_token[:-3] + "abc", "not-a-token", "x" * 5000):
        response = client.post(
            VERIFY, {**patient_data, "phone": BAD_PHONE, "form_id": other_form_id, "card_front-kept": token}
        )
        assert response.status_code == 200
        assert FRONT_KEPT not in page_text(response)

    # Otherwise valid: the form asks for the photo again rather than taking the victim's, or none.
    again = client.post(VERIFY, {**patient_data, "form_id": other_form_id, "card_front-kept": victims_token})
    assert again.status_code == 200 and "we could not keep the photo you sent earlier" in page_text(again)
    assert not VerificationRequest.objects.exists()
    assert len(held_files()) == 1  # the victim's photo is untouched, still theirs to send


@pytest.mark.django_db
def test_it_asks_again_for_a_photo_kept_over_an_hour_ago(client, patient_data, monkeypatch):
    two_hours_ago = time.time() - 2 * 3600
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: two_hours_ago))
    first = post_with_bad_phone(client, patient_data, card_front=photo())
    monkeypatch.undo()
    assert len(held_files()) == 1

    response = client.post(VERIFY, {**patient_data, **hidden_inputs(first)})

    # Not silently dropped after the page said "kept": the visitor is asked to choose it again.
    assert response.status_code == 200
    assert "Front of card: we could not keep the photo you sent earlier" in page_text(response)
    assert not VerificationRequest.objects.exists()
    again = client.post(VERIFY, {**patient_data, "card_front": photo()})
    assert again.status_code == 302 and VerificationRequest.objects.get().card_front


@pytest.mark.django_db
def test_it_purges_held_photos_unused_for_an_hour_and_keeps_fresh_ones(client, patient_data):
    post_with_bad_phone(client, patient_data, card_front=photo())
    post_with_bad_phone(client, patient_data, card_front=photo())
    stale, fresh = held_files()
    an_hour_and_a_minute_ago = time.time() - 3660
    os.utime(stale, (an_hour_and_a_minute_ago, an_hour_and_a_minute_ago))

    # The task beat runs, as the schedule names it.
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    task_name = "verification.tasks.purge_held_card_photos"
    assert task_name in scheduled
    assert celery_app.tasks[task_name].apply().get() == 1

    assert held_files() == [fresh]


@pytest.mark.django_db
def test_it_keeps_no_readable_image_on_disk(client, patient_data, private_media):
    original = jpeg_bytes((640, 400))
    first = post_with_bad_phone(client, patient_data, card_front=photo(original))
    assert FRONT_KEPT in page_text(first)

    (held,) = held_files()
    kept = cards.load_held(held.name)
    assert Image.open(io.BytesIO(kept.data)).size == (640, 400)  # really the photo, encrypted
    for path in private_media.rglob("*"):
        if path.is_file():
            on_disk = path.read_bytes()
            assert b"\xff\xd8\xff" not in on_disk and b"JFIF" not in on_disk
            assert original[:64] not in on_disk and kept.data[:64] not in on_disk
    assert held.is_relative_to(private_media) and not held.is_relative_to(settings.MEDIA_ROOT)


@pytest.mark.django_db
def test_it_asks_for_the_best_time_to_call_after_the_phone(client, patient_data):
    html = client.get(VERIFY).content.decode()
    assert html.index('name="phone"') < html.index('name="best_time"') < html.index('name="email"')
    assert "Evening (5–8 p.m.)" in html_lib.unescape(html)

    evening = VerificationForm({**patient_data, "best_time": "evening"})
    assert evening.is_valid(), evening.errors
    assert evening.cleaned_data["best_time"] == "evening"
    unsaid = VerificationForm(patient_data)
    assert unsaid.is_valid() and unsaid.cleaned_data["best_time"] == "asap"
