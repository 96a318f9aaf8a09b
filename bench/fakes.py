"""The outside world Lantern delivers to: an SMTP server, an HTTP server (the SMS provider, the team
chat webhook) and a clearinghouse that never answers. The test suite runs them in its own process;
`make bench` and `make drills` run them as a process of their own (`python -m bench.fakes`, so their
work does not compete with the load generator for the driver's GIL) and read what they accepted from
a log, one tab-separated line a message:

    <unix time>  accepted   email    <recipient>|<lead reference>  <what>
    <unix time>  accepted   sms      <mobile>|<lead reference>     <what>
    <unix time>  accepted   webhook  webhook|<lead reference>      <what>
    <unix time>  abandoned  email    <recipient>|<lead reference>  <what>
    <unix time>  refused    email    <recipient>|<lead reference>  <what>
    <unix time>  refused    sms      <mobile>|<lead reference>     <what>
    <unix time>  accepted   gateway  <path>

<what> is the kind of alert read from its words (new, repeat, escalation, follow-up, other), so that
a drill can tell an alert sent twice from two alerts about the same lead.

"Accepted" is the point of these servers. A real provider takes a message when it answers the sender
(SMTP's 250 after DATA, an HTTP 2xx); a sender that went away before the answer has not delivered it
and will send it again. `delay` makes the servers take that long before answering, so deliveries are in
flight when a drill kills the worker; a message whose sender vanished during the delay is logged as
abandoned, not accepted. What is accepted is what staff would really have received. While the file
`refuse_flag` exists, the SMTP server answers every message with 451 (a provider's temporary outage);
while `sms_refuse_flag` exists, the fake Twilio answers every text with 500.

The fake Twilio answers as Twilio does (a message id of its own for each text taken, an error body
that quotes the number it refused) and, when a text asked for delivery reports (StatusCallback),
posts them afterwards, signed with the account's token as Twilio signs them:

    <unix time>  report     sms      <mobile>|<lead reference>     <status> <HTTP answer or error>

FakePhone is the other direction: a person's phone texting the centre's number, posted to the app's
webhook as Twilio posts an inbound text.
"""

import argparse
import asyncio
import json
import re
import select
import signal
import socket
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from bench.fake_sms import (
    LOOPBACK,
    UNREACHABLE_HANDSET,
    FakePhone,
    message_resource,
    post_form,
    signature,
    twilio_error,
)
from bench.stack import StackError, free_port, port_open, spawn, stop_group, wait_until

__all__ = ["FakePhone", "FakeWorld", "FakeWorldProcess", "HTTPSink", "MailSink"]

REFERENCE = re.compile(r"\bL-\d{6,}\b")


# The words that tell one alert about a lead from another (templates/emails, templates/notifications).
ALERT_KINDS = (("asked again", "repeat"), ("has waited", "escalation"), ("follow-up due", "follow-up"), ("new ", "new"))


def reference_in(text: str) -> str:
    found = REFERENCE.search(text)
    return found.group(0) if found else "?"


def alert_kind(text: str) -> str:
    lowered = text.lower()
    return next((kind for words, kind in ALERT_KINDS if words in lowered), "other")


class AcceptanceLog:
    """Where a fake server writes down each message it accepted or saw abandoned (none: nowhere)."""

    def __init__(self, path: Path | None):
        self.file = path.open("a", buffering=1) if path else None
        self.lock = threading.Lock()

    def write(self, when: float, outcome: str, channel: str, key: str, what: str = "") -> None:
        if self.file:
            with self.lock:
                self.file.write(f"{when:.3f}\t{outcome}\t{channel}\t{key}\t{what}\n")


