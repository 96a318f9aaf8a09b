"""A lead worked to admitted in a real browser: claimed, called, reached, an assessment scheduled,
admitted with its date and level of care after a confirmation, and a timeline that shows every
step with the worker's name. Screenshots: artifacts/lead-outcome-*.png."""

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from intake.models import Lead, LeadStatus
from intake.tests.helpers import JORDAN, receive_callback

from .conftest import DESKTOP, PHONE, shot, sign_in_staff
from .test_accessibility import AxeAudit

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_takes_a_lead_to_admitted_with_its_facts_and_shows_every_step_by_name(live_server, page_factory, staff):
    avery = staff["avery"]
    avery.first_name, avery.last_name = "Avery", "Lee"
    avery.save(update_fields=["first_name", "last_name"])
    lead = receive_callback({**JORDAN, "message": "My brother needs detox"})
    today = timezone.localdate()

    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, live_server.url, avery)
    worker.goto(f"{live_server.url}/staff/leads/{lead.pk}/")
    messages = worker.locator(".messages")

    worker.get_by_role("button", name="Claim").click()
    expect(messages).to_contain_text(f"{lead.reference} is yours.")
    worker.get_by_role("radio", name="No answer").check()
    worker.get_by_role("button", name="Log attempt").click()
    expect(messages).to_contain_text("Logged: no answer.")
    worker.get_by_role("radio", name="Reached").check()
    worker.get_by_role("button", name="Log attempt").click()
    expect(messages).to_contain_text("Logged: reached.")
    worker.get_by_role("button", name="Move to Assessment scheduled").click()
    expect(messages).to_contain_text(f"{lead.reference} is now assessment scheduled.")

    # Admitted is not one click: it asks for the facts, and says what is missing next to the field.
    worker.get_by_role("link", name="Admitted…").click()
    worker.fill("#id_admitted_on", today.isoformat())
    worker.fill("#id_programme", "Evergreen")
    worker.get_by_role("button", name="Review before closing").click()
    expect(worker.locator("#error_1_id_level_of_care")).to_have_text("Choose the level of care they were admitted to.")
    expect(worker.locator("#id_programme")).to_have_value("Evergreen")
    worker.select_option("#id_level_of_care", "residential")
    worker.get_by_role("button", name="Review before closing").click()

    sentence = f"Admitted to Residential (Evergreen) on {dateformat.format(today, 'N j, Y')}"
    expect(worker.locator(".lead-outcome")).to_have_text(sentence)
    shot(worker, "lead-outcome-1-confirm")
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.ASSESSMENT_SCHEDULED
    worker.get_by_role("button", name="Confirm").click()
    expect(messages).to_contain_text(f"{lead.reference} closed as admitted.")

    at = timezone.localtime(Lead.objects.get(pk=lead.pk).outcome().at)
    recorded = f"{sentence} — recorded by Avery Lee, {dateformat.format(at, 'N j, Y, P')}"
    expect(worker.locator("section.lead-outcome")).to_contain_text(recorded)
    timeline = worker.locator(".timeline > li")
    steps = [
        sentence,
        "Status: Reached → Assessment scheduled by Avery Lee",
        "Status: Contacting → Reached after the call by Avery Lee",
        "Reached by Avery Lee",
        "Status: New → Contacting after the call by Avery Lee",
        "No answer by Avery Lee",
        "Claimed by Avery Lee",
        f"Callback request {lead.requests.get().reference} from the visitor",
    ]
    texts = [" ".join(text.split()) for text in timeline.all_text_contents()]
    found = [next((i for i, text in enumerate(texts) if step in text), None) for step in steps]
    assert None not in found, list(zip(steps, found, strict=True))
    assert found == sorted(found), "newest first"
    assert "by Avery Lee" in texts[found[0]]
    shot(worker, "lead-outcome-2-timeline")

    lead.refresh_from_db()
    assert (lead.status, lead.admitted_on) == (LeadStatus.ADMITTED, today)
    # The one refused review answers 400 (Bad Request), which Chromium logs; nothing else may.
    assert [error for error in worker.console_errors if "status of 400" not in error] == []


def test_it_keeps_the_outcome_pages_free_of_serious_axe_violations(live_server, page_factory, staff):
    lead = receive_callback(JORDAN)
    lead.log_attempt(by=staff["avery"], outcome="reached")
    page = page_factory(viewport=PHONE, bypass_csp=True)
    audit = AxeAudit(page, "lead-outcome")
    sign_in_staff(page, live_server.url, staff["avery"])

    page.goto(f"{live_server.url}/staff/leads/{lead.pk}/close/?outcome=not_a_fit")
    page.get_by_role("button", name="Review before closing").click()
    expect(page.locator("#error_1_id_reason")).to_have_text("Choose why they are not a fit.")
    audit.check("close-refused")
    page.get_by_role("radio", name="Declined treatment").check()
    page.get_by_role("button", name="Review before closing").click()
    audit.check("close-confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("section.lead-outcome")).to_contain_text("Not a fit: declined treatment")
    audit.check("closed-lead")

    audit.assert_clean()
