"""Benchmark HLED as it runs in production: nginx's cache in front of two app servers.

`make bench-cluster` runs this on the volume data (PostgreSQL, Redis). It starts the cluster of
deploy/cluster.py (two gunicorn servers sharing PostgreSQL and Redis, nginx in front, as
deploy/nginx.conf.in configures it) and measures, each beside `/healthz` on the same path in
the same run (rounds interleaved with baseline runs, as bench/run.py does):

- proxy hits: the page mix through nginx, every page already in its cache;
- app hits: the same mix straight to an app server, every page in the app's page cache (Redis);
- cold renders: the mix through nginx with a unique query string on every request, so every
  request renders.

Then: how long a publish takes to show through the proxy; 50 clients for 60 s over cached,
filtered and search pages (errors, p99); a flood of unique filter URLs from one client beside
normal visitors (their p95 with and without it); and optionally a soak (--soak-seconds) with
the app workers' memory sampled. nginx's cache statuses are read from its access log.

Load goes to 127.0.0.1 only, bounded in time and requests.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as single  # noqa: E402  (bench/run.py: data, URLs, wrk, interleaved rounds)
from cluster import Cluster  # noqa: E402

UNLIMITED = 1_000_000  # requests a second past the proxy's cache
SEARCHES = ["border", "trade facilitation", "Querétaro", "energía", "enrgy", "comercio"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--secret-file", default=str(ROOT / ".demo-secret"))
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--clear", action="store_true")
    parser.add_argument("--servers", type=int, default=2, help="app servers")
    parser.add_argument(
        "--workers", type=int, default=(os.cpu_count() or 1) + 1, help="workers per server"
    )
    parser.add_argument("--duration", type=int, default=4, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--urls-per-page", type=int, default=5)
    parser.add_argument("--load-clients", type=int, default=50)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--flood-urls", type=int, default=10_000)
    parser.add_argument("--flood-seconds", type=int, default=20)
    parser.add_argument(
        "--visitors", type=int, default=32, help="normal visitors beside the flood (connections)"
    )
    parser.add_argument(
        "--visitor-pause-ms", type=int, default=50, help="each visitor's pause between requests"
    )
    parser.add_argument("--soak-seconds", type=int, default=0, help="0: no soak")
    parser.add_argument("--skip", default="", help="comma-separated: rows,publish,load,flood")
    parser.add_argument("--output")
    args = parser.parse_args()
    args.prepare_only = False
    return args


def cluster_env(args, **extra):
    env = single.environment(
        args,
        DJANGO_PAGE_CACHE="1",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_ACCESS_LOG="",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


def the_mix(urls):
    """Every page type's URLs, the searches, and the filtered lists, in one rotation."""
    mix = [url for name, found in urls.items() if not name.startswith("baseline") for url in found]
    mix += [f"/en/search/?q={urllib.request.quote(query)}" for query in SEARCHES]
    return mix


def warm(base, paths, times=2):
    for _ in range(times):
        for path in paths:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                response.read()


def row(args, name, base, mix, nginx=None, unique=False):
    """The mix on `base`, in rounds interleaved with /healthz on the same path."""
    print(f"{name}", flush=True)
    if unique:
        os.environ["WRK_UNIQUE"] = "1"
    try:
        single.wrk(args, base, mix, args.warmup, args.max_requests)
        if nginx is not None:
            nginx.clear_log()
        summary, baselines = single.compare(args, base, ["/healthz"], mix)
    finally:
        os.environ.pop("WRK_UNIQUE", None)
    summary["baseline"] = single.combine(baselines)
    if nginx is not None:
        time.sleep(0.5)
        summary["nginx_cache"] = nginx.cache_statuses()
    return summary


def publish_bound(cluster, times=3):
    """Seconds from a committed change to the first response through the proxy showing it."""
    from dialogue.models import Meeting

    meeting = Meeting.objects.published().order_by("-start").first()
    url = cluster.base + "/en/meetings/"
    original = meeting.title_en
    seconds = []
    try:
        for attempt in range(times):
            warm(cluster.base, ["/en/meetings/"], times=2)
            title = f"Publication bound check {attempt} {time.time_ns()}"
            meeting.title_en = title
            meeting.save()
            changed = time.monotonic()
            while True:
                with urllib.request.urlopen(url, timeout=10) as response:
                    if title in response.read().decode():
                        break
                if time.monotonic() - changed > 60:
                    raise RuntimeError("a change did not show through the proxy in 60 s")
                time.sleep(0.05)
            seconds.append(time.monotonic() - changed)
    finally:
        meeting.title_en = original
        meeting.save()
    return {"seconds": seconds, "max_s": max(seconds)}


