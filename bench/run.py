"""`make bench`: Lantern under load on the real stack, against a bare Django view.

Starts gunicorn (production settings, PostgreSQL, Redis) on loopback with a Celery worker, loads
200 articles and 50,000 leads, drives each page with wrk, and prints requests per second, p50 and
p99, each as a ratio to the bare "hello" view measured in the same run. Writes docs/performance.md.
"""

import datetime as dt
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
STAFF_CONNECTIONS = os.environ.get("BENCH_STAFF_CONNECTIONS", "2")
TARGETS = {  # name: (minimum ratio of baseline rps, maximum p99 ms)
    "cached article": (0.7, None),
    "uncached article": (0.3, None),
    "callback POST": (0.25, None),
    "staff queue": (None, 50.0),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BENCH_FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMDAwMDAwMDAwMDA="


def bench_env(static_root: Path) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_QUEUE"))},
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lantern_bench"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "CELERY_QUEUE": "lantern-bench",
        "DEBUG": "0",
        "BENCHMARK": "1",
        # Fixed, benchmark-only keys: the benchmark database keeps its rows between runs, and
        # they must stay readable. They protect nothing but invented data.
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": BENCH_FIELD_KEY,
        "FIELD_HASH_KEY": "bench-hash-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(static_root),
        "EMAIL_URL": "dummymail://",
        # The benchmark is one address posting thousands of forms: lift the per-IP limit.
        "FORM_RATE_LIMIT": "100000000",
        "LOG_LEVEL": "WARNING",
        # The sandbox payer waits 3 s to feel real; here it would only keep the worker busy.
        "ELIGIBILITY_SANDBOX_DELAY": "0",
    }


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def ensure_database(env: dict) -> None:
    import psycopg2

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


RESULT = re.compile(r"BENCH rps=([\d.]+) p50=([\d.]+) p99=([\d.]+) requests=(\d+) non2xx=(\d+) sockerr=(\d+)")


