"""Article images: what an upload must be, and the responsive copies the pages serve.

Article images are public (served from MEDIA_ROOT by config/urls.py's media route), so an upload
is accepted only if Pillow reads it as a JPEG, PNG or WebP (by its bytes, not its name), it is at
most 10 MB and 40 megapixels, and it is stored re-encoded from its bare pixels: a photographer's
GPS position, camera serial or editing history never reaches the site.

From the stored original we make each width of RENDITION_WIDTHS that fits inside it, in a modern
format (AVIF where this Pillow can write it, else WebP) and in JPEG for browsers without it. They
are made once, when the image is saved, and kept: the record names the original they came from,
and a later save of the same original makes nothing new.
"""

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError, features

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The only parsers Pillow may run on an upload: what cameras, phones and editors export.
ALLOWED_FORMATS = ["JPEG", "PNG", "WEBP"]
RENDITION_WIDTHS = (480, 800, 1200)
# AVIF is about a third smaller than WebP at the same look; Pillow wheels carry it from 11.3.
MODERN = ("avif", "AVIF", "image/avif") if features.check("avif") else ("webp", "WEBP", "image/webp")
FALLBACK = ("jpg", "JPEG", "image/jpeg")
_ENCODE = {
    "AVIF": {"quality": 55},
    "WEBP": {"quality": 78, "method": 5},
    "JPEG": {"quality": 80, "optimize": True, "progressive": True},
}
RENDITIONS_DIR = "articles/renditions"
UNREADABLE = "This file isn't a JPEG, PNG or WebP image. Please upload a photo or graphic in one of those formats."
TOO_LARGE = "This image is larger than 10 MB. Please upload a smaller one."
TOO_MANY_PIXELS = "This image has too many pixels (over 40 megapixels). Please upload a smaller one."


def _open_checked(raw: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS)
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(UNREADABLE) from None
    return image


def _read_upload(upload) -> bytes:
    if upload.size > MAX_BYTES:
        raise ValidationError(TOO_LARGE)
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(raw) > MAX_BYTES:
        raise ValidationError(TOO_LARGE)
    return raw


def validate_article_image(value: FieldFile) -> None:
    """A model field validator: a new upload must be a real JPEG, PNG or WebP within the limits.
    A file already stored was checked when it came in, and is not read again on every save."""
    if not value or getattr(value, "_committed", True):
        return
    _open_checked(_read_upload(value.file))


def cleaned_upload(upload, name: str) -> ContentFile:
    """The upload re-encoded from its pixels alone (no EXIF, XMP, ICC, comments or trailing
    bytes), turned upright first, in its own format; named after `name`."""
    image = _open_checked(_read_upload(upload))
    kind = image.format
    image = ImageOps.exif_transpose(image)
    keep_alpha = kind in ("PNG", "WEBP") and image.mode in ("RGBA", "LA", "P")
    image = image.convert("RGBA" if keep_alpha else "RGB")
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    options = {"JPEG": {"quality": 90}, "PNG": {"optimize": True}, "WEBP": {"quality": 90}}[kind]
    bare.save(out, format=kind, **options)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[kind]
    return ContentFile(out.getvalue(), name=f"{slugify(PurePosixPath(name).stem)[:60] or 'image'}.{extension}")


def prepare(field: FieldFile) -> None:
    """Store a freshly uploaded image cleaned (before the model row is saved), so that the
    renditions can be made from the stored file in the same save."""
    if field and not field._committed:
        cleaned = cleaned_upload(field.file, field.name)
        field.save(cleaned.name, cleaned, save=False)


def _widths(original_width: int) -> list[int]:
    top = min(original_width, RENDITION_WIDTHS[-1])
    return [width for width in RENDITION_WIDTHS if width < top] + [top]


