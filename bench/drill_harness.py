"""What every drill of `make drills` stands on: the stack (bench/app.py) with a fresh database for each
drill, results and their checks, and what the database and the fake world say about the outcome.

Drills judge outcomes only: what the visitors were answered, which leads were saved, and which alerts
the fake SMTP server and webhook accepted (each once, none lost). How the app delivers (rows, tasks,
beat) is not read, so a drill means the same before and after a change of delivery engine.
"""

import contextlib
import datetime as dt
import os
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import django

from bench.alerts import leads_by_phone
from bench.app import DATABASE, App, Servers
from bench.fakes import FakeWorldProcess
from bench.stack import ROOT, manage
from bench.visitors import Answer, Site, percentile

LOGS = ROOT / "var" / "drills"
TEMPLATE_DB = f"{DATABASE}_template"
STAFF_EMAIL = "admissions-drill@lantern.example"
# One on-duty admissions worker with email, plus the team chat: two alerts per new lead.
ALERTS_PER_LEAD = 2
ARTICLE_SLUG = "drill-article"
CONCURRENCY = int(os.environ.get("DRILL_CONCURRENCY", "8"))  # visitors posting at once


class DrillTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """A hard bound on a drill: SIGALRM interrupts whatever the driver is waiting on."""

    def expire(signum, frame):
        raise DrillTimeout(f"did not finish within its limit of {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- Results ------------------------------------------------------------------------------------


@dataclass
class Check:
    target: str
    ok: bool
    measured: str


@dataclass
class Result:
    name: str
    title: str
    checks: list[Check] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.checks) and all(check.ok for check in self.checks)

    def check(self, target: str, ok: bool, measured: str) -> bool:
        self.checks.append(Check(target, bool(ok), measured))
        return ok

    def figure(self, label: str, value: str) -> None:
        self.figures.append((label, value))


# --- The harness: the servers, a migrated template database, Django in this process too ----------


@dataclass
class DrillStack:
    app: App
    sinks: FakeWorldProcess
    site: Site
    logdir: Path


class Harness:
    def __init__(self):
        self.servers = Servers("drills")
        self.env: dict = {}

    @property
    def pg(self):
        return self.servers.pg

    @property
    def redis(self):
        return self.servers.redis

    def start(self) -> None:
        print("Starting a private PostgreSQL and Redis, migrating a template database…", flush=True)
        self.servers.start()
        http = f"http://127.0.0.1:{self.servers.fake_ports['http']}"
        self.env = self.servers.env(
            CELERY_QUEUE="lantern-drills",
            CHAT_WEBHOOK_URL=f"{http}/hooks/team",
            ELIGIBILITY_GATEWAY="x12",
            ELIGIBILITY_X12_URL=f"{http}/eligibility/x12",
            ELIGIBILITY_CLEARINGHOUSE_NAME="Drills clearinghouse",
        )
        manage(self.env, "migrate", "--noinput")
        manage(self.env, "collectstatic", "--noinput", "-v0")
        # The driver reads the drill database through the app's own models (Lead.reference,
        # keyed phone hashes), with the very settings the stack runs with.
        os.environ.update(self.env)
        # The app's own warnings about the Redis it cannot reach would drown the drills' output.
        os.environ["LOG_LEVEL"] = "ERROR"
        django.setup()
        seed()
        close_db()
        self.pg.admin(f'ALTER DATABASE "{DATABASE}" RENAME TO "{TEMPLATE_DB}"')

    def stop(self) -> None:
        self.servers.stop()

    @contextlib.contextmanager
    def stack(self, name: str, *, sink_delay: float = 0.0, gateway_delay: float = 60.0, env: dict | None = None):
        """A fresh database, an empty Redis, the fake world, gunicorn, a worker and beat; all stopped after."""
        logdir = LOGS / name
        shutil.rmtree(logdir, ignore_errors=True)
        logdir.mkdir(parents=True)
        close_db()
        if not self.pg.accepting():
            self.pg.start()
        if not self.redis.ping():
            self.redis.stop()
            self.redis.start()
        # A copy of the migrated template takes a second; a migration from scratch much longer.
        self.pg.admin(
            f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)',
            f'CREATE DATABASE "{DATABASE}" TEMPLATE "{TEMPLATE_DB}"',
        )
        self.redis.flush()
        env = {**self.env, **(env or {})}
        # The fake Twilio signs its delivery reports with the token the app checks them with.
        sinks = FakeWorldProcess(
            self.servers.fake_ports,
            logdir,
            delay=sink_delay,
            gateway_delay=gateway_delay,
            sms_auth_token=env.get("SMS_AUTH_TOKEN", ""),
        )
        app = App(env, logdir)
        # Where the provider posts inbound texts and delivery reports: this stack's gunicorn, whose
        # port is known only now (the signatures are checked against this address).
        app.env.setdefault("SMS_WEBHOOK_BASE", app.base)
        try:
            app.start()
            yield DrillStack(app, sinks, Site(app.port, centre_phone()), logdir)
        finally:
            app.stop()
            sinks.stop()
            close_db()


