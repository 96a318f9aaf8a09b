"""Where a visitor's secrets go, followed end to end with a real worker, Redis and PostgreSQL.

A visitor sends both public forms with a unique marker in every PHI field, and texts the centre
from their phone; the worker delivers every notification (email, SMS, team chat) and every text
to the visitor (the automatic first text); the eligibility check runs against the sandbox payer
(in this process, where every logger can be heard at DEBUG); staff open the lead,
the benefits workspace and the card photos, and write a note, a call note and a summary. Then
every place the data could have leaked to is searched for every marker:

- every log record of this process (root logger at DEBUG), its stdout/stderr, the worker's log;
- every key and value in the cache and broker Redis databases, and every task message sent;
- every email (subject, headers, decoded bodies), SMS and chat message sent (a text's "To" is
  the one place the visitor's own number must go, so it alone is left out);
- every URL: requested, redirected to (Location), and linked from any page (href, src, action…);
- every response header and cookie (the attribution cookie decoded), every session (decoded);
- the bodies of the public pages and of the staff audit log page, and the card photos as served;
- every column of every database table, as stored (the encrypted card files too).

The only place a marker may appear is the decrypted body of the staff pages made to show it
(lead, workspace, queue). Links on those pages are searched, except tel:/mailto:/sms: ones,
which dial or write to the visitor and are never sent to a server.
"""

import datetime as dt
import email
import email.policy
import json
import logging
import re
import secrets
import string
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import redis
from celery.signals import before_task_publish
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from intake.middleware import ATTRIBUTION_COOKIE
from intake.models import Lead, Notification, StaffProfile
from intake.phones import normalise_phone
from outbox.tests.helpers import deliver
from tests.support import wait_until
from texting.models import IncomingText, OutgoingText
from verification.models import Payer, VerificationRequest

from .conftest import jpeg_bytes, png_bytes, sign_in

REQUIRED_TABLES = {
    "texting_incomingtext",
    "texting_outgoingtext",
    "intake_lead",
    "intake_leadrequest",
    "verification_verificationrequest",
    "verification_eligibilitycheck",
    "auditlog_logentry",
}
# Staff pages whose body is meant to show the decrypted record; everything else is searched.
PHI_PAGES = re.compile(r"^/staff/(leads/\d+/|verifications/\d+/|)$")
DIALLING = ("tel:", "mailto:", "sms:")
_random = secrets.SystemRandom()


# --- Markers ---------------------------------------------------------------------------------------


def _word(length: int = 10) -> str:
    return "".join(_random.choice(string.ascii_lowercase) for _ in range(length))


def _code(prefix: str) -> str:
    return prefix + "".join(_random.choice(string.ascii_uppercase + string.digits) for _ in range(9))


def _phone() -> str:
    """A real-looking US number nobody else in the run uses (not 555: that is the fixtures')."""
    while True:
        area = _random.choice(["617", "415", "312", "206", "303", "512", "615", "503", "404", "713"])
        exchange = f"{_random.randint(201, 989)}"
        if exchange.endswith("11") or exchange == "555":
            continue
        e164 = f"+1{area}{exchange}{_random.randint(0, 9999):04d}"
        if normalise_phone(e164) == e164:
            return e164


def _phone_forms(e164: str) -> list[str]:
    d = e164.removeprefix("+1")
    a, e, n = d[:3], d[3:6], d[6:]
    return [e164, d, f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"{a}.{e}.{n}", f"{a} {e} {n}", f"{e}-{n}"]


def _date() -> dt.date:
    return dt.date(1940, 1, 1) + dt.timedelta(days=_random.randint(0, 35 * 365))


def _date_forms(day: dt.date) -> list[str]:
    return [day.isoformat(), day.strftime("%m/%d/%Y"), day.strftime("%Y%m%d"), f"{day.month}/{day.day}/{day.year}"]


