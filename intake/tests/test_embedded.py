"""`make run`'s embedded default, end to end: SQLite, the filesystem broker, a real worker."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DEBUG="1",
        LANTERN_VAR_DIR=str(tmp_path / "var"),
        EMAIL_URL=f"filemail://{tmp_path / 'mail'}",
        PORT=str(free_port()),
        CENTRE_HOURS="24/7",  # "00:00-23:59" would be closed in the last minute of the day
    )
    return env


def _manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_it_runs_the_site_and_worker_on_embedded_defaults(embedded_env, tmp_path):
    _manage(embedded_env, "migrate", "--noinput")
    seeded = _manage(embedded_env, "seed_demo")
    assert "user: admissions" in seeded and "lantern-demo" in seeded
    assert "Updated demo user admissions" in _manage(embedded_env, "seed_demo")  # idempotent

    base = f"http://127.0.0.1:{embedded_env['PORT']}"
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        ["bin/run-local"], cwd=ROOT, env=embedded_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = _wait_for_page(opener, f"{base}/callback/")
        for path in ["/", "/staff/login/", "/healthz"]:
            assert opener.open(f"{base}{path}", timeout=10).status == 200

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = {
            "csrfmiddlewaretoken": token,
            "name": "Robin Marsh",
            "phone": "(312) 555-0187",
            "for_whom": "self",
            "best_time": "asap",
            "consent": "on",
        }
        request = urllib.request.Request(
            f"{base}/callback/", data=urllib.parse.urlencode(data).encode(), headers={"Referer": f"{base}/callback/"}
        )
        thanks = opener.open(request, timeout=10).read().decode()
        assert "got your request" in thanks

        # admissions and supervisor are on duty; other mail (escalations of demo leads) may come too
        text = _wait_for_mail(tmp_path / "mail", "Subject: New callback request L-", count=2)
        assert "Robin" not in text and "Marsh" not in text and "555-0187" not in text

        # The demo supervisor works a shift on SQLite: the queue (rows, insurance results, the
        # audit of whom it showed), a lead and its timeline, its audit page, the metrics.
        password = re.search(r"password for each: (\S+)\)", seeded).group(1)
        queue = _sign_in(opener, base, embedded_env, "supervisor", password)
        assert "Robin" in queue and "for themself" in queue
        lead_path = re.search(r'href="(/staff/leads/\d+/)"', queue).group(1)
        assert "Callback request" in opener.open(f"{base}{lead_path}", timeout=10).read().decode()
        assert "Staff queue" in opener.open(f"{base}{lead_path}audit/", timeout=10).read().decode()
        assert "Speed to lead" in opener.open(f"{base}/staff/metrics/", timeout=10).read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            # A warm shutdown lets a delivery run finish its batch (up to outbox.tasks.BUDGET, 30 s by
            # default: the demo's checks, and the re-checks of its upcoming admissions, run at start).
            proc.wait(timeout=75)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            # What the site and worker were doing when they would not stop.
            print((tmp_path / "run.log").read_text()[-4000:])
            raise
        log.close()
    assert proc.returncode is not None
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/healthz", timeout=2)


def _post(opener, url: str, page: str, data: dict) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
    return opener.open(urllib.request.Request(url, data=body, headers={"Referer": url}), timeout=10).read().decode()


def _sign_in(opener, base: str, env: dict, username: str, password: str) -> str:
    """Both factors, as a person would: the password, then the authenticator's current code."""
    login = f"{base}/staff/login/"
    second_step = _post(
        opener, login, opener.open(login, timeout=10).read().decode(), {"username": username, "password": password}
    )
    code = _manage(env, "demo_code", username).split()[0]
    return _post(opener, f"{base}/staff/login/verify/", second_step, {"token": code})


def _wait_for_page(opener, url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return opener.open(url, timeout=5).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _wait_for_mail(folder: Path, marker: str, count: int, timeout: float = 30) -> str:
    """All mail the file backend wrote, once `marker` appears `count` times. Worker processes may
    append to the same file, so messages are counted, not files."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = "".join(path.read_text() for path in sorted(folder.glob("*.log"))) if folder.exists() else ""
        if text.count(marker) >= count:
            return text
        time.sleep(0.3)
    raise AssertionError(f"expected {count} messages with {marker!r} in {folder}, found {text.count(marker)}")
