"""Which language a request is answered in: the page's address alone says. /es/... is Spanish;
every other address, the staff side included, is English.

Not Django's LocaleMiddleware: for addresses without a prefix it reads a cookie and the
Accept-Language header, which would turn the staff pages Spanish for a worker whose browser prefers
it, and mark every English page `Vary: Accept-Language` (one cached copy per header value). A
visitor's browser language is only ever a suggestion on the page (static/js/language.js).
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

# Addresses with no Spanish twin. Their patterns sit inside i18n_patterns only because their app's URL
# module also holds public pages (verification's workspace beside /verify/, texting's webhook).
UNTRANSLATED_PATHS = ("/staff/", "/admin/", "/articles/preview/", "/sms/", "/healthz")


def path_language(path: str) -> str:
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


class PathLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = path_language(request.path_info)
        # Restored afterwards: a worker thread (or a test) must not stay Spanish for the next request.
        with translation.override(language):
            request.LANGUAGE_CODE = language
            if language != settings.LANGUAGE_CODE and request.path_info[len(language) + 1 :].startswith(
                UNTRANSLATED_PATHS
            ):
                raise Http404("No such page in this language")
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
