"""Visitors for `make bench` and `make drills`: real form posts over HTTP, each answer timed and sorted.

A request is a fresh connection (gunicorn's sync workers close after each answer) with a generous
client timeout, so a slow answer is measured rather than cut short.
"""

import http.client
import itertools
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

CLIENT_TIMEOUT = 30.0
_phone_numbers = itertools.count()
_phone_lock = threading.Lock()


def next_phone() -> tuple[str, str]:
    """A valid US number never used before in this run: what the visitor types, and its E.164 form."""
    with _phone_lock:
        n = next(_phone_numbers)
    local = f"{2 + (n // 1_000_000) % 7}{(n // 10_000) % 100:02d}-{n % 10_000:04d}"
    return f"(312) {local}", "+1312" + local.replace("-", "")


@dataclass
class Answer:
    started: float  # time.monotonic() when the request was sent
    latency: float  # seconds until the whole answer was read (or the failure)
    status: int  # 0: no answer at all
    kind: str  # see classify()
    method: str
    path: str
    phone: str = ""  # E.164, for form posts
    sent_at: float = 0.0  # time.time() when the request was sent, to compare with the fake world's log


class Site:
    """Knows how to tell the friendly error page from anything else."""

    def __init__(self, port: int, centre_phone_display: str):
        self.port = port
        self.centre_phone = centre_phone_display

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None, phone: str = ""
    ) -> tuple[Answer, bytes, http.client.HTTPResponse | None]:
        started, sent_at = time.monotonic(), time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            latency = time.monotonic() - started
            answer = Answer(started, latency, 0, f"no answer ({type(exc).__name__})", method, path, phone, sent_at)
            return answer, b"", None
        finally:
            conn.close()
        latency = time.monotonic() - started
        kind = self.classify(response.status, content)
        return Answer(started, latency, response.status, kind, method, path, phone, sent_at), content, response

    def classify(self, status: int, content: bytes) -> str:
        text = content.decode("utf-8", "replace")
        if "Traceback" in text or "Exception Value" in text:
            return "stack trace"
        if status < 400:
            return "ok"
        if status == 500 and self.centre_phone in text and "something went wrong" in text:
            return "friendly 500"
        if status == 503:
            return "503"
        return f"bare {status}"


class Visitor:
    """One browser: the CSRF cookie and token from a GET of the form, reused for every post."""

    def __init__(self, site: Site, form_path: str = "/callback/"):
        self.site = site
        answer, content, response = site.request("GET", form_path)
        cookie = response.getheader("Set-Cookie", "") if response else ""
        cookie_match = re.search(r"csrftoken=([^;]+)", cookie)
        token_match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if answer.status != 200 or not cookie_match or not token_match:
            raise RuntimeError(f"could not read the form at {form_path}: HTTP {answer.status}")
        self.cookie = cookie_match.group(1)
        self.token = token_match.group(1).decode()

    def post(self, path: str, fields: dict, phone: str = "") -> Answer:
        body = urlencode({"csrfmiddlewaretoken": self.token, **fields})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}",
            "Referer": f"http://127.0.0.1:{self.site.port}{path}",
        }
        answer, _, _ = self.site.request("POST", path, body, headers, phone=phone)
        return answer

    def callback(self, **more: str) -> Answer:
        """A callback request from a new number; `more` adds fields (in_danger="yes")."""
        typed, e164 = next_phone()
        fields = {"name": "Drill Visitor", "phone": typed, "for_whom": "self", "best_time": "asap", "consent": "on"}
        fields.update(more)
        answer = self.post("/callback/", fields, phone=e164)
        # The thank-you page is a redirect; anything else means the request was not taken.
        if answer.kind == "ok" and answer.status != 302:
            answer.kind = f"not taken ({answer.status})"
        return answer


def submit_callbacks(
    site: Site,
    count: int,
    concurrency: int,
    on_answer: Callable[[Answer], None] | None = None,
    rate: float | None = None,
) -> list[Answer]:
    """`count` callback requests from `concurrency` visitors at once, as fast as they are answered
    or, with `rate`, that many a second on schedule (whatever the answers before took); every
    answer, in order of completion."""
    start = time.monotonic() + 0.5
    visitors = [Visitor(site) for _ in range(concurrency)]
    free = list(visitors)
    lock = threading.Lock()
    answers: list[Answer] = []

    def one(n: int) -> None:
        if rate:
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
        with lock:
            visitor = free.pop()
        try:
            answer = visitor.callback()
        finally:
            with lock:
                free.append(visitor)
        with lock:
            answers.append(answer)
        if on_answer:
            on_answer(answer)

    pool = ThreadPoolExecutor(concurrency)
    try:
        list(pool.map(one, range(count)))
    finally:
        # Interrupted (a drill's time limit, Ctrl-C): the posts not yet sent are dropped.
        pool.shutdown(wait=True, cancel_futures=True)
    return answers


def write_answers(path: Path, answers: list[Answer]) -> None:
    """Every answer of a drill, for a closer look (times in seconds from the first request)."""
    start = min((a.started for a in answers), default=0.0)
    lines = ["started\tlatency\tstatus\tkind\tmethod\tpath"]
    lines += [f"{a.started - start:.3f}\t{a.latency:.3f}\t{a.status}\t{a.kind}\t{a.method}\t{a.path}" for a in answers]
    path.write_text("\n".join(lines) + "\n")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