def make_renditions(source_name: str, storage: Storage = default_storage) -> dict:
    """Every rendition of a stored original; returns the record the page renders from."""
    with storage.open(source_name, "rb") as source:
        image = Image.open(source, formats=ALLOWED_FORMATS)
        image.load()
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    # One folder per original, named after its whole stored path (articles/renditions/images/
    # chart.png/480.avif): two originals never share one.
    folder = f"{RENDITIONS_DIR}/{source_name.removeprefix('articles/')}"
    record = {"source": source_name, "width": image.width, "height": image.height, "files": {}}
    for extension, kind, content_type in (MODERN, FALLBACK):
        if has_alpha and kind == "JPEG":
            # JPEG has no transparency: a transparent graphic goes onto the page's white.
            base = Image.new("RGB", image.size, "white")
            base.paste(image.convert("RGBA"), mask=image.convert("RGBA"))
        else:
            base = image.convert("RGBA" if has_alpha else "RGB")
        files = []
        for width in _widths(image.width):
            height = max(1, round(image.height * width / image.width))
            resized = base.resize((width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            resized.save(out, format=kind, **_ENCODE[kind])
            name = f"{folder}/{width}.{extension}"
            storage.delete(name)  # a folder left by an earlier original of the same name
            files.append([width, height, storage.save(name, ContentFile(out.getvalue()))])
        record["files"][content_type] = files
    return record


def renditions_for(field: FieldFile | None, record: dict | None) -> dict:
    """The record for the image now in `field`: the one kept if it was made from this very file,
    new ones otherwise, none without an image. Replaced renditions are removed."""
    if not field:
        _remove(record)
        return {}
    if record and record.get("source") == field.name and _all_stored(record):
        return record
    _remove(record)
    try:
        return make_renditions(field.name, field.storage)
    except (OSError, UnidentifiedImageError):
        # The original is missing or unreadable (a database restored without its media): the
        # page shows the plain original, and the next save tries again.
        log.warning("Renditions of an article image could not be made", exc_info=True)
        return {}


def _all_stored(record: dict) -> bool:
    """Every copy the record names is on disk (a row restored from history may name copies that were
    removed with it)."""
    return all(default_storage.exists(name) for files in record.get("files", {}).values() for *_, name in files)


def _remove(record: dict | None) -> None:
    for files in (record or {}).get("files", {}).values():
        for _width, _height, name in files:
            default_storage.delete(name)


@dataclass(frozen=True)
class Picture:
    """What templates/articles/_picture.html needs to draw one image responsively."""

    sources: list[dict]  # [{"type": "image/avif", "srcset": "..."}], best format first
    src: str
    srcset: str
    width: int
    height: int
    alt: str
    sizes: str
    lazy: bool = True
    priority: bool = False


def picture(record: dict, alt: str, *, sizes: str, lazy: bool = True, priority: bool = False) -> Picture | None:
    """A Picture from a renditions record, or None when there are no renditions to show."""
    if not record or not record.get("files"):
        return None

    def srcset(files: list) -> str:
        return ", ".join(f"{default_storage.url(name)} {width}w" for width, _height, name in files)

    fallback = record["files"][FALLBACK[2]]
    modern = [
        {"type": content_type, "srcset": srcset(files)}
        for content_type, files in record["files"].items()
        if content_type != FALLBACK[2]
    ]
    # width and height of the largest copy: the browser reserves the box's shape before any byte.
    width, height, _largest = fallback[-1]
    middle = fallback[min(1, len(fallback) - 1)][2]
    return Picture(
        sources=modern,
        src=default_storage.url(middle),
        srcset=srcset(fallback),
        width=width,
        height=height,
        alt=alt,
        sizes=sizes,
        lazy=lazy,
        priority=priority,
    )


def largest_jpeg(record: dict) -> tuple[str, int, int] | None:
    """(storage name, width, height) of the widest JPEG copy: what link previews (og:image) use."""
    files = (record or {}).get("files", {}).get(FALLBACK[2])
    if not files:
        return None
    width, height, name = files[-1]
    return name, width, height
