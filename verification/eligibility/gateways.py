"""Eligibility gateways: one `check(request) -> CheckResult` however the payer is reached, and
`lookup_mbi(request, ssn=, state=) -> CheckResult` where the gateway offers it (see `mbi`).

- `sandbox` (the default): a simulated payer inside the app; see `sandbox`.
- `x12`: our 270, sent through a `Transport` (by default `HttpTransport`: raw X12 over HTTPS with
  basic auth), and the 271 read by `x271.read_271`.
- `json`: a Stedi-style JSON API (ELIGIBILITY_JSON_URL, key in ELIGIBILITY_JSON_API_KEY sent as
  the Authorization header), mapped by `jsonapi.summary_from_json`.

All three raise TransientEligibilityError when the payer cannot answer now (AAA 42, timeouts,
HTTP 5xx) and EligibilityError when trying again cannot help.
"""

import datetime as dt
import json
import secrets
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from . import mbi
from .errors import EligibilityError, TransientEligibilityError, never_sent
from .jsonapi import request_body, summary_from_json
from .summary import BenefitSummary, CheckResult, EligibilityRequest
from .transport import HttpTransport, Transport, configured_timeout, post
from .x270 import build_270
from .x271 import read_271

GATEWAYS = ("sandbox", "x12", "json")


class Gateway(Protocol):
    name: str

    def check(self, request: EligibilityRequest) -> CheckResult: ...

    def lookup_mbi(self, request: EligibilityRequest, *, ssn: str = "", state: str = "") -> CheckResult: ...


# The name docs/eligibility.md uses.
EligibilityGateway = Gateway


def get_gateway(name: str | None = None) -> Gateway:
    """The gateway called `name`, or the one settings.ELIGIBILITY_GATEWAY names ("sandbox" if unset)."""
    name = (name or settings.ELIGIBILITY_GATEWAY or "sandbox").strip().lower()
    if name == "sandbox":
        from .sandbox import SandboxGateway  # a cycle: the sandbox is an X12Gateway of this module

        return SandboxGateway()
    if name == "x12":
        return X12Gateway()
    if name == "json":
        return JsonGateway()
    raise never_sent(EligibilityError(f"Unknown eligibility gateway {name!r}: use one of {', '.join(GATEWAYS)}."))


class X12Gateway:
    """Our 270 out through a transport, its 271 back through our reader."""

    name = "x12"
    usage = "P"

    def __init__(self, transport: Transport | None = None):
        self.transport = transport if transport is not None else HttpTransport()

    def check(self, request: EligibilityRequest) -> CheckResult:
        x12_270 = build_270(
            request,
            sender_id=settings.ELIGIBILITY_X12_SENDER_ID,
            receiver_id=settings.ELIGIBILITY_X12_RECEIVER_ID,
            originator_id=settings.ELIGIBILITY_X12_ORIGINATOR_ID,
            usage=settings.ELIGIBILITY_X12_USAGE or self.usage,
            now=timezone.localtime() if settings.USE_TZ else dt.datetime.now(),
        )
        raw = self.transport.send(x12_270)
        try:
            summary = read_271(raw, gateway=self.name, checked_at=timezone.now())
        except EligibilityError as exc:
            exc.raw = raw
            raise
        return accept(request, summary, raw)

    def lookup_mbi(self, request: EligibilityRequest, *, ssn: str = "", state: str = "") -> CheckResult:
        # Our 270 has no loop for an SSN or an address, and raw-X12 lookups vary by clearinghouse.
        raise never_sent(
            EligibilityError(
                "Finding an MBI needs the json or sandbox eligibility gateway; this one is x12. "
                "Ask the person for their Medicare card."
            )
        )


class JsonGateway:
    """A Stedi-style JSON eligibility API."""

    name = "json"

    def __init__(self, url: str | None = None, api_key: str | None = None):
        self.url = settings.ELIGIBILITY_JSON_URL if url is None else url
        self.api_key = settings.ELIGIBILITY_JSON_API_KEY if api_key is None else api_key

    def check(self, request: EligibilityRequest) -> CheckResult:
        return self._ask(request, request_body(request, control_number=_control_number()))

    def lookup_mbi(self, request: EligibilityRequest, *, ssn: str = "", state: str = "") -> CheckResult:
        asked = mbi.lookup_request(request, ssn=ssn, state=state)
        body = mbi.lookup_body(request_body(asked, control_number=_control_number()), ssn=ssn, state=state)
        return self._ask(asked, body, ssn=ssn)

    def _ask(self, request: EligibilityRequest, body: dict, *, ssn: str | None = None) -> CheckResult:
        """Send `body`; a lookup's answer (`ssn` not None) is scrubbed of the SSN before it is read."""
        if not self.url:
            raise never_sent(
                EligibilityError("ELIGIBILITY_JSON_URL is empty: the json gateway has nowhere to send the request.")
            )
        if not self.api_key:
            raise never_sent(EligibilityError("ELIGIBILITY_JSON_API_KEY is empty: the json gateway cannot sign in."))
        raw = post(
            self.url,
            json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json", "Authorization": self.api_key},
            timeout=configured_timeout(),
            what="eligibility API",
        )
        if ssn is not None:
            raw = mbi.scrub_answer(raw, ssn)
        try:
            data = json.loads(raw)
            summary = summary_from_json(data, gateway=self.name, checked_at=timezone.now())
        except ValueError:
            error = EligibilityError("The eligibility API's answer is not JSON.")
            error.raw = raw
            raise error from None
        except EligibilityError as exc:
            exc.raw = raw
            raise
        return accept(request, summary, raw)


def _control_number() -> str:
    return f"{1 + secrets.randbelow(999_999_998):09d}"


def accept(request: EligibilityRequest, summary: BenefitSummary, raw: str) -> CheckResult:
    """Check that an answer is the one to this request, and sort out a payer that cannot answer now."""
    if summary.trace_number and summary.trace_number != request.trace_number:
        # Another request's answer: using it could show one patient's benefits on another's record.
        error = EligibilityError("The answer's trace number is not the request's; the answer was not used.")
        error.raw = raw
        raise error
    if not summary.trace_number:
        summary.trace_number = request.trace_number
        summary.warnings.append("The answer did not echo the request's trace number.")
    if summary.payer_unavailable:
        raise TransientEligibilityError(
            "The payer cannot answer right now (AAA 42); try again later.", summary=summary, raw=raw
        )
    return CheckResult(summary=summary, raw=raw)
