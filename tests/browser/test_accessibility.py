"""Accessibility in a real browser: axe-core on every page a visitor or a worker sees, errors a screen
reader hears and can follow, both public forms by keyboard alone and without JavaScript.

Every test also records each request the browser makes: nothing may leave the live server (no CDN,
no font service, no analytics), only `data:` URLs are allowed besides it.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from articles.demo import demo_articles, demo_categories
from articles.models import Article, Category, MedicalReviewer, Source
from intake.models import Lead, LeadStatus

from .conftest import AXE, DESKTOP, PHONE, shot, sign_in_staff

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


# --- Helpers shared with test_page_weight.py ---------------------------------------------------


def publish_demo_articles() -> list[Article]:
    """The demo articles as an admin would publish them: categories, a medical reviewer, sources."""
    reviewer = MedicalReviewer.objects.create(
        name="Elena Reyes",
        credentials="MD, addiction medicine",
        user=User.objects.create_user("dr-reyes", "reyes@lantern.example", "x", is_staff=True),
    )
    categories = {
        data["slug"]: Category.objects.create(
            slug=data["slug"], name=data["name"], description=data["description"], position=position
        )
        for position, data in enumerate(demo_categories())
    }
    now = timezone.now()
    articles = []
    for data in demo_articles():
        published = now - dt.timedelta(days=data["days_ago"])
        article = Article.objects.create(
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category=categories[data["category"]],
            reviewer=reviewer,
            publish_at=published,
        )
        for position, source in enumerate(data["sources"]):
            Source.objects.create(article=article, position=position, **source)
        article.approve(by=reviewer.user)  # published only once its reviewer signed it off
        article.publish()
        articles.append(article)
    return articles


class RequestLog:
    """Every URL a page asks for, to prove nothing is fetched from anywhere but the live server."""

    def __init__(self, page, origin: str):
        self.origin = origin.rstrip("/")
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def foreign(self) -> list[str]:
        return [url for url in self.urls if not (url.startswith(self.origin + "/") or url.startswith("data:"))]


def make_payer():
    from verification.models import Payer

    # Seeded by a migration, but transactional tests empty the tables.
    return Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})[0]


@pytest.fixture
def generous_rate_limit(settings):
    # These tests submit the public forms more often than one visitor would.
    settings.FORM_RATE_LIMIT = 1000


# --- axe-core ---------------------------------------------------------------------------------


def axe_results(page, tags: list[str] = AXE_TAGS) -> dict:
    """axe-core's findings on the page as it is now (violations, and "incomplete": needs a human)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)


def describe(name: str, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:6]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:300]
        lines.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} at {targets} - {summary}")
    return lines


class AxeAudit:
    """Runs axe-core on each page it is shown and remembers what blocks a release."""

    def __init__(self, page, label: str):
        self.page = page
        self.label = label
        self.blocking: list[str] = []
        self.minor: list[str] = []

    def check(self, name: str) -> None:
        # One run with axe's best practices too (landmarks, heading order): WCAG rules block when
        # serious or critical; everything else, and what axe could not decide, is printed.
        results = axe_results(self.page, [*AXE_TAGS, "best-practice"])
        wcag = [v for v in results["violations"] if set(v["tags"]) & set(AXE_TAGS)]
        self.blocking += describe(name, [v for v in wcag if v["impact"] in BLOCKING])
        others = [v for v in results["violations"] if v not in wcag or v["impact"] not in BLOCKING]
        self.minor += describe(name, others)
        self.minor += describe(f"{name} (incomplete)", results["incomplete"])
        # axe no longer reports plain duplicate ids; labels, skip links and error links need unique ones.
        duplicates = self.page.evaluate(
            """() => {
              const seen = {};
              document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
              return Object.keys(seen).filter(id => seen[id] > 1);
            }"""
        )
        if duplicates:
            self.blocking.append(f"{name}: duplicate ids {duplicates}")
        shot(self.page, f"a11y-{self.label}-{name}")

    def assert_clean(self) -> None:
        # Moderate and minor findings are printed (pytest -s) for a human to weigh, not failed on.
        for line in self.minor:
            print("axe (not blocking)", line)
        assert self.blocking == [], "axe-core found serious or critical violations:\n" + "\n".join(self.blocking)


def fill_callback(page) -> None:
    page.fill("#id_name", "Robin")
    page.fill("#id_phone", "(312) 555-0187")
    page.check("#id_consent")


