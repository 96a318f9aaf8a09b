import datetime as dt
import io

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Card photos go to a folder of this test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def jpeg_bytes(size=(640, 400), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (30, 90, 140))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x9286] = "taken at 221B Baker Street"  # UserComment-ish marker text
        gps = {1: "N", 2: (51.0, 31.0, 24.0), 3: "W", 4: (0.0, 7.0, 39.0)}
        exif[0x8825] = gps
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def png_bytes(size=(500, 320)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 10, 10, 128)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def today():
    return dt.date.today()
