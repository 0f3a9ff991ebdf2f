"""Faults against real services: PostgreSQL and Redis stopped and started again, a statement
cut by the timeout, a worker killed mid-request, all under gunicorn with production settings.

The tests start a private PostgreSQL cluster, a private redis-server and gunicorn (2 workers)
on spare loopback ports (tests/services.py) and talk HTTP to it. Under CI=true a service that
cannot be started fails the tests; elsewhere they are skipped.
"""

import itertools
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from .services import ROOT, Gunicorn, PostgresServer, RedisServer, wait_until

pytestmark = pytest.mark.services

STATEMENT_TIMEOUT_MS = 1000
RETRY_AFTER = "17"
SPANISH_TITLE = "No disponible por el momento"
ENGLISH_TITLE = "Temporarily unavailable"
fresh = itertools.count()


def uncached(language="en"):
    """A public page (it reads meetings) under a URL nobody asked for yet: never a cache hit,
    nor parts kept for it (its first page under a spelling of its own, page=01, page=001 …;
    a parameter that is no filter would be dropped and find the parts of the plain URL)."""
    path = "meetings/" if language == "en" else "reuniones/"
    return f"/{language}/{path}?page={'0' * (next(fresh) + 1)}1"


def start(service):
    try:
        return service()
    except Exception as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{service.__name__} could not be started under CI: {error}")
        pytest.skip(f"{service.__name__} could not be started: {error}")


@pytest.fixture(scope="module")
def postgres():
    server = start(PostgresServer)
    yield server
    server.remove()


@pytest.fixture(scope="module")
def redis_server():
    server = start(RedisServer)
    yield server
    server.remove()


