"""Without Redis the cache is files every worker on the machine shares (hled/filecache.py): its
counters are exact across processes, and a change made by one process is seen by every
gunicorn worker at once."""

import concurrent.futures
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import time_machine

from hled.filecache import FileCache
from tests.services import Gunicorn

ROOT = Path(__file__).resolve().parent.parent


def file_cache(location):
    return FileCache(str(location), {"OPTIONS": {"MAX_ENTRIES": 1000}})


def increment(location, key, times):
    cache = file_cache(location)
    for _ in range(times):
        cache.incr(key)


def add_once(location, key, value):
    return file_cache(location).add(key, value, timeout=60)


@pytest.fixture
def processes():
    context = multiprocessing.get_context("spawn")  # no state inherited from the test process
    with concurrent.futures.ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        yield pool


def test_increments_from_several_processes_are_all_counted(tmp_path, processes):
    cache = file_cache(tmp_path)
    cache.set("count", 0, timeout=60)
    jobs = [processes.submit(increment, tmp_path, "count", 100) for _ in range(4)]
    for job in jobs:
        job.result(timeout=60)
    assert cache.get("count") == 400


def test_only_one_process_adds_a_key(tmp_path, processes):
    # Each round, four processes race to add one fresh key (as altcha-django marks a proof of
    # work used): exactly one succeeds, and its value is the one stored.
    cache = file_cache(tmp_path)
    for round_ in range(20):
        key = f"used:{round_}"
        jobs = [processes.submit(add_once, tmp_path, key, worker) for worker in range(4)]
        results = [job.result(timeout=60) for job in jobs]
        assert results.count(True) == 1
        assert cache.get(key) == results.index(True)


def test_an_increment_keeps_the_expiry_and_a_missing_key_is_refused(tmp_path):
    cache = file_cache(tmp_path)
    with time_machine.travel(1_000_000, tick=False) as clock:
        assert cache.add("window", 0, timeout=3600)
        assert not cache.add("window", 5, timeout=3600)
        clock.shift(3000)
        assert cache.incr("window") == 1  # Django's file cache would now expire it in 300 s
        clock.shift(500)
        assert cache.get("window") == 1
        clock.shift(101)
        assert cache.get("window") is None
        with pytest.raises(ValueError):
            cache.incr("window")
    with pytest.raises(ValueError):
        cache.incr("never-set")


def test_clearing_the_cache_keeps_the_lock(tmp_path):
    cache = file_cache(tmp_path)
    cache.add("key", 1)
    cache.clear()
    assert (tmp_path / "lock").exists()
    assert cache.add("key", 2) and cache.get("key") == 2


# Two gunicorn workers on one SQLite file and one cache directory, as `make serve` runs them.


@pytest.fixture
def served_site(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Each access log line names the worker (its pid) that answered which probe …
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "GUNICORN_CMD_ARGS": "--access-logformat '%({x-probe}i)s %(p)s'",
    }

    def manage(*args):
        return subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE
        )

    # The public pages' static files only (the admin's and the API's would take seconds).
    unused = ["admin", "drf_spectacular_sidecar", "django_prose_editor", "rest_framework"]
    collect = ["collectstatic", "--noinput", "-v0", *(f"--ignore={name}" for name in unused)]
    setup = [manage("migrate", "--noinput", "-v0"), manage(*collect)]
    for command in setup:
        assert command.wait(timeout=60) == 0
    assert manage("loaddata", "hled_demo", "-v0").wait(timeout=60) == 0
    server = Gunicorn(env, workers=2)
    try:
        yield Site(server.base, tmp_path / "access.log", manage)
    finally:
        server.stop()


class Site:
    def __init__(self, base, access_log, manage):
        self.base, self.access_log, self.manage = base, access_log, manage
        self.probes = 0
        self.lock = threading.Lock()

    def get(self, path):
        """(probe number, X-Page-Cache, body) of one GET."""
        with self.lock:
            self.probes += 1
            probe = self.probes
        request = urllib.request.Request(f"{self.base}{path}", headers={"X-Probe": str(probe)})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            return probe, response.headers.get("X-Page-Cache"), response.read().decode()

    def get_many(self, path, count):
        """`count` GETs, four at a time so that both workers answer."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda _: self.get(path), range(count)))

    def workers(self, probes):
        """The worker (pid) that answered each of `probes`, from the access log."""
        deadline = time.monotonic() + 10
        while True:
            lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
            answered = {}
            for line in lines:
                if match := re.fullmatch(r"(\d+) <(\d+)>", line.strip()):
                    answered[int(match[1])] = match[2]
            if all(probe in answered for probe in probes) or time.monotonic() > deadline:
                return {probe: answered.get(probe) for probe in probes}
            time.sleep(0.05)

    def shell(self, code):
        command = self.manage("shell", "-v0", "-c", code)
        output, _ = command.communicate(timeout=60)
        assert command.returncode == 0
        return output.decode().strip()


@pytest.mark.services
def test_a_change_is_seen_by_every_worker_at_once(served_site):
    site = served_site
    path = site.shell(
        "from dialogue.models import Meeting; "
        "print(Meeting.objects.published().get(slug='first-hled-meeting').get_absolute_url())"
    )
    assert path.startswith("/en/")
    # Until both workers have served the page from the cache (the first request renders it).
    deadline = time.monotonic() + 15
    seen = Counter()
    while time.monotonic() < deadline:
        answers = site.get_many(path, 8)
        assert all("First HLED meeting" in text for _, _, text in answers)
        workers = site.workers([probe for probe, _, _ in answers])
        seen.update(workers[probe] for probe, state, _ in answers if state == "hit")
        if len(seen) >= 2:
            break
    assert len(seen) == 2, f"both workers should have answered from the cache: {seen}"

    # Another process (as the admin would, through the model, so the signals fire) renames it.
    site.shell(
        "from dialogue.models import Meeting; "
        "m = Meeting.objects.get(slug='first-hled-meeting'); "
        "m.title_en = 'Renamed HLED meeting'; m.save()"
    )
    # From now on, every answer of every worker shows the new title, soon from the cache again.
    deadline = time.monotonic() + 15
    after = Counter()
    while time.monotonic() < deadline:
        answers = site.get_many(path, 8)
        for probe, state, text in answers:
            assert "Renamed HLED meeting" in text, f"probe {probe} ({state}) served the old page"
            assert "First HLED meeting" not in text
        workers = site.workers([probe for probe, _, _ in answers])
        after.update(workers[probe] for probe, state, _ in answers if state == "hit")
        if len(after) >= 2 and min(after.values()) >= 3:
            break
    assert len(after) == 2 and min(after.values()) >= 3, after
