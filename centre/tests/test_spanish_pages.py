"""The site frame and the centre's own pages in Spanish, as a Spanish-speaking visitor (and a
crawler) meets them: /es/ addresses, lang="es", a switch to the English twin and back, hreflang
alternates, the sitemap, the browser-language suggestion and the language assistance notice."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intake.views import server_error

SITE = "https://lantern.example"
# Every page of this part, English address -> the Spanish text it must show.
PAGES = {
    "/": "Tratamos",
    "/programmes/": "Programas y niveles de atención",
    "/privacy/": "Política de privacidad",
    "/terms/": "Condiciones de uso",
    "/patient-notice/": "Aviso para pacientes de",
    "/language-assistance/": "Asistencia con el idioma",
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switch(html: str) -> dict[str, str]:
    """The header's language links: hreflang -> href."""
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    return {
        code: href
        for href, code in re.findall(
            r'<a class="header-language" href="([^"]+)" lang="[^"]+" hreflang="([^"]+)">', header
        )
    }


@pytest.mark.parametrize("path, words", PAGES.items())
def test_it_answers_every_page_in_spanish_under_es(client, profile, path, words):
    response = client.get(f"/es{path}")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert words in html
    # The frame too, not only the page's own text.
    assert "Saltar al contenido principal" in html and "Política de privacidad" in html
    assert "Skip to main content" not in html


@pytest.mark.parametrize("path", PAGES)
def test_it_keeps_english_at_todays_addresses(client, profile, path):
    html = client.get(path).content.decode()

    assert '<html lang="en">' in html
    assert "Skip to main content" in html


@pytest.mark.parametrize("path", PAGES)
def test_it_switches_to_the_same_page_in_the_other_language_and_back(client, profile, path):
    english = client.get(path).content.decode()
    spanish = client.get(f"/es{path}").content.decode()

    assert switch(english) == {"es": f"/es{path}"}
    assert switch(spanish) == {"en": path}
    # Each language named in itself.
    assert ">Español</a>" in english and ">English</a>" in spanish


@pytest.mark.parametrize("path", PAGES)
def test_it_lists_absolute_reciprocal_hreflang_alternates(client, profile, path):
    expected = {"en": f"{SITE}{path}", "es": f"{SITE}/es{path}", "x-default": f"{SITE}{path}"}

    assert alternates(client.get(path).content.decode()) == expected
    assert alternates(client.get(f"/es{path}").content.decode()) == expected


def test_it_keeps_a_search_when_switching_language(client, db):
    html = client.get("/articles/?q=detox").content.decode()

    assert switch(html) == {"es": "/es/articles/?q=detox"}
    # A search result is not a page of its own: the alternates name the list itself.
    assert alternates(html)["es"] == f"{SITE}/es/articles/"


def test_it_uses_the_pages_own_translations_when_they_live_at_other_addresses(rf, db):
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load languages %}{% page_languages as ls %}"
        "{% for l in ls %}{{ l.code }}={{ l.path }}:{{ l.twin }};{% endfor %}"
    )
    request = rf.get("/articles/withdrawal/")
    with translation.override("en"):
        only_english = template.render(
            Context({"request": request, "page_translations": {"en": "/articles/withdrawal/"}})
        )
        both = template.render(
            Context(
                {
                    "request": request,
                    "page_translations": {"en": "/articles/withdrawal/", "es": "/es/articles/abstinencia/"},
                }
            )
        )

    # No Spanish version: the switch goes to the Spanish home page, and no hreflang claims a twin.
    assert only_english == "en=/articles/withdrawal/:True;es=/es/:False;"
    assert both == "en=/articles/withdrawal/:True;es=/es/articles/abstinencia/:True;"