@contextlib.contextmanager
def running(threads: list[threading.Thread], stop: threading.Event):
    """Start the visitors' threads; on the way out (however the drill ends) tell them to stop and
    wait for each."""
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def seed() -> None:
    """What every drill database starts with: an admissions worker on duty (so every lead notifies
    someone), signed up for email, with a second factor for the staff pages; and one article."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from articles.models import Article, Category, MedicalReviewer
    from intake.models import AuthenticatorApp, StaffProfile, ensure_staff_groups

    user = User.objects.create_user("drill-admissions", email=STAFF_EMAIL, first_name="Drill", last_name="Worker")
    user.groups.add(ensure_staff_groups()["admissions"])
    StaffProfile.objects.update_or_create(user=user, defaults={"on_duty": True, "notify_by_email": True})
    AuthenticatorApp.objects.create(user=user, name="drill")
    category, _ = Category.objects.get_or_create(slug="drills", defaults={"name": "Drills"})
    reviewer, _ = MedicalReviewer.objects.get_or_create(user=user, defaults={"name": "Drill Reviewer"})
    article = Article.objects.create(
        title="What to expect in the first week of treatment",
        slug=ARTICLE_SLUG,
        summary="A drill article: read by the load while the database restarts.",
        body="## Arriving\n\nWhat happens on the first day.\n\n## The first week\n\nWhat the days look like.",
        category=category,
        reviewer=reviewer,
        publish_at=timezone.now() - dt.timedelta(days=1),
    )
    article.approve(by=user)  # live articles carry their reviewer's sign-off
    article.publish()


def close_db() -> None:
    from django.db import connections

    connections.close_all()


def centre_phone() -> str:
    from django.conf import settings

    from intake.phones import display_phone

    return display_phone(settings.CENTRE_PHONE)


def staff_page(site: Site, path: str) -> str:
    """GET a staff page as the on-duty admissions worker, signed in with both factors."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from intake.models import AuthenticatorApp

    close_db()
    user = User.objects.get(email=STAFF_EMAIL)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = AuthenticatorApp.objects.get(user=user).persistent_id
    session.create()
    answer, content, _ = site.request("GET", path, headers={"Cookie": f"sessionid={session.session_key}"})
    return content.decode("utf-8", "replace") if answer.status == 200 else ""


# --- What the database and the fake world say ---------------------------------------------------


def saved_phones(phones: list[str]) -> set[str]:
    """The numbers (E.164) among `phones` that have a lead."""
    return set(leads_by_phone(phones))


def integrity() -> dict:
    """Partial writes would show here: a lead without its request, or without its notifications."""
    from django.db.models import Count

    from intake.models import Lead, LeadRequest

    close_db()
    leads = Lead.objects.annotate(
        n_requests=Count("requests", distinct=True), n_notifications=Count("notifications", distinct=True)
    )
    return {
        "leads": Lead.objects.count(),
        "requests": LeadRequest.objects.count(),
        "without request": leads.filter(n_requests=0).count(),
        "wrong notifications": leads.exclude(n_notifications=ALERTS_PER_LEAD).count(),
    }


