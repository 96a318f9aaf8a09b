"""A card photo never sinks a request: when the card store refuses writes (a missing or broken folder,
a full disk, no permission) the request is saved without the photo, staff are told to ask for the card
on the call, the visitor is asked to have it at hand, and /healthz says the store is failing.

Tests run as root, so chmod stops nothing: the store is broken by pointing PRIVATE_MEDIA_ROOT under a
regular file (every write fails with NotADirectoryError), or by making one write fail as the
operating system would."""

import errno
import html
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from intake.models import Notification
from verification import cards
from verification.models import VerificationRequest

from .conftest import jpeg_bytes, png_bytes
from .test_kept_photos import hidden_inputs

STAFF_SENTENCE = "The card photo could not be stored"
ASK_ON_THE_CALL = "Ask the person for the card details on the call"
CARD_AT_HAND = "Please have your insurance card at hand when we call."


def photo(name="card.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data or jpeg_bytes(), content_type)


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def broken_store(settings, tmp_path):
    """The card store as a deployer might break it: PRIVATE_MEDIA_ROOT is a path under a regular file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the private media folder should be")
    settings.PRIVATE_MEDIA_ROOT = blocker / "private"
    return blocker


def card_store_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "verification.cards"]


def staff_pages(client, staff, verification) -> tuple[str, str]:
    client.force_login(staff["avery"])
    lead_page = client.get(reverse("staff:lead", args=[verification.lead_id]))
    workspace = client.get(verification.get_absolute_url())
    assert lead_page.status_code == 200 and workspace.status_code == 200
    return strip_tags(text(lead_page)), strip_tags(text(workspace))


@pytest.mark.django_db
def test_it_saves_the_request_without_its_photos_when_the_card_store_is_broken_and_says_so(
    client, staff, patient_data, broken_store, caplog
):
    assert client.get("/healthz").json()["private_media"] == "error: NotADirectoryError"

    with caplog.at_level(logging.ERROR, logger="verification.cards"):
        response = client.post(
            "/verify/", {**patient_data, "card_front": photo(), "card_back": photo("b.png", png_bytes(), "image/png")}
        )

    assert response.status_code == 302 and response["Location"] == reverse("verification:thanks")
    verification = VerificationRequest.objects.get()
    assert (verification.lost_card_sides, verification.card_front, verification.card_back) == ("both", "", "")
    assert verification.member_id == "LNT100001"
    assert Notification.objects.filter(lead=verification.lead, kind="new_lead").exists()

    # The operator learns what failed and how, and nothing of where: no path, no visitor's file name.
    assert card_store_log(caplog) == [
        "Card photo (front) could not be written: NotADirectoryError (errno 20)",
        "Card photo (back) could not be written: NotADirectoryError (errno 20)",
    ]

    thanks = text(client.get(reverse("verification:thanks")))
    assert CARD_AT_HAND in thanks and verification.lead_request.reference in thanks

    lead_page, workspace = staff_pages(client, staff, verification)
    for page in (lead_page, workspace):
        assert f"{STAFF_SENTENCE} (front and back of the card" in page and ASK_ON_THE_CALL in page
    assert "Front of card" not in workspace and "Back of card" not in workspace


@pytest.mark.django_db
def test_it_keeps_the_front_photo_when_only_the_back_cannot_be_stored(
    client, staff, patient_data, private_media, monkeypatch
):
    real_store = cards.store

    def back_refused(clean):
        if clean.width == 500:  # the back photo below is the 500 x 320 PNG
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_store(clean)

    monkeypatch.setattr(cards, "store", back_refused)
    client.post(
        "/verify/", {**patient_data, "card_front": photo(), "card_back": photo("b.png", png_bytes(), "image/png")}
    )

    verification = VerificationRequest.objects.get()
    assert verification.lost_card_sides == "back" and verification.card_front and not verification.card_back
    assert CARD_AT_HAND in text(client.get(reverse("verification:thanks")))

    lead_page, workspace = staff_pages(client, staff, verification)
    for page in (lead_page, workspace):
        assert f"{STAFF_SENTENCE} (back of the card" in page and ASK_ON_THE_CALL in page
    assert "Front of card" in workspace and "Back of card" not in workspace
    front = client.get(f"/staff/verifications/{verification.pk}/card/front/")
    assert front.status_code == 200 and front["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_it_leaves_no_half_written_photo_when_the_disk_fills_up(client, patient_data, private_media, monkeypatch):
    real_write = Path.write_bytes

    def disk_full(path, data):
        real_write(path, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    client.post("/verify/", {**patient_data, "card_front": photo()})
    monkeypatch.undo()

    assert VerificationRequest.objects.get().lost_card_sides == "front"
    assert list((private_media / "cards").iterdir()) == []  # nothing unreadable left for retention or rotation


@pytest.mark.django_db
def test_it_reports_the_card_store_on_healthz_until_it_is_fixed(client, patient_data, broken_store, settings):
    broken = client.get("/healthz")
    assert broken.status_code == 503
    assert broken.json()["private_media"] == "error: NotADirectoryError"
    assert broken.json()["database"] == "ok"

    broken_store.unlink()  # the deployer fixes the folder: the probe's next write succeeds

    fixed = client.get("/healthz")
    assert fixed.status_code == 200 and fixed.json()["private_media"] == "ok"
    cards_folder = Path(settings.PRIVATE_MEDIA_ROOT) / "cards"
    assert list(cards_folder.iterdir()) == []  # the probe cleans up after itself

    # And photos are stored again, with nothing asked of the visitor.
    client.post("/verify/", {**patient_data, "card_front": photo()})
    verification = VerificationRequest.objects.get()
    assert verification.card_front and not verification.lost_card_sides
    assert CARD_AT_HAND not in text(client.get(reverse("verification:thanks")))


@pytest.mark.django_db
def test_it_shows_the_form_again_with_everything_else_when_a_photo_cannot_be_kept(
    client, patient_data, broken_store, caplog
):
    with caplog.at_level(logging.ERROR, logger="verification.cards"):
        response = client.post("/verify/", {**patient_data, "phone": "555-01", "card_front": photo()})

    assert response.status_code == 200
    page = text(response)
    assert "phone number we can call" in page
    assert "Front of card: we could not keep the photo you just sent. Please choose it again." in page
    assert "received (photo kept)" not in page
    assert 'value="LNT100001"' in page and 'value="Maya"' in page
    assert card_store_log(caplog) == ["Card photo to keep could not be written: NotADirectoryError (errno 20)"]
    assert VerificationRequest.objects.count() == 0


@pytest.mark.django_db
def test_it_thanks_the_visitor_when_a_kept_photo_cannot_be_removed_after_the_request_is_stored(
    client, patient_data, monkeypatch
):
    first = client.post("/verify/", {**patient_data, "phone": "555-01", "card_front": photo()})
    assert "received (photo kept)" in text(first)

    def unlink_refused(path, missing_ok=False):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "unlink", unlink_refused)
    second = client.post("/verify/", {**patient_data, **hidden_inputs(first)})
    monkeypatch.undo()

    assert second.status_code == 302 and second["Location"] == reverse("verification:thanks")
    verification = VerificationRequest.objects.get()
    assert verification.card_front and not verification.lost_card_sides