class MailSink:
    """aiosmtpd handler: keeps every message it accepts; `refuse_next = N` answers N with 451, and
    so does every message while the file `refuse_flag` exists."""

    def __init__(self, delay: float = 0.0, log: AcceptanceLog | None = None, refuse_flag: Path | None = None):
        self.delay = delay
        self.log = log or AcceptanceLog(None)
        self.refuse_flag = refuse_flag
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.refuse_next = 0
        self.url = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        reference, what = reference_in(subject), alert_kind(subject)
        keys = [f"{recipient}|{reference}" for recipient in envelope.rcpt_tos]
        try:
            # aiosmtpd cancels this coroutine when the client's connection closes (EOF), so a
            # worker killed during the delay never gets past it.
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self._log("abandoned", keys, what)
            raise
        if server.transport is None or server.transport.is_closing():
            self._log("abandoned", keys, what)
            return "421 Sender went away"
        with self.lock:
            refusing = self.refuse_flag is not None and self.refuse_flag.exists()
            if self.refuse_next or refusing:
                self.refuse_next = max(self.refuse_next - 1, 0)
                self._log("refused", keys, what)
                return "451 Try again later"
            accepted_at = time.time()
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "data": envelope.content.decode("utf-8", "replace"),
                    "reference": reference,
                    "accepted_at": accepted_at,
                }
            )
        for key in keys:
            self.log.write(accepted_at, "accepted", "email", key, what)
        return "250 OK"

    def _log(self, outcome: str, keys: list[str], what: str) -> None:
        for key in keys:
            self.log.write(time.time(), outcome, "email", key, what)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse_next = 0

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        """The messages accepted so far, once there are `count` of them or `timeout` has passed."""
        wait_until(lambda: len(self.messages) >= count, timeout, interval=0.1)
        with self.lock:
            return list(self.messages)


def client_gone(sock: socket.socket) -> bool:
    """True when the peer closed its end: readable, and reading gives end-of-file."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


SMS_PATH = "/Messages.json"


class HTTPSink:
    """Records every request made to the fake SMS provider and chat webhook; `fail_next = N` answers
    N of them with 500, `status_next` the next one with that status. A path under /eligibility is a
    clearinghouse that takes the connection and stays silent for `gateway_delay` seconds.

    As the SMS provider it also answers 500 to every text until `fail_until` (a time.time()) or
    while the file `sms_refuse_flag` exists, refuses numbers in `invalid_numbers` with 400 (21211),
    and for a text taken with a StatusCallback posts its delivery reports `report_delay` seconds
    later, signed with `auth_token`: sent then delivered, or a failure for numbers in
    `fail_delivery_to` (number: (status, error code)) and for the next `fail_delivery_next` texts."""

    def __init__(
        self,
        delay: float = 0.0,
        gateway_delay: float = 60.0,
        log: AcceptanceLog | None = None,
        *,
        auth_token: str = "",
        sms_refuse_flag: Path | None = None,
        report_delay: float = 0.2,
    ):
        self.delay = delay
        self.gateway_delay = gateway_delay
        self.log = log or AcceptanceLog(None)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.fail_next = 0
        # The next request is answered with this status instead (e.g. 401: our account refused),
        # with Twilio's error `code_next` (or 20500) in its body.
        self.status_next = 0
        self.code_next = 0
        self.fail_until = 0.0
        self.sms_refuse_flag = sms_refuse_flag
        self.invalid_numbers: set[str] = set()
        self.auth_token = auth_token
        self.report_delay = report_delay
        self.fail_delivery_to: dict[str, tuple[str, int]] = {}
        self.fail_delivery_next = 0
        # Every delivery report posted: url, params, and the app's HTTP answer (0: none).
        self.reports: list[dict] = []
        self.url = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, bytes] | None:
        """What to answer `handler`'s request with; None when its sender went away first."""
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if handler.path.startswith("/eligibility"):
            return self._silent_clearinghouse(handler)
        time.sleep(self.delay)
        channel, key, what = message_key(handler.path, body)
        if client_gone(handler.connection):
            self.log.write(time.time(), "abandoned", channel, key, what)
            return None
        is_sms = handler.path.endswith(SMS_PATH)
        form = {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}
        to = form.get("To", "")
        with self.lock:
            code = 0
            if self.status_next:
                status, self.status_next = self.status_next, 0
                code, self.code_next = self.code_next or 20500, 0
            elif self.fail_next:
                self.fail_next -= 1
                status = 500
            elif is_sms and self._provider_down():
                status = 500
            elif is_sms and to in self.invalid_numbers:
                status, code = 400, 21211
            else:
                status = 201 if is_sms else 200
            sid = "SM" + uuid.uuid4().hex if status == 201 else ""
            accepted_at = time.time()
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": {name.lower(): value for name, value in handler.headers.items()},
                    "body": body,
                    "status": status,
                    "sid": sid,
                    "accepted_at": accepted_at,
                }
            )
            failure = self._delivery_failure(to) if sid else None
        if status >= 400:
            self.log.write(accepted_at, "refused", channel, key, what)
            return status, twilio_error(status, code, to)
        self.log.write(accepted_at, "accepted", channel, key, what)
        if not sid:
            return status, b"ok"
        if form.get("StatusCallback"):
            report = threading.Thread(target=self._report, args=(sid, form, failure, key), daemon=True)
            report.start()
        return status, json.dumps(message_resource(sid, form, handler.path)).encode()

    def _provider_down(self) -> bool:
        refusing = self.sms_refuse_flag is not None and self.sms_refuse_flag.exists()
        return refusing or time.time() < self.fail_until

    def _delivery_failure(self, to: str) -> tuple[str, int] | None:
        """How this text's delivery is to fail (status, error code), or None: it is delivered."""
        if to in self.fail_delivery_to:
            return self.fail_delivery_to[to]
        if self.fail_delivery_next:
            self.fail_delivery_next -= 1
            return ("undelivered", UNREACHABLE_HANDSET)
        return None

    def _report(self, sid: str, form: dict, failure: tuple[str, int] | None, key: str) -> None:
        """Post the text's delivery reports to its StatusCallback, in order, as Twilio would."""
        if failure is None:
            steps = [("sent", 0), ("delivered", 0)]
        elif failure[0] == "failed":
            steps = [failure]  # never reached a carrier
        else:
            steps = [("sent", 0), failure]
        for status, code in steps:
            time.sleep(self.report_delay)
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": form.get("AccountSid", ""),
                "From": form.get("From", ""),
                "To": form.get("To", ""),
                "MessageStatus": status,
                "SmsStatus": status,
                "ApiVersion": "2010-04-01",
            }
            if code:
                params["ErrorCode"] = str(code)
            answer = self.post_signed(form["StatusCallback"], params)
            with self.lock:
                self.reports.append({"url": form["StatusCallback"], "params": params, "status": answer})
            self.log.write(time.time(), "report", "sms", key, f"{status} {answer}")

    def post_signed(self, url: str, params: dict) -> int:
        """POST `params` to `url` signed as Twilio signs webhooks; the HTTP answer (0: none)."""
        if urlsplit(url).hostname not in LOOPBACK:
            return 0
        return post_form(url, params, signature(self.auth_token, url, params))

    def _silent_clearinghouse(self, handler: BaseHTTPRequestHandler) -> tuple[int, bytes] | None:
        self.log.write(time.time(), "accepted", "gateway", handler.path)
        wait_until(lambda: client_gone(handler.connection), self.gateway_delay, interval=0.1)
        return None if client_gone(handler.connection) else (504, b"gateway timeout")

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.reports.clear()
            self.invalid_numbers.clear()
            self.fail_delivery_to.clear()
            self.fail_next = self.status_next = self.code_next = self.fail_delivery_next = 0
            self.fail_until = 0.0

    def received(self, path_suffix: str = "") -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].endswith(path_suffix)]


