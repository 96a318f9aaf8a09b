"""The long drills of `make drills`: an eligibility gateway that never answers, and a soak of many
callbacks with memory watched. Judged by what staff see and what the fake world accepted."""

import itertools
import os
import statistics
import threading
import time

from bench.app import App, rss_mb, tree
from bench.drill_harness import (
    ALERTS_PER_LEAD,
    CONCURRENCY,
    Harness,
    Result,
    close_db,
    kinds,
    latency_figures,
    not_taken,
    note_duplicates,
    running,
    saved_phones,
    staff_page,
    time_limit,
    wait_for_deliveries,
)
from bench.stack import wait_until
from bench.visitors import Answer, Visitor, next_phone, submit_callbacks, write_answers

SOAK_SUBMISSIONS = int(os.environ.get("SOAK_SUBMISSIONS", "20000"))
WARM_UP = min(500, SOAK_SUBMISSIONS // 10)  # callbacks before the soak's memory baseline


# --- Drill: the eligibility gateway times out ----------------------------------------------------


def drill_eligibility(harness: Harness, result: Result) -> None:
    """A verification request against a clearinghouse that takes every connection and never answers
    within ELIGIBILITY_TIMEOUT. The check must be retried with backoff, then give up, and the request
    must land in "needs review" with a reason staff can read."""
    from django.conf import settings

    from verification.models import Payer, VerificationRequest

    # The app's own number of attempts unless a trial run asks for fewer.
    attempts = int(os.environ.get("DRILL_ELIGIBILITY_ATTEMPTS") or settings.ELIGIBILITY_MAX_ATTEMPTS)
    timeout, first_wait, longest_wait = 1.0, 60, 1800
    # The drill states the back-off it expects, so its time limit does not depend on the app's defaults.
    backoff = sum(min(first_wait * 2 ** (n - 1), longest_wait) for n in range(1, attempts))
    limit = backoff + attempts * (timeout + 5) + 2 * 60
    env = {
        "ELIGIBILITY_TIMEOUT": str(timeout),
        "ELIGIBILITY_MAX_ATTEMPTS": str(attempts),
        "DELIVERY_RETRY_BASE_SECONDS": str(first_wait),
        "DELIVERY_RETRY_MAX_SECONDS": str(longest_wait),
    }
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
            len(calls) == attempts,
            f"{len(calls)} calls received, {attempts} configured",
        )
        page = staff_page(stack.site, f"/staff/verifications/{verification.pk}/")
        reasons = ("could not be reached", "answered HTTP")
        shown = next((reason for reason in reasons if reason in page), "")
        result.check(
            "with a clear reason, shown to staff",
            bool(shown) and "Needs review" in page,
            f'"{shown}" on the staff workspace' if shown else "no reason on the staff workspace",
        )


# --- Soak -----------------------------------------------------------------------------------------


def drill_soak(harness: Harness, result: Result) -> None:
    """20,000 callbacks over several minutes with the worker delivering as they come; the memory of
    every gunicorn and Celery process sampled every 5 s, from the first post to the last delivery."""
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
        with running([sampler], stop):
            answers = submit_callbacks(stack.site, total, CONCURRENCY, count)
            posting = time.monotonic() - started
            behind = ALERTS_PER_LEAD * len(answers) - len(stack.sinks.accepted())
            report = wait_for_deliveries(stack.sinks, timeout=900)
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
        result.check("every alert delivered exactly once", report.exactly_once, report.describe())
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
            f"{max(behind, 0):,} alerts still to deliver when posting ended, the last one {report.waited:.0f} s later",
        )
        if grown:
            result.notes.append(f"Every memory sample is in var/drills/{result.name}/rss.tsv.")


def processes(app: App) -> list[tuple[str, int]]:
    found = []
    for role, proc in (("gunicorn", app.web), ("celery worker", app.worker), ("celery beat", app.beat)):
        if proc is None:
            continue
        main, *children = tree(proc.pid)
        found += [(f"{role} main", main)] + [(f"{role} child", pid) for pid in children]
    return found


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
