"""Searching the articles on a phone: what was understood is said, an empty result still leads
somewhere, and axe-core finds nothing serious on either page."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from articles.demo import seed_demo_articles

from .conftest import PHONE
from .test_accessibility import AxeAudit, RequestLog


@pytest.mark.django_db(transaction=True)
def test_a_visitor_on_a_phone_searches_with_a_typo_then_finds_nothing_and_is_offered_help(
    live_server, page_factory, request
):
    cache.clear()  # the synonym table: a transactional test starts with an empty one
    seed_demo_articles(None)
    page = page_factory(viewport=PHONE, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, "search")

    page.goto(f"{live_server.url}/articles/")
    page.fill("#article-q", "alchohol withdrawl")
    page.locator("#article-q").press("Enter")
    page.wait_for_url("**/articles/?q=alchohol+withdrawl")
    expect(page.get_by_role("status")).to_contain_text("Showing results for alcohol withdrawal")
    first = page.locator("main article").first
    expect(first.get_by_role("heading")).to_contain_text("Why Alcohol Withdrawal Can Be Dangerous")
    expect(first).to_contain_text("min read")
    audit.check("results")

    page.fill("#article-q", "zqxv kitesurfing")
    page.locator("#article-q").press("Enter")
    page.wait_for_url("**/articles/?q=zqxv+kitesurfing")
    expect(page.get_by_role("status")).to_contain_text("0 results")
    topics = page.get_by_role("region", name="Browse by topic")
    expect(topics.get_by_role("link")).to_have_count(4)
    ask = page.get_by_role("region", name="Or ask a person")
    expect(ask.get_by_role("link", name="Request a call")).to_be_visible()
    expect(ask.locator('a[href^="tel:"]')).to_have_count(1)
    audit.check("no-results")

    audit.assert_clean()
    assert requests.foreign() == []
