"""The fake Twilio's own words (its Message resource, its error answers, its webhook signature) and
FakePhone: a person's phone texting the centre's number, posted to the app's webhook as Twilio posts
an inbound text. Used by bench/fakes.py's HTTPSink, the tests and the drills."""

import json
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

# Twilio's error codes the fake gives, and its words for them (a refusal quotes the number).
TWILIO_ERRORS = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    21211: "The 'To' number {to} is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient {to}",
}
# What a failed delivery report says by default: the handset could not be reached.
UNREACHABLE_HANDSET = 30003
# The fake posts reports only to this machine: a test's or drill's report never leaves it.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def twilio_error(status: int, code: int, to: str) -> bytes:
    """An error answer shaped like Twilio's. A 5xx is long, like a real provider's error page (the
    app must not keep all of it); a refusal quotes the number (the app must not keep that)."""
    if status >= 500:
        return json.dumps({"code": 20500, "message": "Internal Server Error " + "x" * 2000, "status": status}).encode()
    words = TWILIO_ERRORS.get(code, "Refused").format(to=to)
    if to and to not in words:
        words += f" (To: {to})"  # as Twilio's answers often do, whatever the error
    return json.dumps(
        {"code": code, "message": words, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
    ).encode()


def message_resource(sid: str, form: dict, path: str) -> dict:
    """The Message resource Twilio answers a text it took with (the fields the client reads)."""
    account = path.split("/Accounts/", 1)[-1].split("/", 1)[0]
    return {
        "sid": sid,
        "account_sid": account,
        "status": "queued",
        "to": form.get("To", ""),
        "from": form.get("From", ""),
        "body": form.get("Body", ""),
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }


def signature(token: str, url: str, params: dict) -> str:
    """Twilio's X-Twilio-Signature for a POST of `params` to `url`."""
    return RequestValidator(token).compute_signature(url, params)


def post_form(url: str, params: dict, signed: str, timeout: float = 10.0) -> int:
    """POST a form with Twilio's signature header; the HTTP status, or 0 when nothing answered."""
    request = urllib.request.Request(  # noqa: S310 - http to this machine only
        url,
        data=urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - loopback only
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


class FakePhone:
    """A person's phone texting the centre: each text is posted to the app's webhook
    ({base_url}/sms/inbound/) with the fields Twilio sends, signed for the address Twilio would
    have posted to (`webhook_base`, the app's SMS_WEBHOOK_BASE; by default `base_url`)."""

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str,
        to: str = "+15005550006",
        account_sid: str = "AC" + "0" * 32,
        webhook_base: str = "",
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.webhook_base = (webhook_base or base_url).rstrip("/")
        self.auth_token = auth_token
        self.to = to
        self.account_sid = account_sid
        self.timeout = timeout
        self.last_sid = ""

    def send(self, from_number: str, body: str, *, sid: str = "") -> int:
        """Text `body` from `from_number`; the app's HTTP status (0: no answer). The same `sid`
        again is Twilio retrying a webhook it thinks failed."""
        self.last_sid = sid or "SM" + uuid.uuid4().hex
        params = {
            "MessageSid": self.last_sid,
            "SmsMessageSid": self.last_sid,
            "SmsSid": self.last_sid,
            "AccountSid": self.account_sid,
            "From": from_number,
            "To": self.to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        signed = signature(self.auth_token, self.webhook_base + "/sms/inbound/", params)
        return post_form(self.base_url + "/sms/inbound/", params, signed, self.timeout)
