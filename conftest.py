"""Test-suite plumbing: real PostgreSQL, Redis and Celery worker; a local fake SMTP server.

`make test` sets DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, a CELERY_QUEUE of the run's own and
the three keys. Django reads its settings when this file is imported (below), so they come from
the environment the run was started with.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

# The suite runs with DEBUG off, as production does, so the settings refuse to load without keys
# of their own (config/settings.py). A run started without them (plain `pytest`) gets fresh random
# ones, never the development keys; workers and subprocesses inherit them through the environment.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
os.environ.setdefault("FIELD_HASH_KEY", secrets.token_urlsafe(32))
# Set here rather than in pyproject.toml, where pytest-django would load the settings before
# this file could give them their keys; it sets Django up from the settings loaded here.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.conf import settings as _settings  # noqa: E402

_settings.DATABASES  # noqa: B018 - loads the settings now, so a refusal stops the run here

ROOT = Path(__file__).resolve().parent


def _reachable(url: str, default_port: int) -> str | None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc.strerror or exc})"


def pytest_sessionstart(session):
    from django.conf import settings

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("  DATABASE_URL does not point at PostgreSQL")
    if not settings.REDIS_URL or not settings.CELERY_BROKER_URL.startswith("redis"):
        problems.append("  REDIS_URL and CELERY_BROKER_URL must point at Redis")
    if problems:
        pytest.exit("Run the suite with `make test`, or set its variables:\n" + "\n".join(problems), returncode=3)
    for name, url, port in (
        ("PostgreSQL (DATABASE_URL)", os.environ["DATABASE_URL"], 5432),
        ("Redis (REDIS_URL)", settings.REDIS_URL, 6379),
        ("Redis broker (CELERY_BROKER_URL)", settings.CELERY_BROKER_URL, 6379),
    ):
        problem = _reachable(url, port)
        if problem:
            problems.append(f"  {name} is unreachable at {problem}")
    if problems:
        pytest.exit("The tests need real services:\n" + "\n".join(problems), returncode=3)


# --- A fake SMTP server: the outside world the notification emails go to -------------------


class MailSink:
    """Collects every message the app sends over SMTP."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.refuse_next = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return "451 Try again later"
            self.messages.append({"to": list(envelope.rcpt_tos), "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse_next = 0

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        with self.lock:
            return list(self.messages)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.url = f"smtp://{controller.hostname}:{controller.port}"
    yield sink
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """Point this process's email at the fake SMTP server, and start each test empty."""
    parts = urlsplit(smtp_server.url)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": parts.hostname, "port": parts.port, "timeout": 5},
        }
    }
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


# --- A fake HTTP server: the SMS provider (Twilio's API) and the team chat webhook ---------------

# What the worker and the tests use to talk to the fake Twilio; nothing real behind them.
FAKE_SMS_SETTINGS = {
    "SMS_PROVIDER": "twilio",
    "SMS_ACCOUNT_SID": "ACtest0000000000000000000000000000",
    "SMS_AUTH_TOKEN": "test-auth-token",
    "SMS_FROM": "+15005550006",
}


class HTTPSink:
    """Records every request the app makes to the outside world over HTTP."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.fail_next = 0

    def record(self, handler) -> int:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                status = 500
            else:
                status = 201 if handler.path.endswith("/Messages.json") else 200
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": {name.lower(): value for name, value in handler.headers.items()},
                    "body": body,
                    "status": status,
                }
            )
        return status

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.fail_next = 0

    def received(self, path_suffix: str = "") -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"].endswith(path_suffix)]


@pytest.fixture(scope="session")
def http_server():
    """A local stand-in for Twilio and the chat webhook; `fail_next = N` answers N requests with 500."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sink = HTTPSink()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status = sink.record(self)
            if status >= 500:
                # Long, like a real provider's error page: the app must not keep all of it.
                body = json.dumps({"code": 20500, "message": "Internal Server Error " + "x" * 2000}).encode()
            elif status == 201:
                body = json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}).encode()
            else:
                body = b"ok"
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET = _answer

        def log_message(self, format, *args):
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="fake-http", daemon=True)
    thread.start()
    sink.url = f"http://127.0.0.1:{server.server_address[1]}"
    sink.chat_url = f"{sink.url}/hooks/team"
    sink.worker_env = {**FAKE_SMS_SETTINGS, "SMS_API_BASE": sink.url, "CHAT_WEBHOOK_URL": sink.chat_url}
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_inbox(http_server, settings):
    """Point this process's SMS and team chat at the fake server, and start each test empty."""
    for name, value in FAKE_SMS_SETTINGS.items():
        setattr(settings, name, value)
    settings.SMS_API_BASE = http_server.url
    settings.CHAT_WEBHOOK_URL = http_server.chat_url
    settings.NOTIFY_HTTP_TIMEOUT = 5.0
    http_server.clear()
    yield http_server
    http_server.clear()


