"""Private PostgreSQL, Redis and gunicorn processes that a test starts, stops and restarts.

Each listens on a spare loopback port and lives in a temporary directory of its own, so the
machine's shared PostgreSQL (5432) and Redis (6379) are never touched. PostgreSQL refuses to
run as root: when the tests run as root its commands run as the `postgres` user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


sys.path.insert(0, str(ROOT / "deploy"))

from cluster import AppServer, free_port  # noqa: E402


def wait_until(condition, timeout, message):
    """Poll `condition()` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(0.05)


def accepts_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb into a temporary directory), trust auth."""

    # Fast and not crash-safe: these clusters are thrown away. A commit returns before its WAL
    # is flushed, so a standby (which receives flushed WAL) lags by up to the WAL writer's
    # delay (some 200-600 ms): pass synchronous_commit="on" to measure replication lag.
    SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}

    def __init__(self, **settings):
        self.settings = {**self.SETTINGS, **settings}
        self.prepare("hled-pg-")
        # Trust for 127.0.0.1, replication connections included (initdb's pg_hba.conf).
        self.run(
            "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )  # fmt: skip
        self.start()

    def prepare(self, prefix):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix=prefix))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.as_postgres = []
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.directory, postgres.pw_uid, postgres.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program, *args):
        command = [*self.as_postgres, str(POSTGRES_BIN / program), *map(str, args)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self):
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1" + "".join(
            f" -c {name}={value}" for name, value in self.settings.items()
        )
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def remove(self):
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class StandbyServer(PostgresServer):
    """A hot standby streaming from `primary`: `pg_basebackup -R` into a directory of its own
    (the primary's settings, ALTER SYSTEM ones included, come along), then started."""

    def __init__(self, primary):
        self.settings = primary.settings
        self.prepare("hled-pg-standby-")
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres",
            "-D", self.data, "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        self.start()


class RedisServer:
    """A redis-server of its own, without persistence."""

    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="hled-redis-"))
        self.process = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: accepts_connections(self.port), 10, "redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Response:
    """What urllib got: status, headers and body (error statuses included)."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode()


class Gunicorn(AppServer):
    """gunicorn (gunicorn.conf.py) with production settings on a spare loopback port: the
    cluster's app server (deploy/cluster.py), in a directory of its own, with helpers."""

    def __init__(self, environ, workers=2):
        self.directory = Path(tempfile.mkdtemp(prefix="hled-gunicorn-"))
        self.workers = workers
        environ = {**environ, "GUNICORN_MAX_REQUESTS": "0"}
        super().__init__(environ, workers, self.directory, "gunicorn")
        wait_until(self.serving, 30, f"gunicorn did not start:\n{self.log_text()}")

    def serving(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log_text()}")
        try:
            return self.get("/healthz", timeout=2).status == 200 and (
                len(self.worker_pids()) == self.workers
            )
        except OSError:
            return False

    def log_text(self):
        return self.log.read_text(errors="replace")

    def get(self, path, timeout=10):
        request = urllib.request.Request(self.base + path, headers={"Accept-Language": "en"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def worker_pids(self):
        """The pids of the master's worker processes."""
        return set(super().worker_pids())

    def worker_with_local_port(self, port):
        """The worker holding the TCP socket whose local port is `port` (e.g. to PostgreSQL)."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        for pid in self.worker_pids():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        return None

    def stop(self):
        super().stop()
        shutil.rmtree(self.directory, ignore_errors=True)
