"""The centre's story in a real browser on a phone: the demo centre's home and programmes pages,
checked by axe-core, fetched from nowhere but the site, and with the heading and a way to call on
the first screen whether or not the phone is answered now. Screenshots: artifacts/centre-*.png."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.demo import seed_demo_articles
from centre.demo import seed_demo_centre
from intake.hours import DAYS

from .conftest import PHONE, shot
from .test_accessibility import AxeAudit, RequestLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_centre(settings, tmp_path):
    """The demo centre as `make run` shows it, its pictures in a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_articles(sender=None)
    seed_demo_centre(sender=None)


def closed_now(settings) -> None:
    tomorrow = DAYS[(timezone.localdate().weekday() + 1) % 7]
    settings.CENTRE_HOURS = settings.CENTRE_PHONE_HOURS = f"{tomorrow} 08:00-20:00"


def on_first_screen(page, selector: str) -> bool:
    """Whether the element is visible without scrolling on this viewport."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_it_has_no_serious_axe_violations_on_the_centre_pages_on_a_phone(live_server, page_factory, demo_centre):
    page = page_factory(viewport=PHONE, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, "centre-phone")

    page.goto(f"{live_server.url}/")
    page.locator("main img").last.scroll_into_view_if_needed()  # lazy pictures load, as a reader scrolls
    audit.check("home")
    page.goto(f"{live_server.url}/programmes/")
    audit.check("programmes")

    audit.assert_clean()
    assert requests.foreign() == []


@pytest.mark.parametrize("answered", [True, False], ids=["answered-now", "closed"])
def test_it_shows_the_centre_and_a_way_to_call_on_a_phones_first_screen(
    live_server, page_factory, demo_centre, settings, answered
):
    settings.CENTRE_PHONE_HOURS = "24/7"
    if not answered:
        closed_now(settings)
    page = page_factory(viewport=PHONE)  # the site's own CSP in force
    page.goto(f"{live_server.url}/")

    assert on_first_screen(page, "main h1")
    assert page.locator("main h1").inner_text() == settings.CENTRE_NAME
    assert on_first_screen(page, 'main a[href="tel:+18005550142"]')
    shot(page, f"centre-home-first-screen-{'open' if answered else 'closed'}")

    # Every picture arrives, described, and nothing breaks the page's policy.
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
        assert image.get_attribute("alt")
        # decode() waits for a lazy picture to load, and fails if it cannot be shown.
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert page.console_errors == []


def test_it_takes_a_visitor_from_a_programme_on_the_home_page_to_its_explanation(
    live_server, page_factory, demo_centre
):
    page = page_factory(viewport=PHONE)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Residential").click()
    page.wait_for_url("**/programmes/#programme-residential")

    section = page.locator("#programme-residential")
    # The browser scrolls to the programme once the page has laid out.
    expect(page.locator("#programme-residential-title")).to_be_in_viewport()
    assert "Who it is for" in section.inner_text()
    assert section.get_by_role("link", name="Ask us about Residential").is_visible()
    shot(page, "centre-programmes-residential")