# --- A real Celery worker, in its own process, on the test database ---------------------------


def start_worker(db: str, smtp_server, http_server, *, name: str, **env_overrides) -> subprocess.Popen:
    """`celery worker` as production runs it, on the test database `db`, consuming this run's queue."""
    from django.conf import settings

    base = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": base._replace(path=f"/{db}").geturl(),
        "EMAIL_URL": smtp_server.url,
        "CONN_MAX_AGE": "0",
        "LANTERN_TEST_WORKER": "1",
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LOG_LEVEL": "INFO",
        **http_server.worker_env,
        **env_overrides,
    }
    log_path = ROOT / "var" / f"test-{name}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=threads",
            "--concurrency=4",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "ready." not in log_path.read_text():
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    if "ready." not in log_path.read_text():
        proc.kill()
        pytest.fail("The Celery worker did not start:\n" + log_path.read_text()[-3000:])
    proc.log_path = log_path
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, smtp_server, http_server):
    """The run's worker, on the shared Redis broker."""
    from django.db import connection

    with django_db_blocker.unblock():
        db = connection.settings_dict["NAME"]
    proc = start_worker(db, smtp_server, http_server, name="worker")
    yield proc
    stop_process(proc)


# --- Signing staff in -----------------------------------------------------------------------------


def authenticator_for(user, name: str = "test phone"):
    """`user`'s authenticator app (made on first use, as if they had enrolled their phone): the
    one place tests give staff a second factor. `device.current_code()` is what the phone shows."""
    from intake.models import AuthenticatorApp

    return AuthenticatorApp.objects.get_or_create(user=user, name=name)[0]


def verify_second_factor(client, user) -> None:
    """Complete the second sign-in step for `user` in `client`'s session, as a code from their
    authenticator app would (tests that exercise the step itself sign in by hand)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client():
    """Django's test client, whose force_login signs staff in with both factors."""
    from django.test import Client

    class StaffClient(Client):
        def force_login(self, user, backend=None):
            super().force_login(user, backend)
            verify_second_factor(self, user)

    return StaffClient()


# --- People -----------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    """The admissions team: two on duty, one off duty, an inactive ex-employee, an admin."""
    from django.contrib.auth.models import User

    from intake.models import StaffProfile, ensure_staff_groups

    groups = ensure_staff_groups()

    def make(username, *, on_duty=False, group="admissions", active=True, **extra):
        user = User.objects.create_user(username, f"{username}@lantern.example", "correct horse battery", **extra)
        user.is_active = active
        user.save()
        if group:
            user.groups.add(groups[group])
        StaffProfile.objects.filter(user=user).update(on_duty=on_duty)
        return user

    return {
        "avery": make("avery", on_duty=True),
        "blake": make("blake", on_duty=True),
        "casey": make("casey", on_duty=False),
        "drew": make("drew", on_duty=True, active=False),
        "sam": make("sam", on_duty=True, group="supervisor"),
        "admin": make("root", group=None, is_superuser=True, is_staff=True),
    }


@pytest.fixture
def visitor_data():
    """What Jordan, a frightened visitor, types into the callback form."""
    return {
        "name": "Jordan Whitlock",
        "phone": "(415) 555-2671",
        "email": "jordan.whitlock@example.com",
        "for_whom": "loved_one",
        "in_danger": "no",
        "best_time": "evening",
        "ok_to_text": "on",
        "message": "My brother Ezekiel needs detox from alcohol",
        "consent": "on",
        "website": "",
    }


