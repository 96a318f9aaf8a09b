"""What the sanitiser took out of an article's Markdown, in words an editor understands.

`articles.rendering.render_markdown` turns Markdown into HTML and then keeps only what the page
allows (its ALLOWED_TAGS and ALLOWED_ATTRIBUTES, and ordinary link schemes). Pasted markup it
drops disappears silently; this module compares the HTML before and after the sanitiser and
names what went, so the admin can say "Removed: <script> element, onclick attribute".
"""

from collections import Counter
from html.parser import HTMLParser

from .rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, markdown_step, render_markdown

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


def removed_markup(text: str) -> list[str]:
    """What the sanitiser removed from `text` (Markdown), each in plain words, most common first.
    Compared with the page's text without its uploaded images, so that only markup written by
    hand is counted (the pictures placed for `![](image:name)` are the renderer's, not the editor's)."""
    # The same Markdown step as the page's (image references included, which are allowed).
    before = _inventory(markdown_step(text)[0])
    after = _inventory(render_markdown(text))
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


def removed_message(text: str) -> str:
    """One sentence for the admin, or "" when nothing was removed."""
    removed = removed_markup(text)
    if not removed:
        return ""
    return "The page does not allow some markup in the body, so it was left out. Removed: " + ", ".join(removed) + "."
