"""The public pages' one stylesheet: which templates are public, which classes they use, and the built
file every public page carries inline.

Public pages (templates/base.html and everything that extends it or is included from it) carry only
the CSS they use: bin/build-css purges Bootstrap and lantern.css against the classes found here and
commits the result as static/css/public.css. Staff pages keep the full Bootstrap and lantern.css.

The built file is small enough (about 7.5 KB gzipped) that inlining the whole of it beats a separate
request on a slow phone link: a stylesheet costs a round trip (150 ms on the benchmark's profile)
before anything paints, inlined it costs its bytes (under 40 ms). See docs/performance.md.

config/settings.py imports csp_hash from here: nothing at import time may read a setting.
"""

import base64
import functools
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.safestring import mark_safe

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
PUBLIC_BASE = "base.html"

# Rendered by code rather than named in a template (form layouts, custom field templates): public too.
RENDERED_BY_CODE = (
    "intake/_danger_alert.html",
    "verification/kept_photo_field.html",
    "verification/_eob_warning.html",
    "verification/_part2_terms.html",
)
# Python modules that set classes on public pages (crispy layouts' css_class, widget attrs).
PUBLIC_CODE = ("intake/forms.py", "verification/forms.py", "verification/second_forms.py")
# Code that writes HTML of its own into public pages (an article's figures and their captions).
PUBLIC_MARKUP_CODE = ("articles/rendering.py",)
# Scripts loaded by public pages; classes they add (classList.add/toggle, className) must be styled too.
PUBLIC_SCRIPTS: tuple[str, ...] = ()

# Classes that need no CSS of their own, and why. Everything else a public template names must be in
# the built stylesheet (tests/test_public_css.py).
NEEDS_NO_CSS = {
    # Names for a part of a page, for tests and anyone reading the HTML; styled by their neighbours.
    "article": "the article's <article>",
    "article-meta": "the reviewed-by line (.small .text-body-secondary)",
    "reviewed": "the reviewer's name within it",
    "article-cta-top": "the first call to action (.article-cta)",
    "article-card": "an article in the list (.card)",
    "article-search": "the list's search form (.row .g-2)",
    "search-summary": "the line saying how a search was read (.small)",
    "no-results": "the suggestions when a search found nothing (its cards are .card)",
    "reference": "the reference on a thank-you page (<strong>)",
    "next-steps": "the list of next steps on a thank-you page",
    "card-at-hand": "the have-your-card note on the verification thank-you page",
    "prose": "the privacy, terms and patient-notice text",
    "part2-notice": "the federal confidentiality notice",
    "kept-photo": "a card photo kept from a failed submit (.form-check)",
    "card-photo-field": "a card photo's field (.mb-3)",
}
# Classes built from a variable in a template: every value the variable can take.
DYNAMIC_CLASSES: dict[str, tuple[str, ...]] = {}

_EXTENDS = re.compile(r"""{%\s*extends\s+["']([^"']+)["']""")
_INCLUDES = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
_CLASS_ATTR = re.compile(r"""\bclass="([^"]*)\"""")
_CODE_CLASS = re.compile(r"""(?:css_class=|["']class["']:\s*)["']([^"']+)["']""")
_SCRIPT_CLASS = re.compile(r"""classList\.(?:add|toggle|remove|replace)\(([^)]*)\)|className\s*=\s*["']([^"']+)["']""")
_TAG = re.compile(r"{%.*?%}|{#.*?#}")
_VARIABLE = re.compile(r"\S*{{.*?}}\S*")
_NAME = re.compile(r"^-?[A-Za-z_][\w-]*$")


def _template_text(name: str) -> str:
    return (TEMPLATES / name).read_text()


@functools.cache
def public_templates() -> tuple[str, ...]:
    """Every template a public page is drawn from, by name under templates/."""
    names = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")]
    parents = {name: found.group(1) for name in names if (found := _EXTENDS.search(_template_text(name)))}

    def extends_base(name: str) -> bool:
        seen = set()
        while name in parents and name not in seen:
            seen.add(name)
            name = parents[name]
        return name == PUBLIC_BASE

    todo = [PUBLIC_BASE, *RENDERED_BY_CODE, *(name for name in names if extends_base(name))]
    found: set[str] = set()
    while todo:
        name = todo.pop()
        if name in found or not (TEMPLATES / name).exists():
            continue
        found.add(name)
        todo.extend(_INCLUDES.findall(_template_text(name)))
    return tuple(sorted(found))


