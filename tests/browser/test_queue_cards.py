"""A worker on a phone (where SMS alerts send them) works the queue from cards: every fact of a row,
labelled, nothing off-screen or scrolling sideways; a request that arrives while they look is marked
"New" in words and announced once, politely."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Lead, LeadStatus
from intake.tests.test_queue import make_lead

from .conftest import PHONE, shot, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def backlog(staff) -> dict[str, Lead]:
    now = timezone.now()
    blake = staff["blake"]
    blake.first_name, blake.last_name = "Blake", "Okafor-Vandersloot"
    blake.save()
    return {
        "urgent": make_lead(4, name="Jordan Whitlock", urgent=True, for_whom="loved_one"),
        "evening": make_lead(1, name="Maya", best_time="evening", kind="verification", request_count=2),
        # A first call 90 minutes after the request, on a 60-minute target.
        "late": make_lead(
            120,
            name="Alexandrina-Maximiliana",
            status=LeadStatus.CONTACTING,
            created_at=now - dt.timedelta(minutes=120),
            sla_due_at=now - dt.timedelta(minutes=60),
            first_contacted_at=now - dt.timedelta(minutes=30),
            last_attempt_at=now - dt.timedelta(minutes=30),
            last_attempt_outcome="no_answer",
            attempt_count=1,
            assigned_to=blake,
        ),
    }


def test_a_worker_on_a_phone_works_the_queue_from_cards(live_server, page_factory, staff):
    leads = backlog(staff)
    worker = page_factory(viewport=PHONE)
    sign_in_staff(worker, live_server.url, staff["avery"])
    worker.goto(f"{live_server.url}/staff/")

    late = worker.locator(f'tr[data-lead-id="{leads["late"].pk}"]')
    expect(late).to_contain_text("Alexandrina-Maximiliana")
    expect(late).to_contain_text("First call 1 hour 30 minutes after request: target missed by 30 minutes")
    expect(late).to_contain_text("Assignee: Blake Okafor-Vandersloot")
    expect(late).to_contain_text("Status: Contacting")
    expect(late).to_contain_text("Last attempt: No answer")
    urgent = worker.locator(f'tr[data-lead-id="{leads["urgent"].pk}"]')
    expect(urgent.get_by_role("link", name=f"Jordan {leads['urgent'].reference}")).to_be_visible()
    expect(urgent).to_contain_text("for a loved one")
    expect(urgent).to_contain_text("Urgent")
    expect(worker.locator(f'tr[data-lead-id="{leads["evening"].pk}"]')).to_contain_text("Best time: Evening (5–8 p.m.)")

    # Nothing scrolls sideways, and every card's facts are inside the screen.
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for cell in worker.locator(".queue-table tbody td, .queue-table tbody th").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    shot(worker, "queue-cards-phone")

    # A request arrives; the refresh (forced here rather than waiting ten seconds) marks it.
    arrived = make_lead(0, name="Sam")
    worker.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    card = worker.locator(f'tr[data-lead-id="{arrived.pk}"]')
    expect(card.locator(".queue-new-badge")).to_have_text("New")
    expect(card).to_have_class(re.compile(r"\bqueue-new\b"))
    expect(late.locator(".queue-new-badge")).to_have_count(0)
    expect(worker.locator("#queue-announcer")).to_have_text("1 new request in the queue.")
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Another arrival seconds later is marked at once, but screen readers are not told again so
    # soon (arrivals are added up and announced at most every 30 seconds).
    worker.evaluate("document.getElementById('queue-announcer').textContent = ''")
    second = make_lead(0, name="Robin", phone="+13125550198")
    worker.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(worker.locator(f'tr[data-lead-id="{second.pk}"] .queue-new-badge')).to_have_text("New")
    expect(card.locator(".queue-new-badge")).to_have_text("New")  # still new to the worker
    expect(worker.locator("#queue-announcer")).to_have_text("")

    # The worker opens the new lead from its card.
    card.get_by_role("link", name=arrived.reference).click()
    worker.wait_for_url(f"**{arrived.get_absolute_url()}")
    assert worker.console_errors == []


def test_a_repeat_report_of_danger_is_marked_on_its_card_and_counted_in_a_background_tab(
    live_server, page_factory, staff, monkeypatch
):
    leads = backlog(staff)
    # Alerts are failing: the banner says so, and must not be re-read out on every refresh.
    failing_since = timezone.now() - dt.timedelta(minutes=20)
    monkeypatch.setattr("intake.queue_views.reaching_nobody_since", lambda now: failing_since)
    worker = page_factory(viewport=PHONE)
    sign_in_staff(worker, live_server.url, staff["avery"])
    worker.clock.install()
    worker.goto(f"{live_server.url}/staff/")
    title = worker.title()

    # The name is the card's link, and a big one to tap.
    link = worker.locator(f'tr[data-lead-id="{leads["late"].pk}"]').get_by_role("link", name=re.compile("^Alexandrina"))
    assert link.bounding_box()["height"] >= 44
    banner = worker.get_by_role("alert")
    expect(banner).to_contain_text("Alerts are reaching nobody")
    expect(worker.locator("#queue-region [role=alert]")).to_have_count(0)
    worker.evaluate("document.querySelector('[role=alert]').keptSinceLoad = true")

    # The worker switches tabs; the person already on screen (called an hour ago) reports danger again.
    worker.evaluate("Object.defineProperty(document, 'hidden', {get: () => true, configurable: true})")
    now = timezone.now()
    Lead.objects.filter(pk=leads["late"].pk).update(
        urgent=True, danger_reported_at=now, last_requested_at=now, request_count=2
    )
    worker.clock.run_for(31_000)
    expect(worker).to_have_title(f"(1 new) {title}")

    # Back on the tab: the card is marked with why, the title is cleared, the banner was never re-inserted.
    worker.evaluate("Object.defineProperty(document, 'hidden', {get: () => false, configurable: true})")
    worker.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    card = worker.locator(f'tr[data-lead-id="{leads["late"].pk}"]')
    expect(card.locator(".queue-new-badge")).to_have_text("Danger reported again")
    expect(card).to_contain_text("Danger reported: call now")
    expect(worker).to_have_title(title)
    expect(worker.get_by_role("alert")).to_have_count(1)
    assert worker.evaluate("document.querySelector('[role=alert]').keptSinceLoad") is True
    # A row that only moved on the page is not "new".
    expect(worker.locator(f'tr[data-lead-id="{leads["evening"].pk}"] .queue-new-badge')).to_have_count(0)
    assert worker.console_errors == []
