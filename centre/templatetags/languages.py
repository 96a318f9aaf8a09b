"""Every public page's other-language twin: the language switch in the header, the hreflang
alternates in <head> and the browser-language suggestion all read it from one place."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import get_language, override

from config.absolute import absolute_url
from config.language import UNTRANSLATED_PATHS, path_language

register = template.Library()


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str  # in its own language: "English", "Español"
    path: str  # this page in that language, or that language's home page when it has no twin
    twin: bool  # a true translation of this page: only those get an hreflang alternate
    current: bool
    query: str = ""  # kept on the switch (a search stays a search), never in an alternate

    @property
    def url(self) -> str:
        return absolute_url(self.path)

    @property
    def link(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def twin_path(path: str, language: str) -> str | None:
    """The address of the page at `path` in `language` (Django's translate_url, told apart from a
    failure); None when the address names no page (a 404) or a page without a twin."""
    bare = path[len(path_language(path)) + 1 :] if path_language(path) != settings.LANGUAGE_CODE else path
    if bare.startswith(UNTRANSLATED_PATHS):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    if not name:
        return None
    with override(language):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


def home_path(language: str) -> str:
    with override(language):
        return reverse("home")


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[PageLanguage]:
    """One entry per language of the site. Pages whose translation lives at another address (an
    article has a slug per language) put `page_translations` ({code: path}) in their context; a
    language missing from it links to its home page. Without a request (the 500 page renders from
    settings alone) every language links to its home page."""
    request = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    translations = context.get("page_translations")
    languages = []
    for code, name in settings.LANGUAGES:
        if translations is not None:
            path = translations.get(code)
        else:
            path = twin_path(request.path_info, code) if request is not None else None
        # A search stays a search in the other language; a page without a twin gets none.
        query = request.GET.urlencode() if request is not None and path else ""
        languages.append(
            PageLanguage(
                code, name, path or home_path(code), twin=path is not None, current=code == current, query=query
            )
        )
    return languages
