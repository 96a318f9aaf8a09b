"""Shared plumbing of the security suite: signing staff in, and the files a visitor uploads.

Staff sign in only through `sign_in`, so the suite keeps working whether or not the project
asks for a second factor: when the project's conftest offers `verify_second_factor(client,
user)`, it is called after the password step.
"""

import io
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from PIL import Image, PngImagePlugin

# Hypothesis keeps a cache of constants it finds in the source; under var/ (git-ignored), not the tree.
set_hypothesis_home_dir(Path(__file__).resolve().parent.parent / "var" / "hypothesis")


def sign_in(client, user):
    """Sign `user` in on `client` the way staff are signed in: password, then (if the project
    has one) the second factor. Returns the client."""
    client.force_login(user)
    verify = getattr(__import__("conftest"), "verify_second_factor", None)
    if verify is not None:
        verify(client, user)
    return client


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Card photos go to a folder of this test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def nobody(db):
    """Morgan: an active account that belongs to no group and is not staff (a former
    volunteer, an account made by mistake). Signed in, Morgan must see no PHI."""
    from django.contrib.auth.models import User

    return User.objects.create_user("morgan", "morgan@lantern.example", "correct horse battery")


def jpeg_bytes(size=(320, 200), comment: str = "") -> bytes:
    """A small JPEG; `comment` goes into its EXIF (description and user comment)."""
    image = Image.new("RGB", size, (30, 90, 140))
    out = io.BytesIO()
    if comment:
        exif = Image.Exif()
        exif[0x010E] = comment  # ImageDescription
        exif[0x9286] = comment  # UserComment
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def png_bytes(size=(240, 160), comment: str = "") -> bytes:
    """A small PNG; `comment` goes into a tEXt chunk."""
    image = Image.new("RGBA", size, (200, 10, 10, 128))
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()
