"""`make drills`: fault drills against the real stack, and a soak. Writes docs/reliability.md.

Each drill gets a fresh database on a private PostgreSQL, a private Redis, gunicorn with production
settings, a Celery worker and beat, and a fake outside world that counts the staff alerts it accepts
(bench/fakes.py). It breaks one thing, checks the targets of issues 8 and 15, prints PASS or FAIL with
its figures, and stops by itself within its time limit. Then everything is torn down.

    make drills                         all of them (about 80 minutes: two SMTP outages of 20 min)
    make drills DRILLS="soak"           some of them, by name (see DRILLS below)
    SOAK_SUBMISSIONS=2000 make drills DRILLS=soak   a shorter soak, for trying things out
    DRILL_SMTP_OUTAGE_SECONDS=240 make drills DRILLS=smtp-refuse   a shorter SMTP outage, likewise
    .venv/bin/python -m bench.drills redis-stop     one drill, without make

Only a run of every drill writes docs/reliability.md; a partial run writes var/drills/reliability.md.
Logs of every process of the last run stay in var/drills/<drill>/.
"""

import datetime as dt
import os
import platform
import shutil
import signal
import sys
import textwrap
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.app import App
from bench.drill_harness import CONCURRENCY, LOGS, DrillTimeout, Harness, Result
from bench.drills_failures import drill_card_store, drill_postgres_burst, drill_postgres_mid_send, drill_urgent_in_burst
from bench.drills_long import SOAK_SUBMISSIONS, drill_eligibility, drill_soak
from bench.drills_outages import drill_postgres, drill_redis, drill_worker_kill
from bench.drills_smtp import SMTP_OUTAGE, drill_smtp_refuse
from bench.drills_texting import drill_sms_inbound_flood, drill_sms_provider_down
from bench.stack import ROOT, StackError

TRIAL_SETTINGS = ("DRILL_CONCURRENCY", "SOAK_SUBMISSIONS", "DRILL_ELIGIBILITY_ATTEMPTS", "DRILL_SMTP_OUTAGE_SECONDS")


# --- Running and reporting ------------------------------------------------------------------------

# name: (title, drill)
DRILLS: dict[str, tuple[str, Callable[[Harness, Result], None]]] = {
    "redis-stop": ("Redis stopped while visitors post callbacks", lambda h, r: drill_redis(h, r, "stop")),
    "redis-freeze": ("Redis frozen (SIGSTOP) while visitors post callbacks", lambda h, r: drill_redis(h, r, "freeze")),
    "worker-kill": ("Celery worker killed with SIGKILL in the middle of deliveries", drill_worker_kill),
    "postgres-restart": ("PostgreSQL restarted under load", drill_postgres),
    "smtp-refuse": (
        f"SMTP refusing every message for {SMTP_OUTAGE / 60:g} min, no chat webhook",
        lambda h, r: drill_smtp_refuse(h, r, chat=False),
    ),
    "smtp-refuse-chat": (
        f"SMTP refusing every message for {SMTP_OUTAGE / 60:g} min, with the chat webhook",
        lambda h, r: drill_smtp_refuse(h, r, chat=True),
    ),
    "postgres-mid-send": ("PostgreSQL stopped for 60 s while alerts are being sent", drill_postgres_mid_send),
    "postgres-burst": ("PostgreSQL stopped for 60 s during a burst of visitors", drill_postgres_burst),
    "card-store-unwritable": ("The card-photo store cannot be written", drill_card_store),
    "urgent-in-burst": ("One urgent request in a burst of 1,000 routine ones", drill_urgent_in_burst),
    "eligibility-timeout": ("Eligibility gateway timing out", drill_eligibility),
    "sms-provider-down": ("The SMS provider refusing every text for 60 s", drill_sms_provider_down),
    "sms-inbound-flood": ("2,000 inbound texts from 200 numbers in a burst", drill_sms_inbound_flood),
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
        f"(prefork, {App.WORKER_CONCURRENCY} processes) and Celery beat, and (unless a drill says otherwise) one "
        "on-duty admissions worker notified by email, plus the team chat webhook: two notifications per lead. "
        "Email, texts and webhook go to a fake SMTP server and HTTP server that count what they accept (a "
        'message counts when the server answers its sender), so "exactly once" is what staff would receive, '
        f"not what our own rows say. {CONCURRENCY} visitors post at once."
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
    # The drills run in two variants document themselves once.
    variants = {"redis-": drill_redis, "smtp-refuse": drill_smtp_refuse}
    function = next((f for prefix, f in variants.items() if name.startswith(prefix)), DRILLS[name][1])
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
            except (DrillTimeout, StackError, OSError, RuntimeError) as exc:
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
