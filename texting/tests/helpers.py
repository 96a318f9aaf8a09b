"""For the texting tests: the provider's webhook posts, signed as Twilio signs them, and the
texts as the fake provider server received them.

The in-process counterpart of bench/fakes.py's network-level phone: the test client posts to
`/sms/inbound/` what Twilio would, with `X-Twilio-Signature` computed over
SMS_WEBHOOK_BASE + the path (+ query) and the form, with the auth token of `http_inbox`.
"""

import datetime as dt
import itertools
import uuid
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from intake.models import Lead
from texting.models import IncomingText, OutgoingText

# The public address the tests say the provider posts to (set by `webhook` below).
WEBHOOK_BASE = "https://lantern.example.org"
CENTRE_NUMBER = "+15005550006"
# Jordan's phone (conftest's visitor_data), in California.
JORDAN_PHONE = "+14155552671"
PACIFIC = ZoneInfo("America/Los_Angeles")
_sids = itertools.count(1)


def signature(url: str, params: dict, token: str | None = None) -> str:
    return RequestValidator(token or settings.SMS_AUTH_TOKEN).compute_signature(url, params)


def signed_post(client, params: dict, query: str = "", *, url: str | None = None, token: str | None = None):
    """POST `params` to the webhook as the provider does; `url` and `token` sign it as if for
    another address or with another account's token (a forgery)."""
    path = "/sms/inbound/" + (f"?{query}" if query else "")
    signed_url = url or settings.SMS_WEBHOOK_BASE.rstrip("/") + path
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature(signed_url, params, token))


def text_params(from_: str, body: str, sid: str | None = None) -> dict:
    return {
        "MessageSid": sid or new_sid(),
        "AccountSid": settings.SMS_ACCOUNT_SID,
        "From": from_,
        "To": CENTRE_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "SmsStatus": "received",
    }


def new_sid() -> str:
    return f"SM{uuid.uuid4().hex}{next(_sids):x}"[:34]


def inbound(client, from_: str, body: str, sid: str | None = None):
    """The person at `from_` texts `body` to the centre's number."""
    response = signed_post(client, text_params(from_, body, sid))
    assert response.status_code == 200, response.content
    return response


def report(client, text: OutgoingText, status: str, error: str = "", *, sid: str | None = None):
    """The provider's delivery report on our `text` (its own id, unless `sid` says otherwise)."""
    params = {
        "MessageSid": sid if sid is not None else text.provider_id,
        "AccountSid": settings.SMS_ACCOUNT_SID,
        "From": CENTRE_NUMBER,
        "To": text.phone,
        "MessageStatus": status,
        "SmsStatus": status,
    }
    if error:
        params["ErrorCode"] = error
    return signed_post(client, params, query=f"text={text.pk}")


def sent_texts(http_inbox, to: str | None = None) -> list[dict]:
    """The texts the fake provider took (or refused), as {"To", "Body", "StatusCallback"}."""
    found = []
    for request in http_inbox.received("/Messages.json"):
        form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
        if to is None or form.get("To") == to:
            found.append(form | {"status": request["status"]})
    return found


# --- Staff-side tests: a lead made directly, its texts, quiet hours around the clock --------------


def texting_lead(**fields) -> Lead:
    values = {"name": "Jordan Whitlock", "phone": JORDAN_PHONE, "ok_to_text": True, **fields}
    return Lead.objects.create(**values)


def their_text(lead: Lead, body: str, *, n: int = 1, **fields) -> IncomingText:
    # received_at from timezone.now() as the tests' clock has it (the model's default is the real one).
    fields = {"received_at": timezone.now(), **fields}
    return IncomingText.objects.create(
        lead=lead, provider_id=f"SM{lead.pk:06d}{n:04d}", phone=lead.phone, body=body, **fields
    )


def _hhmm(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M")


def quiet_hours_now(settings) -> None:
    """Quiet hours that have just started for a Pacific number (as a text written at 10 p.m.)."""
    now = timezone.now().astimezone(PACIFIC)
    settings.TEXT_QUIET_HOURS = f"{_hhmm(now - dt.timedelta(hours=1))}-{_hhmm(now + dt.timedelta(hours=3))}"


def daytime_now(settings) -> None:
    """Quiet hours that are well away from now, for a Pacific number."""
    now = timezone.now().astimezone(PACIFIC)
    settings.TEXT_QUIET_HOURS = f"{_hhmm(now + dt.timedelta(hours=6))}-{_hhmm(now + dt.timedelta(hours=14))}"