def expected_alerts() -> set[str]:
    """Every lead saved must reach the on-duty worker by email and the team chat: the keys the fake
    world logs those two alerts under."""
    from intake.models import Lead

    close_db()
    references = [Lead(pk=pk).reference for pk in Lead.objects.values_list("pk", flat=True)]
    return {f"{STAFF_EMAIL}|{ref}" for ref in references} | {f"webhook|{ref}" for ref in references}


@dataclass
class Deliveries:
    expected: int
    once: int
    missing: int
    duplicated: int
    unexpected: int
    repeats: dict[str, list[float]] = field(default_factory=dict)  # key: when each copy was accepted
    waited: float = 0.0

    @property
    def exactly_once(self) -> bool:
        return self.expected > 0 and self.once == self.expected and not self.unexpected

    def describe(self) -> str:
        return (
            f"{self.once:,}/{self.expected:,} delivered exactly once, {self.missing} missing, "
            f"{self.duplicated} duplicated, {self.unexpected} unexpected"
        )


def deliveries(sinks: FakeWorldProcess) -> Deliveries:
    """The alerts every saved lead should have raised against what the fake world accepted."""
    expected = expected_alerts()
    arrivals: dict[str, list[float]] = {}
    for when, channel, key in sinks.accepted():
        if channel in ("email", "webhook"):
            arrivals.setdefault(key, []).append(when)
    accepted = Counter({key: len(times) for key, times in arrivals.items()})
    return Deliveries(
        expected=len(expected),
        once=sum(1 for key in expected if accepted[key] == 1),
        missing=sum(1 for key in expected if accepted[key] == 0),
        duplicated=sum(1 for key in expected if accepted[key] > 1),
        unexpected=sum(1 for key in accepted if key not in expected),
        repeats={key: times for key, times in arrivals.items() if len(times) > 1},
    )


def wait_for_deliveries(sinks: FakeWorldProcess, timeout: float, quiet: float = 15.0) -> Deliveries:
    """Until every saved lead's alerts are accepted (or `timeout`), then `quiet` more seconds without a
    new acceptance, so that a copy sent again shows as a duplicate. `waited` is the time until the
    last expected alert arrived."""
    started = time.monotonic()
    expected = expected_alerts()
    while not expected <= {key for _, _, key in sinks.accepted()} and time.monotonic() - started < timeout:
        time.sleep(1)
    waited = time.monotonic() - started
    settle(sinks, quiet)
    report = deliveries(sinks)
    report.waited = waited
    return report


def settle(sinks: FakeWorldProcess, quiet: float) -> None:
    """Return once `quiet` seconds have passed without the fake world accepting a new message."""
    count = len(sinks.accepted())
    while True:
        time.sleep(quiet)
        now = len(sinks.accepted())
        if now == count:
            return
        count = now


def check_thanked(result: Result, answers: list[Answer], target: str) -> list[Answer]:
    """Check that every post was answered with the thank-you page; the posts that were not."""
    refused = not_taken(answers)
    result.check(
        target,
        not refused,
        f"{len(answers) - len(refused)}/{len(answers)}" + (f" ({kinds(refused)})" if refused else ""),
    )
    return refused


def note_duplicates(result: Result, report: Deliveries) -> None:
    """Say when each duplicated message arrived: the gap tells what sent it again."""
    for key, times in sorted(report.repeats.items())[:5]:
        gaps = ", ".join(f"{later - times[0]:.0f} s" for later in times[1:])
        result.notes.append(
            f"Duplicate: {key.replace('|', ' about ')} was accepted {len(times)} times, again after {gaps} "
            "(a message accepted by the provider but not recorded as sent is sent again once its delivery "
            "is reclaimed)."
        )


def latency_figures(answers: list[Answer]) -> str:
    latencies = [a.latency for a in answers]
    if not latencies:
        return "none"
    return (
        f"p50 {percentile(latencies, 0.5):.2f} s, p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s"
    )


def not_taken(answers: list[Answer]) -> list[Answer]:
    return [a for a in answers if not (a.kind == "ok" and a.status == 302)]


def kinds(answers: list[Answer]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in Counter(a.kind for a in answers).most_common()) or "none"
