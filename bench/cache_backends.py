"""Time a page-cache hit on each cache that workers on one machine can share without Redis.

For the file cache (hled/filecache.py, the default without REDIS_URL) and Django's database
cache (a table in the same SQLite file), and the per-process memory cache for reference:

- lookup: the cache read a hit makes (`get_many` of the generation and the page, a real
  rendered meeting page of the demo data);
- hit: a whole anonymous GET answered from the page cache, through Django's test client;
- store: writing one page when the cache already holds 100 or MAX_ENTRIES entries (the file
  cache lists its directory on every write, the database cache counts its rows).

Prints p50 / p95 in microseconds. A temporary SQLite database and cache directory; nothing
leaves the process.

    .venv/bin/python bench/cache_backends.py --rounds 2000
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function, rounds):
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return seconds


def line(backend, label, seconds):
    us = [s * 1e6 for s in seconds]
    return (
        f"{backend:<9} {label:<22} n={len(us):<5} p50 {statistics.median(us):8.1f} us   "
        f"p95 {percentile(us, 0.95):8.1f} us"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="timed operations per figure")
    parser.add_argument("--max-entries", type=int, default=5000, help="default: settings' 5000")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="hled-bench-cache-")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_CACHE_DIR"] = f"{folder}/cache"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hled.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client, RequestFactory, override_settings
    from django.test.utils import setup_test_environment

    from dialogue import cache as page_cache
    from dialogue.models import Meeting

    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    call_command("loaddata", "hled_demo", verbosity=0)
    options = {"MAX_ENTRIES": args.max_entries, "CULL_FREQUENCY": 4}
    backends = {
        "file": {
            "BACKEND": "hled.filecache.FileCache",
            "LOCATION": f"{folder}/cache",
            "OPTIONS": options,
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hled_cache_table",
            "OPTIONS": options,
        },
        "memory": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bench",
            "OPTIONS": options,
        },
    }
    path = Meeting.objects.published().first().get_absolute_url()
    print(f"page {path}; MAX_ENTRIES {args.max_entries}; {args.rounds} rounds per figure")
    for name, backend in backends.items():
        with override_settings(CACHES={"default": backend}, PAGE_CACHE_ENABLED=True):
            call_command("createcachetable", verbosity=0)
            cache.clear()
            client = Client()
            assert client.get(path)["X-Page-Cache"] == "miss"
            assert client.get(path)["X-Page-Cache"] == "hit"
            generation = page_cache.current_generation()
            page_key = page_cache.page_key(RequestFactory().get(path), generation)
            entry = cache.get(page_key)
            keys = [page_cache.GENERATION_KEY, page_key]
            size = len(entry["content"])
            lookups = timed(lambda: cache.get_many(keys), args.rounds)  # noqa: B023
            print(line(name, "lookup", lookups))
            hits = timed(lambda: client.get(path), args.rounds)  # noqa: B023
            print(line(name, f"hit ({size // 1024} KB page)", hits))
            for count in (100, args.max_entries - 10):
                cache.clear()
                cache.set_many({f"filler:{i}": entry for i in range(count)}, timeout=None)
                stores = timed(lambda: cache.set("bench:store", entry), min(args.rounds, 500))  # noqa: B023
                print(line(name, f"store ({count} entries)", stores))
            cache.clear()


if __name__ == "__main__":
    main()