@pytest.fixture(scope="module")
def site(postgres, redis_server, tmp_path_factory):
    """gunicorn on the private services: migrated, the demo loaded, static files collected."""
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hled.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "faults-test-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "DJANGO_PAGE_CACHE": "1",
        "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "DJANGO_MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "DJANGO_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
        "DJANGO_RETRY_AFTER": RETRY_AFTER,
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
    }

    def manage(*command):
        return subprocess.Popen(
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def finish(process):
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode(errors="replace")

    collecting = manage("collectstatic", "--noinput")
    finish(manage("migrate", "--noinput"))
    finish(manage("loaddata", "hled_demo"))
    finish(collecting)
    server = Gunicorn(environ, workers=2)
    yield server
    server.stop()


def assert_friendly_503(response, title):
    assert response.status, response.text
    assert response.status == 503, response.text[:500]
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert "no-store" in response.headers["Cache-Control"]
    assert title in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text


@pytest.fixture
def table_lock(postgres, site):
    """Hold an exclusive lock on the meetings table from another connection while asked."""
    connection = postgres.connect()
    lock = None

    class Lock:
        def acquire(self):
            nonlocal lock
            lock = connection.transaction()
            lock.__enter__()
            connection.execute("LOCK TABLE dialogue_meeting IN ACCESS EXCLUSIVE MODE")

        def release(self):
            nonlocal lock
            if lock is not None:
                lock.__exit__(None, None, None)
                lock = None

        def waiting_client_port(self):
            """The client port of a connection waiting for the lock, or None."""
            row = connection.execute(
                "SELECT client_port FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() LIMIT 1"
            ).fetchone()
            return row[0] if row else None

    held = Lock()
    yield held
    held.release()
    connection.close()


def test_database_down_serves_cached_pages_then_503_and_recovers(site, postgres):
    for _ in range(2):
        site.get("/en/")
    assert site.get("/en/").headers["X-Page-Cache"] == "hit"
    workers = site.worker_pids()

    postgres.stop()
    try:
        cached = site.get("/en/")
        assert cached.status == 200
        assert cached.headers["X-Page-Cache"] == "hit"
        # A new URL of the same page (a tracking parameter): its parts are kept, so it is
        # rendered around them without the database.
        shared = site.get("/en/?utm_source=mail")
        assert shared.status == 200 and shared.headers["X-Page-Cache"] == "miss"
        assert_friendly_503(site.get(uncached("en")), ENGLISH_TITLE)
        assert_friendly_503(site.get(uncached("es")), SPANISH_TITLE)
        api = site.get("/api/v1/meetings/")
        assert api.status == 503
        assert "temporarily unavailable" in json.loads(api.body)["detail"]
        ready = site.get("/readyz")
        assert ready.status == 503
        checks = json.loads(ready.body)["checks"]
        assert checks["database"].startswith("OperationalError")
        assert checks["cache"] == "ok"
        assert site.get("/healthz").status == 200
    finally:
        postgres.start()

    # The same workers reconnect by themselves: no restart.
    for _ in range(6):
        assert site.get(uncached("en")).status == 200
    assert site.get("/readyz").status == 200
    assert site.worker_pids() == workers
    log = site.log_text()
    assert "Service unavailable (OperationalError" in log
    assert "Internal Server Error" not in log


def test_redis_down_serves_pages_uncached_then_caches_again(site, redis_server):
    page = uncached("en")
    redis_server.stop()
    try:
        responses = [site.get(path) for path in [page, "/en/", "/es/", "/en/meetings/"] * 8]
        assert [response.status for response in responses] == [200] * len(responses)
        assert all(r.headers.get("X-Page-Cache") != "hit" for r in responses)
        ready = site.get("/readyz")
        assert ready.status == 503
        checks = json.loads(ready.body)["checks"]
        assert checks["cache"].startswith("ConnectionError")
        assert checks["database"] == "ok"
        # The API's throttle counts in Redis: it lets requests through meanwhile.
        api = site.get("/api/v1/meetings/")
        assert api.status == 200
        assert json.loads(api.body)["results"]
    finally:
        redis_server.start()

    def cached_again():
        return site.get(page).headers.get("X-Page-Cache") == "hit"

    wait_until(cached_again, 10, "pages were not cached again once Redis was back")
    assert site.get("/readyz").status == 200
    assert site.get("/api/v1/meetings/").status == 200


def test_a_query_that_waits_is_cut_by_the_statement_timeout(site, table_lock):
    table_lock.acquire()
    try:
        for language, title in (("en", ENGLISH_TITLE), ("es", SPANISH_TITLE), ("en", None)):
            started = time.monotonic()
            response = site.get(uncached(language))
            elapsed = time.monotonic() - started
            assert_friendly_503(response, title or ENGLISH_TITLE)
            assert STATEMENT_TIMEOUT_MS / 1000 <= elapsed < STATEMENT_TIMEOUT_MS / 1000 + 2
    finally:
        table_lock.release()
    # Every worker serves again at once.
    for _ in range(4):
        assert site.get(uncached("en")).status == 200


def test_a_worker_killed_mid_request_is_replaced_while_the_others_serve(site, table_lock):
    site.get("/en/")  # cached: served without the locked table
    workers = site.worker_pids()
    table_lock.acquire()
    outcome = {}

    def in_flight():
        try:
            outcome["status"] = site.get(uncached("en"), timeout=10).status
        except OSError as error:
            outcome["error"] = error

    request = threading.Thread(target=in_flight)
    request.start()
    try:
        port = wait_until(table_lock.waiting_client_port, 5, "no request waited for the lock")
        victim = site.worker_with_local_port(port)
        assert victim in workers
        os.kill(victim, 9)
        request.join(timeout=10)
        assert "status" not in outcome, "the killed worker still answered"
        # The other worker serves meanwhile.
        for _ in range(10):
            assert site.get("/en/").status == 200
    finally:
        table_lock.release()
        request.join(timeout=10)

    def replaced():
        current = site.worker_pids()
        return len(current) == 2 and victim not in current and current

    current = wait_until(replaced, 20, "gunicorn did not replace the killed worker")
    assert len(current - workers) == 1
    wait_until(lambda: site.serving(), 20, "the new worker did not start")
    for _ in range(6):
        assert site.get(uncached("en")).status == 200
