"""The one way Lantern sends a text, whoever it is for (a staff alert, a reminder, a conversation).

SMS_PROVIDER picks the provider: "console" prints (for `make run`), "twilio" sends through Twilio's
REST client to SMS_API_BASE (Twilio itself, or the fake provider server of the tests and drills).
Failures are raised as intake.channels' errors, in words that never quote the message or the number:
a provider's error answer often echoes the number it refused.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .delivery_errors import TEMPORARY_HTTP, ChannelRefused, DeliveryError, RefusedDelivery

# Where the twilio package sends API calls; SMS_API_BASE takes its place.
TWILIO_API = "https://api.twilio.com"
# Twilio's error for a number that replied STOP to our sender: trying again cannot help, and the
# person has opted out (texting.keywords records it).
UNSUBSCRIBED_RECIPIENT = 21610


class Unsubscribed(RefusedDelivery):
    """The provider says the person opted out of texts from our number."""


@dataclass(frozen=True)
class Sent:
    """What the provider said when it took a text: its id (for delivery reports) and status."""

    provider_id: str
    status: str = "queued"


class _RoutedHttpClient(TwilioHttpClient):
    """The twilio client's HTTP client, sent to SMS_API_BASE instead of api.twilio.com, with no
    redirects followed (a provider that redirects has not taken the message)."""

    def request(self, method, url, *args, **kwargs):
        base = settings.SMS_API_BASE.rstrip("/")
        if url.startswith(TWILIO_API) and base != TWILIO_API:
            url = base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def _client() -> Client:
    sid, token = settings.SMS_ACCOUNT_SID, settings.SMS_AUTH_TOKEN
    if not (sid and token and settings.SMS_FROM):
        raise ImproperlyConfigured("SMS_PROVIDER=twilio needs SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM.")
    if urlsplit(settings.SMS_API_BASE).scheme not in ("http", "https"):
        raise ImproperlyConfigured("SMS_API_BASE must start with https:// or http://.")
    http = _RoutedHttpClient(pool_connections=False, timeout=settings.NOTIFY_HTTP_TIMEOUT)
    return Client(sid, token, http_client=http)


def send_text(to: str, body: str, *, status_callback: str = "", who: str = "the person") -> Sent:
    """Send `body` to `to` (E.164); raise a channels error on failure. `who` is what the console
    prints instead of the number (the console is a log)."""
    provider = settings.SMS_PROVIDER
    if provider == "console":
        print(f"SMS to {who}: {body}", flush=True)
        return Sent(f"console-{uuid.uuid4().hex}", "sent")
    if provider != "twilio":
        raise ImproperlyConfigured(f"Unknown SMS_PROVIDER {provider!r}; use 'console' or 'twilio'.")
    extra = {"status_callback": status_callback} if status_callback else {}
    try:
        message = _client().messages.create(to=to, from_=settings.SMS_FROM, body=body, **extra)
    except TwilioRestException as exc:
        raise _error_for(exc.status, exc.code) from None
    except requests.RequestException as exc:
        # A timeout, a refused connection, a reset: the message may be retried.
        raise DeliveryError(f"SMS provider unreachable: {type(exc).__name__}") from None
    return Sent(message.sid or "", message.status or "queued")


@dataclass(frozen=True)
class Received:
    """A text sent to our number, as the provider lists it."""

    provider_id: str
    from_number: str
    body: str
    sent_at: dt.datetime | None = None


def received_since(since: dt.datetime, *, most: int = 1000) -> list[Received]:
    """The texts our number received since `since` (at most `most`), as the provider keeps them: for
    catching up on texts whose webhook never reached us (the site or its database down). The
    console has none."""
    if settings.SMS_PROVIDER != "twilio":
        return []
    try:
        listed = _client().messages.list(to=settings.SMS_FROM, date_sent_after=since, limit=most, page_size=100)
    except TwilioRestException as exc:
        raise _error_for(exc.status, exc.code) from None
    except requests.RequestException as exc:
        raise DeliveryError(f"SMS provider unreachable: {type(exc).__name__}") from None
    received = [
        Received(message.sid or "", message.from_ or "", message.body or "", message.date_sent)
        for message in listed
        if message.direction == "inbound" and message.sid and message.from_
    ]
    # The provider lists newest first; the person's words are acted on in the order they sent them
    # (a START then a STOP must end stopped).
    return sorted(received, key=lambda r: (r.sent_at is None, r.sent_at or dt.datetime.min.replace(tzinfo=dt.UTC)))


def _error_for(status: int, code: int | None) -> DeliveryError:
    words = f"SMS provider answered HTTP {status}" + (f", error code {code}" if code else "")
    if code == UNSUBSCRIBED_RECIPIENT:
        return Unsubscribed(words)
    if status in (401, 403):
        return ChannelRefused(words)
    if 400 <= status < 500 and status not in TEMPORARY_HTTP:
        return RefusedDelivery(words)
    return DeliveryError(words)
