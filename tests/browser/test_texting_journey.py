"""Issue 19 in a real browser: a visitor on a phone asks for a call with texts allowed and gets a
discreet first text; they reply (a signed post to the live server, as Twilio would make it); the
worker sees "1 unread text" in the queue, reads the reply on the lead page, sees the next reply
arrive there without reloading, and answers it; the answer reaches the fake provider. Then axe on
the lead page with its conversation. Screenshots: artifacts/texting-*.png.

The conversation panel is helper "ui"'s (section#conversation, ol.conversation, the "Your text"
form); this journey is written to that contract.
"""

import datetime as dt
import re
import uuid
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import requests
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from bench.stack import stop_group
from conftest import start_worker
from intake.models import Lead
from tests.support import wait_until
from texting import wording
from texting.models import IncomingText

from .conftest import DESKTOP, PHONE, shot, sign_in_staff
from .test_accessibility import AxeAudit

pytestmark = pytest.mark.django_db(transaction=True)

# Robin's mobile: a Chicago area code, in the 555-01xx range kept for fiction.
VISITOR_PHONE = "+13125550187"
CHICAGO = ZoneInfo("America/Chicago")


def quiet_hours_half_a_day_away() -> str:
    """A one-minute quiet window twelve hours from now on Robin's clock: the journey is about a
    conversation, and must not be held till morning when the suite runs at night."""
    start = (timezone.now().astimezone(CHICAGO) + dt.timedelta(hours=12)).replace(second=0, microsecond=0)
    return f"{start:%H:%M}-{start + dt.timedelta(minutes=1):%H:%M}"


@pytest.fixture
def text_worker(live_server, smtp_server, http_inbox, settings):
    """A real worker of this test's own: the session's worker would hold texts in real quiet hours."""
    settings.TEXT_QUIET_HOURS = quiet_hours_half_a_day_away()
    settings.SMS_WEBHOOK_BASE = live_server.url
    proc = start_worker(
        connection.settings_dict["NAME"],
        smtp_server,
        http_inbox,
        name="texting-worker",
        TEXT_QUIET_HOURS=settings.TEXT_QUIET_HOURS,
        SMS_WEBHOOK_BASE=live_server.url,
    )
    yield proc
    stop_group(proc)


def texts_to(http_inbox, phone: str) -> list[str]:
    """The bodies of the texts the fake provider took for `phone`, oldest first."""
    forms = [parse_qs(post["body"].decode()) for post in http_inbox.received("/Messages.json")]
    return [form["Body"][0] for form in forms if form.get("To") == [phone] and form.get("Body")]


def reply_from(live_url: str, auth_token: str, phone: str, words: str) -> requests.Response:
    """The person's reply as Twilio posts it: form fields signed over the exact URL it posts to."""
    url = f"{live_url}/sms/inbound/"
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": "ACtest0000000000000000000000000000",
        "From": phone,
        "To": "+15005550006",
        "Body": words,
        "NumMedia": "0",
        "SmsStatus": "received",
    }
    signature = RequestValidator(auth_token).compute_signature(url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)


def conversation(page):
    return page.locator("section#conversation")


def test_it_carries_a_text_conversation_from_the_callback_form_to_the_workers_answer(
    live_server, page_factory, staff, http_inbox, settings, text_worker
):
    url = live_server.url

    # Robin asks for a call on a phone, and says texts are fine.
    visitor = page_factory(viewport=PHONE)
    visitor.goto(f"{url}/callback/")
    visitor.fill("#id_name", "Robin")
    visitor.fill("#id_phone", "(312) 555-0187")
    visitor.check("#id_ok_to_text")
    visitor.check("#id_consent")
    visitor.get_by_role("button", name="Request my call").click()
    visitor.wait_for_url("**/callback/thanks/")
    shot(visitor, "texting-1-thanks")
    lead = Lead.objects.for_phone(VISITOR_PHONE).get()

    # The first text reaches the provider: it says how to stop, and nothing of what it is about.
    wait_until(lambda: texts_to(http_inbox, VISITOR_PHONE), 20, "the first text at the provider")
    [first] = texts_to(http_inbox, VISITOR_PHONE)
    assert first.startswith(f"{settings.DISCREET_SENDER_NAME}: ")
    assert wording.OPT_OUT_LINE in first
    assert wording.telling_words(first) == [], first
    assert "Robin" not in first

    # Robin writes back; the worker, in the queue, sees that there is something to read.
    answer = reply_from(url, settings.SMS_AUTH_TOKEN, VISITOR_PHONE, "Thanks. After 6 is better, I'm at work.")
    assert answer.status_code == 200
    worker = page_factory(viewport=DESKTOP)
    sign_in_staff(worker, url, staff["avery"])
    worker.goto(f"{url}/staff/")
    row_mark = worker.locator(".queue-mark", has_text="1 unread text")
    expect(row_mark).to_have_count(1)
    shot(worker, "texting-2-queue-unread")

    # On the lead page the conversation shows both texts, the first one ours.
    worker.goto(f"{url}/staff/leads/{lead.pk}/")
    panel = conversation(worker)
    expect(panel.get_by_role("heading", level=2)).to_have_text("Texts with the person")
    texts = panel.locator("ol.conversation > li.text")
    expect(texts).to_have_count(2)
    expect(texts.nth(0)).to_have_class(re.compile(r"\btext-out\b"))
    expect(texts.nth(1)).to_have_class(re.compile(r"\btext-in\b"))
    expect(texts.nth(1)).to_contain_text("After 6 is better")

    # Another reply arrives while the page is open: it appears without a reload.
    reply_from(url, settings.SMS_AUTH_TOKEN, VISITOR_PHONE, "Also, please don't leave a voicemail.")
    expect(panel.locator("li.text-in")).to_have_count(2, timeout=20_000)
    expect(panel.locator("li.text-in").nth(1)).to_contain_text("don't leave a voicemail")
    shot(worker, "texting-3-reply-arrived")

    # The worker answers in their own words; the text reaches the provider, signed, once.
    panel.get_by_label("Your text").fill("Thank you, noted. We will call you after 6 and will not leave a message.")
    panel.get_by_role("button", name="Send text").click()
    expect(conversation(worker).locator("li.text-out")).to_have_count(2)
    wait_until(lambda: len(texts_to(http_inbox, VISITOR_PHONE)) == 2, 20, "the worker's answer at the provider")
    answer_text = texts_to(http_inbox, VISITOR_PHONE)[1]
    assert answer_text.startswith(f"{settings.DISCREET_SENDER_NAME}: Thank you, noted.")
    assert IncomingText.objects.filter(lead=lead).count() == 2
    shot(worker, "texting-4-answered")
    assert worker.console_errors == []

    # axe on the lead page with its conversation (CSP bypassed only to inject axe).
    audited = page_factory(viewport=DESKTOP, bypass_csp=True)
    audit = AxeAudit(audited, "texting")
    # Blake, a colleague: Avery's authenticator code of this half-minute has been used already.
    sign_in_staff(audited, url, staff["blake"])
    audited.goto(f"{url}/staff/leads/{lead.pk}/")
    expect(conversation(audited).locator("li.text")).to_have_count(4)
    audit.check("lead-conversation")
    audit.assert_clean()
