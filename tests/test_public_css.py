"""Public pages carry one stylesheet, purged to what they use and inline: a template can't ship a
class the stylesheet lacks, and the CSP allows exactly that stylesheet."""

import html as htmllib
import re

import pytest
from django.conf import settings

from config import stylesheet

CSS = settings.PUBLIC_CSS_FILE.read_text()


def test_it_styles_every_class_a_public_page_uses():
    styled = stylesheet.classes_in_css(CSS)
    missing = {
        name: sorted(where)
        for name, where in stylesheet.public_classes().items()
        if name not in styled and name not in stylesheet.NEEDS_NO_CSS
    }
    # A new class in a public template: run `make css` and commit static/css/public.css, or (a JS or
    # test hook only) add it to NEEDS_NO_CSS in config/stylesheet.py with the reason.
    assert not missing, f"classes without CSS in static/css/public.css: {missing}"


def test_it_lists_as_needing_no_css_only_classes_in_use_and_unstyled():
    used, styled = stylesheet.public_classes(), stylesheet.classes_in_css(CSS)
    assert not [name for name in stylesheet.NEEDS_NO_CSS if name not in used or name in styled]


def test_it_counts_classes_inside_template_logic_and_from_form_layouts():
    template = '<div class="col-md-4{% if not line.answered %} order-first{% endif %}"><p class="{{ dynamic }} lead">'
    assert stylesheet.classes_in_template(template) == {"col-md-4", "order-first", "lead"}
    # crispy layouts set classes in Python: the callback form's honeypot is hidden by one.
    assert "templates/base.html" in stylesheet.public_classes()["help-bar"]
    assert "intake/forms.py" in stylesheet.public_classes()["hp-field"]


def test_it_keeps_staff_templates_out_of_the_public_stylesheet():
    public = stylesheet.public_templates()
    assert "base.html" in public and "intake/callback.html" in public and "404.html" in public
    assert not [name for name in public if name.startswith(("staff/", "emails/"))]
    assert "verification/workspace.html" not in public
    assert "queue-table" not in stylesheet.classes_in_css(CSS)  # the staff queue's own styles stay out


def test_it_builds_the_public_stylesheet_within_40_kb():
    assert len(CSS.encode()) <= 40 * 1024


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/callback/", "/verify/", "/articles/", "/no-such-page/"])
def test_it_inlines_exactly_the_stylesheet_the_csp_allows_by_its_hash(client, url):
    response = client.get(url)
    page = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert styles == [CSS]  # byte for byte what the hash covers (no escaping, no second block)
    assert '<link rel="stylesheet"' not in page  # nothing render-blocking left to fetch

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    sources = policy["style-src"].split()
    hashes = [source for source in sources if source.startswith("'sha256-")]
    assert hashes == [stylesheet.csp_hash(settings.PUBLIC_CSS_FILE)]
    assert "'unsafe-inline'" not in sources


@pytest.mark.django_db
def test_it_leaves_staff_pages_on_the_full_bootstrap(client):
    page = client.get("/staff/login/").content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in page and "css/lantern.css" in page
    assert "<style>" not in page


@pytest.mark.django_db
def test_it_shows_the_help_bar_on_reading_pages_but_not_under_the_forms_own_submit(client):
    def bar(url: str) -> str | None:
        page = client.get(url).content.decode()
        found = re.search(r'<nav class="help-bar" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
        return found and htmllib.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(2)))

    home = bar("/")
    assert "Call us at (800) 555-0142" in re.sub(r"\s+", " ", home) and "Request a call" in home
    assert "Answered now" in home  # the tests' centre is open at every hour
    assert bar("/articles/") and bar("/no-such-page/")
    assert bar("/callback/") is None and bar("/verify/") is None
