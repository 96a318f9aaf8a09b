"""`make drills`: fault drills against the real stack, and a soak. Writes docs/reliability.md.

Each drill gets a fresh database on a private PostgreSQL, a private Redis, gunicorn with production
settings, a Celery worker and beat, and a fake outside world that counts the staff notifications it
accepts (bench/fake_services.py). It breaks one thing, checks the targets of issue 8, prints PASS or
FAIL with its figures, and stops by itself within its time limit. Then everything is torn down.

    make drills                         all of them (about half an hour)
    make drills DRILLS="soak"           some of them, by name (see DRILLS below)
    SOAK_SUBMISSIONS=2000 make drills DRILLS=soak   a shorter soak, for trying things out

Only a run of every drill writes docs/reliability.md; a partial run writes var/drills/reliability.md.
Logs of every process of the last run stay in var/drills/<drill>/.
"""

import contextlib
import datetime as dt
import itertools
import os
import platform
import re
import shutil
import signal
import statistics
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drills_load import Answer, Site, Visitor, next_phone, percentile, submit_callbacks, write_answers  # noqa: E402
from drills_stack import (  # noqa: E402
    DRILL_DB,
    ROOT,
    STAFF_EMAIL,
    TEMPLATE_DB,
    App,
    DrillError,
    PrivatePostgres,
    PrivateRedis,
    Sinks,
    drill_env,
    free_port,
    manage,
    wait_until,
)

LOGS = ROOT / "var" / "drills"
ANSWER_LIMIT = 5.0  # seconds: issue 8's bound on any POST while Redis is down
CONCURRENCY = int(os.environ.get("DRILL_CONCURRENCY", "8"))  # visitors posting at once
TRIAL_SETTINGS = ("DRILL_CONCURRENCY", "SOAK_SUBMISSIONS", "DRILL_ELIGIBILITY_ATTEMPTS")
# One on-duty admissions worker with email, plus the team chat: two notifications per new lead.
NOTIFICATIONS_PER_LEAD = 2
ARTICLE_SLUG = "drill-article"


def beat_requeue_interval() -> int:
    from django.conf import settings

    return int(settings.CELERY_BEAT_SCHEDULE["requeue-stale-notifications"]["schedule"])


REQUEUED = re.compile(r"Re-enqueued (\d+) stale notifications")


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


# --- The harness: private servers, a migrated template database, Django in this process too -----


class Harness:
    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="lantern-drills-"))
        self.pg: PrivatePostgres | None = None
        self.redis: PrivateRedis | None = None
        self.env: dict = {}

    def start(self) -> None:
        print("Starting a private PostgreSQL and Redis, migrating a template database…", flush=True)
        self.pg = PrivatePostgres()
        self.pg.init()
        self.pg.start()
        self.redis = PrivateRedis(self.workdir)
        self.redis.start()
        self.sink_ports = {"smtp": free_port(), "http": free_port()}
        self.env = drill_env(self.pg, self.redis, self.workdir, self.sink_ports)
        self.pg.admin(f'CREATE DATABASE "{DRILL_DB}"')
        manage(self.env, "migrate", "--noinput")
        manage(self.env, "collectstatic", "--noinput", "-v0")
        # The driver reads the drill database through the app's own models (Lead.reference,
        # keyed phone hashes), with the very settings the stack runs with.
        os.environ.update(self.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        # The app's own warnings about the Redis it cannot reach would drown the drills' output.
        os.environ["LOG_LEVEL"] = "ERROR"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        seed()
        close_db()
        self.pg.admin(f'ALTER DATABASE "{DRILL_DB}" RENAME TO "{TEMPLATE_DB}"')

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.pg:
            self.pg.stop()
            self.pg.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)

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
        self.pg.fresh_drill_database()
        self.redis.flush()
        sinks = Sinks(self.sink_ports, logdir, delay=sink_delay, gateway_delay=gateway_delay)
        app = App({**self.env, **(env or {})}, logdir)
        try:
            app.start_web()
            app.start_worker()
            app.start_beat()
            yield Stack(app, sinks, Site(app.port, centre_phone()), logdir)
        finally:
            app.stop()
            sinks.stop()
            close_db()


@dataclass
class Stack:
    app: App
    sinks: Sinks
    site: Site
    logdir: Path