def wrk(url: str, script: Path, extra_env: dict | None = None, headers: list[str] = (), connections=None) -> dict:
    connections = connections or CONNECTIONS
    threads = min(2, int(connections))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{DURATION}s", "--latency", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    result = subprocess.run(command + [url], capture_output=True, text=True, env={**os.environ, **(extra_env or {})})
    match = RESULT.search(result.stdout)
    if not match:
        sys.exit(f"wrk failed for {url}:\n{result.stdout}\n{result.stderr}")
    rps, p50, p99, requests, non2xx, sockerr = match.groups()
    return {"rps": float(rps), "p50": float(p50), "p99": float(p99), "requests": int(requests),
            "errors": int(non2xx) + int(sockerr)}  # fmt: skip


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def cpu_seconds(pids) -> float:
    """User plus system CPU time the processes have used so far, with that of their children that
    have exited (PostgreSQL backends and gunicorn workers come and go; their parents keep the sum)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(ticks) for ticks in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def named(command: str) -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == command:
                found.append(int(comm.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return found


def children(pid: int) -> list[int]:
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return found + [grandchild for child in found for grandchild in children(child)]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    static_root = Path(tempfile.mkdtemp(prefix="lantern-bench-static-"))
    env = bench_env(static_root)
    ensure_database(env)
    print("Preparing: migrate, collectstatic, 200 articles, 50,000 leads, a signed-in worker…", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v0")
    prepared = manage(env, "shell", "-c", (ROOT / "bench" / "prepare.py").read_text())
    facts = dict(line.split("=", 1) for line in prepared.split() if "=" in line)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = os.environ.get("BENCH_WORKERS", "4")
    web = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", workers, "--threads", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-l", "warning", "--concurrency", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/hello/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        groups = {
            "web": lambda: [web.pid, *children(web.pid)],
            "worker": lambda: [worker.pid, *children(worker.pid)],
            "PostgreSQL": lambda: named("postgres"),
            "Redis": lambda: named("redis-server"),
        }
        results = run_all(base, facts, env["DATABASE_URL"], groups)
        memory = {"web (gunicorn, all workers)": rss_mb(web.pid), "worker (celery)": rss_mb(worker.pid)}
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=30)
    report(results, memory, workers)


def run_all(base: str, facts: dict, database_url: str, groups: dict) -> dict:
    get = ROOT / "bench" / "wrk" / "report.lua"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as post:
        post.write((ROOT / "bench" / "wrk" / "post_form.lua").read_text() + "\n" + get.read_text())
    post_script = Path(post.name)
    csrf = {"BENCH_CSRF_COOKIE": facts["csrf_cookie"]}
    callback_form = (
        f"csrfmiddlewaretoken={facts['csrf_token']}&name=Bench+Visitor&phone={{PHONE}}&for_whom=self"
        "&best_time=asap&consent=on"
    )
    verify_form = (
        f"csrfmiddlewaretoken={facts['csrf_token']}&first_name=Bench&last_name=Visitor&date_of_birth=1990-05-17"
        f"&phone={{PHONE}}&payer={facts['payer']}&member_id=LNT100001&relationship=self&consent=on"
    )
    staff_cookie = f"Cookie: sessionid={facts['session']}"
    runs = [
        ("baseline (bare hello view)", f"{base}/bench/hello/", get, None, []),
        ("cached article", f"{base}/articles/{facts['article']}/", get, None, []),
        ("uncached article", f"{base}/articles/{facts['article']}/", get, None, ["X-Bench-Uncached: 1"]),
        ("article list", f"{base}/articles/", get, None, []),
        ("search", f"{base}/articles/?q=withdrawal+symptoms", get, None, []),
        ("callback POST", f"{base}/callback/", post_script,
         {**csrf, "BENCH_FORM": callback_form, "BENCH_PATH": "/callback/"}, []),
        ("verification POST", f"{base}/verify/", post_script,
         {**csrf, "BENCH_FORM": verify_form, "BENCH_PATH": "/verify/"}, []),
        # The queue's target is latency, not throughput: two workers' queues refreshing back to
        # back (a team polls every 10 s each), not 16 connections queueing behind one another.
        ("staff queue", f"{base}/staff/", get, None, [staff_cookie, "X-Queue-Refresh: 1"], STAFF_CONNECTIONS),
        # Again at the end: ratios use the better of the two, so a busy moment at the start can't
        # flatter every page.
        ("baseline, again at the end", f"{base}/bench/hello/", get, None, []),
    ]  # fmt: skip
    results = {}
    for name, url, script, extra, headers, *connections in runs:
        print(f"  {name}…", flush=True)
        # Where each request's CPU goes (wrk's own share included), to say what a slow page spends.
        before = {group: cpu_seconds(pids()) for group, pids in groups.items()}
        load_before = os.times()
        results[name] = wrk(url, script, extra, headers, *connections)
        load_after = os.times()
        spent = {group: cpu_seconds(pids()) - before[group] for group, pids in groups.items()}
        spent["wrk"] = (load_after.children_user + load_after.children_system) - (
            load_before.children_user + load_before.children_system
        )
        requests = max(results[name]["requests"], 1)
        results[name]["cpu_ms"] = {group: 1000 * secs / requests for group, secs in spent.items()}
        # Each page is timed on a quiet machine: the worker first delivers what the POSTs queued.
        drained = wait_for_worker(database_url)
        if drained:
            results[name]["drained"] = drained
    return results


BACKLOG = (
    "SELECT (SELECT count(*) FROM intake_notification WHERE status IN ('pending', 'sending'))"
    " + (SELECT count(*) FROM verification_eligibilitycheck WHERE status IN ('pending', 'running'))"
)


def wait_for_worker(database_url: str, limit: float = 300) -> tuple[int, float] | None:
    """Wait until the worker has sent every queued notification and run every eligibility
    check; return (how many there were, seconds taken), or None if there were none."""
    import psycopg2

    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    started = time.monotonic()
    try:
        with conn.cursor() as cursor:
            cursor.execute(BACKLOG)
            first = cursor.fetchone()[0]
            remaining = first
            while remaining and time.monotonic() - started < limit:
                time.sleep(0.5)
                cursor.execute(BACKLOG)
                remaining = cursor.fetchone()[0]
    finally:
        conn.close()
    if remaining:
        sys.exit(f"The worker still had {remaining} deliveries or checks to do after {limit:.0f} s")
    return (first, time.monotonic() - started) if first else None


def report(results: dict, memory: dict, workers: str) -> None:
    baseline = max(results["baseline (bare hello view)"]["rps"], results["baseline, again at the end"]["rps"])
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {dt.date.today():%Y-%m-%d}: gunicorn ({workers} sync workers) with production",
        "settings on PostgreSQL and Redis on loopback, a Celery worker running, 200 articles and 50,000 open",
        f"leads; wrk, 2 threads, {CONNECTIONS} connections ({STAFF_CONNECTIONS} for the staff queue), {DURATION} s",
        "per page. Ratios are to the bare Django view in the same run (timed first and last; the better of",
        "the two counts).",
        "",
        "- *cached article*: an anonymous first visit (no cookies), so each response also mints a CSRF",
        "  token and cookie for the page's callback form.",
        "- *uncached article*: the same page with the page cache skipped (an `X-Bench-Uncached` header that",
        "  only the benchmark settings honour): the full render, 4 queries.",
        "- *callback POST* and *verification POST*: a real CSRF token and a new phone number each time; one",
        "  worker is on duty, so each POST also queues an email notification on the broker.",
        "- *staff queue*: the table the queue page polls, as a signed-in worker with a verified second factor.",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}.",
        "",
        "| page | req/s | ratio | p50 ms | p99 ms | errors | target | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    failed = []
    for name, r in results.items():
        ratio = r["rps"] / baseline
        minimum, max_p99 = TARGETS.get(name, (None, None))
        target, ok = "", r["errors"] == 0
        if minimum is not None:
            target = f">= {minimum}x"
            ok = ok and ratio >= minimum
        if max_p99 is not None:
            target = f"p99 < {max_p99:g} ms"
            ok = ok and r["p99"] < max_p99
        if not ok:
            failed.append(name)
        lines.append(
            f"| {name} | {r['rps']:.0f} | {ratio:.2f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | {target} |"
            f" {'ok' if ok else 'MISSED'} |"
        )
    drains = [(name, r["drained"]) for name, r in results.items() if "drained" in r]
    if drains:
        lines += ["", "After each POST run the worker delivered what it had queued before the next page was timed:", ""]
        lines += [f"- {name}: {n} notifications and eligibility checks in {secs:.1f} s" for name, (n, secs) in drains]
    groups = list(next(iter(results.values()))["cpu_ms"])
    lines += ["", "CPU time per request, by process (ms; 2 cores serve about 2,000 ms of CPU per second):", ""]
    lines += ["| page | " + " | ".join(groups) + " | all |", "| --- |" + " --- |" * (len(groups) + 1)]
    for name, r in results.items():
        cpu = r["cpu_ms"]
        lines.append(f"| {name} | " + " | ".join(f"{cpu[g]:.2f}" for g in groups) + f" | {sum(cpu.values()):.2f} |")
    lines += ["", "Memory after the run (resident):", ""]
    lines += [f"- {name}: {mb:.0f} MB" for name, mb in memory.items()]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "performance.md").write_text(text)
    if failed:
        print("Targets missed: " + ", ".join(failed))


if __name__ == "__main__":
    main()
