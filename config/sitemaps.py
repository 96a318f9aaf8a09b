"""The site's /sitemap.xml and /robots.txt: each app lists its own public pages and the pages
crawlers should skip in its `sitemaps` module; this one puts them together."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from articles import sitemaps as articles
from centre import sitemaps as centre
from intake import sitemaps as intake
from verification import sitemaps as verification

from .absolute import absolute_url
from .language import UNTRANSLATED_PATHS

CONTRIBUTORS = [intake, centre, verification, articles]
SITEMAPS = {name: sitemap for app in CONTRIBUTORS for name, sitemap in app.SITEMAPS.items()}
# The staff side and the admin are mounted by config/urls.py: no crawler has business there.
ROBOTS_DISALLOW = ["/staff/", "/admin/", *(path for app in CONTRIBUTORS for path in app.ROBOTS_DISALLOW)]


def disallowed_paths() -> list[str]:
    """Each app's private public-side paths in every language (the thank-you page is /es/... too);
    the staff side and the admin have no Spanish address."""
    paths = []
    for path in map(str, ROBOTS_DISALLOW):
        paths.append(path)
        if not path.startswith(UNTRANSLATED_PATHS):
            paths += [f"/{code}{path}" for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    return paths


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in disallowed_paths()),
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
