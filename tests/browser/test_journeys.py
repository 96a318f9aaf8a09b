"""User journeys (issue 7): what visitors, an admissions worker and an admin do, end to end, in a
real browser against the live server, with the strict CSP on. Screenshots: artifacts/journey-*.png."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Category, MedicalReviewer, Source
from intake.models import Lead, LeadStatus
from verification.models import Payer, VerificationRequest

from .conftest import DESKTOP, PHONE, card_jpeg, shot, sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE_BODY = """Stopping alcohol after heavy drinking can be dangerous. Here is what to expect.

## Symptoms

Shaking, sweating, anxiety and trouble sleeping are common in the first days.

## Timeline

Symptoms often start within 6 to 24 hours of the last drink and peak around day two or three.

## When to get help

If you have had seizures or hallucinations before, withdraw only under medical care.
"""


def medical_reviewer(user, first: str = "Samira", last: str = "Okafor"):
    """The reviewer record `user` signs in as to approve articles."""
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return MedicalReviewer.objects.create(name=f"{first} {last}", credentials="MD, addiction medicine", user=user)


def poll(condition, timeout: float, every: float = 0.25):
    """Call `condition()` until it returns something truthy or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(every)


# --- 1. A visitor reads an article on a phone and asks for a call from it ------------------------


def test_it_lets_a_phone_visitor_read_an_article_and_ask_for_a_call_from_it(live_server, page_factory, staff):
    reviewer = medical_reviewer(staff["sam"])
    category = Category.objects.create(name="Withdrawal", slug="withdrawal")
    article = Article.objects.create(
        title="Alcohol withdrawal: what to expect",
        slug="alcohol-withdrawal-what-to-expect",
        summary="The symptoms and timeline of alcohol withdrawal, and when it needs medical care.",
        body=ARTICLE_BODY,
        category=category,
        reviewer=reviewer,
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )
    Source.objects.create(
        article=article,
        title="Alcohol Withdrawal Syndrome",
        publisher="National Library of Medicine",
        url="https://www.ncbi.nlm.nih.gov/books/NBK441882/",
    )
    article.approve(by=reviewer.user)
    article.publish()
    path = article.get_absolute_url()

    page = page_factory(viewport=PHONE)
    page.goto(f"{live_server.url}/articles/")
    shot(page, "journey-callback-1-article-list")
    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{path}")

    # What makes the page trustworthy: who reviewed it, its contents, its sources, the disclaimer.
    reviewed = page.locator(".article-meta .reviewed")
    expect(reviewed).to_be_visible()
    expect(reviewed).to_contain_text("Medically reviewed by Samira Okafor, MD, addiction medicine")
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc).to_be_visible()
    expect(toc.get_by_role("link")).to_have_text(["Symptoms", "Timeline", "When to get help"])
    assert toc.get_by_role("link", name="Timeline").get_attribute("href") == "#timeline"
    assert page.locator("h2#timeline").count() == 1
    sources = page.locator("section.sources")
    expect(sources).to_be_visible()
    source_link = sources.get_by_role("link", name="Alcohol Withdrawal Syndrome")
    assert source_link.get_attribute("href") == "https://www.ncbi.nlm.nih.gov/books/NBK441882/"
    expect(sources).to_contain_text("National Library of Medicine")
    expect(page.locator("section.disclaimer")).to_contain_text("is not medical advice")
    shot(page, "journey-callback-1-article")

    # The article's own callback form (below the article on a phone).
    form = page.locator(".article-callback form")
    form.locator("#cb-name").fill("Robin")
    form.locator("#cb-phone").fill("(312) 555-0187")
    form.locator("#cb-consent").check()
    form.scroll_into_view_if_needed()
    shot(page, "journey-callback-2-form-filled")
    form.get_by_role("button", name="Request my call").click()
    page.wait_for_url("**/callback/thanks/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("We've got your request")
    shot(page, "journey-callback-3-thanks")
    lead = Lead.objects.get()
    assert lead.name == "Robin"
    assert lead.phone == "+13125550187"
    assert lead.landing_page == path
    assert lead.requests.get().consent_page == path
    assert page.console_errors == []


# --- 2. A visitor verifies their insurance with a photo of the card -------------------------------


def test_it_lets_a_phone_visitor_verify_insurance_with_a_card_photo(live_server, page_factory, settings):
    Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})

    page = page_factory(viewport=PHONE)
    page.goto(f"{live_server.url}/verify/")
    page.fill("#id_first_name", "Maya")
    page.fill("#id_last_name", "Okonkwo")
    page.fill("#id_date_of_birth", "1991-03-14")
    page.fill("#id_phone", "(646) 555-0173")
    page.select_option("#id_payer", label="Aetna")
    page.fill("#id_member_id", "LNT100001")
    page.fill("#id_group_number", "GRP-7741")
    expect(
        page.get_by_label("I am the policy holder").first
    ).to_be_checked()  # the first card's (the second card's, hidden, has the same words)
    # Only asked for when the policy is someone else's.
    expect(page.locator("#id_subscriber_first_name")).to_be_hidden()
    page.set_input_files("#id_card_front", {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": card_jpeg()})
    page.check("#id_consent")
    shot(page, "journey-verify-1-form-filled")
    page.get_by_role("button", name="Check my insurance").click()
    page.wait_for_url("**/verify/thanks/")

    verification = VerificationRequest.objects.select_related("lead", "payer").get()
    expect(page.locator(".reference")).to_have_text(verification.lead_request.reference)
    assert verification.lead_request.reference.startswith("R-")
    shot(page, "journey-verify-2-thanks")
    assert (verification.first_name, verification.last_name) == ("Maya", "Okonkwo")
    assert verification.date_of_birth == dt.date(1991, 3, 14)
    assert verification.payer.name == "Aetna"
    assert verification.member_id == "LNT100001"
    assert verification.card_front and not verification.card_back
    # Stored (encrypted) in the private media root, nowhere public.
    assert (settings.PRIVATE_MEDIA_ROOT / "cards").is_dir()
    assert any(settings.PRIVATE_MEDIA_ROOT.rglob(f"{verification.card_front}*"))
    assert verification.lead.phone == "+16465550173"
    assert page.console_errors == []


# --- 3. A visitor makes mistakes in each form and recovers ----------------------------------------


def test_it_shows_visitors_their_mistakes_next_to_the_fields_and_keeps_their_input(live_server, page_factory):
    Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    page = page_factory(viewport=PHONE)

    # The callback form: a phone number too short, and the consent box not ticked.
    page.goto(f"{live_server.url}/callback/")
    page.fill("#id_name", "Robin")
    page.fill("#id_phone", "555-01")
    page.get_by_role("button", name="Request my call").click()
    page.wait_for_load_state()
    expect(page.locator("#form-errors")).to_contain_text("Please check the 2 fields marked below")
    expect(page.locator("#id_phone_error")).to_be_visible()
    expect(page.locator("#id_phone_error")).to_contain_text("Enter a phone number we can call, with area code")
    expect(page.locator("#id_consent_error")).to_be_visible()
    expect(page.locator("#id_consent_error")).to_contain_text("Please tick this box")
    expect(page.locator("#id_name")).to_have_value("Robin")
    expect(page.locator("#id_phone")).to_have_value("555-01")
    expect(page.locator("#id_name_error")).to_have_count(0)
    shot(page, "journey-mistakes-1-callback-errors")
    assert Lead.objects.count() == 0

    page.fill("#id_phone", "(312) 555-0187")
    page.check("#id_consent")
    page.get_by_role("button", name="Request my call").click()
    page.wait_for_url("**/callback/thanks/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("We've got your request")
    assert Lead.objects.get().name == "Robin"

    # The verification form: a birth date in the future, and someone else's policy without its holder.
    page.goto(f"{live_server.url}/verify/")
    page.fill("#id_first_name", "Maya")
    page.fill("#id_last_name", "Okonkwo")
    future = timezone.localdate() + dt.timedelta(days=30)
    page.fill("#id_date_of_birth", future.isoformat())
    page.fill("#id_phone", "(646) 555-0173")
    page.select_option("#id_payer", label="Aetna")
    page.fill("#id_member_id", "LNT100001")
    page.get_by_label("Spouse or partner of the policy holder").first.check()
    expect(page.locator("#id_subscriber_first_name")).to_be_visible()
    page.check("#id_consent")
    page.get_by_role("button", name="Check my insurance").click()
    page.wait_for_load_state()
    expect(page.locator("#form-errors")).to_contain_text("Please check the 4 fields marked below")
    for field, message in (
        ("date_of_birth", "A date of birth must be in the past."),
        ("subscriber_first_name", "Enter the policy holder's first name."),
        ("subscriber_last_name", "Enter the policy holder's last name."),
        ("subscriber_date_of_birth", "Enter the policy holder's date of birth."),
    ):
        error = page.locator(f"#id_{field}_error")
        expect(error).to_be_visible()
        expect(error).to_contain_text(message)
    expect(page.locator("#id_first_name")).to_have_value("Maya")
    expect(page.locator("#id_member_id")).to_have_value("LNT100001")
    expect(page.get_by_label("Spouse or partner of the policy holder").first).to_be_checked()
    expect(page.locator("#id_consent")).to_be_checked()
    shot(page, "journey-mistakes-2-verify-errors")
    assert VerificationRequest.objects.count() == 0
    assert Lead.objects.count() == 1  # only the callback

    page.fill("#id_date_of_birth", "1991-03-14")
    page.fill("#id_subscriber_first_name", "Chidi")
    page.fill("#id_subscriber_last_name", "Okonkwo")
    page.fill("#id_subscriber_date_of_birth", "1989-11-02")
    page.get_by_role("button", name="Check my insurance").click()
    page.wait_for_url("**/verify/thanks/")
    verification = VerificationRequest.objects.get()
    expect(page.locator(".reference")).to_have_text(verification.lead_request.reference)
    shot(page, "journey-mistakes-3-verify-thanks")
    assert verification.relationship == "spouse"
    assert verification.subscriber_first_name == "Chidi"
    assert verification.subscriber_date_of_birth == dt.date(1989, 11, 2)
    assert page.console_errors == []


# --- 4. An admissions worker sees a new request arrive and works it -------------------------------


def test_it_shows_a_worker_a_new_request_without_a_reload_and_lets_them_work_it(live_server, page_factory, staff):
    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, live_server.url, staff["avery"])
    worker.goto(f"{live_server.url}/staff/")
    expect(worker.locator("[data-queue-looked]")).to_have_count(1)  # the page the script refreshes
    navigations = []
    worker.on("framenavigated", lambda frame: frame == worker.main_frame and navigations.append(frame.url))
    shot(worker, "journey-queue-1-empty")

    visitor = page_factory(viewport=PHONE)
    visitor.goto(f"{live_server.url}/callback/")
    visitor.fill("#id_name", "Jordan")
    visitor.fill("#id_phone", "(415) 555-2671")
    visitor.check("#id_consent")
    visitor.get_by_role("button", name="Request my call").click()
    visitor.wait_for_url("**/callback/thanks/")
    lead = Lead.objects.get()

    # The queue polls every 10 seconds; the new row arrives on its own.
    link = worker.locator("#queue-region").get_by_role("link", name=lead.reference)
    assert poll(lambda: link.count() == 1, timeout=25), f"{lead.reference} never appeared in the open queue"
    assert navigations == [], "the queue page was reloaded"
    announcer = worker.locator("#queue-announcer")
    assert "1 new request" in (announcer.text_content() or "")
    assert worker.locator("#queue-announcer").get_attribute("aria-live") == "polite"
    assert worker.title().startswith("(1 new) ")
    shot(worker, "journey-queue-2-new-lead")

    link.click()
    worker.wait_for_url(f"**/staff/leads/{lead.pk}/")
    messages = worker.locator(".messages")
    worker.get_by_role("button", name="Claim").click()
    expect(messages).to_contain_text(f"{lead.reference} is yours.")

    worker.get_by_role("radio", name="No answer").check()
    worker.get_by_role("button", name="Log attempt").click()
    expect(messages).to_contain_text("Logged: no answer.")
    assert Lead.objects.get().status == LeadStatus.CONTACTING

    worker.get_by_role("radio", name="Reached").check()
    worker.get_by_role("button", name="Log attempt").click()
    expect(messages).to_contain_text("Logged: reached.")
    assert Lead.objects.get().status == LeadStatus.REACHED
    shot(worker, "journey-queue-3-reached")

    worker.get_by_role("button", name="Move to Assessment scheduled").click()
    expect(messages).to_contain_text(f"{lead.reference} is now assessment scheduled.")
    assert Lead.objects.get().status == LeadStatus.ASSESSMENT_SCHEDULED

    # Closing asks for the outcome's facts, then a confirmation (tests/browser/test_lead_outcome.py).
    worker.get_by_role("link", name="Admitted…").click()
    worker.fill("#id_admitted_on", timezone.localdate().isoformat())
    worker.select_option("#id_level_of_care", "detox")
    worker.get_by_role("button", name="Review before closing").click()
    worker.get_by_role("button", name="Confirm").click()
    expect(messages).to_contain_text(f"{lead.reference} closed as admitted.")
    shot(worker, "journey-queue-4-admitted")

    lead.refresh_from_db()
    assert lead.status == LeadStatus.ADMITTED
    assert lead.closed_at is not None
    assert lead.assigned_to == staff["avery"]
    assert lead.attempt_count == 2
    assert list(lead.attempts.order_by("created_at").values_list("outcome", flat=True)) == ["no_answer", "reached"]
    assert worker.console_errors == []
    assert visitor.console_errors == []


# --- 5. An admin writes and publishes an article, and finds it on the site ------------------------


def test_it_lets_an_admin_publish_an_article_that_visitors_find(live_server, page_factory, staff):
    reviewer = medical_reviewer(staff["sam"])
    Category.objects.create(name="Withdrawal", slug="withdrawal")
    Category.objects.create(name="Treatment", slug="treatment")
    title = "Benzodiazepine tapering explained"

    admin = page_factory(viewport=DESKTOP)
    failed = []
    admin.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    sign_in_staff(admin, live_server.url, staff["admin"])
    admin.goto(f"{live_server.url}/admin/articles/article/add/")
    admin.fill("#id_title", title)
    admin.fill("#id_summary", "Why benzodiazepines are tapered slowly, and what a supervised taper looks like.")
    admin.fill(
        "#id_body",
        "Never stop benzodiazepines suddenly.\n\n## Why taper\n\nA slow taper avoids seizures.\n\n"
        "## What a taper looks like\n\nYour doctor lowers the dose every one to two weeks.\n",
    )
    admin.select_option("#id_category", label="Withdrawal")
    admin.locator("#id_reviewer + .select2 .select2-selection").click()
    # Typed into the search box once it is there: typed blind, the first keys can land before it
    # opens on a busy machine, and the unfiltered list's first name stays highlighted.
    admin.locator(".select2-container--open .select2-search__field").press_sequentially("sam")
    expect(admin.locator(".select2-results__option--highlighted")).to_have_text("Samira Okafor, MD, addiction medicine")
    admin.keyboard.press("Enter")
    expect(admin.locator("#id_reviewer + .select2 .select2-selection__rendered")).to_contain_text("Samira Okafor")
    admin.fill("#id_sources-0-title", "Benzodiazepine Tapering")
    admin.fill("#id_sources-0-publisher", "U.S. Food and Drug Administration")
    admin.fill("#id_sources-0-url", "https://www.fda.gov/drugs/benzodiazepine-tapering")
    # The slug is filled in from the title as the admin types it.
    expect(admin.locator("#id_slug")).to_have_value("benzodiazepine-tapering-explained")
    shot(admin, "journey-publish-1-admin-form")
    admin.locator("input[name=_ask_for_review]").click()
    admin.wait_for_url("**/admin/articles/article/")
    expect(admin.locator(".messagelist .success").first).to_contain_text("was added successfully")
    # Her sign-off (test_article_writing.py walks through it in the browser), then the admin publishes.
    Article.objects.get().approve(by=staff["sam"])
    admin.locator("#result_list").get_by_role("link", name=title).click()
    admin.select_option("#id_status", label="Published")
    admin.locator("input[name=_save]").click()
    admin.wait_for_url("**/admin/articles/article/")
    expect(admin.locator(".messagelist .success")).to_contain_text("was changed successfully")
    shot(admin, "journey-publish-2-admin-saved")

    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED and article.is_live
    assert article.reviewer == reviewer
    assert article.author == staff["admin"]
    assert list(article.sources.values_list("publisher", flat=True)) == ["U.S. Food and Drug Administration"]

    visitor = page_factory(viewport=PHONE)
    visitor.goto(f"{live_server.url}/articles/")
    expect(visitor.get_by_role("link", name=title)).to_be_visible()
    visitor.fill("#article-q", "tapering")
    visitor.locator("#article-q").press("Enter")
    visitor.wait_for_url("**/articles/?q=tapering")
    expect(visitor.locator("main")).to_contain_text("1 result for tapering")
    shot(visitor, "journey-publish-3-search")
    visitor.get_by_role("link", name=title).click()
    visitor.wait_for_url(f"**{article.get_absolute_url()}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.get_by_role("navigation", name="On this page").get_by_role("link")).to_have_text(
        ["Why taper", "What a taper looks like"]
    )
    shot(visitor, "journey-publish-4-article")

    data = json.loads(visitor.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == title
    assert data["reviewedBy"]["name"] == "Samira Okafor"
    assert data["reviewedBy"]["honorificSuffix"] == "MD, addiction medicine"
    assert data["citation"][0]["url"] == "https://www.fda.gov/drugs/benzodiazepine-tapering"
    assert visitor.console_errors == []
    # Django's admin pages name no icon, so the browser asks for /favicon.ico (a harmless 404);
    # anything else (a CSP violation, a missing admin script) would be a real failure.
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert all("404" in error for error in admin.console_errors), admin.console_errors


# --- Found on the way -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_asks_for_phone_numbers_in_phone_fields(live_server, page_factory):
    Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    page = page_factory(viewport=PHONE)
    for path in ("/callback/", "/verify/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("#id_phone").get_attribute("type") == "tel", path
