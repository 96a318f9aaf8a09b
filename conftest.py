"""Test-suite plumbing: real PostgreSQL, Redis and Celery worker; the fake outside world.

The fake SMTP and HTTP servers, the worker launcher and the private Redis are bench/'s, the very
ones `make bench` and `make drills` run on.

`make test` sets DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, a CELERY_QUEUE of the run's own and
the three keys. Django reads its settings when this file is imported (below), so they come from
the environment the run was started with.
"""

import contextlib
import datetime as dt
import os
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

from bench.app import launch_worker
from bench.fakes import FakePhone, FakeWorld
from bench.stack import PrivateRedis, StackError, stop_group

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


# --- The outside world the app delivers to: fake SMTP and HTTP servers (bench/fakes.py) ----------

# What the worker and the tests use to talk to the fake Twilio; nothing real behind them.
# A minute of quiet hours at 3 a.m.: the suite's texts go at any other hour (this process and its worker).
TESTS_QUIET_HOURS = "03:00-03:01"

FAKE_SMS_SETTINGS = {
    "SMS_PROVIDER": "twilio",
    "SMS_ACCOUNT_SID": "ACtest0000000000000000000000000000",
    "SMS_AUTH_TOKEN": "test-auth-token",
    "SMS_FROM": "+15005550006",
}


@pytest.fixture(scope="session")
def fake_world():
    world = FakeWorld(auth_token=FAKE_SMS_SETTINGS["SMS_AUTH_TOKEN"])  # delivery reports are signed with it
    world.http.chat_url = f"{world.http.url}/hooks/team"
    world.http.worker_env = {
        **FAKE_SMS_SETTINGS,
        "SMS_API_BASE": world.http.url,
        "CHAT_WEBHOOK_URL": world.http.chat_url,
    }
    yield world
    world.stop()


@pytest.fixture(scope="session")
def smtp_server(fake_world):
    """A local SMTP server that keeps every message it accepts; `refuse_next = N` refuses N."""
    return fake_world.mail


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


@pytest.fixture(scope="session")
def http_server(fake_world):
    """A local stand-in for Twilio and the chat webhook; `fail_next = N` answers N requests with 500."""
    return fake_world.http


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


@pytest.fixture
def fake_phone(settings):
    """`fake_phone(base_url)`: a person's phone texting the app at `base_url` (a live server) as
    Twilio posts inbound texts, signed with the fake account's token; this process's app is told
    to expect them there (SMS_WEBHOOK_BASE, SMS_AUTH_TOKEN). `phone.send(from_number, body)`
    gives the HTTP status."""

    def make(base_url: str) -> FakePhone:
        settings.SMS_WEBHOOK_BASE = base_url
        settings.SMS_AUTH_TOKEN = FAKE_SMS_SETTINGS["SMS_AUTH_TOKEN"]
        return FakePhone(
            base_url,
            auth_token=FAKE_SMS_SETTINGS["SMS_AUTH_TOKEN"],
            to=FAKE_SMS_SETTINGS["SMS_FROM"],
            account_sid=FAKE_SMS_SETTINGS["SMS_ACCOUNT_SID"],
        )

    return make


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
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LOG_LEVEL": "INFO",
        "TEXT_QUIET_HOURS": TESTS_QUIET_HOURS,
        **http_server.worker_env,
        **env_overrides,
    }
    try:
        # tests.worker_app: the production Celery app, plus what a worker outliving many tests needs.
        return launch_worker(env, ROOT / "var" / f"test-{name}.log", name=f"test-{name}-{os.getpid()}@%h",
                             app="tests.worker_app", pool="threads", concurrency=4)  # fmt: skip
    except StackError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, smtp_server, http_server):
    """The run's worker, on the run's broker."""
    from django.db import connection

    with django_db_blocker.unblock():
        db = connection.settings_dict["NAME"]
    proc = start_worker(db, smtp_server, http_server, name="worker")
    yield proc
    stop_group(proc)


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
def clinician(db):
    """Dr Morgan Lee, the clinician who reviews screened leads (user `dr-lee`)."""
    from django.contrib.auth.models import User

    from intake.models import ensure_staff_groups

    user = User.objects.create_user(
        "dr-lee", "lee@lantern.example", "correct horse battery", first_name="Morgan", last_name="Lee"
    )
    user.groups.add(ensure_staff_groups()["clinician"])
    return user


@pytest.fixture
def reviewer(db):
    """Dr Elena Reyes, the medical reviewer, who signs in as `dr-reyes` to approve articles."""
    from django.contrib.auth.models import User

    from articles.models import MedicalReviewer, ensure_reviewer_group

    user = User.objects.create_user(
        "dr-reyes", "reyes@lantern.example", "x", first_name="Elena", last_name="Reyes", is_staff=True
    )
    user.groups.add(ensure_reviewer_group())
    return MedicalReviewer.objects.create(name="Elena Reyes", credentials="MD", user=user)


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
    # The phone line's own hours default to the centre's from the environment, not to the above.
    settings.CENTRE_PHONE_HOURS = "24/7"
    # Texts to visitors wait out their quiet hours; tests about something else must not meet them
    # by the hour the suite runs at (the texting tests set the real ones and move the clock).
    settings.TEXT_QUIET_HOURS = TESTS_QUIET_HOURS


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


@pytest.fixture(autouse=True)
def _worker_done_before_flush(request):
    """A transactional test ends by emptying every table (TRUNCATE). The run's worker may still be
    sending the alerts the test's requests queued, holding locks on the rows' tables, and PostgreSQL
    then reports a deadlock and the next tests find the old rows. So before the tables are emptied,
    nothing more is given to the worker, and what it has claimed is waited for (a few seconds at most)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so emptied only after the wait below
    yield
    import time

    from django.apps import apps
    from django.db import DatabaseError
    from django.utils import timezone

    from outbox.models import Delivery

    outboxes = [model for model in apps.get_models() if issubclass(model, Delivery)]
    now = timezone.now()
    try:
        for model in outboxes:
            model.objects.filter(status=model.Status.PENDING).update(due_at=now + dt.timedelta(days=365))
        # Claimed just now, by the worker; a row a test left "sending" on purpose is older, or stays.
        claimed = [model.objects.filter(status=model.Status.SENDING, claimed_at__gte=now - dt.timedelta(seconds=30))
                   for model in outboxes]  # fmt: skip
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(rows.exists() for rows in claimed):
            time.sleep(0.1)
    except DatabaseError:
        pass  # the test broke the database on purpose; the flush will say if it stays broken


# --- A Redis of the test's own, to stop and freeze ----------------------------------------------


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
    """This test's web side, cache and a worker of its own run on a private Redis (bench.stack's
    PrivateRedis, started here: the machine's shared Redis is never stopped or frozen);
    `redis_outage()` stops it and gives a function that starts it again, `redis_outage.frozen()`
    stops it with SIGSTOP and gives one that resumes it. Whatever ends the test, both go away.
    """
    from django.db import connection

    from config import outage

    if not shutil.which("redis-server"):
        pytest.skip("these tests need redis-server on this machine")
    server = PrivateRedis(tmp_path)
    server.start()
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
    stack.callback(stop_group, worker)  # first out: the worker goes before its Redis

    def start_again() -> None:
        if not server.ping():
            server.stop()
            server.start()
        outage.forget()  # this process would skip the server for REDIS_OUTAGE_SECONDS more

    @contextlib.contextmanager
    def stopped():
        server.stop()
        assert not server.ping()
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
