"""A worker searches the queue by a caller's name in a real browser: the name is never in an address
the browser asks for (it stays in the session; the address holds a token), the auto-refresh keeps
the search, and Back returns to the results without a resubmission prompt."""

import pytest
from playwright.sync_api import expect

from intake.models import Lead

from .conftest import DESKTOP, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_name_search_and_its_auto_refresh_never_put_the_name_in_an_address(live_server, page_factory, staff):
    wanted = Lead.objects.create(name="Marisol Quenby", phone="+14155550101")
    other = Lead.objects.create(name="Someone Else", phone="+14155550102")
    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, live_server.url, staff["avery"])
    worker.goto(f"{live_server.url}/staff/")
    asked = []
    worker.on("request", lambda request: asked.append((request.method, request.url)))

    worker.fill("#id_q", "Quenby")
    worker.get_by_role("button", name="Show").click()
    region = worker.locator("#queue-region")
    expect(region.get_by_role("link", name=wanted.reference)).to_be_visible()
    expect(region.get_by_role("link", name=other.reference)).to_have_count(0)
    expect(worker.locator("#id_q")).to_have_value("Quenby")

    # Another request from the same person arrives; the refresh (forced here rather than waiting
    # ten seconds) finds it under the same search.
    again = Lead.objects.create(name="Marisol Quenby", phone="+14155550103")
    worker.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(region.get_by_role("link", name=again.reference)).to_be_visible()
    expect(region.get_by_role("link", name=other.reference)).to_have_count(0)

    # Open a lead, then come back: the results are an ordinary page.
    region.get_by_role("link", name=wanted.reference).click()
    worker.go_back()
    expect(worker.locator("#queue-region").get_by_role("link", name=wanted.reference)).to_be_visible()

    assert ("POST", f"{live_server.url}/staff/search/") in asked
    assert not [url for _, url in asked if "quenby" in url.lower()], asked
    assert "quenby" not in worker.url.lower()
    assert worker.console_errors == []
