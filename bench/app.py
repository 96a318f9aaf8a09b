"""Lantern's own processes on the stack, as production runs them (docker/entrypoint.sh): gunicorn, a
Celery worker and beat; the environment they share; and what each process costs (CPU, memory).

They run with DJANGO_SETTINGS_MODULE=bench.settings: production settings with the harness's own URLs
beside the site's (bench/urls.py), so no benchmark switch lives in production code.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.fakes import FakeWorldProcess
from bench.stack import (
    PrivatePostgres,
    PrivateRedis,
    StackError,
    free_port,
    signal_group,
    spawn,
    stop_group,
    wait_until,
)

# Fixed keys for invented data only: the databases they protect are thrown away after each run.
FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMDAwMDAwMDAwMDA="
DATABASE = "lantern_stack"


def launch_worker(
    env: dict, log_path: Path, *, name: str, app: str = "config", pool: str = "prefork", concurrency: int = 2
) -> subprocess.Popen:
    """`celery worker` for the Celery app `app` (a module that exposes it), started and ready to take
    tasks; StackError if it does not get there. The process has `log_path` as its `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    command = [sys.executable, "-m", "celery", "-A", app, "worker", f"--pool={pool}", "-n", name,
               f"--concurrency={concurrency}", "--loglevel=INFO", "--without-heartbeat", "--without-gossip",
               "--without-mingle"]  # fmt: skip
    proc = spawn(command, log_path, env)
    ready = wait_until(lambda: "ready." in log_path.read_text(errors="replace") or proc.poll() is not None, 60)
    if not ready or "ready." not in log_path.read_text(errors="replace"):
        stop_group(proc)
        raise StackError("The Celery worker did not start:\n" + log_path.read_text(errors="replace")[-3000:])
    proc.log_path = log_path
    return proc


class Servers:
    """A private PostgreSQL cluster and Redis server for one run, the fake outside world's ports, and
    the production environment pointed at them."""

    def __init__(self, name: str):
        self.workdir = Path(tempfile.mkdtemp(prefix=f"lantern-{name}-"))
        self.pg = PrivatePostgres()
        self.redis = PrivateRedis(self.workdir)
        self.fake_ports = {"smtp": free_port(), "http": free_port()}

    def start(self) -> None:
        self.pg.init()
        self.pg.start()
        self.redis.start()
        self.pg.admin(f'CREATE DATABASE "{DATABASE}"')

    def stop(self) -> None:
        self.redis.stop()
        self.pg.stop()
        self.pg.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def env(self, **overrides: str) -> dict:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": self.pg.url(DATABASE),
            "REDIS_URL": self.redis.url(0),
            "CELERY_BROKER_URL": self.redis.url(1),
            # As in production (docker-compose.yml): the spool and the alert journal in Redis.
            "DURABLE_STORE_URL": self.redis.url(2),
            "CELERY_QUEUE": "lantern-stack",
            "DEBUG": "0",
            "SECRET_KEY": "stack-only-secret-key-" + "x" * 40,
            "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
            "FIELD_HASH_KEY": "stack-hash-key",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(self.workdir / "static"),
            "LANTERN_VAR_DIR": str(self.workdir / "var"),
            "EMAIL_URL": f"smtp://127.0.0.1:{self.fake_ports['smtp']}",
            # One address posts thousands of forms: lift the per-IP limit.
            "FORM_RATE_LIMIT": "100000000",
            "LOG_LEVEL": "INFO",
            # The sandbox payer waits 3 s to feel real; here it would only keep the worker busy.
            "ELIGIBILITY_SANDBOX_DELAY": "0",
            **overrides,
        }

    def fake_world(self, logdir: Path, delay: float = 0.0, gateway_delay: float = 60.0) -> FakeWorldProcess:
        return FakeWorldProcess(self.fake_ports, logdir, delay=delay, gateway_delay=gateway_delay)


class App:
    """gunicorn, a Celery worker and Celery beat."""

    WEB_WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
    WORKER_CONCURRENCY = 2

    def __init__(self, env: dict, logdir: Path):
        self.env = env
        self.logdir = logdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.worker_starts = 0

    def start(self) -> None:
        self.start_web()
        self.start_worker()
        self.start_beat()

    def start_web(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{self.port}",
                   "-w", str(self.WEB_WORKERS), "--threads", "1", "--log-level", "warning"]  # fmt: skip
        self.web = spawn(command, self.logdir / "gunicorn.log", self.env)

        def answers() -> bool:
            try:
                urllib.request.urlopen(f"{self.base}/callback/", timeout=2)  # noqa: S310 - loopback
                return True
            except OSError:
                return False

        if not wait_until(answers, 60):
            raise StackError(f"gunicorn did not start; see {self.logdir / 'gunicorn.log'}")

    def start_worker(self) -> None:
        self.worker_starts += 1
        log = self.logdir / f"worker-{self.worker_starts}.log"
        self.worker = launch_worker(
            self.env, log, name=f"stack{self.worker_starts}@%h", concurrency=self.WORKER_CONCURRENCY
        )

    def kill_worker(self) -> None:
        """SIGKILL the worker's whole group, main process and pool children at once: no warm
        shutdown, no acknowledgement, no cleanup."""
        signal_group(self.worker, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def start_beat(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
                   "--schedule", str(self.logdir / "celerybeat-schedule")]  # fmt: skip
        log = self.logdir / "beat.log"
        self.beat = spawn(command, log, self.env)
        if not wait_until(lambda: "beat: Starting" in log.read_text(errors="replace"), 60):
            raise StackError(f"Celery beat did not start; see {log}")

    def stop(self) -> None:
        for proc in (self.web, self.beat, self.worker):
            stop_group(proc)
        self.web = self.worker = self.beat = None

    def web_pids(self) -> list[int]:
        """gunicorn's master and workers as they are now (a restarted worker has a new pid)."""
        return tree(self.web.pid) if self.web else []

    def processes(self) -> dict[str, list[int]]:
        """Every process of the app by kind, children included, as they are now."""
        kinds = {"gunicorn": self.web, "Celery worker": self.worker, "Celery beat": self.beat}
        return {kind: tree(proc.pid) for kind, proc in kinds.items() if proc is not None}


# --- What processes cost -------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []
    return found + [grandchild for child in found for grandchild in children(child)]


def tree(pid: int | None) -> list[int]:
    return [pid, *children(pid)] if pid else []


def cpu_seconds(pids: list[int]) -> float:
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


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0
