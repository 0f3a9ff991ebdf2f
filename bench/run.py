"""Benchmark the public pages on volume data: gunicorn, driven by wrk over loopback.

`make bench` runs this. For each page type (home, meeting list, meeting detail, agreement list
with a filter, agreement detail, stakeholder detail, and a content page as the lightest page)
it measures requests per second and p50 / p95 latency with 8 concurrent clients, in rounds
interleaved with the baseline (/healthz, a minimal view through the same middleware stack),
twice: cold (page cache off: every request renders) and warm (page cache on). In-process it
counts SQL queries per request, HTML size (raw and gzip) and the time of one cold request.
It prints a table and writes bench-results/bench-<time>.json.

Load goes to 127.0.0.1 only, bounded in time and in requests.
"""

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from cluster import AppServer, wait_until_ready  # noqa: E402

PYTHON = sys.executable
LUA = Path(__file__).with_name("wrk.lua")
TARGETS = {"warm_ratio": 0.90, "cold_ratio": 0.30, "warm_p95_ms": 50.0, "gzip_kb": 50.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the volume database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--secret-file", default=str(ROOT / ".demo-secret"))
    parser.add_argument("--meetings", type=int, default=10_000, help="volume size")
    parser.add_argument("--duration", type=int, default=4, help="seconds per measurement")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="page measurements per page type, each between two baseline measurements",
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="cap on requests per measurement"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--urls-per-page", type=int, default=20, help="distinct URLs per page")
    parser.add_argument("--prepare-only", action="store_true", help="only build the data")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="only count queries and time one request rendered in this process (no wrk)",
    )
    parser.add_argument(
        "--pages", default="", help="comma-separated words: only the page types naming one"
    )
    parser.add_argument("--clear", action="store_true", help="regenerate the volume data")
    parser.add_argument("--output", help="JSON file (default bench-results/bench-<time>.json)")
    return parser.parse_args()


def environment(args, **extra):
    """The production-like environment of the benchmark (debug off, PostgreSQL, Redis)."""
    secret_file = Path(args.secret_file)
    secret = secret_file.read_text().strip() if secret_file.exists() else "bench-only-secret"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hled.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_CACHE_KEY_PREFIX": "hled-bench",
        "DJANGO_STATIC_ROOT": str(ROOT / "bench-results" / "static"),
        "DJANGO_LOG_LEVEL": "ERROR",
        # wrk asks for cold pages from one address: the per-client render limit would refuse it.
        "DJANGO_RENDER_BURST": "0",
    }
    env.update(extra)
    return env


def manage(args, *command, **extra):
    subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=environment(args, **extra), check=True
    )