@dataclass
class Markers:
    """One unique value per PHI field, and the forms each may take once stored or shown."""

    values: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)

    def add(self, label: str, value, *forms: str) -> str | dt.date:
        self.values[label] = value
        self.forms[label] = [str(form).lower() for form in (forms or [value])]
        return value

    @classmethod
    def make(cls) -> "Markers":
        m = cls()
        for who in ("callback", "patient"):
            m.add(f"{who} first name", _word().capitalize())
            m.add(f"{who} last name", _word().capitalize())
            phone = _phone()
            m.add(f"{who} phone", phone, *_phone_forms(phone))
            local = f"{_word(8)}{_random.randint(10, 99)}"
            m.add(f"{who} email", f"{local}@example.org", f"{local}@example.org", local)
        m.add("callback message word", _word())
        dob, subscriber_dob = _date(), _date()
        m.add("date of birth", dob, *_date_forms(dob))
        m.add("subscriber date of birth", subscriber_dob, *_date_forms(subscriber_dob))
        m.add("subscriber first name", _word().capitalize())
        m.add("subscriber last name", _word().capitalize())
        m.add("member id", _code("QM"))
        m.add("group number", _code("GX"))
        m.add("payer_other", _word().capitalize())
        m.add("card photo metadata", _word())
        m.add("card photo file name", _word())
        m.add("staff note word", _word())
        m.add("call note word", _word())
        m.add("staff summary word", _word())
        m.add("text reply word", _word())
        return m

    def __getitem__(self, label: str):
        return self.values[label]


def callback_form(m: Markers) -> dict:
    return {
        "name": f"{m['callback first name']} {m['callback last name']}",
        "phone": _phone_forms(m["callback phone"])[2],
        "email": m["callback email"],
        "for_whom": "loved_one",
        "in_danger": "no",
        "best_time": "evening",
        "ok_to_text": "on",
        "ok_to_voicemail": "on",
        "message": f"My cousin {m['callback message word']} has been drinking every day since spring.",
        "consent": "on",
        "website": "",
    }


def verify_form(m: Markers) -> dict:
    payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    return {
        "first_name": m["patient first name"],
        "last_name": m["patient last name"],
        "date_of_birth": m["date of birth"].isoformat(),
        "phone": _phone_forms(m["patient phone"])[3],
        "email": m["patient email"],
        "ok_to_text": "on",
        "payer": str(payer.pk),
        "payer_other": f"{m['payer_other']} Mutual",
        "member_id": m["member id"],
        "group_number": m["group number"],
        "relationship": "spouse",
        "subscriber_first_name": m["subscriber first name"],
        "subscriber_last_name": m["subscriber last name"],
        "subscriber_date_of_birth": m["subscriber date of birth"].strftime("%m/%d/%Y"),
        "card_front": SimpleUploadedFile(
            f"{m['card photo file name']}-front.jpg",
            jpeg_bytes(comment=f"taken at {m['card photo metadata']} street"),
            content_type="image/jpeg",
        ),
        "card_back": SimpleUploadedFile(
            f"{m['card photo file name']}-back.png",
            png_bytes(comment=f"{m['card photo metadata']} was here"),
            content_type="image/png",
        ),
        "consent": "on",
        "website": "",
    }


# --- Recording what the app shows -------------------------------------------------------------------


class _Links(HTMLParser):
    ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "cite", "data", "ping", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            wanted = name in self.ATTRIBUTES or (name.startswith("data-") and re.search(r"url|href|src", name))
            refresh = tag == "meta" and name == "content" and "url=" in value.lower()
            if wanted or refresh:
                self.urls.append(value)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


@dataclass
class Browser:
    """A test client that keeps every response it gets."""

    client: Client
    seen: list = field(default_factory=list)

    def get(self, path: str, **kwargs):
        return self._keep(self.client.get(path, **kwargs))

    def post(self, path: str, data=None, **kwargs):
        return self._keep(self.client.post(path, data or {}, **kwargs))

    def follow(self, response):
        while response.status_code in (301, 302, 303, 307, 308):
            response = self.get(response["Location"])
        return response

    def _keep(self, response):
        self.seen.append(response)
        return response


