"""Read replicas shown working: a primary, a streaming replica and the app on loopback.

    .venv/bin/python deploy/replica.py        (or: make replica-demo)

It initdbs a primary PostgreSQL cluster, clones it with `pg_basebackup -R` into a hot standby
that streams from it, migrates and loads the demo data into the primary, and starts gunicorn
(deploy/cluster.py's app server) with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on
the replica. Both clusters log every statement with its application name, so the script counts
the app's statements on each, and prints:

- anonymous public reads (pages and the API, each under a fresh URL so the page cache renders
  them): statements on the replica, none on the primary;
- a staff login and the admin: statements on the primary only;
- a staff edit (the Unpublish action on a key figure, with the replica's replay paused to make
  lag visible): the editor's next read, and every visitor's for DJANGO_REPLICA_PIN_SECONDS,
  come from the primary and see it; after the window the paused replica still serves the old
  state, which is why the window must exceed the worst lag; replay resumed, it catches up;
- an anonymous POST: the `hled_primary` cookie, and that client's next read from the primary;
- replication lag: how long the replica took to replay the demo data and single edits
  (primary LSN after the commit, polled on the replica), and pg_stat_replication's figures.

Everything binds to 127.0.0.1 on spare ports, lives in temporary directories, and is stopped
and removed at the end (the run is bounded by --timeout). tests/test_replication.py makes the
same checks.
"""

import argparse
import html
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import AppServer, PostgresServer, StandbyServer, wait_until  # noqa: E402

APPLICATION = "hled"  # the app's application_name, by which each cluster's log is counted
PIN_SECONDS = 3


