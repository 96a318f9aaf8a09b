"""A journey at night: the phone line is closed, someone is in danger, and the on-call worker is
alerted at once. Screenshots: artifacts/journey-night-*.png."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.hours import DAYS
from intake.models import Lead, LeadRequest, Notification, StaffProfile

from .conftest import PHONE, shot

pytestmark = pytest.mark.django_db(transaction=True)


def closed_now(settings) -> None:
    """Call-back and phone hours that open only tomorrow: for this test it is night."""
    tomorrow = DAYS[(timezone.localdate().weekday() + 1) % 7]
    settings.CENTRE_HOURS = settings.CENTRE_PHONE_HOURS = f"{tomorrow} 08:00-20:00"


def test_it_gets_an_urgent_night_request_to_the_on_call_worker_within_seconds(
    live_server, page_factory, staff, settings, mailbox, celery_worker
):
    closed_now(settings)
    settings.CHAT_WEBHOOK_URL = ""
    StaffProfile.objects.filter(user=staff["casey"]).update(on_call=True)
    page = page_factory(viewport=PHONE)

    # The home page says plainly that nobody answers the phone now, with the crisis lines first.
    page.goto(f"{live_server.url}/")
    main = page.locator("main")
    expect(main).not_to_contain_text("A person answers")
    expect(page.locator("body")).to_contain_text("988")
    shot(page, "journey-night-1-home")

    page.goto(f"{live_server.url}/callback/")
    page.fill("#id_name", "Robin")
    page.fill("#id_phone", "(312) 555-0187")
    page.get_by_label("Yes").check()
    # Choosing "yes" shows the crisis lines straight away, before anything is sent.
    expect(page.locator(".danger-alert")).to_be_visible()
    page.check("#id_consent")
    page.get_by_role("button", name="Request my call").click()
    page.wait_for_url("**/callback/thanks/")
    sent = time.monotonic()

    # The thank-you page leads with 911 and 988 and is honest about when a person will call.
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("911")
    expect(alert).to_contain_text("988")
    expect(page.locator("main")).to_contain_text(f"we aim to call within {settings.URGENT_RESPONSE_MINUTES} minutes")
    expect(page.locator(".reference")).to_have_text(LeadRequest.objects.get().reference)
    shot(page, "journey-night-2-thanks")

    lead = Lead.objects.get()
    assert lead.urgent
    messages = mailbox.wait_for(1, timeout=20)
    assert [m["to"] for m in messages] == [["casey@lantern.example"]]
    assert time.monotonic() - sent < 20
    assert "Robin" not in messages[0]["data"]
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"casey"}
