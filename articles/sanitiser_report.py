"""What the sanitiser took out of an article's Markdown, in words an editor understands.

`articles.rendering.render_markdown` turns Markdown into HTML and then keeps only what the page
allows (its ALLOWED_TAGS and ALLOWED_ATTRIBUTES, and ordinary link schemes). Pasted markup it
drops disappears silently; this module compares the HTML before and after the sanitiser and
names what went, so the admin can say "Removed: <script> element, onclick attribute".
"""

from collections import Counter
from html.parser import HTMLParser

import markdown

from .rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

# The Markdown step of render_markdown, reproduced only to see its output before the sanitiser;
# only what falls outside the allow-lists imported above is ever reported, so an extension that
# adds markup the page allows can never make a false report.
MARKDOWN_EXTENSIONS = ["toc", "tables", "sane_lists"]
SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
# Elements removed with everything inside them (nh3's default), so the words say so.
REMOVED_WITH_CONTENTS = {"script", "style"}


class _Inventory(HTMLParser):
    """Counts elements, attributes, link schemes and comments in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: Counter[str] = Counter()
        self.attributes: Counter[tuple[str, str]] = Counter()
        self.schemes: Counter[str] = Counter()
        self.comments = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements[tag] += 1
        for name, value in attrs:
            self.attributes[tag, name] += 1
            if name in ("href", "src") and value and ":" in value.split("/", 1)[0]:
                scheme = value.split(":", 1)[0].strip().lower() + ":"
                if scheme not in SAFE_SCHEMES:
                    self.schemes[scheme] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.comments += 1


def _inventory(html: str) -> _Inventory:
    parser = _Inventory()
    parser.feed(html)
    parser.close()
    return parser


def _element_words(tag: str) -> str:
    if tag in REMOVED_WITH_CONTENTS:
        return f"<{tag}> element and its contents"
    return f"<{tag}> element"


def removed_markup(text: str, rendered: str | None = None) -> list[str]:
    """What the sanitiser removed from `text` (Markdown), each in plain words, most common first.
    `rendered` is render_markdown(text) when the caller already has it."""
    before = _inventory(markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html"))
    after = _inventory(render_markdown(text) if rendered is None else rendered)
    removed: Counter[str] = Counter()
    for tag, count in before.elements.items():
        if tag not in ALLOWED_TAGS and count > after.elements[tag]:
            removed[_element_words(tag)] += count - after.elements[tag]
    for (tag, name), count in before.attributes.items():
        allowed = name in ALLOWED_ATTRIBUTES.get(tag, set()) and tag in ALLOWED_TAGS
        # An attribute of a removed element went with it; the element is already named.
        if not allowed and tag in ALLOWED_TAGS and count > after.attributes[tag, name]:
            removed[f"{name} attribute"] += count - after.attributes[tag, name]
    for scheme, count in before.schemes.items():
        removed[f"{scheme} link"] += count
    if before.comments > after.comments:
        removed["HTML comment"] += before.comments - after.comments
    return [words if count == 1 else f"{words} (×{count})" for words, count in removed.most_common()]


def removed_message(text: str, rendered: str | None = None) -> str:
    """One sentence for the admin, or "" when nothing was removed."""
    removed = removed_markup(text, rendered)
    if not removed:
        return ""
    return "The page does not allow some markup in the body, so it was left out. Removed: " + ", ".join(removed) + "."