class Client:
    """An HTTP client with its own cookies (a browser, as far as the app can tell)."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Accept-Language": "en"}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(errors="replace")

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, {**data, "csrfmiddlewaretoken": self.cookie("csrftoken")})

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)


class ReplicaSetup:
    """A primary, a hot standby of it, and gunicorn reading from both (a context manager)."""

    def __init__(self, workers=2):
        self.primary = self.standby = self.app = None
        self.directory = Path(tempfile.mkdtemp(prefix="hled-replica-"))
        self.password = secrets.token_urlsafe(16)
        try:
            self.start(workers)
        except BaseException:
            self.stop()
            raise

    def start(self, workers):
        # Commits wait for their WAL to be flushed (not fsynced: a throwaway cluster), as in
        # production, so it is streamed at once and the lag measured is the real one.
        self.primary = PostgresServer(synchronous_commit="on")
        with self.primary.connect() as connection:
            # Every statement in the log, with its client's application name first; the
            # standby gets the same settings from pg_basebackup.
            connection.execute("ALTER SYSTEM SET log_statement = 'all'")
            connection.execute("ALTER SYSTEM SET log_line_prefix = '%a '")
            connection.execute("SELECT pg_reload_conf()")
            connection.execute("CREATE DATABASE hled")
        self.standby = StandbyServer(self.primary)
        wait_until(self.standby_is_streaming, 30, "the standby did not start streaming")
        for directory in ("static", "media", "cache"):
            (self.directory / directory).mkdir()
        self.environ = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hled.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url(self.primary),
            "DATABASE_REPLICA_URLS": self.database_url(self.standby),
            "DJANGO_REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "DJANGO_PAGE_CACHE": "1",
            "DJANGO_CACHE_DIR": str(self.directory / "cache"),
            "DJANGO_STATIC_ROOT": str(self.directory / "static"),
            "DJANGO_MEDIA_ROOT": str(self.directory / "media"),
            "DJANGO_RENDER_BURST": "0",
            "DJANGO_STAFF_MFA": "optional",
            "DJANGO_SUPERUSER_USERNAME": "admin",
            "DJANGO_SUPERUSER_PASSWORD": self.password,
            "EMAIL_URL": "dummy://",
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.environ.pop("REDIS_URL", None)
        collecting = self.manage("collectstatic", "--noinput", wait=False)
        self.manage("migrate", "--noinput")
        self.manage("loaddata", "hled_demo", "consultations_demo")
        loaded_at = time.monotonic()
        self.manage("ensure_demo_superuser")
        self.finish(collecting)
        self.demo_data_replay_ms = self.replay_delay_ms()
        self.app = AppServer(self.environ, workers, self.directory, "app")
        # Loading the demo data is a change: for PIN_SECONDS after it every public read uses
        # the primary (read your writes). The figures start once that window has passed; on
        # a fast machine the app server is ready within it.
        remaining = loaded_at + PIN_SECONDS + 0.5 - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    @staticmethod
    def database_url(server):
        return f"postgres://postgres@127.0.0.1:{server.port}/hled?application_name={APPLICATION}"

    def manage(self, *command, wait=True):
        process = subprocess.Popen(
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=self.environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self.finish(process) if wait else process

    @staticmethod
    def finish(process):
        output, _ = process.communicate(timeout=300)
        if process.returncode:
            raise RuntimeError(f"{process.args}: {output.decode(errors='replace')}")

    def query(self, server, sql, *params):
        import psycopg

        url = f"postgres://postgres@127.0.0.1:{server.port}/hled"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def standby_is_streaming(self):
        with self.primary.connect() as connection:
            rows = connection.execute("SELECT state FROM pg_stat_replication").fetchall()
        return rows == [("streaming",)]

    def statements(self):
        """{"primary": n, "replica": n}: the app's statements in each cluster's log so far."""
        counts = {}
        for name, server in (("primary", self.primary), ("replica", self.standby)):
            lines = server.log.read_text(errors="replace").splitlines()
            counts[name] = sum(
                line.startswith(f"{APPLICATION} LOG:  ")
                and (" statement: " in line or " execute " in line)
                for line in lines
            )
        return counts

    def counting(self, action):
        """(result of `action()`, statements it made on each cluster)."""
        time.sleep(0.2)  # the logs are written by the servers, not by us
        before = self.statements()
        result = action()
        time.sleep(0.2)
        after = self.statements()
        return result, {name: after[name] - before[name] for name in after}

    def replay_delay_ms(self, timeout=30):
        """Milliseconds until the standby has replayed everything the primary wrote so far
        (polled on one open connection, so connecting is not counted)."""
        import psycopg

        url = f"postgres://postgres@127.0.0.1:{self.standby.port}/hled"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as standby:
            (lsn,) = self.query(self.primary, "SELECT pg_current_wal_lsn()")[0]
            started = time.monotonic()
            check = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
            deadline = started + timeout
            while not standby.execute(check, (str(lsn),)).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise TimeoutError("the standby did not catch up")
                time.sleep(0.0005)
            return (time.monotonic() - started) * 1000

    def replication_status(self):
        row = self.query(
            self.primary,
            "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,"
            " extract(epoch FROM write_lag) * 1000, extract(epoch FROM flush_lag) * 1000,"
            " extract(epoch FROM replay_lag) * 1000 FROM pg_stat_replication",
        )[0]
        names = ("state", "bytes_behind", "write_lag_ms", "flush_lag_ms", "replay_lag_ms")
        return dict(zip(names, row, strict=True))

    def pause_replay(self, paused):
        function = "pg_wal_replay_pause" if paused else "pg_wal_replay_resume"
        self.query(self.standby, f"SELECT {function}()")

    def stop(self):
        if self.app is not None:
            self.app.stop()
        for server in (self.standby, self.primary):
            if server is not None:
                server.remove()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def fresh_urls(count):
    """Public URLs nobody asked for yet (so the page cache renders each): pages and the API."""
    paths = ("/en/", "/en/meetings/", "/en/agreements/", "/api/v1/meetings/", "/api/v1/pillars/")
    return [f"{paths[n % len(paths)]}?replica-demo={n}" for n in range(count)]


def where(counts):
    return f"{counts['primary']} statements on the primary, {counts['replica']} on the replica"


def shows(found):
    return "shows it" if found else "does not show it"


def run(setup, report=print):
    """The checks, each reported as it is made; returns the figures (tests assert them)."""
    figures = {"demo_data_replay_ms": setup.demo_data_replay_ms}
    report(
        "Demo data (migrate + loaddata) replayed by the replica within "
        f"{setup.demo_data_replay_ms:.1f} ms of the load finishing"
    )

    visitor = Client(setup.app.base)
    urls = fresh_urls(20)
    statuses, counts = setup.counting(lambda: [visitor.get(url)[0] for url in urls])
    figures["anonymous"] = counts
    report(f"{len(urls)} anonymous public reads (pages and API): {where(counts)}")
    assert set(statuses) == {200}, statuses

    editor = Client(setup.app.base)

    def log_in():
        editor.get("/admin/login/")
        editor.post(
            "/admin/login/?next=/admin/",
            {"username": "admin", "password": setup.password, "next": "/admin/"},
        )
        return editor.get("/admin/")

    (status, page), counts = setup.counting(log_in)
    figures["staff"] = counts
    report(f"Staff login and the admin home: {where(counts)}")
    assert status == 200 and "logout" in page.lower(), page[:500]

    figure_id, label = setup.query(
        setup.primary,
        "SELECT id, label_en FROM dialogue_keyfigure WHERE publication_status = 'published'"
        " AND publish_at <= now() ORDER BY id LIMIT 1",
    )[0]
    shown = html.escape(label)
    assert shown in visitor.get("/en/?before-the-edit")[1]

    setup.pause_replay(True)  # lag made visible: the replica stops replaying for now
    (status, _), counts = setup.counting(
        lambda: editor.post(
            "/admin/dialogue/keyfigure/",
            {"action": "unpublish", "_selected_action": figure_id, "index": "0"},
        )
    )
    figures["edit"] = counts
    report(f"Staff edit (unpublish the key figure “{label}”, replica paused): {where(counts)}")
    assert status == 200

    (_, page), counts = setup.counting(lambda: editor.get("/en/?after-the-edit"))
    figures["editor_next_read"] = {**counts, "sees_edit": shown not in page}
    report(f"The editor's next read (home page): {where(counts)}; it {shows(shown in page)}")

    api = "/api/v1/key-figures/?replica-demo={}"
    (_, body), counts = setup.counting(lambda: visitor.get(api.format("within-the-window")))
    found = label in json_text(body)
    figures["visitor_within_window"] = {**counts, "sees_edit": not found}
    report(f"A visitor's read within {PIN_SECONDS} s of the change: {where(counts)}; "
           f"it {shows(found)}")  # fmt: skip

    time.sleep(PIN_SECONDS + 0.5)
    (_, body), counts = setup.counting(lambda: visitor.get(api.format("after-the-window")))
    found = label in json_text(body)
    figures["visitor_after_window_paused"] = {**counts, "stale": found}
    report(f"After the window, replica still paused: {where(counts)}; it {shows(found)} "
           "(stale: the window must exceed the worst lag)")  # fmt: skip

    started = time.monotonic()
    setup.pause_replay(False)
    setup.replay_delay_ms()
    figures["resume_replay_ms"] = (time.monotonic() - started) * 1000
    (_, body), counts = setup.counting(lambda: visitor.get(api.format("caught-up")))
    found = label in json_text(body)
    figures["visitor_caught_up"] = {**counts, "sees_edit": not found}
    report(f"Replay resumed, caught up in {figures['resume_replay_ms']:.1f} ms; a visitor's "
           f"read: {where(counts)}; it {shows(found)}")  # fmt: skip

    writer = Client(setup.app.base)
    writer.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    pinned = writer.cookie("hled_primary")
    _, counts = setup.counting(lambda: writer.get("/api/v1/pillars/?replica-demo=pinned"))
    figures["anonymous_writer"] = {**counts, "pinned": pinned is not None}
    report(f"An anonymous POST sets hled_primary={pinned!r}; that client's next read: "
           f"{where(counts)}")  # fmt: skip

    delays = []
    for n in range(10):
        action = "publish" if n % 2 == 0 else "unpublish"
        editor.post(
            "/admin/dialogue/keyfigure/",
            {"action": action, "_selected_action": figure_id, "index": "0"},
        )
        delays.append(setup.replay_delay_ms())
    delays.sort()
    figures["edit_replay_ms"] = delays
    report(f"10 staff edits, from the response to replay on the replica: median "
           f"{delays[len(delays) // 2]:.1f} ms, max {delays[-1]:.1f} ms")  # fmt: skip

    status = setup.replication_status()
    figures["replication"] = status
    report("pg_stat_replication: " + ", ".join(f"{k}={v}" for k, v in status.items()))
    return figures


def json_text(body):
    """The strings of a JSON response (labels unescaped), one per line."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(json.loads(body))
    return "\n".join(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=int, default=300, help="give up after this long (s)")
    options = parser.parse_args()

    def give_up(signum, frame):
        raise TimeoutError(f"gave up after {options.timeout} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(options.timeout)
    started = time.monotonic()
    with suppress(KeyboardInterrupt), ReplicaSetup() as setup:
        print(
            f"Primary on 127.0.0.1:{setup.primary.port}, streaming replica on "
            f"127.0.0.1:{setup.standby.port}, gunicorn on {setup.app.address}"
        )
        run(setup)
    print(f"Stopped and removed everything ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