def ensure_database(url):
    """Create the PostgreSQL database of the benchmark when it does not exist yet."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    server = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            print(f"Creating database {config['NAME']}")
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def prepare(args):
    """Migrate, load the demo (pages, figures, pillars) and the volume data; collect static."""
    ensure_database(args.database_url)
    manage(args, "migrate", "--noinput", "--verbosity", "0")
    manage(args, "loaddata", "hled_demo", "--verbosity", "0")
    volume = ["generate_volume", "--meetings", str(args.meetings), "--verbosity", "2"]
    try:
        manage(args, *volume, *(["--clear"] if args.clear else []))
    except subprocess.CalledProcessError:
        if args.clear:
            raise
        print("Volume data already there (make volume VOLUME_ARGS=--clear regenerates it).")
    manage(args, "collectstatic", "--noinput", "--verbosity", "0")


def setup_django(args):
    os.environ.update(environment(args))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_urls(count):
    """Per page type, the URLs to request: the heaviest published records first."""
    from django.db.models import OuterRef
    from django.urls import reverse

    from dialogue.models import (
        AgendaItem,
        Agreement,
        AgreementParty,
        AgreementUpdate,
        Meeting,
        Page,
        Participation,
        Pillar,
        Sector,
        Stakeholder,
    )
    from dialogue.models.publication import count_of

    def heaviest(model, *relations):
        """`relations`: (related model, its foreign key to `model`)."""
        weight = sum(
            count_of(related.objects.filter(**{key: OuterRef("pk")}), key)
            for related, key in relations
        )
        records = model.objects.published().annotate(weight=weight)
        return [r.get_absolute_url() for r in records.order_by("-weight", "pk")[:count]]

    agreements = reverse("dialogue:agreement-list")
    pillar = Pillar.objects.order_by("number").first()
    sector = Sector.objects.order_by("slug").first()
    filters = [
        f"?pillar={pillar.slug}&status=implementing",
        "?status=in-force",
        f"?sector={sector.slug}",
        "?year=2019",
        "?kind=memorandum&status=completed",
    ]
    tracker_filters = [
        "",
        f"?pillar={pillar.slug}",
        "?side=US&status=implementing",
        f"?sector={sector.slug}&status=completed",
        "?page=2",
    ]
    fact_sheet = "fact-sheet/"
    return {
        "baseline /healthz": [reverse("healthz")],
        "home": [reverse("dialogue:home")],
        "meeting list": [reverse("dialogue:meeting-list")],
        "meeting detail": heaviest(
            Meeting,
            (AgendaItem, "meeting"),
            (Participation, "meeting"),
            (Agreement, "origin_meeting"),
        ),
        "agreement list (filtered)": [agreements + query for query in filters],
        "agreement detail": heaviest(
            Agreement, (AgreementParty, "agreement"), (AgreementUpdate, "agreement")
        ),
        "stakeholder detail": heaviest(
            Stakeholder, (Participation, "stakeholder"), (AgreementParty, "stakeholder")
        ),
        "tracker": [reverse("dialogue:progress") + query for query in tracker_filters],
        "meeting fact sheet": [
            url + fact_sheet for url in heaviest(Meeting, (Agreement, "origin_meeting"))
        ],
        # The lightest public page (a title and some text in the site's layout): what any page
        # costs before it shows a single meeting or agreement.
        "content page": [page.get_absolute_url() for page in Page.objects.published()[:count]],
    }


def is_list(name):
    """Is the page type `name` (of `pick_urls`) a filtered list?"""
    return "list" in name or "tracker" in name


def measure_in_process(urls, lists=False, repeats=5):
    """Queries per request (cold and warm) and the largest HTML, raw and gzipped; `lists`:
    the page type is a list, also timed with its parts missing and its cards kept."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    result = {"queries_cold": 0, "queries_warm": 0, "html_bytes": 0, "html_gzip_bytes": 0}
    timings, miss_timings, parts_timings = [], [], []
    for url in urls:
        with override_settings(PAGE_CACHE_ENABLED=False, FRAGMENT_CACHE_ENABLED=False):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            # Counted now: the captured queries are read from the connection's log, which the
            # next request clears.
            result["queries_cold"] = max(result["queries_cold"], len(queries))
            for _ in range(repeats):
                started = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        result["html_bytes"] = max(result["html_bytes"], len(response.content))
        compressed = len(gzip.compress(response.content, compresslevel=6))
        result["html_gzip_bytes"] = max(result["html_gzip_bytes"], compressed)
        with override_settings(PAGE_CACHE_ENABLED=True, FRAGMENT_CACHE_ENABLED=True):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            # A page-cache miss in a generation other pages have rendered in: a URL of its
            # own (a new filter combination, as a crawler makes), whose cards other renders
            # of the same page type left in the cache (dialogue.cache.render_fragments).
            separator = "&" if "?" in url else "?"
            client.get(f"{url}{separator}bench-miss=first")
            for n in range(repeats):
                started = time.perf_counter()
                client.get(f"{url}{separator}bench-miss={n}")
                miss_timings.append(time.perf_counter() - started)
            if lists:
                # A list whose parts are new but whose cards are kept: the same first page
                # asked for under another spelling (page=1, page=01 …), as a new filter
                # combination showing records other pages showed. Its queries all run.
                for n in range(1, 6):
                    started = time.perf_counter()
                    response = client.get(f"{url}{separator}page={n * '0'}1")
                    parts_timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
        result["queries_warm"] = max(result["queries_warm"], len(queries))
    cache.clear()
    # One request rendered in this process, on an otherwise idle core: the page's own cost,
    # without the load generator or other workers competing for the CPU. `render_ms`: nothing
    # cached at all (as right after a change); `miss_ms`: the page missed, its fragments not.
    result["render_ms"] = 1000 * statistics.median(timings)
    result["miss_ms"] = 1000 * statistics.median(miss_timings)
    if parts_timings:
        result["parts_miss_ms"] = 1000 * statistics.median(parts_timings)
    return result


class Gunicorn(AppServer):
    """gunicorn with production-like settings on a free loopback port (deploy/cluster.py's
    app server), ready once `/readyz` answers."""

    def __init__(self, args, page_cache):
        env = environment(
            args,
            DJANGO_PAGE_CACHE="1" if page_cache else "0",
            GUNICORN_ACCESS_LOG="",
            GUNICORN_MAX_REQUESTS="0",
        )
        log_dir = ROOT / "bench-results"
        log_dir.mkdir(exist_ok=True)
        name = f"gunicorn-{'warm' if page_cache else 'cold'}"
        super().__init__(env, args.workers, log_dir, name)
        wait_until_ready(self.base + "/readyz", self.process, self.log)