def _text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def page_haystacks(browsers: list[Browser]) -> list[tuple[str, str]]:
    stacks = []
    for browser in browsers:
        for response in browser.seen:
            request = response.request
            url = request["PATH_INFO"] + (f"?{request['QUERY_STRING']}" if request.get("QUERY_STRING") else "")
            stacks.append((f"requested URL {url}", url))
            stacks.append((f"response headers of {url}", "\n".join(f"{k}: {v}" for k, v in response.items())))
            for name, morsel in response.cookies.items():
                stacks.append((f"cookie {name} set by {url}", morsel.OutputString()))
                if name == ATTRIBUTION_COOKIE and morsel.value:
                    stacks.append((f"decoded cookie {name}", repr(signing.loads(morsel.value, salt=name))))
            body = getattr(response, "content", b"")
            is_html = response.get("Content-Type", "").startswith("text/html")
            html = body.decode("utf-8", "replace") if is_html else ""
            for link in links_in(html):
                if PHI_PAGES.match(request["PATH_INFO"]) and link.lower().startswith(DIALLING):
                    continue
                stacks.append((f"link on {url}", link))
            if not PHI_PAGES.match(request["PATH_INFO"]):
                stacks.append((f"body of {url} ({response.status_code})", _text(body)))
        stacks.append(("a browser's session", repr(dict(browser.client.session.items()))))
    return stacks


# --- Reading everything else ---------------------------------------------------------------------------


