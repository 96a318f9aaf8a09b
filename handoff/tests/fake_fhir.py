"""A stand-in for the clinical record system: a FHIR endpoint on 127.0.0.1 that checks each POST's
signature with its own copy of the key (the way a receiver would, from the header's words alone),
keeps the bundles it accepts, and answers with a transaction-response Bundle. `answer_next` makes
it answer the next requests with given statuses instead (a 503 for an outage)."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def signed_correctly(header: str, body: bytes, key: str) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    if abs(time.time() - int(parts["t"])) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(key.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class FakeFhirServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, key: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key = key
        self.bundles: list[dict] = []
        self.requests: list[dict] = []
        self.answer_next: list[int] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/fhir"

    def clear(self) -> None:
        with self.lock:
            self.bundles.clear()
            self.requests.clear()
            self.answer_next.clear()


class _Handler(BaseHTTPRequestHandler):
    server: FakeFhirServer

    def log_message(self, format, *args):  # noqa: A002 - quiet: the test output is not its log
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake = self.server
        with fake.lock:
            fake.requests.append({"headers": dict(self.headers), "body": body})
            forced = fake.answer_next.pop(0) if fake.answer_next else None
        if not signed_correctly(self.headers.get("X-Lantern-Signature", ""), body, fake.key):
            return self._answer(
                401, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "security"}]}
            )
        if forced:
            return self._answer(
                forced, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "transient"}]}
            )
        bundle = json.loads(body)
        with fake.lock:
            fake.bundles.append(bundle)
        entries = [
            {"response": {"status": "200 OK", "location": f"{e['resource']['resourceType']}/{n}/_history/1"}}
            for n, e in enumerate(bundle.get("entry", []), start=1)
        ]
        return self._answer(200, {"resourceType": "Bundle", "type": "transaction-response", "entry": entries})

    def _answer(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
