"""Markdown to safe HTML, and what the article page derives from it (contents, reading time).

Images in the text are written `![](image:short-name)`, naming one of the article's uploaded
images. The Markdown is turned into HTML and cleaned by nh3 first, with each such reference held
as a random token that no editor can guess or type; only then are the tokens replaced by the
<picture> markup this module writes itself. So <picture>, <source> and <img> reach a page only as
we emit them: any an editor writes by hand (an <img onerror>, a pasted <picture>) is stripped.
"""

import html
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from .renditions import Picture

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
    "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "abbr": {"title"}}
# ![any alt text](image:short-name): the alt text itself comes from the uploaded image's record.
IMAGE_REFERENCE = r"!\[[^\]\n]*\]\(image:([a-z0-9][a-z0-9-]*)\)"
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAGS = re.compile(r"<[^>]+>")
# A heading's own numbering ("1. Welcome and paperwork"): the contents list numbers it already.
_OWN_NUMBER = re.compile(r"^\d+[.)]\s+")


class BodyImage(Protocol):
    """What the renderer needs of an uploaded image (articles.models.ArticleImage)."""

    caption: str

    @property
    def picture(self) -> Picture | None: ...


class _ImageReferences(Extension):
    """Turns each `![](image:name)` into a token, outside code spans and blocks only."""

    def __init__(self) -> None:
        super().__init__()
        self.token = f"lanternimage{secrets.token_hex(8)}"
        self.names: list[str] = []

    def extendMarkdown(self, md) -> None:
        # Above links (160) and images (150), below code spans (190): `![](image:x)` in code stays text.
        md.inlinePatterns.register(_ImageReference(IMAGE_REFERENCE, self), "article_image", 175)


class _ImageReference(InlineProcessor):
    def __init__(self, pattern: str, references: _ImageReferences) -> None:
        super().__init__(pattern)
        self.references = references

    def handleMatch(self, m, data):
        self.references.names.append(m.group(1))
        token = self.references.token
        return f"{token}{len(self.references.names) - 1}{token}", m.start(0), m.end(0)


def markdown_step(text: str) -> tuple[str, _ImageReferences]:
    """The Markdown step alone, before the sanitiser: HTML with each image reference as a token.
    The one place its extensions are listed (articles.sanitiser_report compares against it)."""
    references = _ImageReferences()
    raw = markdown.markdown(text or "", extensions=["toc", "tables", "sane_lists", references], output_format="html")
    return raw, references


def render_markdown(text: str, images: Mapping[str, BodyImage] | None = None) -> str:
    """Markdown, then nh3: scripts, styles, event handlers, iframes and javascript: URLs go,
    whatever an editor pastes. Headings get ids for the table of contents. `images` are the
    article's uploaded images by short name; a reference to any other name shows nothing."""
    raw, references = markdown_step(text)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    if not references.names:
        return clean
    return _place_images(clean, references, images or {})


def _place_images(clean: str, references: _ImageReferences, images: Mapping[str, BodyImage]) -> str:
    def image_of(match: re.Match) -> BodyImage | None:
        index = int(match.group(1))
        image = images.get(references.names[index]) if index < len(references.names) else None
        return image if image is not None and image.picture is not None else None

    def figure(match: re.Match) -> str:
        image = image_of(match)
        if image is None:
            return ""
        caption = format_html('<figcaption class="figure-caption">{}</figcaption>', image.caption)
        return format_html(
            '<figure class="figure d-block">{}{}</figure>',
            _picture_html(image.picture),
            caption if image.caption else "",
        )

    def inline(match: re.Match) -> str:
        image = image_of(match)
        return _picture_html(image.picture) if image else ""

    token = references.token
    # A reference on a line of its own is a figure (with its caption); one inside a sentence, just the picture.
    placed = re.sub(rf"<p>{token}(\d+){token}</p>", figure, clean)
    return re.sub(rf"{token}(\d+){token}", inline, placed)


def _picture_html(picture: Picture) -> SafeString:
    # The template escapes every value in it; strip() only drops its last line break.
    return mark_safe(render_to_string("articles/_picture.html", {"picture": picture}).strip())  # noqa: S308


@dataclass
class Heading:
    """One entry of the contents: an h2, with its h3s as children."""

    id: str
    title: str
    number: str
    children: list["Heading"] = field(default_factory=list)


def table_of_contents(body_html: str) -> list[Heading]:
    """The h2 headings numbered 1, 2, 3..., each with its h3s (3.1, 3.2...) nested under it.
    An h3 that comes before any h2 has no section to sit in, so it takes a place of its own."""
    entries: list[Heading] = []
    section: Heading | None = None
    for level, anchor, title in _HEADING.findall(body_html):
        text = _OWN_NUMBER.sub("", html.unescape(_TAGS.sub("", title)).strip())
        if level == "3" and section is not None:
            section.children.append(Heading(anchor, text, f"{section.number}.{len(section.children) + 1}"))
            continue
        entry = Heading(anchor, text, str(len(entries) + 1))
        entries.append(entry)
        section = entry if level == "2" else None
    return entries


def reading_minutes(body_html: str) -> int:
    words = len(html.unescape(_TAGS.sub(" ", body_html)).split())
    return max(1, math.ceil(words / 225))