def classes_in_template(text: str) -> set[str]:
    """Class names in a template's class="..." attributes; template logic around them is dropped, a
    name built from a variable counts as every value DYNAMIC_CLASSES lists for it."""
    classes = set()
    for value in _CLASS_ATTR.findall(text):
        for variable, values in DYNAMIC_CLASSES.items():
            if variable in value:
                classes.update(values)
                value = value.replace(variable, " ")
        value = _VARIABLE.sub(" ", _TAG.sub(" ", value))
        classes.update(word for word in value.split() if _NAME.match(word))
    return classes


def public_classes() -> dict[str, set[str]]:
    """Every class a public page can carry: name -> the files that set it."""
    where: dict[str, set[str]] = {}

    def add(names, source: str) -> None:
        for name in names:
            where.setdefault(name, set()).add(source)

    for name in public_templates():
        add(classes_in_template(_template_text(name)), f"templates/{name}")
    for path in PUBLIC_CODE:
        for value in _CODE_CLASS.findall((ROOT / path).read_text()):
            add(value.split(), path)
    for path in PUBLIC_MARKUP_CODE:
        for value in _CLASS_ATTR.findall((ROOT / path).read_text()):
            add(value.split(), path)
    for path in PUBLIC_SCRIPTS:
        for args, assigned in _SCRIPT_CLASS.findall((ROOT / path).read_text()):
            add(re.findall(r"""["']([\w-]+)["']""", args) + assigned.split(), path)
    return where


def classes_in_css(css: str) -> set[str]:
    """Class names a stylesheet's selectors mention (declarations and comments aside)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = re.findall(r"([^{}]+){", css)
    return {name for selector in selectors for name in re.findall(r"\.(-?[A-Za-z_][\w-]*)", selector)}


# --- The built file, inline in every public page ---------------------------------------------------


@functools.cache
def _built(path: str) -> bytes:
    # Read once per process: the CSP hash (worked out as settings load) and the text pages carry come
    # from the same bytes, so a file replaced while the process runs can never split them.
    return Path(path).read_bytes()


def csp_hash(path: Path) -> str:
    """The CSP source that allows exactly the file's text in a <style> element."""
    digest = hashlib.sha256(_built(str(path))).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _inline(path: str) -> str:
    return mark_safe(_built(path).decode())  # noqa: S308 - our own built CSS, hashed into the CSP


LOGO = "img/logo.svg"
LOGO_HEIGHT = 40  # px, as .brand-logo draws it (2.5rem)


@functools.cache
def _logo() -> str | None:
    """The centre's mark, inline in the header beside its name: under a kilobyte, where a file of its
    own cost every first visit another request on a slow link (make bench-browser). Decorative (the
    name beside it is the link's text), so its title goes and screen readers skip it."""
    path = finders.find(LOGO)
    if not path:
        return None
    svg = Path(path).read_text()
    box = re.search(r"""viewBox=["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)""", svg)
    ratio = float(box.group(1)) / float(box.group(2)) if box and float(box.group(2)) else 1.0
    drawing = re.sub(r"<!--.*?-->|<title\b.*?</title>", "", svg[svg.index("<svg") :], flags=re.S)
    opening = re.match(r"<svg\b[^>]*>", drawing)[0]
    body = "".join(line.strip() for line in drawing[len(opening) :].splitlines())
    opening = re.sub(r"\s(?:width|height|role|aria-labelledby|class)=\"[^\"]*\"", "", opening)
    size = f'width="{round(LOGO_HEIGHT * ratio)}" height="{LOGO_HEIGHT}"'
    opening = opening.replace("<svg", f'<svg {size} aria-hidden="true" focusable="false"', 1)
    return mark_safe(opening + body)  # noqa: S308 - our own artwork from static/, scripts can't be in it unnoticed


def public_page(request) -> dict[str, str | None]:
    """Context processor: the public stylesheet's text (base.html's one <style> element) and the logo."""
    return {"public_css": _inline(str(settings.PUBLIC_CSS_FILE)), "site_logo": _logo()}
