"""The signature on each bundle POSTed to the clinical record: HMAC-SHA256 under
FHIR_EXPORT_SIGNING_KEY over "<unix time>.<body>", in one header,
`X-Lantern-Signature: t=<unix time>,v1=<hex>`. The time is signed with the body, so a receiver
can refuse a request replayed later (a few minutes' tolerance is usual)."""

import hashlib
import hmac
import time

HEADER = "X-Lantern-Signature"


def signature(body: bytes, key: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode("ascii") + body
    return hmac.new(key.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header_value(body: bytes, key: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(body, key, timestamp)}"