def message_key(path: str, body: bytes) -> tuple[str, str, str]:
    """Channel, key and kind of a message posted to the fake SMS provider or chat webhook: an SMS is
    keyed by the number it is for, as an email is by its recipient."""
    text = body.decode("utf-8", "replace")
    if path.startswith("/hooks/"):
        return "webhook", f"webhook|{reference_in(text)}", alert_kind(text)
    form = parse_qs(text)
    words = (form.get("Body") or [text])[0]
    return "sms", f"{(form.get('To') or ['sms'])[0]}|{reference_in(words)}", alert_kind(words)


def http_handler(sink: HTTPSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            answer = sink.handle(self)
            if answer is None:
                return  # nobody is listening; nothing was accepted from them
            status, body = answer
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the sender went away while we answered

        do_POST = do_GET = _answer

        def log_message(self, format, *args):
            pass  # what was accepted is in the sink and its log

    return Handler


class FakeWorld:
    """The fake SMTP and HTTP servers, running in this process on free (or given) ports."""

    def __init__(
        self,
        *,
        delay=0.0,
        gateway_delay=60.0,
        log_path: Path | None = None,
        smtp_port=0,
        http_port=0,
        refuse_flag=None,
        sms_refuse_flag=None,
        auth_token="",
    ):
        log = AcceptanceLog(log_path)
        self.mail = MailSink(delay, log, refuse_flag)
        self.http = HTTPSink(delay, gateway_delay, log, auth_token=auth_token, sms_refuse_flag=sms_refuse_flag)
        self._smtp = Controller(self.mail, hostname="127.0.0.1", port=smtp_port or free_port())
        self._smtp.start()
        self.mail.url = f"smtp://127.0.0.1:{self._smtp.port}"
        self._server = ThreadingHTTPServer(("127.0.0.1", http_port or free_port()), http_handler(self.http))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-http", daemon=True).start()
        self.http.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._smtp.stop()


class FakeWorldProcess:
    """`python -m bench.fakes` in a process of its own, and what its log says it accepted."""

    def __init__(
        self, ports: dict, logdir: Path, delay: float = 0.0, gateway_delay: float = 60.0, sms_auth_token: str = ""
    ):
        self.log_path = logdir / "deliveries.tsv"
        self.log_path.write_text("")
        self.refuse_flag = logdir / "smtp-refusing"
        self.refuse_flag.unlink(missing_ok=True)
        self.sms_refuse_flag = logdir / "sms-refusing"
        self.sms_refuse_flag.unlink(missing_ok=True)
        command = ["-m", "bench.fakes", "--log", str(self.log_path), "--smtp-port", str(ports["smtp"]),
                   "--http-port", str(ports["http"]), "--delay", str(delay),
                   "--gateway-delay", str(gateway_delay), "--refuse-flag", str(self.refuse_flag),
                   "--sms-refuse-flag", str(self.sms_refuse_flag), "--sms-auth-token", sms_auth_token]  # fmt: skip
        self.proc = spawn([sys.executable, *command], logdir / "fake_services.log")
        if not wait_until(lambda: port_open(ports["smtp"]) and port_open(ports["http"]), 20):
            stop_group(self.proc)
            raise StackError(f"the fake services did not start; see {logdir / 'fake_services.log'}")

    def _rows(self, outcome: str, channel: str | None) -> list[tuple[float, str, str, str]]:
        rows = []
        for line in self.log_path.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 4 and parts[1] == outcome and (channel is None or parts[2] == channel):
                rows.append((float(parts[0]), parts[2], parts[3], parts[4] if len(parts) > 4 else ""))
        return rows

    def accepted(self, channel: str | None = None) -> list[tuple[float, str, str]]:
        """(when, channel, key) of every message accepted, in the order they were."""
        return [row[:3] for row in self._rows("accepted", channel)]

    def messages(self, outcome: str = "accepted") -> list[tuple[float, str, str, str]]:
        """(when, channel, key, kind of alert) of every message with that outcome, in order."""
        return self._rows(outcome, None)

    def refuse_mail(self, refusing: bool) -> None:
        """From now on the SMTP server refuses every message with 451 (True), or takes them again."""
        if refusing:
            self.refuse_flag.touch()
        else:
            self.refuse_flag.unlink(missing_ok=True)

    def refuse_texts(self, refusing: bool) -> None:
        """From now on the fake Twilio answers every text with 500 (True), or takes them again."""
        if refusing:
            self.sms_refuse_flag.touch()
        else:
            self.sms_refuse_flag.unlink(missing_ok=True)

    def reports(self) -> list[tuple[float, str, str]]:
        """(when, key, "<status> <HTTP answer>") of every delivery report the fake Twilio posted."""
        return [(when, key, what) for when, _, key, what in self._rows("report", "sms")]

    def abandoned(self, channel: str | None = None) -> list[tuple[float, str, str]]:
        """Messages whose sender went away before the server answered it: not delivered."""
        return [row[:3] for row in self._rows("abandoned", channel)]

    def stop(self) -> None:
        stop_group(self.proc, timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before accepting each message")
    parser.add_argument("--gateway-delay", type=float, default=60.0, help="seconds the clearinghouse stays silent")
    parser.add_argument("--refuse-flag", type=Path, help="while this file exists, SMTP answers 451 to every message")
    parser.add_argument("--sms-refuse-flag", type=Path, help="while this file exists, texts are answered with 500")
    parser.add_argument("--sms-auth-token", default="", help="the token delivery reports are signed with")
    args = parser.parse_args()
    world = FakeWorld(
        delay=args.delay,
        gateway_delay=args.gateway_delay,
        log_path=args.log,
        smtp_port=args.smtp_port,
        http_port=args.http_port,
        refuse_flag=args.refuse_flag,
        sms_refuse_flag=args.sms_refuse_flag,
        auth_token=args.sms_auth_token,
    )
    # The parent ends this process with SIGTERM; serve until then.
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    stopping.wait()
    world.stop()


if __name__ == "__main__":
    main()
