"""Writing an article the way the centre does it: an admin writes with the toolbar and the live
preview and asks for review; the medical reviewer signs in and approves; the admin publishes."""

import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.models import Article, ArticleApproval, Category, MedicalReviewer, ensure_reviewer_group
from conftest import authenticator_for

from .conftest import AXE, shot, sign_in_staff
from .test_accessibility import AxeAudit

LAPTOP = {"width": 1366, "height": 768}
TITLE = "Kratom withdrawal: what helps"


def test_an_admin_writes_with_live_preview_the_reviewer_approves_and_the_admin_publishes(
    live_server, page_factory, staff, request
):
    assert AXE.exists(), "axe-core is fetched by make test"
    Category.objects.create(name="Withdrawal", slug="withdrawal")
    doctor = User.objects.create_user("dr-lin", "lin@lantern.example", "correct horse battery", is_staff=True)
    doctor.groups.add(ensure_reviewer_group())
    MedicalReviewer.objects.create(name="Mei Lin", credentials="MD, addiction medicine", user=doctor)
    url = live_server.url

    # --- The admin writes ---------------------------------------------------------------------
    admin = page_factory(viewport=LAPTOP)
    failed = []
    admin.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    sign_in_staff(admin, url, staff["admin"])
    admin.goto(f"{url}/admin/articles/article/add/")
    admin.fill("#id_title", TITLE)
    admin.fill("#id_summary", "What kratom withdrawal feels like and what makes it easier.")

    toolbar = admin.get_by_role("toolbar", name="Formatting")
    expect(toolbar.get_by_role("button")).to_have_count(9)
    body = admin.locator("#id_body")
    body.click()
    toolbar.get_by_role("button", name="Heading (level 2)").click()
    admin.keyboard.type("First days")
    admin.keyboard.press("Enter")
    admin.keyboard.press("Enter")
    admin.keyboard.type("Most people feel ")
    toolbar.get_by_role("button", name="Bold").click()  # inserts "**bold text**" with the words selected
    admin.keyboard.type("achy and restless")
    admin.keyboard.press("End")
    admin.keyboard.type(" for a few days.\n\nSleep\nFluids")
    admin.keyboard.press("Shift+ArrowUp")  # both lines selected
    admin.keyboard.press("Shift+Home")
    toolbar.get_by_role("button", name="Bulleted list").click()
    # Keyboard only: the toolbar is one tab stop, arrow keys move within it.
    body.press("End")
    admin.keyboard.type("\n\n")
    body.focus()
    admin.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Heading (level 2)")).to_be_focused()
    for _ in range(8):
        admin.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Table")).to_be_focused()
    admin.keyboard.press("Enter")

    preview = admin.locator(".article-editor-preview")
    expect(preview.locator("h2")).to_have_text("First days")
    expect(preview.locator("strong")).to_have_text("achy and restless")
    expect(preview.locator("ul li")).to_have_text(["Sleep", "Fluids"])
    expect(preview.locator("table th").first).to_have_text("Column")
    expect(preview.locator(".toc li")).to_have_text(["First days"])
    expect(preview.locator(".preview-title")).to_have_text(TITLE)
    assert "- Sleep\n- Fluids" in body.input_value()

    # Pasted markup the page does not allow: the preview says what it will leave out.
    body.press("Control+End")
    admin.keyboard.type('\n\n<iframe src="https://ads.example/"></iframe>')
    expect(admin.locator(".article-editor-removed")).to_contain_text("Removed: <iframe> element")
    expect(preview.locator("iframe")).to_have_count(0)
    body.press("Control+End")
    for _ in range(len('<iframe src="https://ads.example/"></iframe>')):
        admin.keyboard.press("Backspace")
    expect(admin.locator(".article-editor-removed")).to_be_hidden()

    # Side by side at 1366 px, and nothing wider than the screen (the sources table included).
    writing, shown = admin.locator(".article-editor-writing").bounding_box(), preview.bounding_box()
    assert shown["x"] > writing["x"] + writing["width"] - 1
    admin.select_option("#id_category", label="Withdrawal")
    admin.locator("#id_reviewer + .select2 .select2-selection").click()
    admin.locator(".select2-container--open .select2-search__field").press_sequentially("Lin")
    expect(admin.locator(".select2-results__option--highlighted")).to_have_text("Mei Lin, MD, addiction medicine")
    admin.keyboard.press("Enter")
    admin.fill("#id_sources-0-title", "Kratom")
    admin.fill("#id_sources-0-publisher", "National Institute on Drug Abuse")
    admin.fill("#id_sources-0-url", "https://nida.nih.gov/research-topics/kratom")
    admin.locator(".article-sources .add-row a").click()
    expect(admin.locator("#id_sources-1-position")).to_have_value("1")
    overflow = admin.evaluate(
        """() => {
          const sources = document.querySelector('.article-sources');
          return {page: document.documentElement.scrollWidth - window.innerWidth,
                  sources: sources.scrollWidth - sources.clientWidth};
        }"""
    )
    assert overflow == {"page": 0, "sources": 0}, overflow
    admin.fill("#id_sources-1-title", "Kratom DrugFacts")
    admin.fill("#id_sources-1-publisher", "NIDA")
    admin.fill("#id_sources-1-url", "https://nida.nih.gov/publications/drugfacts/kratom")
    shot(admin, "writing-1-editor")

    # Publishing before the reviewer signed off is refused, with the reason.
    admin.select_option("#id_status", label="Published")
    admin.locator("input[name=_continue]").click()
    expect(admin.locator(".field-status .errorlist")).to_contain_text("Mei Lin has not approved this article yet")
    assert not Article.objects.exists()
    admin.select_option("#id_status", label="Draft")
    admin.locator("input[name=_ask_for_review]").click()
    admin.wait_for_url("**/admin/articles/article/")
    expect(admin.locator(".messagelist")).to_contain_text("Asked Mei Lin to review")
    article = Article.objects.get()
    assert article.status == "draft" and list(Article.objects.awaiting_review()) == [article]
    assert list(article.sources.values_list("position", flat=True)) == [0, 1]

    # --- The reviewer approves ----------------------------------------------------------------
    # From the admin's address, as seed_demo prints it for the demo reviewer: the sign-in leads back.
    reviewer = page_factory(viewport=LAPTOP)
    reviewer.goto(f"{url}/admin/")
    reviewer.fill("#id_username", "dr-lin")
    reviewer.fill("#id_password", "correct horse battery")
    reviewer.click("main button[type=submit]")
    reviewer.fill("#id_token", authenticator_for(doctor, "browser phone").current_code())
    reviewer.click("main button[type=submit]")
    reviewer.wait_for_url(f"{url}/admin/")
    reviewer.get_by_role("link", name="Awaiting review").click()
    reviewer.get_by_role("link", name=f"Read and approve “{TITLE}”").click()
    expect(reviewer.locator(".review-copy h2#review-title")).to_have_text(TITLE)
    expect(reviewer.locator(".review-copy .article-body li")).to_have_text(["Sleep", "Fluids"])
    reviewer.get_by_label("Note for the editors (optional)").fill("Accurate; kept the advice on fluids.")
    shot(reviewer, "writing-2-review")
    reviewer.get_by_role("button", name="Approve this version").click()
    expect(reviewer.locator(".messagelist")).to_contain_text(f"You approved “{TITLE}” as it stands")
    approval = ArticleApproval.objects.get()
    assert approval.approved_by == doctor and approval.note == "Accurate; kept the advice on fluids."

    # --- The admin publishes ------------------------------------------------------------------
    admin.goto(f"{url}/admin/articles/article/{article.pk}/change/")
    expect(admin.locator(".field-sign_off")).to_contain_text("Approved as it stands by Mei Lin")
    admin.select_option("#id_status", label="Published")
    admin.locator("input[name=_save]").click()
    admin.wait_for_url("**/admin/articles/article/")
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.is_live
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    # The editor and the admin are CSP-clean: no refused script, style or connection.
    assert [e for e in admin.console_errors + reviewer.console_errors if "404" not in e] == []

    # --- Visitors read it; the page stays accessible ------------------------------------------
    visitor = page_factory(bypass_csp=True)
    visitor.goto(f"{url}{article.get_absolute_url()}")
    expect(visitor.locator(".article-meta .reviewed")).to_contain_text("Medically reviewed by Mei Lin, MD")
    assert re.search(r"<strong>achy and restless</strong>", visitor.content())
    audit = AxeAudit(visitor, "writing")
    audit.check("published-article")
    audit.assert_clean()