def fill_verification(page, someone_else: bool = False) -> None:
    page.fill("#id_first_name", "Maya")
    page.fill("#id_last_name", "Okonkwo")
    page.fill("#id_date_of_birth", "1991-03-14")
    page.fill("#id_phone", "(646) 555-0173")
    page.select_option("#id_payer", label="Aetna")
    page.fill("#id_member_id", "LNT100001")
    if someone_else:
        page.check("#id_relationship_1")
        page.fill("#id_subscriber_first_name", "Sam")
        page.fill("#id_subscriber_last_name", "Okonkwo")
        page.fill("#id_subscriber_date_of_birth", "1962-07-30")
    page.check("#id_consent")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_has_no_serious_axe_violations_on_public_pages(
    live_server, page_factory, viewport, generous_rate_limit, request
):
    make_payer()
    article = publish_demo_articles()[0]
    page = page_factory(viewport=viewport, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, request.node.callspec.id)
    url = live_server.url

    page.goto(f"{url}/")
    audit.check("home")
    page.goto(f"{url}/callback/")
    audit.check("callback")
    # A failed submit, with "someone is in danger" answered so the crisis box shows too.
    page.check("#id_in_danger_1")
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")
    audit.check("callback-errors")
    fill_callback(page)
    page.click("main [type=submit]")
    page.wait_for_url("**/callback/thanks/")
    audit.check("callback-thanks-urgent")

    page.goto(f"{url}/verify/")
    audit.check("verify")
    page.check("#id_relationship_2")  # someone else's policy: the policy holder's fields show
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")
    audit.check("verify-errors")
    fill_verification(page, someone_else=True)
    page.click("main [type=submit]")
    page.wait_for_url("**/verify/thanks/")
    audit.check("verify-thanks")

    page.goto(f"{url}/articles/")
    audit.check("articles")
    page.goto(f"{url}{article.get_absolute_url()}")
    audit.check("article")
    page.goto(f"{url}{article.category.get_absolute_url()}")
    audit.check("category")
    for name in ("privacy", "patient-notice", "terms"):
        page.goto(f"{url}/{name}/")
        audit.check(name)
    page.goto(f"{url}/staff/login/")
    audit.check("staff-login")

    audit.assert_clean()
    assert requests.foreign() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_has_no_serious_axe_violations_on_the_staff_queue_and_a_lead(
    live_server, page_factory, staff, viewport, request
):
    now = timezone.now()
    urgent = Lead.objects.create(
        name="Jordan Whitlock", phone="+14155552671", urgent=True, sla_due_at=now - dt.timedelta(minutes=4)
    )
    Lead.objects.create(name="Maya", phone="+16465550173", sla_due_at=now + dt.timedelta(minutes=3), request_count=2)
    Lead.objects.create(
        name="Robin", phone="+13125550187", sla_due_at=now + dt.timedelta(minutes=40), assigned_to=staff["avery"]
    )
    Lead.objects.create(
        name="Alex",
        phone="+13125550100",
        status=LeadStatus.CONTACTING,
        created_at=now - dt.timedelta(minutes=30),
        sla_due_at=now - dt.timedelta(minutes=15),
        first_contacted_at=now - dt.timedelta(minutes=20),
        assigned_to=staff["blake"],
    )
    # The lead page with its merge choices (another open lead of this phone) and a merge to undo.
    Lead.objects.create(name="Jordan W", phone="+14155552671")
    Lead.objects.create(name="J Whitlock", phone="+14155552671").merge_into(urgent, by=staff["sam"])
    page = page_factory(viewport=viewport, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, f"staff-{request.node.callspec.id}")

    sign_in_staff(page, live_server.url, staff["sam"])
    page.goto(f"{live_server.url}/staff/")
    page.wait_for_selector(".queue-table")
    audit.check("queue")
    page.goto(f"{live_server.url}{urgent.get_absolute_url()}")
    audit.check("lead")

    audit.assert_clean()
    assert requests.foreign() == []


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.django_db(transaction=True)
def test_it_draws_form_controls_with_edges_a_visitor_can_see(live_server, page_factory):
    """WCAG 1.4.11, which axe does not check: a field's or a box's edge at 3:1 against the page."""
    page = page_factory()
    page.goto(f"{live_server.url}/callback/")
    for selector in ("#id_name", "#id_best_time", "#id_message", "#id_for_whom_1", "#id_ok_to_text"):
        border = page.eval_on_selector(selector, "el => getComputedStyle(el).borderTopColor")
        ratio = contrast(border, "rgb(255, 255, 255)")
        assert ratio >= 3, f"{selector}'s edge {border} is {ratio:.2f}:1 against white"


