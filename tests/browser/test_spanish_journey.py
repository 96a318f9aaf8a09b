"""Issue 20 in a real browser: a Spanish-speaking visitor on a phone reads an article in Spanish, asks
for a call from it, and the worker sees "Español" on the queue; then axe on every Spanish page.
Screenshots: artifacts/spanish-*.png and artifacts/a11y-es-*.png."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Category, MedicalReviewer, Source
from intake.models import Lead, StaffProfile

from .conftest import DESKTOP, PHONE, shot, sign_in_staff
from .test_accessibility import VIEWPORTS, AxeAudit, RequestLog, fill_callback, fill_verification, make_payer

pytestmark = pytest.mark.django_db(transaction=True)

BODY_ES = """Dejar el alcohol de golpe después de beber mucho puede ser peligroso. Esto es lo que puede esperar.

## Síntomas

Temblores, sudor, ansiedad y problemas para dormir son comunes en los primeros días.

## Cuándo buscar ayuda

Si ha tenido convulsiones o alucinaciones antes, deje el alcohol solo con atención médica.
"""


def publish_spanish_article() -> Article:
    """An article and its Spanish translation, each approved by the reviewer and published."""
    reviewer = MedicalReviewer.objects.create(
        name="Elena Reyes",
        credentials="MD, addiction medicine",
        user=User.objects.create_user("dr-reyes", "reyes@lantern.example", "x", is_staff=True),
    )
    category = Category.objects.create(name="Withdrawal", slug="withdrawal")
    published = timezone.now() - dt.timedelta(hours=1)
    english = Article.objects.create(
        title="Alcohol withdrawal: what to expect",
        slug="alcohol-withdrawal-what-to-expect",
        summary="The symptoms of alcohol withdrawal, and when it needs medical care.",
        body="Stopping alcohol after heavy drinking can be dangerous.\n\n## Symptoms\n\nShaking and sweating.",
        category=category,
        reviewer=reviewer,
        publish_at=published,
    )
    spanish = Article.objects.create(
        language="es",
        translation_of=english,
        title="La abstinencia del alcohol: qué esperar",
        slug="abstinencia-del-alcohol-que-esperar",
        summary="Los síntomas de la abstinencia del alcohol y cuándo necesita atención médica.",
        body=BODY_ES,
        category=category,
        reviewer=reviewer,
        publish_at=published,
    )
    Source.objects.create(
        article=spanish,
        title="Abuso del alcohol",
        publisher="MedlinePlus en español",
        url="https://medlineplus.gov/spanish/alcoholusedisorderaud.html",
    )
    for article in (english, spanish):
        article.approve(by=reviewer.user)
        article.publish()
    return spanish


def test_it_takes_a_spanish_speaker_from_an_article_to_a_spanish_speaking_worker(live_server, page_factory, staff):
    article = publish_spanish_article()
    # Blake speaks Spanish; Avery, on shift too, does not.
    blake = staff["blake"]
    StaffProfile.objects.filter(user=blake).update(languages=["es"])

    page = page_factory(viewport=PHONE)
    page.goto(f"{live_server.url}/es/articles/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shot(page, "spanish-1-articles")
    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.get_by_role("navigation", name="En esta página")).to_be_visible()
    expect(page.locator("section.disclaimer")).to_contain_text("no es consejo médico")
    # The way back to English, on the same article.
    assert page.locator('link[rel=alternate][hreflang="en"]').count() == 1
    shot(page, "spanish-2-article")

    form = page.locator(".article-callback form")
    form.locator("#cb-name").fill("Rosa")
    form.locator("#cb-phone").fill("(312) 555-0187")
    form.locator("#cb-consent").check()
    form.scroll_into_view_if_needed()
    form.locator("[type=submit]").click()
    page.wait_for_url("**/es/callback/thanks/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("main")).to_contain_text("Avisamos primero a las personas de nuestro equipo que hablan español")
    shot(page, "spanish-3-thanks")
    assert page.console_errors == []

    lead = Lead.objects.get()
    assert lead.language == "es"
    assert lead.requests.get().consent_version.startswith("article-callback-es")

    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, live_server.url, blake)
    worker.goto(f"{live_server.url}/staff/")
    row = worker.locator("main").get_by_text("Rosa").first
    expect(row).to_be_visible()
    expect(worker.locator("main")).to_contain_text("Español")
    shot(worker, "spanish-4-queue")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_has_no_serious_axe_violations_on_spanish_pages(live_server, page_factory, viewport, settings, request):
    settings.FORM_RATE_LIMIT = 1000
    make_payer()
    article = publish_spanish_article()
    page = page_factory(viewport=viewport, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, f"es-{request.node.callspec.id}")
    url = f"{live_server.url}/es"

    page.goto(f"{url}/")
    audit.check("home")
    page.goto(f"{url}/callback/")
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")
    expect(page.locator("#form-errors")).to_contain_text("revise")
    audit.check("callback-errors")
    fill_callback(page)
    page.click("main [type=submit]")
    page.wait_for_url("**/es/callback/thanks/")
    audit.check("callback-thanks")
    page.goto(f"{url}/verify/")
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")
    audit.check("verify-errors")
    fill_verification(page)
    page.click("main [type=submit]")
    page.wait_for_url("**/es/verify/thanks/")
    audit.check("verify-thanks")
    page.goto(f"{url}/articles/")
    audit.check("articles")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    audit.check("article")
    for name in ("programmes", "privacy", "patient-notice", "terms", "language-assistance"):
        page.goto(f"{url}/{name}/")
        audit.check(name)
    page.goto(f"{url}/no-existe/")
    audit.check("404")

    audit.assert_clean()
    assert requests.foreign() == []
