"""The outside world for `make drills`: an SMTP server, a chat webhook and a clearinghouse that never answers.

Run as its own process by bench/drills.py (so its work does not compete with the load generator for
the driver's GIL). Every message it *accepts* is appended to a log, one tab-separated line each:

    <unix time>  email    <recipient>|<lead reference>
    <unix time>  webhook  webhook|<lead reference>
    <unix time>  gateway  <path>

"Accepts" is the point of this server. A real provider takes a message when it answers the sender
(SMTP's 250 after DATA, an HTTP 200); a sender that died before the answer has not delivered it and
will send it again. `--delay` makes the server take that long before answering, so deliveries are in
flight when a drill kills the worker, and a message whose sender vanished during the delay is not
counted. What is left in the log is what staff would really have received.
"""

import argparse
import asyncio
import json
import re
import select
import socket
import threading
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

REFERENCE = re.compile(r"\bL-\d{6,}\b")


class DeliveryLog:
    def __init__(self, path: Path):
        self.file = path.open("a", buffering=1)
        self.lock = threading.Lock()

    def accept(self, channel: str, key: str) -> None:
        with self.lock:
            self.file.write(f"{time.time():.3f}\t{channel}\t{key}\n")


class SmtpSink:
    """aiosmtpd handler: takes `delay` seconds to accept each message."""

    def __init__(self, log: DeliveryLog, delay: float):
        self.log = log
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            # aiosmtpd cancels this coroutine when the client's connection closes (EOF), so a
            # worker killed during the delay never gets here.
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            return "421 Sender went away"
        message = message_from_bytes(envelope.original_content or envelope.content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        found = REFERENCE.search(subject)
        reference = found.group(0) if found else "?"
        for recipient in envelope.rcpt_tos:
            self.log.accept("email", f"{recipient}|{reference}")
        return "250 OK"


def client_gone(sock: socket.socket) -> bool:
    """True when the peer closed its end: readable, and reading gives end-of-file."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def make_http_handler(log: DeliveryLog, delay: float, gateway_delay: float):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's method name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/hooks/"):
                self.webhook(body)
            elif self.path.startswith("/eligibility"):
                self.gateway()
            else:
                self.answer(404, b"no such endpoint")

        def webhook(self, body: bytes) -> None:
            if delay:
                time.sleep(delay)
            if client_gone(self.connection):
                return
            text = json.loads(body or b"{}").get("text", "")
            found = REFERENCE.search(text)
            log.accept("webhook", f"webhook|{found.group(0) if found else '?'}")
            self.answer(200, b"ok")

        def gateway(self) -> None:
            # A clearinghouse that has taken the connection and never answers in time.
            log.accept("gateway", self.path)
            deadline = time.monotonic() + gateway_delay
            while time.monotonic() < deadline and not client_gone(self.connection):
                time.sleep(0.1)
            if not client_gone(self.connection):
                self.answer(504, b"gateway timeout")

        def answer(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the sender went away; nothing was accepted from it

        def log_message(self, format, *args):
            pass  # one line per accepted delivery is all the drills read

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before accepting each message")
    parser.add_argument("--gateway-delay", type=float, default=60.0, help="seconds the clearinghouse stays silent")
    args = parser.parse_args()

    log = DeliveryLog(args.log)
    smtp = Controller(SmtpSink(log, args.delay), hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    http = ThreadingHTTPServer(("127.0.0.1", args.http_port), make_http_handler(log, args.delay, args.gateway_delay))
    http.daemon_threads = True
    # The parent ends this process with SIGTERM; serve until then.
    try:
        http.serve_forever()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