def test_it_answers_a_spanish_404_under_es(client, db):
    response = client.get("/es/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="es">' in html and "No encontramos esa página" in html
    # Nothing to switch to but the other home page, and no alternates for a page that does not exist.
    assert switch(html) == {"en": "/"}
    assert alternates(html) == {}


def test_it_renders_the_500_page_in_spanish_from_settings_alone(rf):
    from django.utils import translation

    with translation.override("es"):
        response = server_error(rf.get("/es/"))

    html = response.content.decode()
    assert '<html lang="es">' in html and "Lo sentimos, algo salió mal de nuestro lado" in html
    assert "Hable con alguien" in html


@pytest.mark.parametrize("accept", ["es-US,es;q=0.9", "es", "en-US,en;q=0.8", "fr"])
def test_it_never_redirects_or_varies_by_the_browsers_language(client, profile, accept):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    spanish = client.get("/es/", HTTP_ACCEPT_LANGUAGE=accept)

    assert (english.status_code, spanish.status_code) == (200, 200)
    assert '<html lang="en">' in english.content.decode() and '<html lang="es">' in spanish.content.decode()
    assert "Accept-Language" not in english.headers.get("Vary", "")


def test_it_offers_the_browsers_language_as_a_dismissible_note_from_its_own_script(client, profile):
    english = client.get("/privacy/").content.decode()
    spanish = client.get("/es/privacy/").content.decode()

    assert '<script src="/static/js/language.js' in english
    note = re.search(r"<aside [^>]*data-language-suggestion[^>]*>.*?</aside>", english, re.S)[0]
    assert 'lang="es"' in note and " hidden" in note
    assert "¿Prefiere español?" in note and 'href="/es/privacy/"' in note and "Vea esta página en español" in note
    assert "Prefer English?" in spanish and 'href="/privacy/"' in spanish
    # Strict CSP: no inline script does the work.
    assert not re.search(r"<script(?![^>]*(src=|application/ld\+json))", english)


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_it_links_the_language_assistance_notice_from_every_footer(client, profile, prefix):
    html = client.get(f"{prefix}/programmes/").content.decode()
    footer = html.split('<footer class="site-footer', 1)[1]

    assert f'href="{prefix}/language-assistance/"' in footer
    # The Spanish tagline is on the English pages too, in Spanish.
    assert "ATENCIÓN: si habla español" in footer and "(TTY: 711)" in footer


def test_it_names_free_interpretation_and_how_to_complain_in_both_languages(client, db):
    english = client.get("/language-assistance/").content.decode()
    spanish = client.get("/es/language-assistance/").content.decode()

    assert "Interpretation by phone in Spanish and in other languages" in english
    assert "Interpretación por teléfono en español y en otros idiomas" in spanish
    for html in (english, spanish):
        assert "1-800-368-1019" in html and "1-800-537-7697" in html and "www.hhs.gov/ocr" in html
    # Each page carries the notice in the other language too.
    assert "Tiene a su disposición interpretación gratuita" in english
    assert "Free interpretation by phone in Spanish and other languages" in spanish


def test_it_lists_both_languages_with_alternates_in_the_sitemap(client, db):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {
        url.find("s:loc", ns).text: {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
        for url in root.findall("s:url", ns)
    }

    for path in ["/", "/programmes/", "/privacy/", "/patient-notice/", "/terms/", "/language-assistance/"]:
        assert f"{SITE}{path}" in urls and f"{SITE}/es{path}" in urls
        assert urls[f"{SITE}/es{path}"] == {
            "en": f"{SITE}{path}",
            "es": f"{SITE}/es{path}",
            "x-default": f"{SITE}{path}",
        }


def test_it_says_when_the_phone_line_opens_in_spanish(client, db, settings):
    # No window today, one tomorrow at 8: closed whatever the time of this run.
    tomorrow = timezone.now().astimezone(ZoneInfo(settings.CENTRE_TIMEZONE)) + dt.timedelta(days=1)
    settings.CENTRE_PHONE_HOURS = f"{tomorrow.strftime('%a').lower()} 08:00-09:00"
    day = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][tomorrow.weekday()]

    html = client.get("/es/terms/").content.decode()

    assert "Nuestra línea telefónica abre mañana a las 8:00 a. m." in html
    assert f"Atención telefónica: {day}, de 8:00 a. m. a 9:00 a. m." in html
