"""What crawlers are told about the whole site: each app's public pages in /sitemap.xml, the pages
only a form leads to, the staff side and the admin kept out by /robots.txt."""

import xml.etree.ElementTree as ET

import pytest

SITE = "https://www.lantern.example"


@pytest.mark.django_db
def test_it_lists_every_public_page_and_keeps_crawlers_out_of_the_private_ones(client, settings):
    settings.SITE_URL = SITE

    robots = client.get("/robots.txt")
    sitemap = client.get("/sitemap.xml").content.decode()

    assert robots["Content-Type"] == "text/plain"
    assert robots.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /admin/",
        "Disallow: /callback/thanks/",
        "Disallow: /es/callback/thanks/",
        "Disallow: /verify/thanks/",
        "Disallow: /es/verify/thanks/",
        f"Sitemap: {SITE}/sitemap.xml",
    ]
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    pages = {url.find(f"{namespace}loc").text: url.find(f"{namespace}priority").text for url in ET.fromstring(sitemap)}
    paths = ["/", "/programmes/", "/language-assistance/", "/callback/", "/verify/", "/articles/", "/privacy/"]
    paths += ["/patient-notice/", "/terms/"]
    # Each in English and in Spanish.
    assert pages == {f"{SITE}{prefix}{path}": "1.0" for path in paths for prefix in ("", "/es")}
