"""The anonymous page cache: one copy per real page, addresses that never come from the visitor."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from articles.views import ArticleDetailView
from config import urls as site_urls

from .test_articles import make_article

SITE = "https://www.lantern.example"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    return SITE


def addresses(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]+)">|<meta property="og:url" content="([^"]+)">', html)


@pytest.mark.django_db(transaction=True)
def test_the_first_visitors_host_never_becomes_everyones_canonical_address(site_url, withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1)
    url = article.get_absolute_url()

    first = Client().get(url, HTTP_HOST="mirror.example")
    second = Client().get(url)

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    for response in (first, second):
        html = response.content.decode()
        assert "mirror.example" not in html
        assert f'<link rel="canonical" href="{SITE}{url}">' in html
        assert f'<meta property="og:url" content="{SITE}{url}">' in html
    listing = Client().get("/articles/", HTTP_HOST="mirror.example").content.decode()
    assert f'<link rel="canonical" href="{SITE}/articles/">' in listing


@pytest.mark.django_db
def test_sitemap_robots_and_feed_give_the_site_address_whatever_host_was_asked(site_url, withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1)
    client = Client(HTTP_HOST="mirror.example")

    sitemap = client.get("/sitemap.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()
    feed = client.get("/articles/feed/").content.decode()

    locations = [loc.text for loc in ET.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{SITE}{article.get_absolute_url()}" in locations
    assert all(loc.startswith(f"{SITE}/") for loc in locations), locations
    assert f"Sitemap: {SITE}/sitemap.xml" in robots
    assert "mirror.example" not in sitemap + robots + feed
    assert f"<link>{SITE}{article.get_absolute_url()}</link>" in feed


@pytest.mark.django_db(transaction=True)
def test_only_real_page_numbers_make_pages_of_their_own(withdrawal, reviewer, settings):
    settings.ARTICLES_PER_PAGE = 2
    for n in range(1, 4):
        make_article(withdrawal, reviewer, n)
    client = Client()

    assert client.get("/articles/")["X-Cache"] == "miss"
    # Spellings of the first page, and parameters the page does not read, share its copy.
    for query in ("page=1", "page=01", "page=abc", "page=0", "page=" + "9" * 5000, "sort=x&gclid=1", "page=-1"):
        assert client.get(f"/articles/?{query}")["X-Cache"] == "hit", query
    assert client.get("/articles/?page=2")["X-Cache"] == "miss"
    assert client.get("/articles/?page=02&utm_source=x")["X-Cache"] == "hit"
    # Past the last page: the last page is shown, and nothing is stored for the number.
    for _ in range(2):
        past = client.get("/articles/?page=97")
        assert past["X-Cache"] == "bypass" and "2 of 2" in past.content.decode()


@pytest.mark.django_db(transaction=True)
def test_search_results_are_never_cached(withdrawal, reviewer):
    make_article(withdrawal, reviewer, 1, title="Detox at home")
    client = Client()

    for _ in range(2):
        response = client.get("/articles/?q=detox")
        assert response["X-Cache"] == "bypass" and "Detox at home" in response.content.decode()


# This module doubles as a URLconf: the site, plus the article page with its cache turned off,
# mounted as a benchmark harness mounts it to time a cache miss.
# The site's own list, not include(): i18n_patterns may only sit in a root URLconf.
urlpatterns = [
    path("uncached/<slug:slug>/", ArticleDetailView.as_view(cache_pages=False)),
    *site_urls.urlpatterns,
]


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_the_page_served_uncached_is_the_cached_page_rendered_afresh_every_time(withdrawal, reviewer):
    article = make_article(withdrawal, reviewer, 1, title="Detox at home")
    client = Client()
    client.get(article.get_absolute_url())
    cached = client.get(article.get_absolute_url())
    assert cached["X-Cache"] == "hit"

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            uncached = client.get(f"/uncached/{article.slug}/")
        assert uncached.status_code == 200 and "X-Cache" not in uncached and len(queries) > 0
        assert without_token(uncached.content.decode()) == without_token(cached.content.decode())
        assert "__LANTERN_CSRF_TOKEN__" not in uncached.content.decode()
