"""Outbound HTTP to a clearinghouse, with the errors sorted into "try again" and "a person must look".

Error messages name the clearinghouse and the HTTP status only: never the URL (it may carry an
account key) nor the answer's body (it may carry PHI).
"""

import base64
import http.client
import socket
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings

from .errors import EligibilityError, TransientEligibilityError, never_sent

# A 271 for one patient is tens of kilobytes; anything near this is not an eligibility answer.
MAX_ANSWER_BYTES = 10 * 1024 * 1024
# Statuses that say "not now" rather than "not like this".
RETRY_STATUSES = frozenset({408, 425, 429})


class Transport(Protocol):
    """Carries a 270 to a payer or clearinghouse and brings its 271 back."""

    def send(self, x12_270: str) -> str: ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib turns a redirected POST into a GET without the body; a clearinghouse that redirects
    # has not taken the inquiry, so the redirect is reported instead of followed.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def configured_timeout() -> float:
    return settings.ELIGIBILITY_TIMEOUT


def _plain(reason, timeout: float | None = None) -> str:
    """Staff read this on the verification workspace: words, not Python class names."""
    if isinstance(reason, TimeoutError):
        if not timeout:
            return "no answer in time"
        return f"no answer within {timeout:g} second{'' if timeout == 1 else 's'}"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError | http.client.HTTPException):
        return "the connection was broken off"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or "network error"


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float, what: str) -> str:
    """POST `body` and return the answer's text; TransientEligibilityError or EligibilityError otherwise."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise never_sent(EligibilityError(f"The {what} URL must start with https:// or http://."))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, method="POST", headers={"User-Agent": "Lantern", **headers}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        if status in RETRY_STATUSES or status >= 500:
            raise TransientEligibilityError(f"The {what} answered HTTP {status}; try again later.") from None
        raise EligibilityError(f"The {what} refused the request: HTTP {status}.") from None
    except urllib.error.URLError as exc:
        error = TransientEligibilityError(f"The {what} could not be reached ({_plain(exc.reason, timeout)}).")
        # No connection was made, so the request did not leave; a timeout or a reset may have.
        if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
            never_sent(error)
        raise error from None
    except (OSError, http.client.HTTPException) as exc:  # a timeout, a reset, a garbled answer
        raise TransientEligibilityError(f"The {what} could not be reached ({_plain(exc, timeout)}).") from None
    if len(data) > MAX_ANSWER_BYTES:
        raise EligibilityError(f"The {what}'s answer is larger than {MAX_ANSWER_BYTES} bytes; it was not read.")
    return data.decode("utf-8", errors="replace")


class HttpTransport:
    """Posts the raw 270 to ELIGIBILITY_X12_URL (basic auth from ELIGIBILITY_X12_USER and _PASSWORD)."""

    def __init__(self, url: str | None = None, user: str | None = None, password: str | None = None):
        self.url = settings.ELIGIBILITY_X12_URL if url is None else url
        self.user = settings.ELIGIBILITY_X12_USER if user is None else user
        self.password = settings.ELIGIBILITY_X12_PASSWORD if password is None else password

    def send(self, x12_270: str) -> str:
        if not self.url:
            raise never_sent(
                EligibilityError("ELIGIBILITY_X12_URL is empty: the x12 gateway has nowhere to send the 270.")
            )
        headers = {"Content-Type": "application/edi-x12", "Accept": "application/edi-x12, text/plain"}
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return post(
            self.url, x12_270.encode("utf-8"), headers=headers, timeout=configured_timeout(), what="clearinghouse"
        )
