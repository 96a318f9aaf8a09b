"""The benefits workspace in a real browser (issue 16): the sentence a worker reads out and the
estimate for the sandbox's active member, and the card photo viewer, with the strict CSP on.
Screenshots: artifacts/benefits-*.png."""

import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from outbox.tests.helpers import deliver
from verification.models import VerificationRequest
from verification.stays import TypicalStay

from .conftest import DESKTOP, PHONE, card_jpeg, shot, sign_in_staff
from .test_accessibility import AxeAudit

pytestmark = pytest.mark.django_db(transaction=True)


# Where the turned photo's edges are against the stage's inside, scrolled to the start and to the
# end: 0 at both when every edge can be reached.
SCROLLED_EDGES = """() => {
  const stage = document.querySelector('.card-viewer-stage'), image = document.querySelector('.card-viewer-image');
  const inside = () => {
    const box = stage.getBoundingClientRect();
    const top = box.top + stage.clientTop, left = box.left + stage.clientLeft;
    return { top, left, bottom: top + stage.clientHeight, right: left + stage.clientWidth };
  };
  stage.scrollTop = 0; stage.scrollLeft = 0;
  let photo = image.getBoundingClientRect(), box = inside();
  const start = { top_at_start: photo.top - box.top, left_at_start: photo.left - box.left, height: photo.height,
                  stage_height: stage.clientHeight };
  stage.scrollTop = stage.scrollHeight; stage.scrollLeft = stage.scrollWidth;
  photo = image.getBoundingClientRect(); box = inside();
  return { ...start, bottom_at_end: box.bottom - photo.bottom, right_at_end: box.right - photo.right };
}"""


@pytest.fixture
def answered(client, patient_data):
    """Maya's request under the sandbox's active member ID, with a card photo, answered by the payer."""
    TypicalStay.objects.create(level="residential", length=28, unit="day", price=Decimal("1200"))
    photo = SimpleUploadedFile("card.jpg", card_jpeg(), "image/jpeg")
    assert client.post("/verify/", {**patient_data, "card_front": photo}).status_code == 302
    verification = VerificationRequest.objects.get()
    deliver(*verification.checks.filter(status="pending"))
    return verification


def test_it_reads_out_residential_with_its_estimate_and_opens_the_card_in_place(
    live_server, page_factory, staff, answered
):
    page = page_factory(viewport=DESKTOP)
    sign_in_staff(page, live_server.url, staff["avery"])
    workspace = f"{live_server.url}/staff/verifications/{answered.pk}/"
    page.goto(workspace)

    residential = page.locator("article.level-card[data-level=residential]")
    # Worked out by hand from the sandbox's answer: $900 of the deductible left, 20 %, 24 of 30
    # days left, $4,850 of the out-of-pocket maximum left.
    expect(residential.locator(".readout")).to_have_text(
        "Residential: covered at in-network rates, after the $900 left of the deductible, then 20%, prior "
        "authorization needed, 24 of the 30 days a calendar year left; out of pocket at most $4,850 more this year."
    )
    # 28 days × $1,200: 24 covered (28,800) → 900 + 20 % of 27,900 = 6,480, capped at 4,850;
    # plus the 4 days beyond the limit (4,800): about $9,650.
    expect(residential.locator(".estimate-amount")).to_have_text("about $9,650")
    expect(residential.locator(".estimate-working")).to_contain_text("28 days × $1,200 = $33,600")
    # The detail is folded away until asked for.
    expect(residential.get_by_text("Out of network: 40%.")).to_be_hidden()
    residential.get_by_text("More detail").click()
    expect(residential.get_by_text("Out of network: 40%.")).to_be_visible()
    expect(page.locator(".member-id").first).to_have_text("LNT100001")
    shot(page, "benefits-1-workspace")

    # The card photo opens over the workspace, not in a new tab or in place of it.
    link = page.get_by_role("link", name="Front of card")
    link.click()
    viewer = page.get_by_role("dialog", name="Front of card")
    expect(viewer).to_be_visible()
    image = viewer.locator("img")
    expect(image).to_have_attribute("alt", "Insurance card photo: front of card")
    page.wait_for_function("() => document.querySelector('.card-viewer-image').naturalWidth > 0")
    assert page.url == workspace and len(page.context.pages) == 1
    width = image.bounding_box()["width"]

    viewer.get_by_role("button", name="Zoom in").click()
    expect(image).to_have_attribute("data-zoom", "1.5")
    page.keyboard.press("+")
    expect(image).to_have_attribute("data-zoom", "2")
    assert image.bounding_box()["width"] == pytest.approx(width * 2, rel=0.05)
    viewer.get_by_role("button", name="Rotate").click()
    expect(image).to_have_attribute("data-rotation", "90")
    # On its side at 200 %, the photo is twice the stage's height and every edge can be scrolled
    # to: its top is not cut off above the viewer (it was, by about 150 px).
    edges = page.evaluate(SCROLLED_EDGES)
    assert edges["height"] == pytest.approx(edges["stage_height"] * 2, rel=0.02)
    assert edges["top_at_start"] == pytest.approx(0, abs=1) and edges["bottom_at_end"] == pytest.approx(0, abs=1)
    # Narrower than the stage on its side: centred, both edges inside it.
    assert edges["left_at_start"] > 0 and edges["right_at_end"] > 0
    page.keyboard.press("r")
    expect(image).to_have_attribute("data-rotation", "180")
    assert "rotate(180deg)" in image.evaluate("img => img.style.transform")
    expect(viewer.get_by_role("status")).to_contain_text("Zoom 200%, rotated 180°")
    shot(page, "benefits-2-card-viewer")

    # Keyboard: Tab stays inside the open viewer; Escape closes it and gives focus back.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(link).to_be_focused()
    assert page.url == workspace

    # Seeing the photo is an audited access, once.
    assert LogEntry.objects.filter(actor=staff["avery"], additional_data__card="front").count() == 1
    assert page.console_errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_has_no_serious_axe_violations_on_the_workspace_and_its_viewer(
    live_server, page_factory, staff, answered, viewport, request
):
    page = page_factory(viewport=viewport, bypass_csp=True)
    audit = AxeAudit(page, f"benefits-{request.node.callspec.id}")
    sign_in_staff(page, live_server.url, staff["avery"])
    page.goto(f"{live_server.url}/staff/verifications/{answered.pk}/")
    for details in page.locator("details").all():
        details.evaluate("element => { element.open = true; }")
    audit.check("workspace")

    page.get_by_role("link", name="Front of card").click()
    expect(page.get_by_role("dialog", name=re.compile("Front of card"))).to_be_visible()
    audit.check("card-viewer")

    audit.assert_clean()
