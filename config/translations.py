"""Keeps the Spanish side whole: finds visitor-facing English that would ship untranslated.

Three kinds of gap, in the public templates (the visitor's pages, what they include, and what Lantern
sends a visitor) and the public Python modules (the visitor's forms and the phrases they show):

- text a visitor reads (or hears from a screen reader: alt, title, aria-label, placeholder) written in
  a template outside `{% translate %}` / `{% blocktranslate %}`;
- a form label, help text, error message, choice label or button written in Python without gettext;
- a message marked for translation that the Spanish catalogues do not translate.

`python manage.py check_translations` prints them; tests/test_translations.py fails on any.
"""

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

TEMPLATES_DIR = settings.BASE_DIR / "templates"

# Where a visitor's pages start; the templates they extend or include are followed from here.
PUBLIC_TEMPLATE_ENTRIES = (
    "*.html",
    "includes/help_now.html",
    "intake/*.html",
    "centre/*.html",
    "articles/*.html",
    "verification/verify.html",
    "verification/thanks.html",
    # Sent to the visitor (admissions' reminders): in the person's language too.
    "emails/visitor-reminder*",
)
# Followed includes that are staff-only all the same (none yet).
STAFF_TEMPLATES: tuple[str, ...] = ()

# Python modules whose strings a visitor reads, and which choices classes in them a visitor sees.
PUBLIC_MODULES = (
    "intake/forms.py",
    "intake/timing.py",
    "intake/hours.py",
    "verification/forms.py",
    "verification/form_fields.py",
    "verification/second_forms.py",
    "verification/states.py",
)
PUBLIC_CHOICES = {
    "intake/models/choices.py": ("ForWhom", "BestTime"),
}

GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Keyword arguments and dict keys whose string a visitor reads.
VISIBLE_KEYWORDS = {"label", "help_text", "empty_label", "placeholder", "title", "aria-label", "alt", "message"}
VISIBLE_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Gap:
    where: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}: {self.text!r}"


# --- Templates -------------------------------------------------------------------------------