def load(args, cluster, mix):
    """`--load-clients` clients for `--load-seconds` over the mix through nginx."""
    print(f"load: {args.load_clients} clients for {args.load_seconds} s", flush=True)
    cluster.nginx.clear_log()
    saved = args.connections, args.threads
    args.connections, args.threads = args.load_clients, 2
    try:
        summary = single.wrk(args, cluster.base, mix, args.load_seconds, 10**9)
    finally:
        args.connections, args.threads = saved
    time.sleep(0.5)
    summary["nginx_cache"] = cluster.nginx.cache_statuses()
    return summary


def flood_client(base, paths, seconds, counts, stop):
    """One crawler from 127.0.0.2: unique filter URLs as fast as answers come."""
    host, port = base.split("//", 1)[1].split(":")
    deadline = time.monotonic() + seconds
    connection = None
    while paths and not stop.is_set() and time.monotonic() < deadline:
        path = paths.pop()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(
                    host, int(port), timeout=10, source_address=("127.0.0.2", 0)
                )
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            counts["error"] = counts.get("error", 0) + 1
            connection = None


def flood(args, env, mix, urls):
    """Normal visitors' p95 alone, then beside one client walking unique filter URLs."""
    print("flood: a crawler on unique filter URLs beside normal visitors", flush=True)
    from dialogue.models import Pillar, Sector

    pillars = list(Pillar.objects.values_list("slug", flat=True))
    sectors = list(Sector.objects.values_list("slug", flat=True))
    lists = ["/en/agreements/", "/en/meetings/", "/en/progress/", "/es/acuerdos/"]
    paths = [
        f"{lists[n % len(lists)]}?pillar={pillars[n % len(pillars)]}"
        f"&sector={sectors[(n // 7) % len(sectors)]}&page={n % 3 + 1}&v={n}"
        for n in range(args.flood_urls)
    ]
    # Normal visitors are paced (each connection pauses between requests, as a reader does),
    # so "normal" is the latency of a site with spare capacity, not of one already saturated
    # by the measuring client: at saturation any second client, crawler or not, moves p95.
    saved = args.connections, args.threads
    args.connections, args.threads = args.visitors, 2
    os.environ["WRK_DELAY_MS"] = str(args.visitor_pause_ms)
    try:
        with Cluster(env, servers=args.servers, workers=args.workers) as cluster:
            warm(cluster.base, mix)
            duration = args.flood_seconds
            alone = single.wrk(args, cluster.base, mix, duration, 10**9)
            counts, stop = {}, threading.Event()
            crawl = (cluster.base, paths, duration + 2, counts, stop)
            crawlers = [threading.Thread(target=flood_client, args=crawl) for _ in range(4)]
            for thread in crawlers:
                thread.start()
            time.sleep(1)
            try:
                beside = single.wrk(args, cluster.base, mix, duration, 10**9)
            finally:
                stop.set()
                for thread in crawlers:
                    thread.join(timeout=15)
    finally:
        args.connections, args.threads = saved
        os.environ.pop("WRK_DELAY_MS", None)
    return {
        "visitors": args.visitors,
        "visitor_pause_ms": args.visitor_pause_ms,
        "normal_alone": alone,
        "normal_beside_flood": beside,
        "p95_ratio": beside["p95_ms"] / alone["p95_ms"] if alone["p95_ms"] else 0,
        "flood_responses": counts,
        "flood_requests": sum(counts.values()),
    }


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def soak(args, cluster, mix):
    """wrk over the mix (a share of it unique, so the apps keep rendering) for
    --soak-seconds, sampling every app worker's resident memory every 10 s."""
    print(f"soak: {args.soak_seconds} s", flush=True)
    pids = [pid for app in cluster.apps for pid in app.worker_pids()]
    samples = {pid: [] for pid in pids}
    result = {}

    def drive():
        os.environ["WRK_UNIQUE"] = "500"
        try:
            result["wrk"] = single.wrk(args, cluster.base, mix, args.soak_seconds, 10**9)
        finally:
            os.environ.pop("WRK_UNIQUE", None)

    driver = threading.Thread(target=drive)
    driver.start()
    started = time.monotonic()
    while driver.is_alive():
        for pid in pids:
            value = rss_kb(pid)
            if value is not None:
                samples[pid].append((round(time.monotonic() - started), value))
        driver.join(timeout=10)
    workers = {}
    for pid, values in samples.items():
        if len(values) < 4:
            continue
        # Compared after the first minute's warm-up (imports, caches filling).
        settled = [kb for at, kb in values if at >= min(60, args.soak_seconds // 4)]
        workers[pid] = {
            "first_kb": settled[0],
            "last_kb": settled[-1],
            "max_kb": max(settled),
            "change": settled[-1] / settled[0] - 1,
        }
    result["workers"] = workers
    result["max_change"] = max((abs(w["change"]) for w in workers.values()), default=0)
    return result


def print_row(name, data):
    base = data["baseline"]
    nginx = data.get("nginx_cache", {})
    statuses = ", ".join(f"{key} {value}" for key, value in sorted(nginx.items()))
    print(
        f"{name:34} {data['rps']:8.0f} {100 * data['ratio']:5.0f}% {data['p50_ms']:6.1f} "
        f"{data['p95_ms']:6.1f} | /healthz {base['rps']:7.0f} r/s | err {data['errors']}"
        + (f" | nginx: {statuses}" if statuses else "")
    )


def main():
    args = parse_args()
    skip = set(filter(None, args.skip.split(",")))
    single.prepare(args)
    single.setup_django(args)
    urls = single.pick_urls(args.urls_per_page)
    mix = the_mix(urls)
    started = datetime.now(UTC)
    results = {
        "started": started.isoformat(),
        "machine": single.machine(),
        "settings": {
            k: getattr(args, k)
            for k in ("servers", "workers", "duration", "rounds", "connections", "threads")
        },
        "mix": mix,
    }
    env = cluster_env(args)
    # The rows, the publish and the load come from one address (wrk on 127.0.0.1), the cold
    # row as fast as renders go: the proxy's per-client limit on requests past its cache is
    # lifted for them (the flood measures it).
    with Cluster(env, servers=args.servers, workers=args.workers, miss_rate=UNLIMITED) as cluster:
        warm(cluster.base, mix)
        for app in cluster.apps:
            warm(app.base, mix)
        rows = {}
        if "rows" not in skip:
            rows["proxy hit (nginx cache)"] = row(args, "proxy", cluster.base, mix, cluster.nginx)
            rows["app hit (Redis page cache)"] = row(args, "app hit", cluster.apps[0].base, mix)
            rows["cold render (through nginx)"] = row(
                args, "cold render", cluster.base, mix, cluster.nginx, unique=True
            )
        results["rows"] = rows
        if "load" not in skip:
            results["load"] = load(args, cluster, mix)
        # After the load: a publish starts a new generation, and every page then renders once.
        if "publish" not in skip:
            results["publish"] = publish_bound(cluster)
    if "flood" not in skip:
        # The production default of the render limit (the other runs turn it off: they
        # render on purpose, from one address).
        results["flood"] = flood(args, cluster_env(args, DJANGO_RENDER_BURST="60"), mix, urls)
    if args.soak_seconds:
        soak_env = cluster_env(args, DJANGO_RENDER_BURST="0", DJANGO_PAGE_CACHE_TIMEOUT="30")
        with Cluster(
            soak_env, servers=args.servers, workers=args.workers, miss_rate=UNLIMITED
        ) as cluster:
            warm(cluster.base, mix)
            results["soak"] = soak(args, cluster, mix)

    print()
    print("Latency in ms; r/s, share of /healthz on the same path, p50, p95 (worst round).")
    for name, data in results["rows"].items():
        print_row(name, data)
    if "publish" in results:
        seconds = ", ".join(f"{s:.2f}" for s in results["publish"]["seconds"])
        print(f"\npublish visible through the proxy after: {seconds} s")
    if "load" in results:
        data = results["load"]
        print(
            f"load: {args.load_clients} clients x {args.load_seconds} s: {data['requests']} "
            f"requests, {data['rps']:.0f} r/s, p50 {data['p50_ms']:.1f}, p99 {data['p99_ms']:.1f},"
            f" max {data['max_ms']:.1f} ms, errors {data['errors']} | nginx: {data['nginx_cache']}"
        )
    if "flood" in results:
        data = results["flood"]
        print(
            f"flood: normal p95 {data['normal_alone']['p95_ms']:.1f} ms alone, "
            f"{data['normal_beside_flood']['p95_ms']:.1f} ms beside the crawler "
            f"({data['p95_ratio']:.2f}x); crawler: {data['flood_requests']} requests "
            f"{data['flood_responses']}; normal errors "
            f"{data['normal_alone']['errors']} / {data['normal_beside_flood']['errors']}"
        )
    if "soak" in results:
        data = results["soak"]
        print(
            f"soak: {args.soak_seconds} s, {data['wrk']['requests']} requests, errors "
            f"{data['wrk']['errors']}, p99 {data['wrk']['p99_ms']:.1f} ms; worker memory change "
            f"after warm-up: max {100 * data['max_change']:.1f} %"
        )
        for pid, worker in data["workers"].items():
            print(
                f"  worker {pid}: {worker['first_kb'] / 1024:.1f} -> {worker['last_kb'] / 1024:.1f}"
                f" MB (max {worker['max_kb'] / 1024:.1f}, {100 * worker['change']:+.1f} %)"
            )
    output = Path(args.output or ROOT / "bench-results" / f"cluster-{started:%Y%m%dT%H%M%S}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nWrote {output}")


if __name__ == "__main__":
    main()
