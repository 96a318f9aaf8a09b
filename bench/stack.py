"""The servers every harness runs Lantern on (`make bench`, `make drills` and the test suite), and the
small tools around them: a free port, waiting for a condition, stopping a process group.

The PostgreSQL and Redis here are private: started on free loopback ports, owned by the run, and free
to be stopped, frozen and flushed. The machine's shared servers on 5432 and 6379 are never touched
(other runs use them). Every process is started in a process group of its own, so it can be stopped
whole (gunicorn's and Celery's children included) and Ctrl-C in the terminal reaches only the driver.
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
from collections.abc import Callable
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]


class StackError(Exception):
    """A part of the stack could not be started: a broken harness or machine, not a measurement."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.2) -> bool:
    """Poll `predicate()` until it is true or `timeout` seconds have passed; say which."""
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


def spawn(command: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    """`command` in a session (and process group) of its own, its output appended to `log_path`."""
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


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    """`manage.py` with `env`; its output, or StackError with the end of its errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# --- Redis --------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stopping it loses its queues,
    as a crashed broker without AOF would."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise StackError("redis-server is not installed (apt-get install redis-server)")
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
        if not wait_until(self.ping, 10, interval=0.05):
            raise StackError(f"the private redis-server did not start; see {self.workdir / 'redis.log'}")

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def flush(self) -> None:
        redis.Redis(port=self.port, socket_timeout=5).flushall()

    def stop(self) -> None:
        stop_group(self.proc, timeout=10)
        self.proc = None

    def freeze(self) -> None:
        """The server keeps its port and accepts connections, then answers nothing."""
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
        self.dir = Path(tempfile.mkdtemp(prefix="lantern-pg-"))
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
        raise StackError("PostgreSQL's initdb was not found (apt-get install postgresql)")

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
            raise StackError(f"initdb failed:\n{result.stderr[-2000:]}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n")
            conf.write(f"unix_socket_directories = '{self.dir}'\n")

    def start(self) -> None:
        result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        if result.returncode:
            raise StackError(f"pg_ctl start failed:\n{result.stderr[-2000:]}\n{self.tail_log()}")

    def restart(self) -> None:
        # "fast": sessions are cut and open transactions rolled back, as in a failover or an upgrade.
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart"
        )
        if result.returncode:
            raise StackError(f"pg_ctl restart failed:\n{result.stderr[-2000:]}\n{self.tail_log()}")

    def postmaster_pid(self) -> int | None:
        """The server's main process; every backend is its child."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        result = self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        pid = self.postmaster_pid()
        if result.returncode and pid:
            # pg_ctl could not stop it: end the postmaster we started, by the id it wrote.
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
        try:
            psycopg2.connect(self.url("postgres"), connect_timeout=1).close()
            return True
        except psycopg2.Error:
            return False

    def admin(self, *statements: str) -> None:
        conn = psycopg2.connect(self.url("postgres"), connect_timeout=5)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            conn.close()