def public_templates(root: Path = TEMPLATES_DIR) -> list[str]:
    """The public templates by name: the entries, and everything they extend or include."""
    names = {
        path.relative_to(root).as_posix()
        for pattern in PUBLIC_TEMPLATE_ENTRIES
        for path in root.glob(pattern)
        if path.is_file()
    }
    todo = list(names)
    while todo:
        source = (root / todo.pop()).read_text()
        for name in re.findall(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']", source):
            if name not in names and (root / name).is_file():
                names.add(name)
                todo.append(name)
    return sorted(name for name in names if not any(fnmatch(name, pattern) for pattern in STAFF_TEMPLATES))


def untranslated_text(source: str) -> list[str]:
    """Visible English in a template outside the translation tags: each phrase found."""
    kept, skipping = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents else ""
            if skipping:
                if tag == skipping:
                    skipping = None
                continue
            if tag in ("blocktranslate", "blocktrans"):
                skipping = "endblocktranslate" if tag == "blocktranslate" else "endblocktrans"
            elif tag in ("comment", "verbatim"):
                skipping = "end" + tag
            # A tag stands where a value will be: it separates words, it is not one.
            kept.append(" \x00 ")
        elif skipping:
            continue
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        elif token.token_type == TokenType.VAR:
            kept.append(" \x00 ")
    return visible_phrases("".join(kept))


def visible_phrases(html: str) -> list[str]:
    html = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    # An element marked with its own language ("Leer en español" on an English page, the staff-only
    # preview banner) is in that language on purpose; <html lang> is the page's, not an exception.
    html = re.sub(r"<((?!html\b)\w+)\b[^>]*\slang=\"[^\"]*\"[^>]*>.*?</\1\s*>", " ", html, flags=re.S)
    phrases = []
    for tag in re.findall(r"<[^>]*>", html):
        for attribute in VISIBLE_ATTRIBUTES:
            for value in re.findall(rf"\s{attribute}\s*=\s*\"([^\"]*)\"", tag):
                phrases.append(value)
    text = re.sub(r"<[^>]*>", " ", html)
    text = re.sub(r"&[#\w]+;", " ", text)
    phrases += re.split(r"\x00|\n\s*\n", text)
    return [" ".join(phrase.split()) for phrase in phrases if WORD.search(phrase.replace("\x00", ""))]


def template_messages(source: str) -> list[tuple[str, ...]]:
    """The messages a template marks for translation, as catalogue keys would name them:
    (msgid,), (context, msgid), or (msgid, plural) for plurals."""
    found = []
    tokens = list(tokenize.generate_tokens(io.StringIO(templatize(source)).readline))
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in GETTEXT_NAMES or i + 1 >= len(tokens):
            continue
        if tokens[i + 1].string != "(":
            continue
        strings = []
        for following in tokens[i + 2 :]:
            if following.string == ")":
                break
            if following.type == tokenize.STRING:
                strings.append(ast.literal_eval(following.string))
        found.append(_message_key(token.string, strings))
    return found


def _message_key(function: str, strings: list[str]) -> tuple[str, ...]:
    """("msg", msgid), ("ctx", context, msgid) or ("plural", msgid, plural[, context])."""
    function = function.removesuffix("_lazy")
    if function == "npgettext":
        return ("plural", strings[1], strings[2], strings[0]) if len(strings) >= 3 else ()
    if function == "pgettext":
        return ("ctx", strings[0], strings[1]) if len(strings) >= 2 else ()
    if function == "ngettext":
        return ("plural", strings[0], strings[1]) if len(strings) >= 2 else ()
    return ("msg", strings[0]) if strings else ()


# --- Python ----------------------------------------------------------------------------------


def _is_gettext(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    return name in GETTEXT_NAMES


def _bare_strings(node: ast.AST | None, constants: dict[str, ast.AST] | None = None) -> Iterator[str]:
    """English written straight into a visible place: a string constant (or a module constant
    holding one), or an f-string."""
    if isinstance(node, ast.Name) and constants and node.id in constants:
        yield from _bare_strings(constants[node.id])
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and WORD.search(node.value):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield ast.unparse(node)
    elif isinstance(node, ast.Call) and not _is_gettext(node):
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if name in ("format_html", "mark_safe") and node.args:
            yield from _bare_strings(node.args[0])


def python_gaps(source: str, where: str, choices_classes: Iterable[str] = ()) -> list[Gap]:
    """Visible strings not wrapped in gettext in one module."""
    gaps = []
    tree = ast.parse(source)
    # PHONE_ERROR = "..." at the top, raised further down.
    constants = {
        statement.targets[0].id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            places = [kw.value for kw in node.keywords if kw.arg in VISIBLE_KEYWORDS]
            if name == "ValidationError" and node.args:
                places.append(node.args[0])
            if name == "add_error" and len(node.args) > 1:
                places.append(node.args[1])
            if name == "Submit" and len(node.args) > 1:
                places.append(node.args[1])
            for kw in node.keywords:
                if kw.arg == "error_messages" and isinstance(kw.value, ast.Dict):
                    places += kw.value.values
            for place in places:
                gaps += [Gap(where, text, "not marked for translation") for text in _bare_strings(place, constants)]
            if name == "HTML" and node.args and isinstance(node.args[0], ast.Constant):
                # Crispy's HTML() is template text inside a form.
                for phrase in untranslated_text(str(node.args[0].value)):
                    gaps.append(Gap(where, phrase, "template text not marked for translation"))
        elif isinstance(node, ast.Dict):
            # error_messages built up as a dict, and widget attrs (placeholder, aria-label).
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in VISIBLE_KEYWORDS | {"required", "invalid"}:
                    gaps += [Gap(where, text, "not marked for translation") for text in _bare_strings(value)]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            # field.error_messages["invalid_choice"] = "..."
            target = node.targets[0]
            if isinstance(target.value, ast.Attribute) and target.value.attr == "error_messages":
                gaps += [Gap(where, text, "not marked for translation") for text in _bare_strings(node.value)]
        elif isinstance(node, ast.ClassDef) and node.name in choices_classes:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    for element in statement.value.elts[1:]:
                        gaps += [
                            Gap(where, text, "choice label not marked for translation")
                            for text in _bare_strings(element)
                        ]
    return list(dict.fromkeys(gaps))


def python_messages(source: str) -> list[tuple[str, ...]]:
    """Messages a module marks for translation with constant strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if _is_gettext(node):
            strings = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            function = node.func
            name = function.id if isinstance(function, ast.Name) else function.attr
            if strings:
                found.append(_message_key("gettext" if name == "_" else name, strings))
    return found


# --- The catalogue ---------------------------------------------------------------------------


def is_translated(key: tuple[str, ...], language: str) -> bool:
    """Whether the compiled catalogues (ours and Django's) translate the message."""
    catalog = trans_real.translation(language)._catalog
    kind, *rest = key
    if kind == "msg":
        return rest[0] in catalog
    if kind == "ctx":
        return f"{rest[0]}\x04{rest[1]}" in catalog
    msgid = f"{rest[2]}\x04{rest[0]}" if len(rest) == 3 else rest[0]
    return (msgid, 0) in catalog


def gaps(language: str = "es", base: Path = settings.BASE_DIR, templates: Path = TEMPLATES_DIR) -> list[Gap]:
    """Every gap in the public templates and modules, for one language."""
    found: list[Gap] = []
    for name in public_templates(templates):
        source = (templates / name).read_text()
        where = f"templates/{name}"
        found += [Gap(where, phrase, "text not marked for translation") for phrase in untranslated_text(source)]
        found += _missing(template_messages(source), where, language)
    modules = {path: () for path in PUBLIC_MODULES} | PUBLIC_CHOICES
    for path, choices_classes in modules.items():
        source = (base / path).read_text()
        found += python_gaps(source, path, choices_classes)
        found += _missing(python_messages(source), path, language)
    return found


def _missing(keys: Iterable[tuple[str, ...]], where: str, language: str) -> list[Gap]:
    return [
        Gap(where, key[2] if key[0] == "ctx" else key[1], f"no {language} translation")
        for key in dict.fromkeys(keys)
        if key and not is_translated(key, language)
    ]
