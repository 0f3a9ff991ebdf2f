"""HLED settings: one file, configured by environment variables, safe by default.

Variables (all optional in development, see README "Configuration"):
DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_CSRF_TRUSTED_ORIGINS,
DATABASE_URL, DJANGO_CONN_MAX_AGE, REDIS_URL, DJANGO_PAGE_CACHE, DJANGO_PAGE_CACHE_MAX_AGE,
DJANGO_PAGE_CACHE_TIMEOUT, DJANGO_PAGE_CACHE_LOCAL_ENTRIES, DJANGO_PAGE_CACHE_LOCAL_TRUST,
DJANGO_HTTPS, DJANGO_HSTS_SECONDS, DJANGO_SERVE_MEDIA, DJANGO_MEDIA_ROOT, DJANGO_MEDIA_STORAGE,
DJANGO_STATIC_ROOT, DJANGO_STATIC_URL, DJANGO_RELEASE, DJANGO_LOG_LEVEL, EMAIL_URL,
DJANGO_DEFAULT_FROM_EMAIL, DJANGO_SITE_URL.
See docs/deploy.md for production.
"""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",
    # Django's admin with the editors' dashboard on its home page (dialogue/admin_site.py).
    "dialogue.apps.HLEDAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, for the form renderer below.
    "django.forms",
    "django_filters",
    "django_prose_editor",
    "reversion",
    "dialogue",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early: a cached page is answered at once, and stored with every inner middleware's
    # headers (dialogue/cache.py).
    "dialogue.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hled.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dialogue.context_processors.site",
            ],
        },
    },
]

# Forms render through the TEMPLATES above, so templates/django/forms/ can override a widget
# template (select.html, for speed; see its comment).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "hled.wsgi.application"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# SQLite file by default; PostgreSQL (psycopg 3) in production, e.g.
# DATABASE_URL=postgres://hled:secret@db.internal:5432/hled. Connections are kept open between
# requests (DJANGO_CONN_MAX_AGE seconds) and checked before reuse.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and let /readyz say so) when the database host does not answer.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# The cache is Redis when REDIS_URL is set (shared by every worker and app server), else a
# per-process memory cache. Sessions live in the database (cached in Redis when there is one),
# so app servers keep no state of their own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing its Redis client between operations.
            "BACKEND": "dialogue.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "hled"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hled",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Whole-page cache of anonymous public pages (dialogue/cache.py). On by default only with a
# shared cache: a per-process cache cannot see another worker's invalidations.
PAGE_CACHE_ENABLED = env_bool("DJANGO_PAGE_CACHE", bool(REDIS_URL))
# How long browsers and CDNs may reuse a public page without asking again (seconds).
PAGE_CACHE_MAX_AGE = int(os.environ.get("DJANGO_PAGE_CACHE_MAX_AGE", "60"))
# Longest life of a page in the server-side cache; content changes invalidate it sooner.
PAGE_CACHE_TIMEOUT = int(os.environ.get("DJANGO_PAGE_CACHE_TIMEOUT", "600"))
# Part of every page-cache key: set it to the deployed commit so a release never serves pages
# rendered by the previous one (migrations also start a new generation).
PAGE_CACHE_RELEASE = os.environ.get("DJANGO_RELEASE", "")
# With Redis: pages each process keeps in memory (a hit then needs no round trip), and how
# many seconds it trusts its subscription to the generation before asking Redis again.
PAGE_CACHE_LOCAL_ENTRIES = int(os.environ.get("DJANGO_PAGE_CACHE_LOCAL_ENTRIES", "256"))
PAGE_CACHE_LOCAL_TRUST = float(os.environ.get("DJANGO_PAGE_CACHE_LOCAL_TRUST", "1"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Content is entered in English first; Spanish falls back to English (and back) when missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "es")}
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# A CDN in front of the static files: e.g. DJANGO_STATIC_URL=https://cdn.example.org/static/
STATIC_URL = os.environ.get("DJANGO_STATIC_URL", "/static/")
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Uploaded media: local files by default; any Django storage class (e.g. an object store
    # from django-storages) when several app servers must share them.
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)

# HTTPS hardening, switched on by DJANGO_HTTPS=1 behind a TLS-terminating proxy.
HTTPS = env_bool("DJANGO_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe the health checks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_HTTPONLY = True

DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Rich-text editor (django-prose-editor) loads its own bundled assets; no CDN.
DJANGO_PROSE_EDITOR_DEFAULT_PRESET = "configurable"

# Email, configured by one URL as the database is (dj-email-url): e.g.
# EMAIL_URL=submission://user:password@smtp.example.org (port 587, STARTTLS),
# smtps://user:password@smtp.example.org:465?ssl=True, smtp://127.0.0.1:25, console:// (print
# to the console, the default with debug on and in `make demo`), dummy:// (discard).
# Without it and with debug off, mail goes to an SMTP server on localhost:25.
EMAIL_URL = os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
_email = dj_email_url.parse(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"] or None
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "HLED <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address of the site, for links in emails sent by management commands (which
# have no request to read it from), e.g. https://hled.example.org
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SITE_NAME = "US–Mexico High-Level Economic Dialogue"
PAGINATE_BY = 20