# --- Errors announced and linked ---------------------------------------------------------------


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
                  type: el.getAttribute('type') || '', text: (el.textContent || '').trim().slice(0, 60)};
        }"""
    )


def error_summary(page) -> dict:
    """What a screen reader meets on a failed submit: the summary, its links, the invalid fields."""
    return page.evaluate(
        """() => {
          const summary = document.getElementById('form-errors');
          if (!summary) return null;
          const label = summary.getAttribute('aria-labelledby');
          const links = [...summary.querySelectorAll('a')].map(a => ({
            href: a.getAttribute('href'), text: a.textContent.trim(),
            target: !!document.getElementById(a.getAttribute('href').slice(1)),
          }));
          const invalid = [...document.querySelectorAll('main [aria-invalid="true"]')].map(el => {
            const owner = el.hasAttribute('aria-describedby') ? el : el.closest('fieldset');
            const ids = (owner && owner.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
            const errors = ids.map(id => document.getElementById(id))
              .filter(node => node && node.classList.contains('invalid-feedback'))
              .map(node => node.textContent.trim());
            return {id: el.id, errors};
          });
          return {
            role: summary.getAttribute('role'), tabindex: summary.getAttribute('tabindex'),
            label: label && document.getElementById(label) ? document.getElementById(label).textContent.trim() : '',
            links, invalid,
          };
        }"""
    )


def assert_errors_announced(page, expected_fields: set[str]) -> dict:
    summary = error_summary(page)
    assert summary is not None, "no error summary (#form-errors) on a failed submit"
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary["label"], "the summary's aria-labelledby must name it"
    assert "Error" in page.title()
    # Focus lands on the summary as the page loads (autofocus: no script needed).
    assert focused(page)["id"] == "form-errors"
    hrefs = {link["href"] for link in summary["links"]}
    assert hrefs == {f"#id_{name}" for name in expected_fields}
    assert all(link["target"] and link["text"] for link in summary["links"]), summary["links"]
    # Read out of context, each message must say which answer it is about: no "This field is required." x3.
    texts = [link["text"] for link in summary["links"]]
    assert len(set(texts)) == len(texts), texts
    invalid = {item["id"] for item in summary["invalid"]}
    assert {f"id_{name}" for name in expected_fields} <= invalid
    for item in summary["invalid"]:
        assert item["errors"], f"#{item['id']} is aria-invalid but not described by its error text"
    return summary


@pytest.mark.django_db(transaction=True)
def test_it_announces_callback_errors_in_a_summary_linked_to_each_field(live_server, page_factory):
    page = page_factory()
    requests = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}/callback/")
    page.fill("#id_email", "not-an-email")
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")

    assert_errors_announced(page, {"name", "phone", "email", "consent"})
    # A valid field is not marked invalid.
    assert page.get_attribute("#id_message", "aria-invalid") is None
    # Following a link in the summary puts the keyboard in the field.
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_name"
    assert page.console_errors == []
    assert requests.foreign() == []


@pytest.mark.django_db(transaction=True)
def test_it_announces_verification_errors_in_a_summary_linked_to_each_field(live_server, page_factory):
    make_payer()
    page = page_factory()
    requests = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}/verify/")
    page.check("#id_relationship_1")
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")

    assert_errors_announced(
        page,
        {
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "payer",
            "member_id",
            "subscriber_first_name",
            "subscriber_last_name",
            "subscriber_date_of_birth",
            "consent",
        },
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_first_name"
    assert page.console_errors == []
    assert requests.foreign() == []


@pytest.mark.django_db
def test_it_links_a_radio_group_error_to_its_first_choice():
    """Radio groups have no element with the field's own id; the summary links to the first choice."""
    make_payer()
    html = Client().post("/verify/", {"website": ""}).content.decode()
    assert 'href="#id_relationship_0"' in html
    assert 'id="id_relationship_0"' in html
    assert re.search(r'<fieldset aria-describedby="id_relationship_error"', html)


# --- Keyboard only ---------------------------------------------------------------------------


def tab_to(page, element_id: str, seen: list[str], limit: int = 40, key: str = "Tab") -> None:
    """Press Tab until the element has focus, remembering every stop on the way."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        seen.append(now["id"] or now["tag"])
        if now["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} never got focus; stops were {seen[-limit:]}")


def type_date(page, date: dt.date) -> None:
    """Type a date into the focused date field, segment by segment in the browser's locale order."""
    order = page.evaluate(
        """() => new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2000, 10, 22))
                   .filter(part => ['day', 'month', 'year'].includes(part.type)).map(part => part.type)"""
    )
    digits = {"day": f"{date.day:02d}", "month": f"{date.month:02d}", "year": f"{date.year:04d}"}
    page.keyboard.type("".join(digits[part] for part in order))


def focus_ring(page) -> dict:
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth), shadow: style.boxShadow};
        }"""
    )


def assert_visible_focus(page) -> None:
    ring = focus_ring(page)
    assert (ring["outline"] != "none" and ring["width"] >= 2) or ring["shadow"] != "none", (
        f"no visible focus style on {focused(page)}: {ring}"
    )


def assert_skip_link_first(page) -> None:
    page.keyboard.press("Tab")
    first = page.locator(":focus")
    assert "skip-link" in (first.get_attribute("class") or "")
    box = first.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 10, "the skip link must be visible when focused"
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_callback_by_keyboard_alone(live_server, page_factory):
    page = page_factory(viewport=DESKTOP)
    requests = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}/callback/")
    assert_skip_link_first(page)
    seen: list[str] = []

    tab_to(page, "id_name", seen)
    assert_visible_focus(page)
    page.keyboard.type("Robin")
    tab_to(page, "id_phone", seen, limit=1)
    page.keyboard.type("(312) 555-0187")
    tab_to(page, "id_for_whom_0", seen, limit=2)  # the checked radio is the group's one stop
    page.keyboard.press("ArrowDown")  # a loved one
    assert focused(page)["id"] == "id_for_whom_1"
    tab_to(page, "id_best_time", seen, limit=3)
    page.keyboard.press("ArrowDown")
    tab_to(page, "id_ok_to_text", seen, limit=1)
    assert_visible_focus(page)
    page.keyboard.press("Space")
    tab_to(page, "id_message", seen, limit=2)
    page.keyboard.type("Please call after six.")
    tab_to(page, "id_consent", seen, limit=1)
    page.keyboard.press("Space")
    # Back and forth: Shift+Tab returns to the message, Tab to the box, which stays ticked.
    tab_to(page, "id_message", seen, limit=1, key="Shift+Tab")
    tab_to(page, "id_consent", seen, limit=1)
    assert page.is_checked("#id_consent") and page.is_checked("#id_ok_to_text")
    tab_to(page, "submit-id-submit", seen, limit=2)  # past the patient notice link
    assert_visible_focus(page)
    assert "id_website" not in seen, "the honeypot must not be a Tab stop"
    page.keyboard.press("Enter")
    page.wait_for_url("**/callback/thanks/")

    lead = Lead.objects.get()
    assert (lead.name, lead.for_whom, lead.best_time, lead.ok_to_text) == ("Robin", "loved_one", "morning", True)
    assert page.console_errors == []
    assert requests.foreign() == []


@pytest.mark.django_db(transaction=True)
def test_it_takes_an_insurance_check_by_keyboard_alone(live_server, page_factory):
    make_payer()
    page = page_factory(viewport=PHONE)
    requests = RequestLog(page, live_server.url)
    page.goto(f"{live_server.url}/verify/")
    assert_skip_link_first(page)
    seen: list[str] = []

    tab_to(page, "id_first_name", seen)
    page.keyboard.type("Maya")
    tab_to(page, "id_last_name", seen, limit=1)
    page.keyboard.type("Okonkwo")
    tab_to(page, "id_date_of_birth", seen, limit=1)
    type_date(page, dt.date(1991, 3, 14))
    tab_to(page, "id_phone", seen, limit=3)
    page.keyboard.type("(646) 555-0173")
    tab_to(page, "id_payer", seen, limit=5)
    assert_visible_focus(page)
    page.keyboard.type("Aetna")
    assert page.eval_on_selector("#id_payer", "select => select.selectedOptions[0].text") == "Aetna"
    tab_to(page, "id_member_id", seen, limit=2)
    page.keyboard.type("LNT100001")
    tab_to(page, "id_relationship_0", seen, limit=2)
    page.keyboard.press("ArrowDown")  # spouse: the policy holder's fields appear and are next
    tab_to(page, "id_subscriber_first_name", seen, limit=1)
    page.keyboard.type("Sam")
    tab_to(page, "id_subscriber_last_name", seen, limit=1)
    page.keyboard.type("Okonkwo")
    tab_to(page, "id_subscriber_date_of_birth", seen, limit=1)
    type_date(page, dt.date(1962, 7, 30))
    tab_to(page, "id_consent", seen, limit=7)  # past the two photo pickers and the choice of a call
    page.keyboard.press("Space")
    tab_to(page, "submit-id-submit", seen, limit=2)  # past the patient notice link
    assert "id_website" not in seen
    page.keyboard.press("Enter")
    page.wait_for_url("**/verify/thanks/")

    assert page.inner_text(".reference")
    from verification.models import VerificationRequest

    verification = VerificationRequest.objects.get()
    assert verification.date_of_birth == dt.date(1991, 3, 14)
    assert (verification.relationship, verification.subscriber_date_of_birth) == ("spouse", dt.date(1962, 7, 30))
    assert page.console_errors == []
    assert requests.foreign() == []


@pytest.mark.django_db(transaction=True)
def test_it_moves_focus_to_main_from_the_skip_link_on_staff_pages(live_server, page_factory, staff):
    page = page_factory(viewport=DESKTOP)
    sign_in_staff(page, live_server.url, staff["avery"])
    page.goto(f"{live_server.url}/staff/")
    assert_skip_link_first(page)
    # From main, the next Tab stop is the page's own content, not the header again.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


# --- Without JavaScript ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_takes_both_public_forms_without_javascript(live_server, page_factory):
    make_payer()
    page = page_factory(javascript=False)
    requests = RequestLog(page, live_server.url)

    page.goto(f"{live_server.url}/callback/")
    # A mistake first: the summary still takes focus (autofocus needs no script) and links to the field.
    page.click("main [type=submit]")
    page.wait_for_selector("#form-errors")
    expect(page.locator("#form-errors")).to_be_focused()
    page.click("#form-errors a[href='#id_name']")
    expect(page.locator("#id_name")).to_be_focused()
    assert page.is_hidden(".danger-alert")
    page.check("#id_in_danger_1")
    assert page.is_visible(".danger-alert"), "the crisis numbers show by CSS alone"
    fill_callback(page)
    page.click("main [type=submit]")
    page.wait_for_url("**/callback/thanks/")
    assert "got your request" in page.inner_text("main")

    page.goto(f"{live_server.url}/verify/")
    assert page.is_hidden("#id_subscriber_first_name"), "the policy holder's fields wait for 'someone else'"
    page.check("#id_relationship_3")
    assert page.is_visible("#id_subscriber_first_name")
    fill_verification(page)
    page.check("#id_relationship_3")
    page.fill("#id_subscriber_first_name", "Sam")
    page.fill("#id_subscriber_last_name", "Okonkwo")
    page.fill("#id_subscriber_date_of_birth", "1962-07-30")
    page.click("main [type=submit]")
    page.wait_for_url("**/verify/thanks/")
    assert re.search(r"\S", page.inner_text(".reference"))

    from verification.models import VerificationRequest

    assert VerificationRequest.objects.get().relationship == "other"
    assert Lead.objects.count() == 2
    assert requests.foreign() == []


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_staff_queue_without_javascript(live_server, page_factory, staff):
    Lead.objects.create(name="Jordan Whitlock", phone="+14155552671", urgent=True)
    lead = Lead.objects.create(name="Maya", phone="+16465550173")
    page = page_factory(viewport=DESKTOP, javascript=False)
    requests = RequestLog(page, live_server.url)
    sign_in_staff(page, live_server.url, staff["avery"])
    page.goto(f"{live_server.url}/staff/")

    assert page.locator(".queue-table tbody tr").count() == 2
    assert page.is_visible("text=2 leads")
    assert page.is_visible(f"text={lead.reference}")
    assert page.is_visible("a:has-text('Refresh')")
    assert requests.foreign() == []
