"""Insurance card photos: the riskiest thing a visitor sends us.

An upload is accepted only if Pillow reads it as a JPEG or PNG (whatever its name or declared
type says), it is at most 10 MB and 25 megapixels, and it carries no web-page code. It is then
re-encoded from its pixels, which drops every byte of metadata (EXIF, GPS, comments) and any
payload hidden after the image, encrypted, and written outside the public media root.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from intake.crypto import fernet

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000
ALLOWED_FORMATS = {"JPEG", "PNG"}
# Markup that makes a file a polyglot: harmless to us after re-encoding, but a file that
# carries it was made to attack someone, so it is refused outright.
_MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?php", b"<iframe", b"<body", b"javascript:")


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_card_image(upload) -> CleanImage:
    """Validate an uploaded card photo and return it re-encoded as a plain JPEG."""
    if upload.size > MAX_BYTES:
        raise ValidationError("This photo is larger than 10 MB. Please send a smaller photo of the card.")
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError("This photo is larger than 10 MB. Please send a smaller photo of the card.")
    lowered = raw.lower()
    if any(marker in lowered for marker in _MARKUP):
        raise ValidationError("This file contains web page code, not just a photo. Please send a photo of the card.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Please send a JPEG or PNG photo of the card.")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError("This image has too many pixels. Please send an ordinary photo of the card.")
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("This image has too many pixels. Please send an ordinary photo of the card.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("We couldn't read this file as a photo. Please send a JPEG or PNG photo.") from None

    # Turn the pixels the right way up before the orientation tag is dropped with the rest.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, optimize=True)
    return CleanImage(out.getvalue(), image.width, image.height)


def card_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "cards"


def store(clean: CleanImage) -> str:
    """Encrypt and write the image; return its storage name (random, no PHI)."""
    root = card_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.bin"
    (root / name).write_bytes(fernet().encrypt(clean.data))
    return name


def load(name: str) -> bytes:
    path = (card_root() / name).resolve()
    if path.parent != card_root().resolve():
        raise FileNotFoundError(name)
    return fernet().decrypt(path.read_bytes())


def delete(name: str) -> None:
    (card_root() / name).unlink(missing_ok=True)
