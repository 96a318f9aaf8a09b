"""An illustrated article on a phone, in Chromium: the hero comes at once in the modern format,
the chart only when it is near, nothing on the page jumps while they arrive, and axe stays clean."""

import pytest
from django.urls import get_resolver
from playwright.sync_api import expect

from articles.demo_images import TIMELINE_ALT, add_demo_images
from articles.models import Article

from .conftest import PHONE, shot
from .test_accessibility import AxeAudit, RequestLog, publish_demo_articles

LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


@pytest.fixture
def media_root(settings, tmp_path, monkeypatch):
    """Images go to the test's own folder, and the live server's media route serves from it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    route = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "media")
    monkeypatch.setitem(route.default_args, "document_root", settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT


def illustrated_heroin_article() -> Article:
    """The heroin article given its pictures as an editor would: off the site while they are added,
    approved by its reviewer with them (pictures are part of the reviewed version), then live again."""
    heroin = publish_demo_articles()[0]
    heroin.status = Article.Status.DRAFT
    heroin.save()
    add_demo_images(heroin)
    heroin.refresh_from_db()
    heroin.approve(by=heroin.reviewer.user)
    heroin.status = Article.Status.PUBLISHED
    heroin.save()
    return heroin


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_illustrated_article_on_a_phone_without_layout_shift(live_server, page_factory, media_root):
    heroin = illustrated_heroin_article()

    page = page_factory(viewport=PHONE)
    requests = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}{heroin.get_absolute_url()}")

    hero = page.locator("article picture img").first
    expect(hero).to_have_attribute("fetchpriority", "high")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    # A 390 px phone at 1x takes the 480 px copy, in AVIF: not the 1200 px one, not the JPEG.
    assert hero.evaluate("img => img.currentSrc").endswith("/480.avif")

    chart = page.get_by_role("img", name=TIMELINE_ALT)
    expect(chart).to_have_attribute("loading", "lazy")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert chart.evaluate("img => img.currentSrc").endswith("/480.avif")
    expect(page.locator("figure figcaption")).to_have_text(
        "A rough guide, not a schedule: timing varies from person to person."
    )
    page.mouse.wheel(0, 20000)

    assert page.evaluate(LAYOUT_SHIFT) < 0.01  # sized boxes: nothing moves when an image arrives
    # The contents: the four stages sit in a list of their own under "The timeline, stage by stage".
    toc = page.get_by_role("navigation", name="On this page")
    timeline = toc.locator("ol > li").filter(has_text="The timeline, stage by stage")
    expect(timeline.locator("ol > li")).to_have_count(4)
    expect(toc.locator(":scope > ol > li")).to_have_count(7)
    assert requests.foreign() == [] and page.console_errors == []
    shot(page, "article-images-phone")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_an_illustrated_article_axe_clean_on_a_phone(live_server, page_factory, media_root):
    heroin = illustrated_heroin_article()

    page = page_factory(viewport=PHONE, bypass_csp=True)  # only to inject axe
    page.goto(f"{live_server.url}{heroin.get_absolute_url()}")
    audit = AxeAudit(page, "phone")
    audit.check("illustrated-article")
    audit.assert_clean()
