"""The x12 and json gateways against a stand-in clearinghouse: what is retried, what is refused.

A local HTTP server plays the clearinghouse; only the outside world is faked, never our own code.
"""

import base64
import datetime as dt
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from verification.eligibility import (
    EligibilityError,
    EligibilityRequest,
    HttpTransport,
    TransientEligibilityError,
    X12Error,
    X12Gateway,
    get_gateway,
    read_270,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def request(trace_number: str = "TRC-55012") -> EligibilityRequest:
    return EligibilityRequest(
        payer_id="BWM01",
        payer_name="Brightwater Mutual Health",
        provider_name="Lantern Recovery Center",
        provider_npi="1234567893",
        member_id="BWM884120031",
        first_name="Alex",
        last_name="Rivera",
        date_of_birth=dt.date(1988, 3, 14),
        trace_number=trace_number,
    )


class Clearinghouse:
    """Records what it is sent and answers with whatever the test sets."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        self.body = ""
        self.delay = 0.0

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        self.received.append(
            {
                "path": handler.path,
                "headers": {name.lower(): value for name, value in handler.headers.items()},
                "body": handler.rfile.read(length).decode(),
            }
        )
        time.sleep(self.delay)
        body = self.body.encode()
        try:
            handler.send_response(self.status)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting, as the timeout test wants


@pytest.fixture
def clearinghouse():
    house = Clearinghouse()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's method name
            house.handle(self)

        def log_message(self, format, *args):
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    house.url = f"http://127.0.0.1:{port}/x12/realtime"
    yield house
    server.shutdown()
    server.server_close()


@pytest.fixture
def x12_settings(settings, clearinghouse):
    settings.ELIGIBILITY_X12_URL = clearinghouse.url
    settings.ELIGIBILITY_X12_USER = "lantern"
    settings.ELIGIBILITY_X12_PASSWORD = "s3cret"
    settings.ELIGIBILITY_TIMEOUT = 2
    return settings


class FixedAnswer:
    """A transport that answers every 270 with one 271, keeping what it was sent."""

    def __init__(self, answer: str):
        self.answer = answer
        self.sent: list[str] = []

    def send(self, x12_270: str) -> str:
        self.sent.append(x12_270)
        return self.answer


def test_it_sends_our_270_and_reads_the_271_that_comes_back():
    transport = FixedAnswer(fixture("271_active_behavioural.x12"))

    result = X12Gateway(transport).check(request())

    assert read_270(transport.sent[0]).member_id == "BWM884120031"
    assert result.summary.gateway == "x12"
    assert result.summary.levels["residential"].in_network.deductible_individual.remaining == 1800
    assert result.raw == fixture("271_active_behavioural.x12")


def test_it_raises_a_retryable_error_when_the_payer_cannot_answer_now():
    with pytest.raises(TransientEligibilityError) as caught:
        X12Gateway(FixedAnswer(fixture("271_payer_unavailable.x12"))).check(request("TRC-DOWN"))

    assert caught.value.summary.payer_unavailable
    assert caught.value.raw == fixture("271_payer_unavailable.x12")


def test_it_returns_a_rejection_as_a_summary_not_an_error():
    result = X12Gateway(FixedAnswer(fixture("271_rejected_72.x12"))).check(request("TRC-REJ-72"))

    assert result.summary.status == "rejected"
    assert result.summary.rejections[0].code == "72"


def test_it_refuses_an_answer_meant_for_another_request():
    # Showing another patient's benefits on this record would be worse than showing none.
    with pytest.raises(EligibilityError, match="trace number is not the request's") as caught:
        X12Gateway(FixedAnswer(fixture("271_active_behavioural.x12"))).check(request("TRC-SOMEONE-ELSE"))

    assert caught.value.raw.startswith("ISA*")


def test_it_refuses_a_malformed_answer_without_retrying_and_keeps_it():
    broken = fixture("271_bad_se_count.x12")

    with pytest.raises(X12Error, match="SE says 14 segments") as caught:
        X12Gateway(FixedAnswer(broken)).check(request("TRC-INACT"))

    assert caught.value.raw == broken


def test_it_posts_raw_x12_with_basic_auth_to_the_clearinghouse(x12_settings, clearinghouse):
    clearinghouse.body = fixture("271_active_behavioural.x12")

    result = get_gateway("x12").check(request())

    (sent,) = clearinghouse.received
    assert sent["path"] == "/x12/realtime"
    assert sent["headers"]["content-type"] == "application/edi-x12"
    assert sent["headers"]["authorization"] == "Basic " + base64.b64encode(b"lantern:s3cret").decode()
    assert read_270(sent["body"]).trace_number == "TRC-55012"
    assert result.summary.status == "active"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_it_retries_when_the_clearinghouse_is_down_or_busy(x12_settings, clearinghouse, status):
    clearinghouse.status, clearinghouse.body = status, "<html>Service Unavailable for BWM884120031</html>"

    with pytest.raises(TransientEligibilityError, match=f"answered HTTP {status}") as caught:
        get_gateway("x12").check(request())

    # The answer's body is not repeated in the error: it may hold PHI.
    assert "BWM884120031" not in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403])
def test_it_does_not_retry_a_request_the_clearinghouse_refuses(x12_settings, clearinghouse, status):
    clearinghouse.status = status

    with pytest.raises(EligibilityError, match=f"refused the request: HTTP {status}"):
        get_gateway("x12").check(request())


def test_it_retries_when_the_clearinghouse_does_not_answer_in_time(x12_settings, clearinghouse):
    x12_settings.ELIGIBILITY_TIMEOUT = 0.2
    clearinghouse.delay = 1.0
    clearinghouse.body = fixture("271_active_behavioural.x12")

    # Staff read this reason: plain words, not "TimeoutError".
    with pytest.raises(TransientEligibilityError, match=r"could not be reached \(no answer within 0.2 seconds\)"):
        get_gateway("x12").check(request())


def test_it_retries_when_the_clearinghouse_cannot_be_reached(x12_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    x12_settings.ELIGIBILITY_X12_URL = f"http://127.0.0.1:{closed_port}/x12"

    with pytest.raises(TransientEligibilityError, match=r"could not be reached \(connection refused\)"):
        get_gateway("x12").check(request())


def test_it_says_which_setting_is_missing_for_the_x12_gateway(settings):
    settings.ELIGIBILITY_X12_URL = ""

    with pytest.raises(EligibilityError, match="ELIGIBILITY_X12_URL is empty"):
        HttpTransport().send("ISA*...")


def test_it_posts_json_with_the_api_key_and_maps_the_answer(settings, clearinghouse):
    settings.ELIGIBILITY_JSON_URL = clearinghouse.url.replace("/x12/realtime", "/eligibility")
    settings.ELIGIBILITY_JSON_API_KEY = "test-key-123"
    clearinghouse.body = fixture("stedi_active.json")

    result = get_gateway("json").check(request("TRC-JSON-1"))

    (sent,) = clearinghouse.received
    body = json.loads(sent["body"])
    assert sent["headers"]["authorization"] == "test-key-123"
    assert sent["headers"]["content-type"] == "application/json"
    assert body["tradingPartnerServiceId"] == "BWM01"
    assert body["subscriber"]["memberId"] == "BWM884120031"
    assert body["encounter"]["serviceTypeCodes"] == ["30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"]
    assert len(body["controlNumber"]) == 9
    assert result.summary.gateway == "json"
    assert result.summary.levels["residential"].prior_auth is True
    assert json.loads(result.raw)["controlNumber"] == "000051277"


def test_it_retries_a_json_answer_that_says_the_payer_cannot_answer_now(settings, clearinghouse):
    settings.ELIGIBILITY_JSON_URL = clearinghouse.url
    settings.ELIGIBILITY_JSON_API_KEY = "test-key-123"
    clearinghouse.body = fixture("stedi_payer_unavailable.json")

    with pytest.raises(TransientEligibilityError, match="AAA 42"):
        get_gateway("json").check(request())


def test_it_refuses_a_json_answer_that_is_not_json(settings, clearinghouse):
    settings.ELIGIBILITY_JSON_URL = clearinghouse.url
    settings.ELIGIBILITY_JSON_API_KEY = "test-key-123"
    clearinghouse.body = "<html>gateway error</html>"

    with pytest.raises(EligibilityError, match="not JSON"):
        get_gateway("json").check(request())


def test_it_says_which_setting_is_missing_for_the_json_gateway(settings):
    settings.ELIGIBILITY_JSON_URL = "https://clearinghouse.example/eligibility"
    settings.ELIGIBILITY_JSON_API_KEY = ""

    with pytest.raises(EligibilityError, match="ELIGIBILITY_JSON_API_KEY is empty"):
        get_gateway("json").check(request())
