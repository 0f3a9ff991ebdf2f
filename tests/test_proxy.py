"""The nginx cache in front of two app servers, as deploy/nginx.conf.in configures it.

A real cluster on loopback (deploy/cluster.py): two gunicorn servers sharing one database and a
redis-server of the test's own, behind nginx. It checks what an operator relies on: anonymous
pages cached and logged-in ones never, hashed static files from disk, the client's own address
passed on (never one it wrote), concurrent misses collapsed into one render, a publish visible
within the stated bound, and pages served while app servers die.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from cluster import Cluster, nginx_binary  # noqa: E402

from .services import RedisServer  # noqa: E402

pytestmark = pytest.mark.services

SHARED_MAX_AGE = 2  # s-maxage of public pages in this cluster: the bound on a change showing


def need(found, what):
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing; CI must install it (.ci/run)")
        pytest.skip(f"{what} is missing")


def get(url, headers=None, timeout=10):
    """(status, headers, body text) without raising on HTTP errors."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def manage(env, *command):
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def python_in_app(env, code):
    """Run Django code in a separate process against the cluster's database (signals fire);
    returns what it printed."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    need(nginx_binary(), "nginx")
    need(shutil.which("redis-server"), "redis-server")
    work = tmp_path_factory.mktemp("cluster")
    redis = RedisServer()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hled.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "proxy-test-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "REDIS_URL": redis.url,
            "DJANGO_STATIC_ROOT": str(work / "static"),
            "DJANGO_PAGE_CACHE_SHARED_MAX_AGE": str(SHARED_MAX_AGE),
            "DJANGO_LOG_LEVEL": "ERROR",
            "GUNICORN_MAX_REQUESTS": "0",
        }
    )
    running = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "loaddata", "hled_demo", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        running = Cluster(env, servers=2, workers=2, run_dir=work / "run")
        running.env = env
        yield running
    finally:
        if running is not None:
            running.stop()
        redis.remove()


def test_anonymous_pages_are_cached_and_sessions_bypass(cluster):
    url = cluster.base + "/en/meetings/"
    status, headers, first = get(url)
    assert status == 200
    assert headers["X-Cache-Status"] in {"MISS", "EXPIRED"}
    assert "s-maxage" in headers["Cache-Control"]
    status, headers, second = get(url)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    assert second == first
    assert headers["Content-Type"].startswith("text/html")

    # A session cookie (logged in, or once was) neither reads nor fills the shared cache.
    status, headers, _ = get(url, {"Cookie": "sessionid=not-a-real-session"})
    assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    # Nor does a client that has just written (it reads its own write, hled/routers.py).
    status, headers, _ = get(url, {"Cookie": "csrftoken=x; hled_primary=1"})
    assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    # Responses the app does not mark shareable are never stored.
    for _ in range(2):
        status, headers, body = get(cluster.base + "/readyz")
        assert status == 200 and '"ok"' in body
        assert headers["X-Cache-Status"] == "MISS"
        status, headers, _ = get(cluster.base + "/admin/login/")
        assert status == 200
        assert headers["X-Cache-Status"] == "MISS"


def test_hashed_static_files_come_from_disk(cluster):
    manifest = Path(cluster.env["DJANGO_STATIC_ROOT"]) / "staticfiles.json"
    hashed = json.loads(manifest.read_text())["paths"]["dialogue/site.css"]
    status, headers, body = get(cluster.base + "/static/" + hashed)
    assert status == 200
    assert body == (Path(cluster.env["DJANGO_STATIC_ROOT"]) / hashed).read_text()
    assert "immutable" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Cache-Status" not in headers  # nginx answered; no app server was asked
    status, _, _ = get(cluster.base + "/static/dialogue/no-such-file.css")
    assert status == 404


def test_the_app_sees_the_connections_address_not_the_clients_claim(cluster):
    # A failed login is recorded with the client's address (the audit log, django-axes).
    status, headers, body = get(cluster.base + "/admin/login/")
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    data = f"csrfmiddlewaretoken={token}&username=nobody-here&password=wrong".encode()
    request = urllib.request.Request(
        cluster.base + "/admin/login/?next=/admin/",
        data=data,
        headers={
            "Cookie": cookie,
            "X-Forwarded-For": "203.0.113.77",
            "X-Real-IP": "203.0.113.78",
            "Referer": cluster.base + "/admin/login/",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200  # the login form again, with its error
        assert "correct username and password" in response.read().decode()
    out = python_in_app(
        cluster.env,
        "from axes.models import AccessAttempt;"
        "print(list(AccessAttempt.objects.values_list('username', 'ip_address')))",
    )
    assert "nobody-here" in out
    assert "127.0.0.1" in out
    assert "203.0.113" not in out


def test_concurrent_misses_make_one_render(cluster):
    path = "/en/agreements/?status=in-force"
    before = sum(app.access_log.read_text().count(path) for app in cluster.apps)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: get(cluster.base + path), range(20)))
    assert all(status == 200 for status, _, _ in results)
    assert len({body for _, _, body in results}) == 1
    time.sleep(0.5)  # gunicorn writes its access log line after the response
    after = sum(app.access_log.read_text().count(path) for app in cluster.apps)
    assert after - before == 1, "20 concurrent misses of one page must reach the apps once"


def test_a_publish_shows_through_the_proxy_within_the_bound(cluster):
    url = cluster.base + "/en/meetings/"
    get(url)
    status, headers, body = get(url)
    assert headers["X-Cache-Status"] in {"HIT", "UPDATING", "REVALIDATED", "EXPIRED"}
    title = "Proxy bound check meeting"
    assert title not in body
    python_in_app(
        cluster.env,
        "from dialogue.models import Meeting;"
        "m = Meeting.objects.published().order_by('-start').first();"
        f"m.title_en = {title!r}; m.save()",
    )
    changed = time.monotonic()
    deadline = changed + SHARED_MAX_AGE + 5
    while True:
        status, headers, body = get(url)
        assert status == 200
        if title in body:
            break
        assert time.monotonic() < deadline, "the change did not show through the proxy"
        time.sleep(0.1)
    elapsed = time.monotonic() - changed
    # s-maxage, plus the one request that finds the entry expired and refreshes it.
    assert elapsed <= SHARED_MAX_AGE + 1.5, elapsed


def test_an_unpublished_meeting_leaves_the_proxy_within_the_bound(cluster):
    """The draft canary's rule through nginx: a page cached while public stops being served
    once its record is a draft again, within the same bound as a publish."""
    slug, title = python_in_app(
        cluster.env,
        "from dialogue.models import Meeting;"
        "m = Meeting.objects.published().order_by('start').first();"
        "print(m.slug, m.title_en, sep='|')",
    ).split("|")
    page, listing = cluster.base + f"/en/meetings/{slug}/", cluster.base + "/en/meetings/"
    for _ in range(2):
        assert get(page)[0] == 200
        assert title in get(listing)[2]
    assert get(page)[1]["X-Cache-Status"] == "HIT"
    python_in_app(
        cluster.env,
        "from dialogue.models import Meeting;"
        f"m = Meeting.objects.get(slug={slug!r}); m.publication_status = 'draft'; m.save()",
    )
    changed = time.monotonic()
    while get(page)[0] != 404 or title in get(listing)[2]:
        assert time.monotonic() - changed < SHARED_MAX_AGE + 5, "the draft is still served"
        time.sleep(0.1)
    assert time.monotonic() - changed <= SHARED_MAX_AGE + 1.5
    status, headers, body = get(page)
    assert status == 404 and title not in body
    assert headers["X-Cache-Status"] != "HIT"  # a 404 is never stored


def test_pages_are_served_while_app_servers_die(cluster):
    page = cluster.base + "/en/"
    status, _, cached = get(page)
    assert status == 200
    # One app server crashes: nginx sends every request to the other; nobody sees an error.
    cluster.apps[0].kill()
    statuses = [get(cluster.base + f"/en/search/?q=energy+{n}")[0] for n in range(30)]
    assert statuses == [200] * 30
    # Both down: cached pages are served stale; the rest is an error from the proxy.
    cluster.apps[1].kill()
    time.sleep(SHARED_MAX_AGE + 0.5)  # past s-maxage: only a stale copy is left
    status, headers, body = get(page)
    assert status == 200
    assert headers["X-Cache-Status"] in {"STALE", "UPDATING"}
    assert body == cached
    status, headers, body = get(cluster.base + "/en/stakeholders/?never-requested=1")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "temporarily unavailable" in body and "no está disponible" in body
    # Back up: served fresh again, without restarting nginx (once it retries the servers).
    for app in cluster.apps:
        app.start()
    deadline = time.monotonic() + 10
    while (status := get(cluster.base + "/en/stakeholders/?never-requested=1")[0]) != 200:
        assert status == 503 and time.monotonic() < deadline
        time.sleep(0.2)


def test_a_client_flooding_the_app_servers_is_refused_by_the_proxy(cluster):
    """What the cache cannot answer passes at most 20 a second per client (a burst of 100):
    beyond that nginx refuses it itself, a bilingual 429 with Retry-After, while that client
    still gets the pages already cached and other clients are not affected."""
    import http.client

    host, port = cluster.base.split("//", 1)[1].split(":")
    cached = "/en/meetings/"
    get(cluster.base + cached)
    assert get(cluster.base + cached)[1]["X-Cache-Status"] == "HIT"
    crawler = http.client.HTTPConnection(
        host, int(port), timeout=10, source_address=("127.0.0.2", 0)
    )

    def crawl(path):
        crawler.request("GET", path)
        response = crawler.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()

    statuses, refusal = [], None
    for n in range(300):
        status, headers, body = crawl(f"/healthz?crawl={n}")
        statuses.append(status)
        if status == 429 and refusal is None:
            refusal = headers, body
    assert statuses[:100] == [200] * 100  # the burst
    assert statuses.count(429) > 100
    headers, body = refusal
    assert headers["Retry-After"] == "10"
    assert "no-store" in headers["Cache-Control"]
    assert "Too many pages at once" in body and "Demasiadas páginas a la vez" in body
    # Cached pages are still served to the crawler, and other clients are not limited.
    status, headers, _ = crawl(cached)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    assert get(cluster.base + "/healthz?other=1")[0] == 200
    crawler.close()
