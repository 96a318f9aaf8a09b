"""Insurance card photos: the riskiest thing a visitor sends us.

An upload is accepted only if Pillow reads it as a JPEG or PNG (whatever its name or declared
type says), it is at most 10 MB and 25 megapixels, and it carries no web-page code. It is then
re-encoded from its bare pixels into a new image, which drops every byte of metadata (EXIF, GPS,
XMP, ICC profiles, JPEG comments, PNG text chunks) and any payload hidden after the image,
encrypted, and written outside the public media root.
"""

import contextlib
import io
import logging
import re
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from intake.crypto import fernet

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000
# The only parsers Pillow may run on a visitor's bytes: every other one (TIFF, BMP, GIF, PSD, ...)
# is more code an attacker could aim at, for formats no phone camera produces.
ALLOWED_FORMATS = ["JPEG", "PNG"]
UNREADABLE = _("We couldn't read this file as a photo. Please send a JPEG or PNG photo.")
# Markup that makes a file a polyglot: harmless to us after re-encoding, but a file that
# carries it was made to attack someone, so it is refused outright.
_MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?php", b"<iframe", b"<body", b"javascript:")


class LostCardSides(models.TextChoices):
    """Which card photos the visitor sent that could not be stored (store_or_none)."""

    FRONT = "front", "front"
    BACK = "back", "back"
    BOTH = "both", "front and back"

    @classmethod
    def of(cls, front: bool, back: bool) -> str:
        return cls.BOTH if front and back else cls.FRONT if front else cls.BACK if back else ""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_card_image(upload) -> CleanImage:
    """Validate an uploaded card photo and return it re-encoded as a plain JPEG."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("This photo is larger than 10 MB. Please send a smaller photo of the card."))
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("This photo is larger than 10 MB. Please send a smaller photo of the card."))
    lowered = raw.lower()
    if any(marker in lowered for marker in _MARKUP):
        raise ValidationError(_("This file contains web page code, not just a photo. Please send a photo of the card."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("This image has too many pixels. Please send an ordinary photo of the card."))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This image has too many pixels. Please send an ordinary photo of the card.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(UNREADABLE) from None

    # Turn the pixels the right way up before the orientation tag is dropped with the rest.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Pillow writes what it read back out on save (a JPEG's comment and ICC profile, a PNG's ICC
    # profile): only the pixels go into the new image, so none of `image.info` can follow.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=88, optimize=True)
    return CleanImage(out.getvalue(), bare.width, bare.height)


def card_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "cards"


def _write_encrypted(root: Path, clean: CleanImage) -> str:
    """Encrypt and write the image under a random name; raises OSError, leaving no part-written file."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.bin"
    path = root / name
    try:
        path.write_bytes(fernet().encrypt(clean.data))
    except OSError:
        # A full disk can leave half a file: unreadable, yet counted by retention and key rotation.
        with contextlib.suppress(OSError):  # the folder itself failed: nothing in it to remove
            path.unlink(missing_ok=True)
        raise
    return name


def log_not_written(what: str, exc: OSError) -> None:
    """Say why a photo was not written: the error's class and errno only, since its message names
    the path (ours are random, but the rule is: no file names in logs)."""
    log.error("%s could not be written: %s (errno %s)", what, type(exc).__name__, exc.errno)


def store(clean: CleanImage) -> str:
    """Encrypt and write the image; return its storage name (random, no PHI). Raises OSError."""
    return _write_encrypted(card_root(), clean)


def store_or_none(clean: CleanImage, *, side: str) -> str | None:
    """Store the image, or log why not and return None: an unwritable or full card store must not
    cost the visitor the rest of their request (staff then ask for the card on the call)."""
    try:
        return store(clean)
    except OSError as exc:
        log_not_written(f"Card photo ({side})", exc)
        return None


def store_sent_photos(data: dict) -> None:
    """Store the card photos in a verification form's cleaned `data`, noting each stored file's
    name (`card_front_name`, `card_back_name`) and which sides could not be stored
    (`lost_card_sides`) in `data` (`delete_stored` removes them if the request is then not saved)."""
    lost = {"front": False, "back": False}
    for field, side in (("card_front", "front"), ("card_back", "back")):
        if data.get(field):
            # A photo that cannot be written is left out, never the request: it is flagged for
            # staff (who ask for the card on the call) and for the visitor's thank-you page.
            name = store_or_none(data[field], side=side)
            if name is None:
                lost[side] = True
                continue
            data[f"{field}_name"] = name
    data["lost_card_sides"] = LostCardSides.of(**lost)


def store_health() -> str:
    """For /healthz: write and remove a probe where card photos are stored. A folder that refuses
    writes costs every verification its card photos (they are left out, see store_or_none)."""
    folder = card_root()
    # A dot file, random per probe: key rotation and retention skip dot files, and two probes at
    # once never remove each other's.
    probe = folder / f".healthz-{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe.write_bytes(b"probe")
        probe.unlink()
    except OSError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def delete_stored(data: dict) -> None:
    """Delete the photos `store_sent_photos` wrote for a request that was then not saved."""
    for field in ("card_front_name", "card_back_name"):
        if data.get(field):
            delete(data[field])


def load(name: str) -> bytes:
    path = (card_root() / name).resolve()
    if path.parent != card_root().resolve():
        raise FileNotFoundError(name)
    return fernet().decrypt(path.read_bytes())


def delete(name: str) -> None:
    (card_root() / name).unlink(missing_ok=True)


# --- Photos held for a form that failed elsewhere -------------------------------------------
# A visitor whose phone number was mistyped should not have to find the card and photograph it
# again. The cleaned photo waits here, encrypted like a stored card, until the form is sent again;
# a signed token on the page (verification.forms) is the only way back to it.

HOLD_SECONDS = 3600
_HELD_NAME = re.compile(r"[0-9a-f]{32}\.bin")


def held_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "held"


def _held_path(name: str) -> Path | None:
    if not isinstance(name, str) or not _HELD_NAME.fullmatch(name):
        return None
    return held_root() / name


def hold(clean: CleanImage) -> str:
    """Encrypt and keep a cleaned photo for a form shown again; return its held name (random).
    Raises OSError."""
    return _write_encrypted(held_root(), clean)


def load_held(name: str) -> CleanImage | None:
    """The held photo of this name, or None when it is gone (used, purged) or was never ours."""
    path = _held_path(name)
    if path is None:
        return None
    try:
        data = fernet().decrypt(path.read_bytes())
    except (OSError, InvalidToken):
        return None
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        width, height = image.size
    return CleanImage(data, width, height)


def drop_held(name: str) -> None:
    path = _held_path(name)
    if path is None:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        # Called once the request is stored: failing here would show that visitor an error page
        # for a request we have. The copy is encrypted and the hourly purge tries again.
        log.warning("Held card photo could not be removed: %s (errno %s)", type(exc).__name__, exc.errno)


def purge_held(older_than: float = HOLD_SECONDS) -> int:
    """Delete held photos not used within `older_than` seconds; return how many went."""
    root = held_root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than
    purged = 0
    for path in root.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                purged += 1
        except FileNotFoundError:
            continue  # taken by a visitor's post while we looked
    return purged
