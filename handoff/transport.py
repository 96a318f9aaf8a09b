"""The POST of a bundle to the clinical record, its answer sorted into sent, try again, or stop.

Messages are for staff and logs: the receiver's HTTP status or the network's trouble in words,
never the URL (it may carry a key) nor the answer's body (it may quote the record).
"""

import http.client
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

# Statuses that say "not now" rather than "not like this".
RETRY_STATUSES = frozenset({408, 425, 429})
MAX_ANSWER_BYTES = 1024 * 1024


class ExportError(Exception):
    """A try that did not deliver. `permanent`: trying again cannot help. `reached`: the bundle
    may have reached the receiver (it answered, or the connection broke after the body was sent),
    so the try counts as a disclosure."""

    def __init__(self, message: str, *, permanent: bool, reached: bool, status: int | None = None):
        super().__init__(message)
        self.permanent, self.reached, self.status = permanent, reached, status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be re-sent as a GET without the bundle, or to an address nobody
    # configured: a receiver that redirects has not taken the record.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _words(reason) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError | http.client.HTTPException):
        return "the connection was broken off"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return "network error"


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> int:
    """POST `body`; return the receiver's 2xx status, or raise ExportError."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ExportError("FHIR_EXPORT_URL must start with https:// or http://.", permanent=True, reached=False)
    request = urllib.request.Request(url, data=body, method="POST", headers={"User-Agent": "Lantern", **headers})  # noqa: S310 - scheme checked above
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(MAX_ANSWER_BYTES)
            return response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
        if status in RETRY_STATUSES or status >= 500:
            message = f"The clinical record system answered HTTP {status}, a temporary error."
            raise ExportError(message, permanent=False, reached=True, status=status) from None
        message = f"The clinical record system refused the record: HTTP {status}."
        raise ExportError(message, permanent=True, reached=True, status=status) from None
    except urllib.error.URLError as exc:
        # Refused or not found: nothing left Lantern. Anything else may have carried the body.
        never_sent = isinstance(exc.reason, ConnectionRefusedError | socket.gaierror)
        message = f"The clinical record system could not be reached ({_words(exc.reason)})."
        raise ExportError(message, permanent=False, reached=not never_sent) from None
    except (OSError, http.client.HTTPException) as exc:
        message = f"The clinical record system could not be reached ({_words(exc)})."
        raise ExportError(message, permanent=False, reached=True) from None
