"""Public addresses (canonical, og:url, sitemap, robots, feed) built from SITE_URL.

Never from the request: its Host header is whatever the client sent (any of ALLOWED_HOSTS, or a
proxy's), and an anonymous page is cached once for everyone, so the first visitor's host would
become every visitor's canonical address.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class SiteUrlSitemap(Sitemap):
    """A sitemap whose addresses start with SITE_URL, whichever host the crawler asked."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path


class PagesSitemap(SiteUrlSitemap):
    """An app's fixed public pages, by URL name: `pages = ["home", "callback"]`, each listed in
    every language (English at today's address, Spanish under /es/) with the others as alternates."""

    i18n = True
    alternates = True
    x_default = True  # English, the address without a language prefix
    changefreq = "monthly"
    priority = 1.0
    pages: list[str] = []

    def items(self) -> list[str]:
        return self.pages

    def location(self, item: str) -> str:
        return reverse(item)
