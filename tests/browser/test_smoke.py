"""The browser test set-up works: a phone-sized visitor asks for a call on the live site."""

import pytest

from intake.models import Lead

from .conftest import shot


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_callback_from_a_phone_sized_browser(live_server, page_factory, staff):
    page = page_factory()
    page.goto(f"{live_server.url}/callback/")
    page.fill("#id_name", "Robin")
    page.fill("#id_phone", "(312) 555-0187")
    page.check("#id_consent")
    page.click("main [type=submit]")
    page.wait_for_url("**/callback/thanks/")

    assert "got your request" in page.inner_text("main")
    assert Lead.objects.get().phone == "+13125550187"
    assert page.console_errors == []
    shot(page, "callback-thanks-phone")