@contextmanager
def every_log_record(caplog):
    """What the app would log with LOG_LEVEL=DEBUG: the root logger at DEBUG, the levels the
    project sets on its own loggers kept, and loggers that do not propagate listened to too."""
    caplog.set_level(logging.DEBUG)
    loggers = [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    isolated = [logger for logger in loggers if not logger.propagate]
    for logger in isolated:
        logger.addHandler(caplog.handler)
    try:
        yield
    finally:
        for logger in isolated:
            logger.removeHandler(caplog.handler)


def log_haystacks(caplog) -> list[tuple[str, str]]:
    stacks = [("log output (formatted)", caplog.text)]
    for record in caplog.records:
        parts = [record.name, record.getMessage(), repr(record.args), repr(getattr(record, "__dict__", {}))]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(logging.Formatter().formatException(record.exc_info))
        stacks.append((f"log record {record.name} {record.levelname}", "\n".join(parts)))
    return stacks


def redis_haystacks(url: str, label: str) -> list[tuple[str, str]]:
    client = redis.Redis.from_url(url, socket_timeout=5)
    stacks = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            value = client.xrange(key)
        elif kind == "none":  # expired while we looked
            continue
        else:
            raise AssertionError(f"Redis key {key!r} has a type the test cannot read: {kind}")
        stacks.append((f"{label} key {key[:80]!r} ({kind})", _text(key) + "\n" + _dump(value)))
    return stacks


def _dump(value) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{_dump(k)}: {_dump(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return "\n".join(_dump(item) for item in value)
    return _text(value)


def email_haystacks(messages: list[dict]) -> list[tuple[str, str]]:
    stacks = []
    for n, message in enumerate(messages):
        raw = message["data"]
        stacks.append((f"email {n} (raw)", raw))
        parsed = email.message_from_string(raw, policy=email.policy.default)
        stacks.append((f"email {n} headers", "\n".join(f"{k}: {v}" for k, v in parsed.items())))
        for part in parsed.walk():
            if part.get_content_maintype() == "text":
                stacks.append((f"email {n} {part.get_content_type()} body", part.get_content()))
    return stacks


def http_haystacks(requests: list[dict]) -> list[tuple[str, str]]:
    stacks = []
    for n, request in enumerate(requests):
        body = request["body"].decode("utf-8", "replace")
        if request["path"].endswith("/Messages.json"):
            # A text is addressed to the person's number: that is where it must go, and only there.
            body = re.sub(r"(^|&)To=[^&]*", r"\1To=<addressee>", body)
        decoded = unquote_plus(body)
        with suppress(ValueError):
            decoded += "\n" + json.dumps(json.loads(body), ensure_ascii=False)
        meta = f"{request['method']} {request['path']}\n" + "\n".join(
            f"{k}: {v}" for k, v in request["headers"].items()
        )
        stacks.append((f"outbound HTTP {n} to {request['path']}", f"{meta}\n{body}\n{decoded}"))
    return stacks


def database_haystacks() -> tuple[list[tuple[str, str]], dict[str, int]]:
    stacks, rows_per_table = [], {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            rows_per_table[table] = len(rows)
            for row in rows:
                text = "\n".join(f"{name}={_text(value)}" for name, value in zip(columns, row, strict=True))
                stacks.append((f"database {table}", text))
                if table == "django_session":
                    session = dict(zip(columns, row, strict=True))
                    stacks.append(
                        ("database django_session (decoded)", repr(SessionStore().decode(session["session_data"])))
                    )
    return stacks, rows_per_table


def find_markers(markers: Markers, haystacks: list[tuple[str, str]]) -> list[str]:
    found = []
    for source, text in haystacks:
        lowered = text.lower()
        for label, forms in markers.forms.items():
            for form in forms:
                at = lowered.find(form)
                if at >= 0:
                    context = text[max(at - 60, 0) : at + len(form) + 60].replace("\n", " ")
                    found.append(f"{label} ({form!r}) in {source}: …{context}…")
                    break
    return found


# --- The test ------------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_phi_field_out_of_logs_redis_messages_urls_and_plain_columns(
    staff, mailbox, http_inbox, celery_worker, caplog, capfd, private_media, monkeypatch
):
    # The worker delivers the notifications; the eligibility check runs here instead, where every
    # logger is at DEBUG. (It also keeps the session's worker from caching content type ids that
    # this test's flush invalidates: audit rows it wrote in a later test would then break.)
    monkeypatch.setattr("verification.models.nudge", lambda model: True)
    settings.SMS_WEBHOOK_BASE = "https://lantern.example.org"
    m = Markers.make()
    avery, sam = staff["avery"], staff["sam"]
    StaffProfile.objects.filter(user=avery).update(notify_by_sms=True, mobile="+12025550143")
    published = []

    def keep_task_message(sender=None, body=None, headers=None, **kwargs):
        published.append((str(sender), repr(body), repr(headers)))

    before_task_publish.connect(keep_task_message, weak=False)
    try:
        with every_log_record(caplog):
            visitor = Browser(Client())
            visitor.get("/callback/")
            thanks = visitor.follow(visitor.post("/callback/", callback_form(m)))
            assert thanks.request["PATH_INFO"] == "/callback/thanks/"
            visitor.get("/verify/")
            thanks = visitor.follow(visitor.post("/verify/", verify_form(m)))
            assert thanks.request["PATH_INFO"] == "/verify/thanks/", thanks.content.decode()[:3000]

            # The visitor answers the first text from their phone; the provider posts it, signed.
            provider = Browser(Client())
            reply = {
                "MessageSid": f"SM{secrets.token_hex(16)}",
                "AccountSid": settings.SMS_ACCOUNT_SID,
                "From": m["callback phone"],
                "To": settings.SMS_FROM,
                "Body": f"Thanks, {m['text reply word']} can talk after work",
                "NumMedia": "0",
                "SmsStatus": "received",
            }
            signature = RequestValidator(settings.SMS_AUTH_TOKEN).compute_signature(
                f"{settings.SMS_WEBHOOK_BASE}/sms/inbound/", reply
            )
            assert provider.post("/sms/inbound/", reply, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 200

            callback_lead = Lead.objects.get(kind="callback")
            verification = VerificationRequest.objects.select_related("lead").get()
            wait_until(
                lambda: Notification.objects.exists() and not Notification.objects.exclude(status="sent").exists(),
                what="every notification sent",
            )
            wait_until(
                lambda: OutgoingText.objects.exists() and not OutgoingText.objects.exclude(status="sent").exists(),
                what="every text to the visitors sent",
            )
            deliver(*verification.checks.filter(status="pending"))
            assert verification.checks.get().status == "done"
            channels = set(Notification.objects.values_list("channel", flat=True))
            assert channels == {"email", "sms", "webhook"}
            emails = mailbox.wait_for(Notification.objects.filter(channel="email").count())

            worker = Browser(sign_in(Client(), avery))
            worker.get("/staff/")
            lead_page = worker.get(f"/staff/leads/{callback_lead.pk}/")
            worker.get(f"/staff/leads/{verification.lead_id}/")
            workspace = worker.get(f"/staff/verifications/{verification.pk}/")
            for side in ("front", "back"):
                assert worker.get(f"/staff/verifications/{verification.pk}/card/{side}/").status_code == 200
            worker.follow(
                worker.post(
                    f"/staff/leads/{callback_lead.pk}/notes/", {"body": f"Asked for {m['staff note word']} at home"}
                )
            )
            worker.follow(
                worker.post(
                    f"/staff/leads/{callback_lead.pk}/attempts/",
                    {"outcome": "voicemail", "note": f"Voicemail, mentioned {m['call note word']}"},
                )
            )
            worker.follow(
                worker.post(
                    f"/staff/verifications/{verification.pk}/verify/",
                    {"outcome": "covered", "summary": f"Covered; told {m['staff summary word']}"},
                )
            )
            supervisor = Browser(sign_in(Client(), sam))
            for lead_id in (callback_lead.pk, verification.lead_id):
                assert supervisor.get(f"/staff/leads/{lead_id}/audit/").status_code == 200

    finally:
        before_task_publish.disconnect(keep_task_message)

    # The markers really went in, and staff really see them: the search below is not vacuous.
    lead_html = lead_page.content.decode()
    assert m["callback first name"] in lead_html and m["callback message word"] in lead_html
    assert m["member id"] in workspace.content.decode()
    assert len(emails) >= 4 and http_inbox.received("/Messages.json") and http_inbox.received("/hooks/team")
    assert published and caplog.records

    assert IncomingText.objects.get().lead == callback_lead
    assert len(http_inbox.received("/Messages.json")) > OutgoingText.objects.count()  # staff SMS and texts

    haystacks = page_haystacks([visitor, provider, worker, supervisor])
    haystacks += log_haystacks(caplog)
    output = capfd.readouterr()
    haystacks += [("stdout of this process", output.out), ("stderr of this process", output.err)]
    worker_log = Path(celery_worker.log_path).read_text(errors="replace")
    assert "deliver_due" in worker_log
    haystacks.append(("worker log", worker_log))
    redis_stacks = redis_haystacks(settings.REDIS_URL, "cache Redis")
    redis_stacks += redis_haystacks(settings.CELERY_BROKER_URL, "broker Redis")
    assert redis_stacks
    haystacks += redis_stacks
    haystacks += [(f"task message {name}", f"{body}\n{headers}") for name, body, headers in published]
    haystacks += email_haystacks(emails)
    haystacks += http_haystacks(http_inbox.requests)
    database, rows = database_haystacks()
    assert not REQUIRED_TABLES - set(rows), REQUIRED_TABLES - set(rows)
    assert all(rows[table] for table in REQUIRED_TABLES), rows
    haystacks += database
    for path in Path(private_media).rglob("*"):
        if path.is_file():
            haystacks.append((f"stored file {path.name}", _text(path.read_bytes())))
    caplog.clear()  # a failure's report shows the findings below, not thousands of debug lines

    leaks = find_markers(m, haystacks)

    assert not leaks, f"PHI found outside the encrypted columns and staff pages ({len(leaks)}):\n" + "\n".join(
        leaks[:60]
    )


@pytest.mark.django_db
def test_it_keeps_a_phone_search_out_of_the_url(staff):
    phone = _phone()
    lead = Lead.objects.create(name="Jordan Whitlock", phone=phone)
    worker = Browser(sign_in(Client(), staff["avery"]))
    queue = worker.get("/staff/").content.decode()

    # Fill the queue's search box as a worker would, and send the form the way the page says.
    form = re.search(r"<form\b[^>]*role=\"search\"[^>]*>(.*?)</form>", queue, re.S)
    assert form, "the queue has a search form"
    tag = form.group(0)[: form.group(0).index(">") + 1]
    method = (re.search(r'method="(\w+)"', tag) or ["", "get"])[1].lower()
    action = (re.search(r'action="([^"]*)"', tag) or ["", "/staff/"])[1] or "/staff/"
    fields = dict(re.findall(r'<(?:input|select)[^>]*name="(\w+)"[^>]*?(?:value="([^"]*)")?', form.group(1)))
    fields["q"] = _phone_forms(phone)[2]
    response = worker.get(action, data=fields) if method == "get" else worker.post(action, fields)
    response = worker.follow(response)
    assert lead.reference in response.content.decode()  # the search found the lead

    markers = Markers()
    markers.add("searched phone", phone, *_phone_forms(phone))
    urls = [(label, text) for label, text in page_haystacks([worker]) if label.startswith(("requested", "link"))]
    assert not find_markers(markers, urls)


@pytest.mark.django_db
def test_it_logs_no_card_photo_metadata_even_at_debug(caplog):
    m = Markers.make()
    caplog.set_level(logging.DEBUG)  # LOG_LEVEL=DEBUG, the project's own logger levels kept

    response = Client().post("/verify/", verify_form(m))

    assert response.status_code == 302
    assert not find_markers(m, log_haystacks(caplog))
