"""Settings come from the environment: SQLite and a file cache by default, PostgreSQL and
Redis when configured; hashed static files are cached for good."""

import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

SETTINGS = Path(__file__).resolve().parent.parent / "hled" / "settings.py"
VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_CONN_MAX_AGE",
    "DJANGO_PAGE_CACHE",
    "DJANGO_PAGE_CACHE_MAX_AGE",
    "DJANGO_MEDIA_STORAGE",
    "DJANGO_STATIC_URL",
    "DJANGO_RELEASE",
    "DJANGO_DEBUG",
    "DJANGO_STATEMENT_TIMEOUT_MS",
    "DJANGO_RETRY_AFTER",
    "HLED_PROCESS",
    "DJANGO_CACHE_DIR",
    "DJANGO_CACHE_MAX_ENTRIES",
    "DATABASE_REPLICA_URLS",
    "DJANGO_REPLICA_PIN_SECONDS",
]


@pytest.fixture
def load_settings(monkeypatch):
    """Run hled/settings.py afresh with the given environment and return its names."""

    def load(**environ):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DJANGO_SECRET_KEY", "settings-test")
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return load


def test_newcomer_defaults(load_settings):
    settings = load_settings()
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["CONN_HEALTH_CHECKS"] is True
    cache = settings["CACHES"]["default"]
    # Files every worker on the machine shares, in a git-ignored directory; bounded.
    assert cache["BACKEND"] == "hled.filecache.FileCache"
    assert cache["LOCATION"] == str(SETTINGS.parent.parent / "var" / "cache")
    assert cache["OPTIONS"] == {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4}
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    # Shared, so the page cache is on; the replay-protection warning about Django's
    # file-based add() is silenced because hled/filecache.py adds under a lock.
    assert settings["PAGE_CACHE_ENABLED"] is True
    assert settings["SILENCED_SYSTEM_CHECKS"] == ["altcha.W017"]
    assert settings["DEBUG"] is False
    middleware = settings["MIDDLEWARE"]
    after_whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
    assert middleware[after_whitenoise] == "dialogue.cache.PageCacheMiddleware"
    # The render limit counts only what the page cache decided to render, and is on.
    assert middleware[after_whitenoise + 1] == "security.middleware.RenderLimitMiddleware"
    assert (settings["RENDER_BURST"], settings["RENDER_WINDOW"]) == (60, 60)
    assert (
        settings["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_production_on_postgresql_and_redis(load_settings):
    settings = load_settings(
        DATABASE_URL="postgres://hled:secret@db.internal:5432/hled",
        REDIS_URL="redis://cache.internal:6379/0",
        DJANGO_CONN_MAX_AGE="120",
    )
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5432, "hled")
    assert database["CONN_MAX_AGE"] == 120
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 5
    # Management commands (migrate, backups, volume data) run without a statement timeout.
    assert database["OPTIONS"]["options"] == "-c jit=off"
    cache = settings["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/0"
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert settings["PAGE_CACHE_ENABLED"] is True
    assert settings["SILENCED_SYSTEM_CHECKS"] == []


def test_no_replicas_no_router(load_settings):
    settings = load_settings()
    assert settings["DATABASE_REPLICAS"] == []
    assert settings["DATABASE_ROUTERS"] == []
    assert list(settings["DATABASES"]) == ["default"]


def test_read_replicas_are_configured_like_the_primary(load_settings):
    settings = load_settings(
        DATABASE_URL="postgres://hled:secret@db.internal:5432/hled",
        DATABASE_REPLICA_URLS="postgres://hled:secret@replica-a:5432/hled, "
        "postgres://hled:secret@replica-b:6432/hled",
        DJANGO_CONN_MAX_AGE="120",
        DJANGO_REPLICA_PIN_SECONDS="9",
        HLED_PROCESS="web",
    )
    assert settings["DATABASE_REPLICAS"] == ["replica1", "replica2"]
    assert settings["DATABASE_ROUTERS"] == ["hled.routers.ReplicaRouter"]
    assert settings["REPLICA_PIN_SECONDS"] == 9
    primary = settings["DATABASES"]["default"]
    for alias, host, port in (("replica1", "replica-a", 5432), ("replica2", "replica-b", 6432)):
        replica = settings["DATABASES"][alias]
        assert (replica["HOST"], replica["PORT"], replica["NAME"]) == (host, port, "hled")
        assert replica["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"] == 120
        assert replica["CONN_HEALTH_CHECKS"] is True
        assert replica["OPTIONS"] == primary["OPTIONS"]
        assert replica["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=5000"
        # The test run reads the primary's test database through it.
        assert replica["TEST"] == {"MIRROR": "default"}
    middleware = settings["MIDDLEWARE"]
    assert middleware.index("hled.routers.ReplicaMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


def test_the_file_cache_can_be_placed_and_sized(load_settings, tmp_path):
    settings = load_settings(DJANGO_CACHE_DIR=str(tmp_path), DJANGO_CACHE_MAX_ENTRIES="200")
    cache = settings["CACHES"]["default"]
    assert (cache["LOCATION"], cache["OPTIONS"]["MAX_ENTRIES"]) == (str(tmp_path), 200)


def test_no_page_cache_by_default_with_debug_on(load_settings):
    # Templates change under a development server: cached pages would hide the change.
    assert load_settings(DJANGO_DEBUG="1")["PAGE_CACHE_ENABLED"] is False
    assert load_settings(DJANGO_DEBUG="1", DJANGO_PAGE_CACHE="1")["PAGE_CACHE_ENABLED"] is True


def test_web_processes_bound_their_statements(load_settings):
    url = "postgres://hled:secret@db.internal:5432/hled"
    settings = load_settings(DATABASE_URL=url, HLED_PROCESS="web")
    options = settings["DATABASES"]["default"]["OPTIONS"]["options"]
    assert options == "-c jit=off -c statement_timeout=5000"
    assert settings["RETRY_AFTER"] == 30
    settings = load_settings(
        DATABASE_URL=url,
        HLED_PROCESS="web",
        DJANGO_STATEMENT_TIMEOUT_MS="250",
        DJANGO_RETRY_AFTER="120",
    )
    options = settings["DATABASES"]["default"]["OPTIONS"]["options"]
    assert options == "-c jit=off -c statement_timeout=250"
    assert settings["RETRY_AFTER"] == 120
    settings = load_settings(DATABASE_URL=url, HLED_PROCESS="web", DJANGO_STATEMENT_TIMEOUT_MS="0")
    assert settings["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"


def test_the_wsgi_and_asgi_entry_points_mark_a_web_process():
    root = SETTINGS.parent
    for entry in ("wsgi.py", "asgi.py"):
        source = (root / entry).read_text()
        assert source.index('os.environ["HLED_PROCESS"] = "web"') < source.index("_application()")


def test_page_cache_and_media_storage_can_be_chosen(load_settings):
    settings = load_settings(
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_PAGE_CACHE="0",
        DJANGO_PAGE_CACHE_MAX_AGE="0",
        DJANGO_MEDIA_STORAGE="storages.backends.s3.S3Storage",
        DJANGO_STATIC_URL="https://cdn.example.org/static/",
        DJANGO_RELEASE="3f2c1ab",
    )
    assert settings["PAGE_CACHE_ENABLED"] is False
    assert settings["PAGE_CACHE_MAX_AGE"] == 0
    assert settings["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert settings["STATIC_URL"] == "https://cdn.example.org/static/"
    assert settings["PAGE_CACHE_RELEASE"] == "3f2c1ab"


def test_hashed_static_files_are_cached_for_years(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    hashed = staticfiles_storage.url("dialogue/site.css")
    assert hashed != "/static/dialogue/site.css"

    client = Client()  # a new handler, so WhiteNoise indexes the files just collected
    response = client.get(hashed, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    plain = client.get("/static/dialogue/site.css")
    assert plain["Cache-Control"] == "max-age=60, public"
