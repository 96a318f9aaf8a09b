"""The stack `make drills` breaks on purpose: private PostgreSQL and Redis servers, gunicorn, a Celery
worker and beat, and the fake outside world (bench/fake_services.py).

The machine's shared PostgreSQL (5432) and Redis (6379) are never touched: other test runs use them,
and a drill stops, freezes and restarts its servers. Every process started here is in a process group
of its own, so it can be stopped whole (gunicorn's and Celery's children included) and so Ctrl-C in
the terminal reaches only the driver, whose `finally` stops everything in order.
"""

import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import bench_env, free_port  # noqa: E402 - bench/run.py, the `make bench` harness

DRILL_DB = "lantern_drill"
TEMPLATE_DB = "lantern_drill_template"
STAFF_EMAIL = "admissions-drill@lantern.example"
# Fixed keys for invented data only, as `make bench` does; the drill databases are thrown away.
DRILL_FIELD_KEY = "ZHJpbGxzLW9ubHktZmllbGQta2V5LTAwMDAwMDAwMDA="


class DrillError(Exception):
    """The stack could not be set up: not a drill result, a broken harness or machine."""


def spawn(command: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()  # the child has its own copy


def signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop_group(proc: subprocess.Popen | None, timeout: float = 20.0) -> None:
    """SIGTERM the process's group, then SIGKILL what is left after `timeout`."""
    if proc is None:
        return
    signal_group(proc, signal.SIGTERM)
    # A frozen (SIGSTOPped) process keeps a SIGTERM pending until it runs again.
    signal_group(proc, signal.SIGCONT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    # Children may outlive their leader (a gunicorn worker, a Celery pool process).
    signal_group(proc, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- Redis --------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stopping it loses its queues,
    as a crashed broker without AOF would."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise DrillError("redis-server is not installed (apt-get install redis-server)")
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def version(self) -> str:
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True).stdout
        return next((part.split("=", 1)[1] for part in out.split() if part.startswith("v=")), out.strip())

    def start(self) -> None:
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        # No RDB snapshots, no AOF: what a stopped Redis held is gone when it comes back.
        command = [self.binary, *options, "--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.proc = spawn(command, self.workdir / "redis.log")
        if not wait_until(self.ping, 10):
            raise DrillError(f"the private redis-server did not start; see {self.workdir / 'redis.log'}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def flush(self) -> None:
        import redis

        redis.Redis(port=self.port, socket_timeout=5).flushall()

    def stop(self) -> None:
        stop_group(self.proc, timeout=10)
        self.proc = None

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)


# --- PostgreSQL ---------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of our own: initdb into a temporary directory, trust authentication on
    127.0.0.1 only, started and restarted with pg_ctl."""

    def __init__(self):
        self.bindir = self._find_bindir()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lantern-drills-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"

    @staticmethod
    def _find_bindir() -> Path:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        if candidates:
            return Path(candidates[-1]).parent
        initdb = shutil.which("initdb")
        if initdb:
            return Path(initdb).parent
        raise DrillError("PostgreSQL's initdb was not found (apt-get install postgresql)")

    def _as_owner(self, command: list[str]) -> list[str]:
        # initdb and the server refuse to run as root; run them as the postgres system user.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._as_owner([str(self.bindir / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.dir,
        )

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
        found = re.search(r"\(PostgreSQL\) (\S+)", out)  # "postgres (PostgreSQL) 15.20 (Debian …)"
        return found.group(1) if found else out.strip()

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        result = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        if result.returncode:
            raise DrillError(f"initdb failed:\n{result.stderr[-2000:]}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n")
            conf.write(f"unix_socket_directories = '{self.dir}'\n")

    def start(self) -> None:
        result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        if result.returncode:
            raise DrillError(f"pg_ctl start failed:\n{result.stderr[-2000:]}\n{self.tail_log()}")

    def restart(self) -> None:
        # "fast": sessions are cut and open transactions rolled back, as in a failover or an upgrade.
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart"
        )
        if result.returncode:
            raise DrillError(f"pg_ctl restart failed:\n{result.stderr[-2000:]}\n{self.tail_log()}")

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        result = self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        if result.returncode and (self.data / "postmaster.pid").exists():
            # pg_ctl could not stop it: end the postmaster we started, by the id it wrote.
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def tail_log(self) -> str:
        try:
            return self.log.read_text()[-2000:]
        except OSError:
            return ""

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def accepting(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(self.url("postgres"), connect_timeout=1).close()
            return True
        except psycopg2.Error:
            return False

    def admin(self, *statements: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url("postgres"), connect_timeout=5)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            conn.close()

    def fresh_drill_database(self) -> None:
        """A new drill database, copied from the migrated template (a copy takes a second; a
        migration from scratch takes much longer)."""
        self.admin(
            f'DROP DATABASE IF EXISTS "{DRILL_DB}" WITH (FORCE)',
            f'CREATE DATABASE "{DRILL_DB}" TEMPLATE "{TEMPLATE_DB}"',
        )


# --- The application ----------------------------------------------------------------------------


def drill_env(pg: PrivatePostgres, redis: PrivateRedis, workdir: Path, sinks: dict) -> dict:
    """`make bench`'s production environment, pointed at the private servers and the fake world."""
    env = bench_env(workdir / "static")
    env.update(
        {
            "DATABASE_URL": pg.url(DRILL_DB),
            "REDIS_URL": redis.url(0),
            "CELERY_BROKER_URL": redis.url(1),
            "CELERY_QUEUE": "lantern-drills",
            "BENCHMARK": "0",
            "SECRET_KEY": "drills-only-secret-key-" + "x" * 40,
            "FIELD_ENCRYPTION_KEYS": DRILL_FIELD_KEY,
            "FIELD_HASH_KEY": "drills-hash-key",
            "LANTERN_VAR_DIR": str(workdir / "var"),
            "EMAIL_URL": f"smtp://127.0.0.1:{sinks['smtp']}",
            "CHAT_WEBHOOK_URL": f"http://127.0.0.1:{sinks['http']}/hooks/team",
            "ELIGIBILITY_GATEWAY": "x12",
            "ELIGIBILITY_X12_URL": f"http://127.0.0.1:{sinks['http']}/eligibility/x12",
            "ELIGIBILITY_CLEARINGHOUSE_NAME": "Drills clearinghouse",
            "LOG_LEVEL": "INFO",
        }
    )
    return env


class App:
    """gunicorn, a Celery worker and Celery beat as production runs them (see docker/entrypoint.sh)."""

    WEB_WORKERS = 4
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

    def start_web(self) -> None:
        command = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{self.port}",
                   "-w", str(self.WEB_WORKERS), "--threads", "1", "--log-level", "warning"]  # fmt: skip
        self.web = spawn(command, self.logdir / "gunicorn.log", self.env)

        def answers() -> bool:
            try:
                urllib.request.urlopen(f"{self.base}/callback/", timeout=2)  # noqa: S310 - loopback
                return True
            except OSError:
                return False

        if not wait_until(answers, 60):
            raise DrillError(f"gunicorn did not start; see {self.logdir / 'gunicorn.log'}")

    def web_pids(self) -> list[int]:
        from run import children

        return [self.web.pid, *children(self.web.pid)]

    def start_worker(self) -> None:
        self.worker_starts += 1
        log = self.logdir / f"worker-{self.worker_starts}.log"
        command = [str(VENV_BIN / "celery"), "-A", "config", "worker", "-l", "info",
                   "--concurrency", str(self.WORKER_CONCURRENCY), "-n", f"drill{self.worker_starts}@%h"]  # fmt: skip
        self.worker = spawn(command, log, self.env)
        if not wait_until(lambda: "ready." in log.read_text(errors="replace"), 60):
            raise DrillError(f"the Celery worker did not start; see {log}")

    def kill_worker(self) -> None:
        """SIGKILL the worker's whole group, main process and pool children at once: no warm
        shutdown, no acknowledgement, no cleanup."""
        signal_group(self.worker, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def start_beat(self) -> None:
        command = [str(VENV_BIN / "celery"), "-A", "config", "beat", "-l", "info",
                   "--schedule", str(self.logdir / "celerybeat-schedule")]  # fmt: skip
        log = self.logdir / "beat.log"
        self.beat = spawn(command, log, self.env)
        if not wait_until(lambda: "beat: Starting" in log.read_text(errors="replace"), 60):
            raise DrillError(f"Celery beat did not start; see {log}")

    def stop(self) -> None:
        for proc in (self.web, self.beat, self.worker):
            stop_group(proc)
        self.web = self.worker = self.beat = None


class Sinks:
    """bench/fake_services.py in its own process, and what it accepted."""

    def __init__(self, ports: dict, logdir: Path, delay: float = 0.0, gateway_delay: float = 60.0):
        self.ports = ports
        self.log_path = logdir / "deliveries.tsv"
        self.log_path.write_text("")
        command = [PY, str(ROOT / "bench" / "fake_services.py"), "--log", str(self.log_path),
                   "--smtp-port", str(self.ports["smtp"]), "--http-port", str(self.ports["http"]),
                   "--delay", str(delay), "--gateway-delay", str(gateway_delay)]  # fmt: skip
        self.proc = spawn(command, logdir / "fake_services.log")
        if not wait_until(lambda: port_open(self.ports["smtp"]) and port_open(self.ports["http"]), 20):
            stop_group(self.proc)
            raise DrillError(f"the fake services did not start; see {logdir / 'fake_services.log'}")

    def accepted(self, channel: str | None = None) -> list[tuple[float, str, str]]:
        rows = []
        for line in self.log_path.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and (channel is None or parts[1] == channel):
                rows.append((float(parts[0]), parts[1], parts[2]))
        return rows

    def stop(self) -> None:
        stop_group(self.proc, timeout=5)


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise DrillError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout
