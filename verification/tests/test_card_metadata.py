"""What a visitor hides in a card photo's metadata never reaches our disk, and only the JPEG and
PNG parsers ever read their bytes."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from verification import cards
from verification.models import VerificationRequest

HIDDEN = b"member LNT-HIDDEN-7731 Maya Okonkwo"


def segments(jpeg: bytes) -> list[int]:
    """The marker of every segment before the picture data (SOS), in order."""
    assert jpeg[:2] == b"\xff\xd8"
    found, at = [], 2
    while at < len(jpeg):
        assert jpeg[at] == 0xFF, f"no marker at {at}"
        marker = jpeg[at + 1]
        found.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            return found
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    return found


def icc_profile() -> bytes:
    """A real sRGB profile; b"acsp" is the signature every ICC profile carries."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert b"acsp" in profile
    return profile


def jpeg_with_hidden_text() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (20, 120, 60)).save(
        out, format="JPEG", comment=HIDDEN, icc_profile=icc_profile(), xmp=b"<x:xmpmeta>" + HIDDEN + b"</x:xmpmeta>"
    )
    return out.getvalue()


def png_with_hidden_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HIDDEN.decode())
    info.add_itxt("Description", HIDDEN.decode())
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (20, 120, 60)).save(out, format="PNG", pnginfo=info, icc_profile=icc_profile())
    return out.getvalue()


METADATA = {0xFE} | set(range(0xE1, 0xF0))  # COM, APP1-APP15 (EXIF, XMP, ICC, Photoshop, ...)


@pytest.mark.parametrize(("name", "make"), [("card.jpg", jpeg_with_hidden_text), ("card.png", png_with_hidden_text)])
def test_it_drops_comments_icc_profiles_and_text_chunks(name, make):
    original = make()
    assert HIDDEN in original or HIDDEN in original.replace(b"\x00", b"")

    clean = cards.clean_card_image(SimpleUploadedFile(name, original, "image/jpeg"))

    assert b"acsp" in original or b"iCCP" in original  # a JPEG's APP2 profile; a PNG's, compressed
    assert HIDDEN not in clean.data and b"LNT-HIDDEN" not in clean.data and b"acsp" not in clean.data
    assert not METADATA & set(segments(clean.data)), [hex(m) for m in segments(clean.data)]
    image = Image.open(io.BytesIO(clean.data))
    assert image.size == (320, 200) and not image.info.get("icc_profile") and "comment" not in image.info
    assert image.getpixel((10, 10)) == pytest.approx((20, 120, 60), abs=3)


def _other_format(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (20, 120, 60)).save(out, format=kind)
    return out.getvalue()


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


@pytest.fixture
def parsers_run(monkeypatch) -> list[str]:
    """The Pillow parsers that looked at an upload's bytes, by format."""
    Image.init()
    run = []
    for kind, (factory, accept) in list(Image.OPEN.items()):

        def spy(*args, kind=kind, factory=factory):
            run.append(kind)
            return factory(*args)

        monkeypatch.setitem(Image.OPEN, kind, (spy, accept))
    return run


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["GIF", "TIFF", "BMP"])
def test_it_refuses_other_image_formats_next_to_the_field_without_parsing_them(client, patient_data, kind, parsers_run):
    photo = SimpleUploadedFile(f"card.{kind.lower()}", _other_format(kind), "image/jpeg")

    response = client.post("/verify/", {**patient_data, "card_front": photo})

    assert response.status_code == 200
    assert "Please send a JPEG or PNG photo" in field_error(response.content.decode(), "card_front")
    assert VerificationRequest.objects.count() == 0
    assert set(parsers_run) <= {"JPEG", "PNG"}, parsers_run