def seed() -> None:
    """What every drill database starts with: an admissions worker on duty (so every lead notifies
    someone), signed up for email, with a second factor for the staff pages; and one article."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from articles.models import Article, Category
    from intake.models import AuthenticatorApp, StaffProfile, ensure_staff_groups

    user = User.objects.create_user("drill-admissions", email=STAFF_EMAIL, first_name="Drill", last_name="Worker")
    user.groups.add(ensure_staff_groups()["admissions"])
    StaffProfile.objects.update_or_create(user=user, defaults={"on_duty": True, "notify_by_email": True})
    AuthenticatorApp.objects.create(user=user, name="drill")
    category, _ = Category.objects.get_or_create(slug="drills", defaults={"name": "Drills"})
    Article.objects.create(
        title="What to expect in the first week of treatment",
        slug=ARTICLE_SLUG,
        summary="A drill article: read by the load while the database restarts.",
        body="## Arriving\n\nWhat happens on the first day.\n\n## The first week\n\nWhat the days look like.",
        category=category,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - dt.timedelta(days=1),
    )


def close_db() -> None:
    from django.db import connections

    connections.close_all()


def centre_phone() -> str:
    from django.conf import settings

    from intake.phones import display_phone

    return display_phone(settings.CENTRE_PHONE)


# --- What the database and the fake world say ---------------------------------------------------


def saved_phones(phones: list[str]) -> set[str]:
    """The numbers (E.164) among `phones` that have a lead."""
    from intake.crypto import keyed_hash
    from intake.models import Lead

    close_db()
    by_hash = {keyed_hash(phone): phone for phone in phones}
    stored = set(Lead.objects.values_list("phone_hash", flat=True))
    return {phone for digest, phone in by_hash.items() if digest in stored}


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
        "wrong notifications": leads.exclude(n_notifications=NOTIFICATIONS_PER_LEAD).count(),
    }


@dataclass
class Deliveries:
    expected: int
    once: int
    missing: int
    duplicated: int
    unexpected: int
    statuses: Counter
    repeats: dict[str, list[float]] = field(default_factory=dict)  # key: when each copy was accepted
    waited: float = 0.0

    @property
    def exactly_once(self) -> bool:
        return self.expected > 0 and self.once == self.expected and not self.unexpected

    def describe(self) -> str:
        states = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        return (
            f"{self.once:,}/{self.expected:,} delivered exactly once, {self.missing} missing, "
            f"{self.duplicated} duplicated, {self.unexpected} unexpected (rows: {states})"
        )


def deliveries(sinks: Sinks) -> Deliveries:
    """Every notification row against what the fake SMTP server and webhook accepted."""
    from intake.models import Lead, Notification

    close_db()
    expected: dict[str, str] = {}
    for channel, email, lead_id, status in Notification.objects.values_list(
        "channel", "recipient__email", "lead_id", "status"
    ):
        reference = Lead(pk=lead_id).reference
        expected[f"{email}|{reference}" if channel == Notification.Channel.EMAIL else f"webhook|{reference}"] = status
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
        statuses=Counter(expected.values()),
        repeats={key: times for key, times in arrivals.items() if len(times) > 1},
    )


def note_duplicates(result: Result, report: Deliveries) -> None:
    """Say when each duplicated message arrived: the gap tells what sent it again."""
    from django.conf import settings

    for key, times in sorted(report.repeats.items())[:5]:
        gaps = ", ".join(f"{later - times[0]:.0f} s" for later in times[1:])
        result.notes.append(
            f"Duplicate: {key.replace('|', ' about ')} was accepted {len(times)} times, again after {gaps} "
            f"(NOTIFICATION_RECLAIM_AFTER_SECONDS is {settings.NOTIFICATION_RECLAIM_AFTER_SECONDS} s: a row "
            "that was sent but not recorded as sent is given back after that long and sent again)."
        )


def wait_for_deliveries(sinks: Sinks, timeout: float) -> Deliveries:
    """Until every row is sent and every message accepted, or `timeout`. Once every row is "sent"
    nothing can be sent again (a send needs a pending row), so the count is final."""
    from intake.models import Notification

    started = time.monotonic()
    while True:
        close_db()
        unsent = Notification.objects.exclude(status=Notification.Status.SENT).count()
        if not unsent or time.monotonic() - started > timeout:
            report = deliveries(sinks)
            report.waited = time.monotonic() - started
            return report
        time.sleep(2)


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


# --- Drill: Redis stopped, Redis frozen ----------------------------------------------------------


def drill_redis(harness: Harness, result: Result, mode: str) -> None:
    """500 callbacks; after the 50th answer Redis is stopped (or frozen with SIGSTOP) until the last
    is answered, then started again (or resumed)."""
    total, trigger = 500, 50
    stopped = mode == "stop"
    word = "stopped" if stopped else "frozen"
    redis = harness.redis
    with harness.stack(result.name) as stack, time_limit(600):
        answered: list[Answer] = []
        failure: list[BaseException] = []

        def post_all() -> None:
            try:
                submit_callbacks(stack.site, total, CONCURRENCY, answered.append)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the driver's thread
                failure.append(exc)

        redis_costs()  # connect first, as the gunicorn processes have
        began = time.monotonic()
        runner = threading.Thread(target=post_all, name="visitors")
        runner.start()
        if not wait_until(lambda: len(answered) >= trigger or not runner.is_alive(), 120, interval=0.01):
            raise DrillTimeout("the first 50 callbacks took over two minutes")
        outage_start = time.monotonic()
        redis.stop() if stopped else redis.freeze()
        costs = redis_costs()
        runner.join()
        if failure:
            raise failure[0]
        outage_end = time.monotonic()
        redis.start() if stopped else redis.thaw()
        write_answers(stack.logdir / "answers.tsv", answered)

        before = [a for a in answered if a.started < outage_start]
        during = [a for a in answered if a.started >= outage_start]
        latencies = [a.latency for a in answered]
        over = [a for a in answered if a.latency > ANSWER_LIMIT]
        result.figure("callbacks posted", f"{len(answered)}, {len(during)} of them while Redis was {word}")
        result.figure("outage", f"{outage_end - outage_start:.1f} s")
        result.figure("answers before the outage", latency_figures(before))
        result.figure("answers during the outage", f"{latency_figures(during)}; {kinds(during)}")
        result.figure(
            f"cost of one call to the {word} Redis, with the app's settings",
            ", ".join(f"{label} {seconds:.2f} s" for label, seconds in costs.items()),
        )
        result.check(
            f"every POST answered within {ANSWER_LIMIT:g} s",
            not over,
            f"max {max(latencies):.2f} s, p99 {percentile(latencies, 0.99):.2f} s; {len(over)} over",
        )
        refused = not_taken(answered)
        result.check(
            "every POST answered with the thank-you page",
            not refused,
            f"{len(answered) - len(refused)}/{len(answered)}" + (f" ({kinds(refused)})" if refused else ""),
        )
        saved = saved_phones([a.phone for a in answered])
        result.check(f"all {total} leads saved", len(saved) == total, f"{len(saved)}/{total}")

        # Recovery: the worker reconnects by itself; beat re-enqueues the rows whose task message
        # was lost (never published, or lost with the Redis that was stopped).
        report = wait_for_deliveries(stack.sinks, timeout=240)
        result.check("after recovery every notification delivered exactly once", report.exactly_once, report.describe())
        result.figure("time to deliver everything after Redis came back", f"{report.waited:.0f} s")
        result.figure("task messages re-enqueued by beat", f"{sum(requeue_runs(stack.logdir)):,}")
        if over:
            normal = len(before) / max(outage_start - began, 0.001)
            degraded = len(during) / max(outage_end - outage_start, 0.001)
            in_flight = sum(1 for a in over if a.started < outage_start)
            result.notes.append(
                f"Why: every POST waits on the {word} Redis twice, the rate limiter's cache call and the "
                "publish of the notification task, each up to REDIS_SOCKET_TIMEOUT (costs measured above); "
                f"{App.WEB_WORKERS} sync workers then answer {degraded:.1f} POSTs/s instead of {normal:.0f}/s, "
                f"so {CONCURRENCY} visitors posting at once wait for each other. {len(over)} answers took "
                f"over {ANSWER_LIMIT:g} s, {in_flight} of them already in flight when Redis went down."
            )
        note_duplicates(result, report)
        if not report.exactly_once and report.missing:
            worker_wedged_note(result, stack.logdir)


def redis_costs() -> dict[str, float]:
    """How long the app's own rate limiter and task publish take, called from this process with the
    stack's settings: what a gunicorn process pays for them on each POST."""
    from django.test import RequestFactory

    import config  # noqa: F401 - configures the Celery app from the settings
    from intake.models import Notification
    from intake.ratelimit import admit

    request = RequestFactory().post("/callback/", REMOTE_ADDR="192.0.2.1")
    # No notification has id 0: a worker that gets this message finds nothing to do.
    probe = Notification(pk=0)
    costs = {}
    calls = {
        "rate limiter": lambda: admit(request, "drills"),
        "first publish": probe.enqueue,
        "next publish": probe.enqueue,
    }
    for label, call in calls.items():
        started = time.monotonic()
        # A failure is expected (both are meant to swallow it); its cost is what is measured.
        with contextlib.suppress(Exception):
            call()
        costs[label] = time.monotonic() - started
    return costs