@pytest.fixture
def patient_data():
    """What Maya types when she checks her own insurance."""
    from verification.models import Payer

    return {
        "first_name": "Maya",
        "last_name": "Okonkwo",
        "date_of_birth": "1991-03-14",
        "phone": "(646) 555-0173",
        "email": "maya.okonkwo@example.com",
        # Seeded by a migration; created again here because transactional tests empty the tables.
        "payer": str(Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})[0].pk),
        "member_id": "LNT100001",
        "group_number": "GRP-7741",
        "relationship": "self",
        "consent": "on",
        "website": "",
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Staff fixtures create several users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _centre_open(settings):
    # Who hears of an urgent request, and when a call is promised, depend on the hour. Tests run
    # at any hour, so call-back hours are "always" unless a test sets hours of its own.
    settings.CENTRE_HOURS = "24/7"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate-limit counters live in the (real) cache; a key prefix of its own gives every test
    an empty one without flushing a Redis database another run may be using."""
    import uuid

    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"lantern-test-{uuid.uuid4().hex[:12]}"},
    }
    # Each process also keeps article pages and the version it last read; a new cache is new to it.
    from articles.cache import forget_local
    from config import outage

    forget_local()
    outage.forget()  # a Redis stopped by an earlier test is up again


# --- A Redis of the test's own, to stop and freeze ----------------------------------------------


class PrivateRedis:
    """A redis-server on a free loopback port, started and owned by one test: stopping or freezing
    it disturbs nobody else (the shared server on 6379 is never touched)."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None
        self.start()

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def is_up(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]
        self.proc = subprocess.Popen(command)
        deadline = time.monotonic() + 10
        while not self.is_up():
            assert time.monotonic() < deadline, "the test's Redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        import signal

        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            stop_process(self.proc)

    def freeze(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def broker_of_this_process(url: str):
    """Point this process's Celery app at another broker for a while, then back at the run's own,
    with the very connection pools it had (kombu keeps producer pools keyed by broker in a global
    registry: closed pools put back there would fail every later publish)."""
    from config.celery import app

    conf = app.conf
    saved = (app._pool, app.amqp._producer_pool, conf.broker_url, conf.broker_write_url, conf.broker_read_url)
    app._pool = app.amqp._producer_pool = None
    # Celery resolved its read and write URLs from the first one at start-up.
    conf.broker_url = conf.broker_write_url = conf.broker_read_url = url
    try:
        yield
    finally:
        app._pool, app.amqp._producer_pool, conf.broker_url, conf.broker_write_url, conf.broker_read_url = saved


@pytest.fixture
def redis_outage(settings, tmp_path, smtp_server, http_server, transactional_db):
    """This test's web side, cache and a worker of its own run on a private Redis (PrivateRedis);
    `redis_outage()` stops it and gives a function that starts it again, `redis_outage.frozen()`
    stops it with SIGSTOP and gives one that resumes it. Whatever ends the test, both go away.
    """
    import shutil

    from django.db import connection

    from config import outage

    if not shutil.which("redis-server"):
        pytest.skip("these tests need redis-server on this machine")
    server = PrivateRedis(tmp_path)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url(0)}}
    settings.CELERY_BROKER_URL = server.url(1)
    stack = contextlib.ExitStack()
    stack.enter_context(broker_of_this_process(server.url(1)))
    stack.callback(server.stop)
    with stack:  # closed here if the worker fails to start; otherwise handed to the teardown
        worker = start_worker(
            connection.settings_dict["NAME"],
            smtp_server,
            http_server,
            name="outage-worker",
            CELERY_BROKER_URL=server.url(1),
            REDIS_URL=server.url(0),
        )
        stack = stack.pop_all()
    stack.callback(stop_process, worker)  # first out: the worker goes before its Redis

    def start_again() -> None:
        if not server.is_up():
            server.start()
        outage.forget()  # this process would skip the server for REDIS_OUTAGE_SECONDS more

    @contextlib.contextmanager
    def stopped():
        server.stop()
        assert not server.is_up()
        try:
            yield start_again
        finally:
            start_again()

    @contextlib.contextmanager
    def frozen():
        """The server keeps its port and accepts connections, then answers nothing."""

        def thaw() -> None:
            server.thaw()
            outage.forget()

        server.freeze()
        try:
            yield thaw
        finally:
            thaw()

    stopped.frozen = frozen
    try:
        yield stopped
    finally:
        stack.close()
        outage.forget()
