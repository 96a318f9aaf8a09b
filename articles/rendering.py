"""Markdown to safe HTML, and what the article page derives from it (contents, reading time)."""

import html
import math
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
    "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "abbr": {"title"}}
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def render_markdown(text: str) -> str:
    """Markdown, then nh3: scripts, styles, event handlers, iframes and javascript: URLs go,
    whatever an editor pastes. Headings get ids for the table of contents."""
    raw = markdown.markdown(text or "", extensions=["toc", "tables", "sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def table_of_contents(body_html: str) -> list[dict]:
    """[{"level": 2, "id": "...", "title": "..."}] from the h2 and h3 headings."""
    return [
        {"level": int(level), "id": anchor, "title": html.unescape(_TAGS.sub("", title)).strip()}
        for level, anchor, title in _HEADING.findall(body_html)
    ]


def reading_minutes(body_html: str) -> int:
    words = len(html.unescape(_TAGS.sub(" ", body_html)).split())
    return max(1, math.ceil(words / 225))