def worker_wedged_note(result: Result, logdir: Path) -> None:
    """A worker whose acknowledgements failed as often as its prefetch window stops taking messages."""
    from django.conf import settings

    window = App.WORKER_CONCURRENCY * settings.CELERY_WORKER_PREFETCH_MULTIPLIER
    failed = sum(log.read_text(errors="replace").count("Couldn't ack") for log in logdir.glob("worker-*.log"))
    if failed >= window:
        result.notes.append(
            f'Why: the worker logged {failed} failed acknowledgements ("Couldn\'t ack") while Redis was frozen, '
            f"as many as its prefetch window of {window} messages, and took no message after Redis came back. "
            "kombu's Redis transport (QoS.ack) removes the message from Redis's unacked index before it releases "
            "it in the worker's memory; when the first step times out the second never happens, so the message "
            "keeps its prefetch slot for good, and Celery only logs the error, without reconnecting. "
            "config/celery.py frees the slot whatever happens; check that its patch of QoS.ack is in effect."
        )


def requeue_runs(logdir: Path) -> list[int]:
    """How many task messages each run of requeue_stale_notifications sent again (the workers' logs)."""
    return [
        int(match.group(1))
        for log in sorted(logdir.glob("worker-*.log"))
        for match in REQUEUED.finditer(log.read_text(errors="replace"))
    ]


