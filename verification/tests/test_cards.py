"""Insurance card photos: only real photos get in, cleaned, encrypted and shown only to staff."""

import html
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from verification import cards
from verification.models import VerificationRequest

from .conftest import jpeg_bytes, png_bytes


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def _bomb() -> bytes:
    # 14,000 x 14,000 one-bit pixels: a few kilobytes of PNG that would be 196 megapixels.
    out = io.BytesIO()
    Image.new("1", (14_000, 14_000)).save(out, format="PNG")
    return out.getvalue()


def _too_many_pixels() -> bytes:
    out = io.BytesIO()
    Image.new("L", (6_000, 5_000)).save(out, format="PNG")
    return out.getvalue()


ATTACKS = {
    "renamed text file": (upload("card.jpg", b"Member: Maya Okonkwo\nID: LNT100001\n" * 20), "couldn't read this file"),
    "svg": (
        upload("card.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        "web page code",
    ),
    "html polyglot": (
        upload("card.jpg", jpeg_bytes() + b"<html><script>alert(document.cookie)</script></html>"),
        "web page code",
    ),
    "gif": (upload("card.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"), "couldn't read this file"),
    "decompression bomb": (upload("card.png", _bomb(), "image/png"), "too many pixels"),
    "too many pixels": (upload("card.png", _too_many_pixels(), "image/png"), "too many pixels"),
    "oversized": (upload("card.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)), "larger than 10 MB"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_it_refuses_a_hostile_upload_with_a_clear_message_and_stores_nothing(
    client, staff, patient_data, private_media, attack
):
    file, message = ATTACKS[attack]
    response = client.post("/verify/", {**patient_data, "card_front": file})

    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert VerificationRequest.objects.count() == 0
    assert not (private_media / "cards").exists() or not list((private_media / "cards").iterdir())


def test_it_strips_metadata_and_keeps_the_picture():
    original = jpeg_bytes(exif_gps=True)
    assert b"Baker Street" in original and b"PhoneMaker" in original

    clean = cards.clean_card_image(upload("card.jpg", original))

    assert b"Baker Street" not in clean.data and b"PhoneMaker" not in clean.data
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and image.size == (640, 400)
    assert not image.getexif()


def test_it_accepts_a_png_whatever_its_name_and_stores_it_encrypted(private_media):
    clean = cards.clean_card_image(upload("IMG_0001.HEIC", png_bytes(), "application/octet-stream"))
    name = cards.store(clean)

    on_disk = (private_media / "cards" / name).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8")  # not a readable JPEG on disk
    assert cards.load(name) == clean.data


@pytest.mark.django_db
def test_it_shows_card_photos_only_to_staff_and_audits_each_view(client, staff, patient_data):
    client.post("/verify/", {**patient_data, "card_back": upload("back.png", png_bytes(), "image/png")})
    verification = VerificationRequest.objects.get()
    url = f"/staff/verifications/{verification.pk}/card/back/"

    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(staff["avery"])
    response = client.get(url, REMOTE_ADDR="10.4.4.4")

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (500, 320)
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(object_repr__startswith="Card photo (back)")
    assert (entry.actor, entry.remote_addr) == (staff["avery"], "10.4.4.4")
    assert client.get(f"/staff/verifications/{verification.pk}/card/front/").status_code == 404