def wrk(args, base, urls, duration, max_requests):
    """One wrk run over loopback; returns its JSON summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as paths:
        paths.write("\n".join(urls) + "\n")
    env = {
        **os.environ,
        "WRK_PATHS": paths.name,
        "WRK_MAX_REQUESTS": str(max(1, max_requests // args.threads)),
    }
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        base,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    os.unlink(paths.name)
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    return json.loads(line[5:])


def measure(args, base, urls):
    summary = wrk(args, base, urls, args.duration, args.max_requests)
    summary["load_average"] = os.getloadavg()[0]
    return summary


def compare(args, base, baseline_urls, page_urls):
    """Page runs interleaved with baseline runs (B P B P … B), and their summary.

    Each page run's share is to the mean of the baseline runs on either side of it, so both
    see the same machine; the page's share is the median of its rounds, so a burst of other
    work on the machine moves one round and not the result. p95 is the worst round's.
    """
    baselines = [measure(args, base, baseline_urls)]
    runs = []
    for _ in range(args.rounds):
        run = measure(args, base, page_urls)
        baselines.append(measure(args, base, baseline_urls))
        run["baseline_rps"] = (baselines[-2]["rps"] + baselines[-1]["rps"]) / 2
        run["ratio"] = run["rps"] / run["baseline_rps"] if run["baseline_rps"] else 0
        runs.append(run)
    summary = {
        "rps": statistics.median(run["rps"] for run in runs),
        "ratio": statistics.median(run["ratio"] for run in runs),
        "baseline_rps": statistics.median(run["baseline_rps"] for run in runs),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "p95_ms": max(run["p95_ms"] for run in runs),
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "runs": runs,
    }
    return summary, baselines


def combine(baselines):
    """The baseline row: the mean of the runs paired with the pages, and their spread."""
    rps = [run["rps"] for run in baselines]
    mean = sum(rps) / len(rps)
    return {
        "rps": mean,
        "rps_min": min(rps),
        "rps_max": max(rps),
        "ratio": 1.0,
        "p50_ms": sum(run["p50_ms"] for run in baselines) / len(baselines),
        "p95_ms": sum(run["p95_ms"] for run in baselines) / len(baselines),
        "errors": sum(run["errors"] for run in baselines),
        "runs": baselines,
    }


def machine():
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line
        )
    except (OSError, StopIteration):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def row_text(name, row):
    def rate(mode):
        data = row[mode]
        return (
            f"{data['rps']:8.0f} {100 * data['ratio']:5.0f}% "
            f"{data['p50_ms']:6.1f} {data['p95_ms']:6.1f}"
        )

    return (
        f"{name:26} {rate('cold')} | {rate('warm')} | "
        f"{row['queries_cold']:3d} {row['queries_warm']:3d} | "
        f"{row['html_bytes'] / 1024:6.1f} {row['html_gzip_bytes'] / 1024:5.1f} | "
        f"{row['render_ms']:6.2f} | "
        f"{row['cold']['errors'] + row['warm']['errors']:d}"
    )


def report(results):
    header = (
        f"{'page':26} {'cold r/s':>8} {'base':>6} {'p50':>6} {'p95':>6} | "
        f"{'warm r/s':>8} {'base':>6} {'p50':>6} {'p95':>6} | "
        f"{'q/c':>3} {'q/w':>3} | {'KB':>6} {'gz KB':>5} | {'1 req':>6} | err"
    )
    print()
    print("Latency in ms. r/s and p50: median of the rounds; p95: the worst round. 'base':")
    print("requests per second as a share of the baseline's, measured right before and after")
    print("each round in the same mode (median of the rounds; the baseline row is the mean of")
    print("all its runs). q/c, q/w: SQL queries per request, cold and warm. HTML: the largest")
    print("of the page type's URLs. '1 req': ms of one cold request in-process, one at a time.")
    print(header)
    print("-" * len(header))
    for name, row in results["pages"].items():
        print(row_text(name, row))
    print()
    for mode in ("cold", "warm"):
        base = next(iter(results["pages"].values()))[mode]
        loads = [run["load_average"] for run in base["runs"]]
        print(
            f"{mode}: baseline {base['rps_min']:.0f}-{base['rps_max']:.0f} r/s across its runs; "
            f"1-minute load average {min(loads):.1f}-{max(loads):.1f}"
        )
    print()
    for check in results["targets"]:
        print(f"{'PASS' if check['ok'] else 'MISS'}  {check['what']}")


def check_targets(pages):
    checks = []
    for name, row in pages.items():
        if name.startswith("baseline"):
            continue
        checks += [
            {
                "what": f"{name}: warm {100 * row['warm']['ratio']:.0f}% of baseline (>= 90%)",
                "ok": row["warm"]["ratio"] >= TARGETS["warm_ratio"],
            },
            {
                "what": f"{name}: cold {100 * row['cold']['ratio']:.0f}% of baseline (>= 30%)",
                "ok": row["cold"]["ratio"] >= TARGETS["cold_ratio"],
            },
            {
                "what": f"{name}: warm p95 {row['warm']['p95_ms']:.1f} ms (< 50 ms)",
                "ok": row["warm"]["p95_ms"] < TARGETS["warm_p95_ms"],
            },
            {
                "what": f"{name}: HTML {row['html_gzip_bytes'] / 1024:.1f} KB gzipped (< 50 KB)",
                "ok": row["html_gzip_bytes"] / 1024 < TARGETS["gzip_kb"],
            },
        ]
    errors = sum(row[mode]["errors"] for row in pages.values() for mode in ("cold", "warm"))
    checks.append({"what": f"errors: {errors} (0)", "ok": errors == 0})
    return checks


def main():
    args = parse_args()
    if not shutil.which("wrk") and not (args.prepare_only or args.in_process):
        sys.exit("wrk is missing: apt-get install -y wrk (make bench does it)")
    prepare(args)
    if args.prepare_only:
        return
    setup_django(args)
    urls = pick_urls(args.urls_per_page)
    if args.pages:
        words = [word.strip() for word in args.pages.split(",") if word.strip()]
        urls = {name: found for name, found in urls.items() if any(w in name for w in words)}
    if args.in_process:
        baseline = None
        print(
            "Cold in-process ms (median of 5 requests per URL): 'nothing cached' renders with no"
            " cache at all (as right after a change); 'page miss' is a new URL of a page this"
            " generation rendered (a tracking parameter: its parts and cards are kept); on lists,"
            " 'new parts' is a new URL of the same records (its queries run, its cards are"
            " kept). x: multiples of /healthz, measured first in the same run."
        )
        for name, page_urls in urls.items():
            lists = is_list(name)
            # The baseline from 100 requests: a 5-request median of a 0.5 ms page is noise.
            row = measure_in_process(page_urls, lists=lists, repeats=5 if baseline else 100)
            if baseline is None:
                baseline = row["render_ms"]
            new_parts = ""
            if "parts_miss_ms" in row:
                new_parts = (
                    f", new parts {row['parts_miss_ms']:.1f} ms"
                    f" ({row['parts_miss_ms'] / baseline:.0f} x)"
                )
            print(
                f"{name}: {row['queries_cold']} queries, nothing cached {row['render_ms']:.1f} ms"
                f" ({row['render_ms'] / baseline:.0f} x), page miss {row['miss_ms']:.1f} ms"
                f" ({row['miss_ms'] / baseline:.0f} x){new_parts}, {len(page_urls)} URLs, "
                f"{row['html_gzip_bytes'] / 1024:.1f} KB gzipped",
                flush=True,
            )
        again = measure_in_process(next(iter(urls.values())), repeats=100)["render_ms"]
        print(f"/healthz again at the end: {again:.2f} ms (at the start: {baseline:.2f} ms)")
        return
    started = datetime.now(UTC)
    results = {
        "started": started.isoformat(),
        "machine": machine(),
        "settings": {
            key: getattr(args, key)
            for key in (
                "duration",
                "rounds",
                "warmup",
                "connections",
                "threads",
                "workers",
                "max_requests",
            )
        },
        "database": "PostgreSQL (volume data)",
        "cache": "Redis",
        "urls": urls,
        "pages": {},
    }
    for name, page_urls in urls.items():
        print(f"Counting queries and HTML size: {name}")
        lists = is_list(name)
        results["pages"][name] = measure_in_process(page_urls, lists=lists) | {
            "urls": len(page_urls)
        }
    baseline_name, baseline_urls = next(iter(urls.items()))
    for mode, page_cache in (("cold", False), ("warm", True)):
        server = Gunicorn(args, page_cache)
        baselines = []
        try:
            for name, page_urls in list(urls.items())[1:]:
                print(f"{mode}: {name}", flush=True)
                wrk(args, server.base, page_urls, args.warmup, args.max_requests)
                summary, runs = compare(args, server.base, baseline_urls, page_urls)
                results["pages"][name][mode] = summary
                baselines += runs
        finally:
            server.stop()
        results["pages"][baseline_name][mode] = combine(baselines)
    results["targets"] = check_targets(results["pages"])
    report(results)
    output = Path(args.output or ROOT / "bench-results" / f"bench-{started:%Y%m%dT%H%M%S}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