# --- Drill: the worker killed mid-delivery -------------------------------------------------------


def drill_worker_kill(harness: Harness, result: Result) -> None:
    """300 callbacks; the fake SMTP server and webhook take 0.1 s to accept each message, so
    deliveries are in flight when the worker's whole process group gets SIGKILL a third of the
    way through. A new worker starts; beat gives back whatever the dead one held."""
    from django.conf import settings

    from intake.models import Lead, Notification

    reclaim = settings.NOTIFICATION_RECLAIM_AFTER_SECONDS
    drain_limit = reclaim + 2 * beat_requeue_interval() + 120
    with harness.stack(result.name, sink_delay=0.1) as stack, time_limit(drain_limit + 300):
        total = 300
        expected = total * NOTIFICATIONS_PER_LEAD
        answers = submit_callbacks(stack.site, total, CONCURRENCY)
        write_answers(stack.logdir / "answers.tsv", answers)
        if not wait_until(lambda: len(stack.sinks.accepted()) >= expected // 3, 180, interval=0.05):
            raise DrillTimeout("deliveries did not get a third of the way in three minutes")
        stack.app.kill_worker()
        killed_at, killed_clock = time.monotonic(), time.time()
        close_db()
        at_kill = Counter(Notification.objects.values_list("status", flat=True))
        held = [
            f"{email}|{Lead(pk=lead_id).reference}" if channel == "email" else f"webhook|{Lead(pk=lead_id).reference}"
            for channel, email, lead_id in Notification.objects.filter(status=Notification.Status.SENDING).values_list(
                "channel", "recipient__email", "lead_id"
            )
        ]
        accepted_at_kill = len(stack.sinks.accepted())
        stack.app.start_worker()

        result.figure("callbacks posted", f"{len(answers)} ({kinds(answers)}), {expected} notifications")
        result.figure(
            "when killed",
            f"{accepted_at_kill} messages accepted by the fake world; rows "
            + ", ".join(f"{n} {s}" for s, n in sorted(at_kill.items())),
        )
        result.check("deliveries in flight when the worker was killed", held, f"{len(held)} rows claimed (sending)")
        report = wait_for_deliveries(stack.sinks, timeout=drain_limit)
        result.check("every notification delivered exactly once", report.exactly_once, report.describe())
        note_duplicates(result, report)
        done = time.monotonic() - killed_at
        result.figure("time from the kill until everything was delivered", f"{done:.0f} s")
        arrivals = {key: when for when, _, key in stack.sinks.accepted()}
        late = [arrivals[key] - killed_clock for key in held if key in arrivals]
        if late:
            result.figure(
                "the rows the dead worker held were delivered",
                f"{min(late):.0f}–{max(late):.0f} s after the kill (NOTIFICATION_RECLAIM_AFTER_SECONDS={reclaim}, "
                f"beat every {beat_requeue_interval()} s)",
            )
        result.figure("leads saved", f"{len(saved_phones([a.phone for a in answers]))}/{total}")
        result.notes.append(
            "Not ruled out by this drill: a worker killed in the millisecond between the provider "
            "accepting a message and the row being marked sent would have that message sent again when "
            "the row is given back (SMTP and the chat webhook take no idempotency key)."
        )


# --- Drill: PostgreSQL restarted under load -------------------------------------------------------


def drill_postgres(harness: Harness, result: Result) -> None:
    """Visitors read pages and post callbacks without pause; PostgreSQL is restarted (fast shutdown,
    as in a failover or a minor upgrade) in the middle."""
    with harness.stack(result.name) as stack, time_limit(420):
        pids_before = sorted(stack.app.web_pids())
        answers: list[Answer] = []
        lock = threading.Lock()
        stop = threading.Event()
        pages = ["/", "/articles/", f"/articles/{ARTICLE_SLUG}/", "/callback/"]

        def reader(offset: int) -> None:
            n = offset
            while not stop.is_set():
                answer, _, _ = stack.site.request("GET", pages[n % len(pages)])
                n += 1
                with lock:
                    answers.append(answer)

        def poster() -> None:
            visitor = Visitor(stack.site)
            while not stop.is_set():
                answer = visitor.callback()
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(3)]
        threads += [threading.Thread(target=poster) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(8)
            down = time.monotonic()
            harness.pg.restart()
            up = time.monotonic()
            time.sleep(15)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        write_answers(stack.logdir / "answers.tsv", answers)

        # A request still running when the server went down belongs to the outage, not before it.
        before = [a for a in answers if a.started + a.latency < down]
        after = [a for a in answers if a.started >= up]
        during = [a for a in answers if a.started + a.latency >= down and a.started < up]
        failed = [a for a in answers if a.kind != "ok"]
        result.figure(
            "requests", f"{len(answers)}: {len(before)} before, {len(during)} during or overlapping, {len(after)} after"
        )
        result.figure("outage (pg_ctl restart -m fast, until accepting)", f"{up - down:.1f} s")
        result.figure("answers during the outage", kinds(during))
        result.check("no errors before the outage", not [a for a in before if a.kind != "ok"], kinds(before))
        result.check("no errors once PostgreSQL is back", not [a for a in after if a.kind != "ok"], kinds(after))
        bad = [a for a in failed if a.kind not in ("friendly 500", "503")]
        result.check(
            "every error is the friendly page with the phone number (or a 503), never a stack trace",
            not bad,
            f"{len(failed)} errors: {kinds(failed)}",
        )
        first_ok = min((a.started + a.latency for a in after if a.kind == "ok"), default=None)
        same_processes = sorted(stack.app.web_pids()) == pids_before
        back = f"first success {first_ok - up:.2f} s after" if first_ok is not None else "no success after"
        result.check(
            "service back without restarting gunicorn",
            first_ok is not None and same_processes,
            f"{back} PostgreSQL was back; {'the same' if same_processes else 'different'} gunicorn processes",
        )

        posts = [a for a in answers if a.method == "POST"]
        refused = not_taken(posts)
        saved = saved_phones([a.phone for a in posts])
        rows = integrity()
        lost = [a for a in posts if a not in refused and a.phone not in saved]
        result.check(
            "no partial rows",
            not rows["without request"] and not rows["wrong notifications"] and not lost,
            f"{rows['leads']} leads, {rows['requests']} requests; {rows['without request']} leads without "
            f"their request, {rows['wrong notifications']} without their {NOTIFICATIONS_PER_LEAD} "
            f"notifications; {len(lost)} thanked posts not saved",
        )
        result.figure(
            "callback posts",
            f"{len(posts)}: {len(posts) - len(refused)} thanked, all saved; {len(refused)} answered with an error, "
            f"{sum(1 for a in refused if a.phone in saved)} of which were saved whole",
        )
        # Not one of issue 8's targets for this drill, but the same promise as everywhere else.
        from django.conf import settings

        report = wait_for_deliveries(stack.sinks, timeout=settings.NOTIFICATION_RECLAIM_AFTER_SECONDS + 120)
        result.check("every notification delivered exactly once afterwards", report.exactly_once, report.describe())
        note_duplicates(result, report)
        result.figure("time from the restart until every notification was delivered", f"{time.monotonic() - up:.0f} s")


# --- Drill: the eligibility gateway times out ----------------------------------------------------


def drill_eligibility(harness: Harness, result: Result) -> None:
    """A verification request against a clearinghouse that takes every connection and never answers
    within ELIGIBILITY_TIMEOUT. The check must be retried with backoff, then give up, and the request
    must land in "needs review" with a reason staff can read."""
    from django.conf import settings

    from verification.models import EligibilityCheck, Payer, VerificationRequest

    # The app's own number of attempts unless a trial run asks for fewer.
    attempts = int(os.environ.get("DRILL_ELIGIBILITY_ATTEMPTS") or settings.ELIGIBILITY_MAX_ATTEMPTS)
    timeout = 1.0
    # EligibilityCheck._retry_later waits 60 s, 120 s, 240 s… between attempts (not configurable).
    backoff = sum(min(60 * 2 ** (n - 1), 1800) for n in range(1, attempts))
    limit = backoff + attempts * (timeout + 5) + 2 * 60
    env = {"ELIGIBILITY_TIMEOUT": str(timeout), "ELIGIBILITY_MAX_ATTEMPTS": str(attempts)}
    with harness.stack(result.name, gateway_delay=30, env=env) as stack, time_limit(limit + 120):
        payer = Payer.objects.get(payer_id="60054")
        visitor = Visitor(stack.site, "/verify/")
        typed, _ = next_phone()
        answer = visitor.post(
            "/verify/",
            {
                "first_name": "Drill",
                "last_name": "Visitor",
                "date_of_birth": "1990-05-17",
                "phone": typed,
                "payer": str(payer.pk),
                "member_id": "LNT100001",
                "relationship": "self",
                "consent": "on",
            },
        )
        posted = time.monotonic()
        result.check("the verification request is taken", answer.status == 302, f"HTTP {answer.status}")
        close_db()
        verification = VerificationRequest.objects.order_by("-pk").first()
        if verification is None:
            result.notes.append("No verification request was stored.")
            return

        def settled() -> bool:
            close_db()
            verification.refresh_from_db()
            return verification.status != VerificationRequest.Status.CHECKING

        wait_until(settled, limit, interval=1)
        waited = time.monotonic() - posted
        check = EligibilityCheck.objects.filter(verification=verification).order_by("-pk").first()
        calls = [when for when, _, _ in stack.sinks.accepted("gateway")]
        gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
        result.figure("settings", f"ELIGIBILITY_TIMEOUT={timeout:g} s, ELIGIBILITY_MAX_ATTEMPTS={attempts}")
        result.figure(
            "calls the clearinghouse received",
            f"{len(calls)}, " + (f"{', '.join(f'{gap:.0f}' for gap in gaps)} s apart" if gaps else "no retries"),
        )
        result.figure("time from the post to the end state", f"{waited:.0f} s")
        result.check(
            'the request reaches "needs review"',
            verification.status == "needs_review",
            verification.get_status_display(),
        )
        result.check(
            "after the configured number of attempts",
            check is not None and check.attempts == attempts and len(calls) == attempts,
            f"{check.attempts if check else 0} attempts recorded, {len(calls)} calls received, {attempts} configured",
        )
        reason = check.error if check else ""
        clear = bool(reason) and ("could not be reached" in reason or "answered HTTP" in reason)
        page = staff_page(stack.site, f"/staff/verifications/{verification.pk}/")
        shown = reason and reason in page and "Needs review" in page
        result.check(
            "with a clear reason, shown to staff",
            clear and shown,
            f'check {check.get_status_display().lower() if check else "missing"}: "{reason}"'
            + ("; on the staff workspace" if shown else "; NOT on the staff workspace"),
        )


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


# --- Soak -----------------------------------------------------------------------------------------


def drill_soak(harness: Harness, result: Result) -> None:
    """20,000 callbacks over several minutes with the worker delivering as they come; the memory of
    every gunicorn and Celery process sampled every 5 s, from the first post to the last delivery."""
    from intake.models import Notification

    total = SOAK_SUBMISSIONS
    with harness.stack(result.name) as stack, time_limit(1800):
        samples: list[tuple[float, str, int, float]] = []  # (time, role, pid, MB)
        warm, stop = threading.Event(), threading.Event()
        answered = itertools.count(1)

        def count(answer: Answer) -> None:
            if next(answered) >= WARM_UP:
                warm.set()

        def sample() -> None:
            # Memory is compared from the end of the warm-up on: the first few hundred requests load
            # code and fill caches in every process, which is not what a soak looks for.
            while not warm.wait(1):
                if stop.is_set():
                    return
            while not stop.is_set():
                now = time.monotonic()
                for role, pid in processes(stack.app):
                    mb = rss_mb(pid)
                    if mb:
                        samples.append((now, role, pid, mb))
                stop.wait(5)

        sampler = threading.Thread(target=sample, name="rss")
        started = time.monotonic()
        sampler.start()
        try:
            answers = submit_callbacks(stack.site, total, CONCURRENCY, count)
            posting = time.monotonic() - started
            close_db()
            behind = Notification.objects.exclude(status=Notification.Status.SENT).count()
            report = wait_for_deliveries(stack.sinks, timeout=900)
        finally:
            stop.set()
            sampler.join()
        write_answers(stack.logdir / "answers.tsv", answers)
        (stack.logdir / "rss.tsv").write_text(
            "".join(f"{t - started:.1f}\t{role}\t{pid}\t{mb:.1f}\n" for t, role, pid, mb in samples)
        )

        refused = not_taken(answers)
        saved = saved_phones([a.phone for a in answers])
        result.check(
            "nothing lost: every callback thanked and saved",
            not refused and len(saved) == total,
            f"{len(answers) - len(refused):,} thanked, {len(saved):,}/{total:,} saved"
            + (f" ({kinds(refused)})" if refused else ""),
        )
        result.check("every notification delivered exactly once", report.exactly_once, report.describe())
        note_duplicates(result, report)
        flat, lines, grown = memory_trend(samples)
        result.check("memory flat (no process grew 10% from the first minute to the last)", flat, "; ".join(lines))
        result.figure(
            "posting",
            f"{len(answers):,} callbacks in {posting:.0f} s ({len(answers) / posting:.0f}/s), "
            f"{CONCURRENCY} visitors at once; {latency_figures(answers)}",
        )
        result.figure(
            "the worker",
            f"{behind:,} notifications still to send when posting ended, the last sent {report.waited:.0f} s later",
        )
        runs = requeue_runs(stack.logdir)
        result.figure(
            "task messages re-enqueued by beat",
            f"{sum(runs):,} in {len(runs)} runs (largest {max(runs, default=0):,}), "
            f"for {report.expected:,} notifications",
        )
        if grown == ["Celery pool processes"] and runs:
            result.notes.append(
                "Why: only the Celery pool processes grew, the processes that run requeue_stale_notifications. "
                "The worker fell behind the posting, so rows whose task messages were still queued (not lost) "
                "looked stale after NOTIFICATION_REQUEUE_AFTER_SECONDS, and every beat run loaded all of them at "
                f"once and enqueued them again: up to {max(runs):,} rows per run. Every memory sample is in "
                f"var/drills/{result.name}/rss.tsv."
            )


def processes(app: App) -> list[tuple[str, int]]:
    from run import children

    found = []
    for role, proc in (("gunicorn", app.web), ("celery worker", app.worker), ("celery beat", app.beat)):
        if proc is None:
            continue
        found.append((f"{role} main", proc.pid))
        found += [(f"{role} child", pid) for pid in children(proc.pid)]
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


ROLE_NAMES = {
    "gunicorn main": "gunicorn master",
    "gunicorn child": "gunicorn workers",
    "celery worker main": "Celery worker (main)",
    "celery worker child": "Celery pool processes",
    "celery beat main": "Celery beat",
}


def memory_trend(samples: list) -> tuple[bool, list[str], list[str]]:
    """Median RSS of each process over the first and the last minute sampled (a quarter of the
    time, if shorter); flat when no process grew by 10% or more. One line per kind of process."""
    if not samples:
        return False, ["no samples"], []
    start, end = samples[0][0], samples[-1][0]
    window = min(60.0, (end - start) / 4)
    growth: dict[str, list[tuple[float, float]]] = {}
    for role, pid in sorted({(role, pid) for _, role, pid, _ in samples}):
        mine = [(t, mb) for t, r, p, mb in samples if p == pid]
        first = [mb for t, mb in mine if t <= start + window]
        last = [mb for t, mb in mine if t >= end - window]
        if first and last:
            growth.setdefault(ROLE_NAMES.get(role, role), []).append(
                (statistics.median(first), statistics.median(last))
            )
    lines, grown = [], []
    for role, pairs in growth.items():
        worst = max(b / a - 1 for a, b in pairs)
        if worst >= 0.10:
            grown.append(role)
        firsts = "/".join(f"{a:.0f}" for a, _ in pairs)
        lasts = "/".join(f"{b:.0f}" for _, b in pairs)
        count = f" ×{len(pairs)}" if len(pairs) > 1 else ""
        lines.append(f"{role}{count} {firsts} → {lasts} MB ({'max ' if count else ''}{worst:+.0%})")
    return bool(growth) and not grown, lines, grown


# --- Running and reporting ------------------------------------------------------------------------

SOAK_SUBMISSIONS = int(os.environ.get("SOAK_SUBMISSIONS", "20000"))
WARM_UP = min(500, SOAK_SUBMISSIONS // 10)  # callbacks before the soak's memory baseline
# name: (title, drill)
DRILLS: dict[str, tuple[str, Callable[[Harness, Result], None]]] = {
    "redis-stop": ("Redis stopped while visitors post callbacks", lambda h, r: drill_redis(h, r, "stop")),
    "redis-freeze": ("Redis frozen (SIGSTOP) while visitors post callbacks", lambda h, r: drill_redis(h, r, "freeze")),
    "worker-kill": ("Celery worker killed with SIGKILL in the middle of deliveries", drill_worker_kill),
    "postgres-restart": ("PostgreSQL restarted under load", drill_postgres),
    "eligibility-timeout": ("Eligibility gateway timing out", drill_eligibility),
    "soak": (f"Soak: {SOAK_SUBMISSIONS:,} callbacks with a worker running", drill_soak),
}


def print_result(result: Result) -> None:
    print(f"\n{'PASS' if result.passed else 'FAIL'}  {result.name}: {result.title} ({result.seconds:.0f} s)")
    for check in result.checks:
        print(f"  [{'ok' if check.ok else 'MISSED'}] {check.target}: {check.measured}")
    for label, value in result.figures:
        print(f"  {label}: {value}")
    for note in result.notes:
        print(f"  note: {note}")
    if result.error:
        print(f"  error: {result.error}")
    sys.stdout.flush()


def prose(text: str) -> list[str]:
    return textwrap.wrap(text, width=105, break_long_words=False, break_on_hyphens=False)


def report(results: list[Result], versions: dict, started: float, complete: bool) -> Path:
    lines = ["# Reliability", ""]
    lines += prose(
        f"Measured by `make drills` on {dt.date.today():%Y-%m-%d} ({(time.monotonic() - started) / 60:.0f} min). "
        "Each drill runs on a fresh database in a private PostgreSQL cluster, with a private Redis (cache and "
        f"broker), gunicorn ({App.WEB_WORKERS} sync workers) with production settings, a Celery worker "
        f"(prefork, {App.WORKER_CONCURRENCY} processes) and Celery beat, and one on-duty admissions worker "
        "notified by email, plus the team chat webhook: two notifications per lead. Email and webhook go to a "
        "fake SMTP server and HTTP server that count what they accept (a message counts when the server answers "
        'its sender), so "exactly once" is what staff would receive, not what our own rows say. '
        f"{CONCURRENCY} visitors post at once."
    )
    lines += [""]
    lines += prose(
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
        f"Redis {versions['redis']}, PostgreSQL {versions['postgres']}. Every process's log, every answer and "
        "every memory sample of the run are left in `var/drills/<drill>/`."
    )
    lines += ["", "| drill | result | time |", "| --- | --- | --- |"]
    lines += [f"| {r.title} | {'PASS' if r.passed else 'FAIL'} | {r.seconds:.0f} s |" for r in results]
    for r in results:
        lines += ["", f"## {r.title}: {'PASS' if r.passed else 'FAIL'}", ""]
        lines += prose(f"`{r.name}`: {drill_doc(r.name)}")
        lines += ["", "| target | measured | |", "| --- | --- | --- |"]
        lines += [f"| {c.target} | {c.measured} | {'ok' if c.ok else 'MISSED'} |" for c in r.checks]
        if r.error:
            lines += [f"| the drill ran to the end | {r.error} | MISSED |"]
        if r.figures:
            lines += [""] + [f"- {label}: {value}" for label, value in r.figures]
        for note in r.notes:
            lines += [""] + prose(note)
    text = "\n".join(lines) + "\n"
    path = ROOT / "docs" / "reliability.md" if complete else LOGS / "reliability.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def drill_doc(name: str) -> str:
    function = drill_redis if name.startswith("redis-") else DRILLS[name][1]
    return " ".join((function.__doc__ or "").split())


def main() -> int:
    wanted = (os.environ.get("DRILLS") or " ".join(sys.argv[1:]) or " ".join(DRILLS)).replace(",", " ").split()
    unknown = [name for name in wanted if name not in DRILLS]
    if unknown:
        print(f"Unknown drill(s) {', '.join(unknown)}; choose from: {', '.join(DRILLS)}")
        return 2
    # `make` killed, or a terminal closed: unwind through the `finally` blocks like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    started = time.monotonic()
    harness = Harness()
    results: list[Result] = []
    versions = {"redis": "?", "postgres": "?"}
    try:
        harness.start()
        versions = {"redis": harness.redis.version(), "postgres": harness.pg.version()}
        for name in wanted:
            print(f"\n== {name}", flush=True)
            began = time.monotonic()
            title, drill = DRILLS[name]
            result = Result(name, title)
            try:
                drill(harness, result)
            except (DrillTimeout, DrillError, OSError, RuntimeError) as exc:
                result.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            result.seconds = time.monotonic() - began
            results.append(result)
            print_result(result)
    finally:
        harness.stop()
    # docs/ gets only a run of every drill as it is meant to be run.
    trial = [name for name in TRIAL_SETTINGS if os.environ.get(name)]
    path = report(results, versions, started, complete=list(wanted) == list(DRILLS) and not trial)
    failed = [r.name for r in results if not r.passed]
    print(f"\n{len(results) - len(failed)}/{len(results)} drills passed; figures in {path.relative_to(ROOT)}")
    if failed:
        print("Failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
