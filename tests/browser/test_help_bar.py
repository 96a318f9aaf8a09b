"""Help within reach on a phone: halfway down the longest article the Call and Request a call bar is on
screen, the header stays within a fifth of the first screen, and the bar hides nothing a reader needs:
the page keeps room for it below its last line, and a focused field is scrolled clear of it."""

import pytest
from django.db.models.functions import Length

from articles.models import Article

from .conftest import PHONE, shot
from .test_accessibility import AxeAudit, publish_demo_articles

HEADER_LIMIT = 168  # a fifth of an 844 px screen, crisis note included

# Every line of text in the element, as the boxes the browser drew it in.
TEXT_BOXES = """(selector) => {
  const boxes = [];
  const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width && r.height)
      boxes.push({top: r.top, bottom: r.bottom, text: node.textContent.trim().slice(0, 40)});
  }
  return boxes;
}"""
BOX = "(el) => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }"


def settled(page, selector: str) -> dict:
    """Where the element is once scrolling stops (Bootstrap scrolls smoothly when motion is welcome)."""
    last = None
    for _ in range(40):
        now = page.locator(selector).evaluate(BOX)
        if now == last:
            return now
        last = now
        page.wait_for_timeout(100)
    return last


def overlapping(boxes: list[dict], bar: dict) -> list[dict]:
    return [b for b in boxes if b["bottom"] > bar["top"] + 0.5 and b["top"] < bar["bottom"] - 0.5]


@pytest.fixture
def longest_article(db):
    publish_demo_articles()
    return Article.objects.order_by(Length("body").desc()).first()


def header_height(page) -> float:
    return page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().bottom")


@pytest.mark.django_db(transaction=True)
def test_it_keeps_call_and_request_a_call_on_screen_halfway_down_the_longest_article(
    live_server, page_factory, longest_article
):
    page = page_factory(viewport=PHONE)  # the site's own CSP on: the inline stylesheet must apply
    page.goto(f"{live_server.url}{longest_article.get_absolute_url()}")
    assert header_height(page) <= HEADER_LIMIT

    page.evaluate("() => window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) / 2)")
    bar = page.get_by_role("navigation", name="Call or ask for a call")
    call = bar.get_by_role("link", name="Call us at")
    assert bar.is_visible() and call.is_visible()
    assert call.get_attribute("href").startswith("tel:")
    assert "Answered now" in call.inner_text()  # the tests' centre answers at every hour
    box = bar.evaluate(BOX)
    assert box["bottom"] == pytest.approx(PHONE["height"], abs=1) and box["top"] >= PHONE["height"] - 72
    # Opaque: a line passing under the bar is hidden cleanly, never drawn through it.
    assert bar.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
    # Still halfway down the article, and the header long gone: the bar is the only way to call here.
    assert header_height(page) < 0 and page.locator("article").evaluate(BOX)["bottom"] > PHONE["height"]
    shot(page, "help-bar-mid-article")

    # The page keeps the bar's height free: at the very end, no line of the article or the footer is under it.
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    box = bar.evaluate(BOX)
    for part in ("main", "footer"):
        assert overlapping(page.evaluate(TEXT_BOXES, part), box) == [], part

    # The short callback form beside the article, reached by keyboard: each field it focuses is scrolled
    # clear of the bar.
    page.evaluate("() => window.scrollTo(0, 0)")
    for field in ("cb-name", "cb-phone"):
        for _ in range(300):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.id") == field:
                break
        assert page.evaluate("() => document.activeElement.id") == field
        assert settled(page, f"#{field}")["bottom"] <= box["top"], field
    assert page.console_errors == []  # a blocked stylesheet or script would be reported here


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answered", [True, False], ids=["phone answered", "crisis note shown"])
def test_it_keeps_the_header_within_a_fifth_of_a_phones_first_screen(
    live_server, page_factory, settings, longest_article, answered
):
    settings.CENTRE_PHONE_HOURS = "24/7" if answered else ""
    page = page_factory(viewport=PHONE, bypass_csp=True)  # axe-core is injected
    audit = AxeAudit(page, "help-bar-" + ("open" if answered else "closed"))
    for url in ("/", longest_article.get_absolute_url(), "/articles/", "/callback/", "/verify/"):
        page.goto(f"{live_server.url}{url}")
        assert page.locator("#crisis-bar").count() == (0 if answered else 1)
        assert header_height(page) <= HEADER_LIMIT, url
        shows_bar = url not in ("/callback/", "/verify/")
        assert page.get_by_role("navigation", name="Call or ask for a call").is_visible() == shows_bar, url
        # Call is one tap away on every page: in the bar, or in the header where the bar steps aside.
        calls = page.locator("a[href^='tel:+']").filter(visible=True)
        assert calls.count() >= 1, url
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        audit.check(url.strip("/").replace("/", "-") or "home")
    audit.assert_clean()
