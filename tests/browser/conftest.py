"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server.

Screenshots go to artifacts/ (ignored by git). The CSP stays on for every page a user sees;
only the accessibility check bypasses it, to inject axe-core.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
AXE = ROOT / "var" / "axe" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API keeps an event loop running in this
    thread while it lives; the tests' own ORM calls are still synchronous and safe, so Django's
    guard against async contexts is lifted for exactly that long (module scope: the loop and the
    lifted guard end before any other module's tests run)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Browser tests need Debian's chromium (make test installs it).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_factory(browser, request):
    """New pages in fresh contexts; each remembers console errors and failed requests."""
    contexts = []

    def make(viewport=PHONE, javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()


def card_jpeg() -> bytes:
    """A small photo of an insurance card, as a phone would send it."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 140)).save(out, format="JPEG")
    return out.getvalue()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_staff(page, base_url: str, user, password: str = "correct horse battery") -> None:
    """Sign in as a person would: password, then the code from their authenticator."""
    from conftest import authenticator_for

    device = authenticator_for(user, "browser phone")
    page.goto(f"{base_url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.fill("#id_token", device.current_code())
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/.*"))
