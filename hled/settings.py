"""HLED settings: one file, configured by environment variables, safe by default.

Variables (all optional in development, see README "Configuration"):
DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_CSRF_TRUSTED_ORIGINS,
DATABASE_URL, DATABASE_REPLICA_URLS, DJANGO_REPLICA_PIN_SECONDS, DJANGO_CONN_MAX_AGE,
DJANGO_STATEMENT_TIMEOUT_MS, DJANGO_RETRY_AFTER, REDIS_URL,
DJANGO_CACHE_DIR, DJANGO_CACHE_MAX_ENTRIES, DJANGO_PAGE_CACHE, DJANGO_PAGE_CACHE_MAX_AGE,
DJANGO_PAGE_CACHE_TIMEOUT, DJANGO_PAGE_CACHE_SHARED_MAX_AGE, DJANGO_FRAGMENT_CACHE,
DJANGO_HTTPS, DJANGO_HSTS_SECONDS, DJANGO_SERVE_MEDIA, DJANGO_MEDIA_ROOT, DJANGO_MEDIA_STORAGE,
DJANGO_BACKUP_DIR, DJANGO_STATIC_ROOT, DJANGO_STATIC_URL, DJANGO_RELEASE, DJANGO_LOG_LEVEL,
DJANGO_TRUSTED_PROXIES, DJANGO_RENDER_BURST, DJANGO_RENDER_WINDOW, DJANGO_RENDER_SECONDS,
DJANGO_STAFF_MFA, DJANGO_STAFF_IDLE_MINUTES, DJANGO_STAFF_SESSION_HOURS,
DJANGO_UPLOAD_MAX_MB, EMAIL_URL, DJANGO_DEFAULT_FROM_EMAIL, DJANGO_SITE_URL, ALTCHA_HMAC_SECRET,
CONSULTATIONS_RATE_PER_HOUR, CONSULTATIONS_RATE_PER_DAY, CONSULTATIONS_RETENTION_DAYS.
See docs/deploy.md for production and docs/security.md for the security settings.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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
    "django.contrib.sitemaps",
    # Full-text search and trigram lookups on PostgreSQL (dialogue/search.py).
    "django.contrib.postgres",
    # Django's own widget templates, for the form renderer below.
    "django.forms",
    "django_filters",
    # Spreadsheet import and export in the admin (dialogue/admin/spreadsheets.py).
    "import_export",
    "django_prose_editor",
    "reversion",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "altcha_django",
    "dialogue",
    # Security machinery that is not dialogue content: audit log, CSP reports, two-factor
    # enrolment, upload checks (security/).
    "security",
    # Public input: consultations, submissions, moderation and answers (consultations/).
    "consultations",
    # The read-only JSON API (api/).
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache and WhiteNoise: every response, a cached page and a static file
    # included, gets the current Content-Security-Policy, Permissions-Policy and
    # Cross-Origin-Resource-Policy (security/middleware.py).
    "security.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "security.middleware.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early: a cached page is answered at once, and stored with every inner middleware's
    # headers (dialogue/cache.py).
    "dialogue.cache.PageCacheMiddleware",
    # Right after it: a client's public pages rendered afresh (not hits) are limited per
    # window (security/renders.py).
    "security.middleware.RenderLimitMiddleware",
    # With DATABASE_REPLICA_URLS: anonymous GET / HEAD requests read from a replica, the rest
    # from the primary; a client that wrote is pinned to it for a while (hled/routers.py).
    "hled.routers.ReplicaMiddleware",
    # A database or Redis that does not answer gives a friendly 503 with Retry-After, not a
    # 500 (dialogue/middleware.py; hled/urls.py's handler500 for errors in a middleware).
    "dialogue.middleware.ServiceUnavailableMiddleware",
    # Cross-origin reads of the API (GET only; CORS_* below). The page cache above serves only
    # the language-prefixed pages, never /api/.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who and from where, for the audit log of everything the request changes.
    "security.middleware.RequestContextMiddleware",
    # Staff sessions end after inactivity and after an absolute lifetime (with a message).
    "security.middleware.StaffSessionMiddleware",
    # Staff who must use two-factor authentication finish it before anything else.
    "security.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: answers locked-out logins with HTTP 429.
    "axes.middleware.AxesMiddleware",
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

# Forms render through the TEMPLATES above (so templates/django/forms/ can override a widget
# template), selects in Python for speed (hled/renderers.py).
FORM_RENDERER = "hled.renderers.FormRenderer"

WSGI_APPLICATION = "hled.wsgi.application"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# SQLite file by default; PostgreSQL (psycopg 3) in production, e.g.
# DATABASE_URL=postgres://hled:secret@db.internal:5432/hled. Connections are kept open between
# requests (DJANGO_CONN_MAX_AGE seconds) and checked before reuse.
CONN_MAX_AGE = int(os.environ.get("DJANGO_CONN_MAX_AGE", "60"))
# Web requests (hled/wsgi.py and hled/asgi.py set HLED_PROCESS=web) give up on a statement
# after this many milliseconds and answer 503, rather than hold a worker; management commands
# (migrate, generate_volume, backup) are never cut. 0 turns it off.
STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_STATEMENT_TIMEOUT_MS", "5000"))
WEB_PROCESS = os.environ.get("HLED_PROCESS") == "web"


def database(url):
    """One DATABASES entry for `url`, the primary and each replica alike."""
    config = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        # Fail fast (and let /readyz say so) when the database host does not answer.
        options.setdefault("connect_timeout", 5)
        # No JIT compilation: the pages' queries are short, and PostgreSQL's cost estimates at
        # volume made it compile some for 40 ms to save less than a millisecond of execution.
        options["options"] = "-c jit=off"
        if WEB_PROCESS and STATEMENT_TIMEOUT_MS > 0:
            options["options"] += f" -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    return config


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# Streaming replicas of the primary (comma-separated URLs, each parsed as DATABASE_URL is):
# aliases replica1, replica2 … Anonymous visitors' GET and HEAD requests read from one of them;
# staff, writes, transactions, management commands and a client that wrote in the last
# DJANGO_REPLICA_PIN_SECONDS use the primary (hled/routers.py). In tests each one mirrors the
# primary's test database.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASE_REPLICAS.append(f"replica{_number}")
    DATABASES[f"replica{_number}"] = {**database(_url), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["hled.routers.ReplicaRouter"] if DATABASE_REPLICAS else []
# Seconds after a write during which that client (by a cookie), and after a change to public
# content every visitor, reads from the primary: longer than the replicas' worst lag.
REPLICA_PIN_SECONDS = int(os.environ.get("DJANGO_REPLICA_PIN_SECONDS", "5"))
# Seconds a 503 (database or Redis unavailable) asks clients to wait before trying again.
RETRY_AFTER = int(os.environ.get("DJANGO_RETRY_AFTER", "30"))
# The cache is Redis when REDIS_URL is set (shared by every worker and app server), else files
# in DJANGO_CACHE_DIR, shared by every worker on this machine (hled/filecache.py), at most
# DJANGO_CACHE_MAX_ENTRIES of them (a quarter are dropped when full). Sessions live in the
# database (cached in Redis when there is one), so app servers keep no state of their own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "hled"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "hled.filecache.FileCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("DJANGO_CACHE_MAX_ENTRIES", "5000")),
                "CULL_FREQUENCY": 4,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Whole-page cache of anonymous public pages (dialogue/cache.py). On by default, the cache
# being shared by every worker either way; off by default with debug on, where templates
# change under a running server and the cache would keep showing the old pages.
PAGE_CACHE_ENABLED = env_bool("DJANGO_PAGE_CACHE", not DEBUG)
# Parts of public pages kept the same way (dialogue/cache.py `render_fragments`: the lists'
# cards, the tracker's figures), so a page-cache miss renders only the rest.
FRAGMENT_CACHE_ENABLED = env_bool("DJANGO_FRAGMENT_CACHE", not DEBUG)
# How long browsers and CDNs may reuse a public page without asking again (seconds).
PAGE_CACHE_MAX_AGE = int(os.environ.get("DJANGO_PAGE_CACHE_MAX_AGE", "60"))
# Longest life of a page in the server-side cache; content changes invalidate it sooner.
PAGE_CACHE_TIMEOUT = int(os.environ.get("DJANGO_PAGE_CACHE_TIMEOUT", "600"))
# s-maxage of public pages: how long the reverse proxy (deploy/nginx.conf.in) or a CDN serves a
# page before revalidating it by its ETag, so the bound on a change showing through it.
PAGE_CACHE_SHARED_MAX_AGE = int(os.environ.get("DJANGO_PAGE_CACHE_SHARED_MAX_AGE", "5"))
# Part of every page-cache key: set it to the deployed commit so a release never serves pages
# rendered by the previous one (migrations also start a new generation).
PAGE_CACHE_RELEASE = os.environ.get("DJANGO_RELEASE", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: a locked-out (username, address) pair is refused before its password is
# even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
# Where `manage.py backup` writes (dialogue/backups.py); keep copies off the server.
BACKUP_DIR = Path(os.environ.get("DJANGO_BACKUP_DIR", BASE_DIR / "backups"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)

# HTTPS hardening, switched on by DJANGO_HTTPS=1 behind a TLS-terminating proxy.
HTTPS = env_bool("DJANGO_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # "__Host-" cookies are only accepted over HTTPS, for this host, with Path=/: no other
    # subdomain (nor a network attacker over plain HTTP) can set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe the health checks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Django leaves the language cookie without SameSite (and Secure): set both.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp 4; the same shape as Django 6's SECURE_CSP). Nothing
# inline: every script and stylesheet is a file. The admin's rich-text editor writes one
# inline import map, allowed by its hash on /admin/ only (security/middleware.py). Public pages
# are cached whole, so they carry no per-request nonce.
CSP_REPORT_PATH = "/csp-report/"
CSP_SELF = "'self'"
CSP_NONE = "'none'"
# Static files on a CDN (an absolute DJANGO_STATIC_URL) are allowed from its origin too.
_static = urlsplit(STATIC_URL)
_assets = [CSP_SELF, *([f"{_static.scheme}://{_static.netloc}"] if _static.netloc else [])]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_NONE],
        "script-src": _assets,
        "style-src": _assets,
        "img-src": [*_assets, "data:"],
        "font-src": _assets,
        "connect-src": [CSP_SELF],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_NONE],
        "object-src": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "report-uri": [CSP_REPORT_PATH],
    },
}
# Violation reports: at most this many per client address a minute, and this many distinct
# violations kept (each counts its repeats).
CSP_REPORTS_PER_MINUTE = int(os.environ.get("DJANGO_CSP_REPORTS_PER_MINUTE", "30"))
CSP_REPORTS_KEPT = int(os.environ.get("DJANGO_CSP_REPORTS_KEPT", "1000"))

# Permissions-Policy: no page needs any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
# Cross-Origin-Resource-Policy of every response (static files on a CDN excepted).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# The client's address: REMOTE_ADDR, or, behind DJANGO_TRUSTED_PROXIES reverse proxies that
# each append to X-Forwarded-For, the entry the outermost of them appended
# (security/client.py). Never the left-most entry: the client writes that one itself.
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))

# Crawlers and floods: a client may cause at most this many renders of public pages (page-cache
# hits and logged-in users are not counted), and at most RENDER_SECONDS of rendering time, per
# window of this many seconds, then gets HTTP 429 until the window ends. 0 turns the limit off
# (RENDER_SECONDS 0: renders are counted, not timed).
RENDER_BURST = int(os.environ.get("DJANGO_RENDER_BURST", "60"))
RENDER_WINDOW = int(os.environ.get("DJANGO_RENDER_WINDOW", "60"))
RENDER_SECONDS = float(os.environ.get("DJANGO_RENDER_SECONDS", "6"))

# Admin brute force (django-axes): 5 failures for one (username, address) lock that pair for
# 30 minutes; a success resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends 30 minutes after it began: attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "security.client.client_ip"
AXES_LOCKOUT_CALLABLE = "security.views.locked_out"
AXES_VERBOSE = False

# Staff two-factor authentication (django-otp, TOTP with recovery codes): "required" makes
# Publishers and superusers enrol and verify; "optional" (the demo) asks only those who
# enrolled. docs/deploy.md sets "required" in production.
STAFF_MFA = os.environ.get("DJANGO_STAFF_MFA", "optional").strip().lower()
if STAFF_MFA not in {"required", "optional"}:
    raise ImproperlyConfigured('DJANGO_STAFF_MFA must be "required" or "optional".')
OTP_TOTP_ISSUER = "HLED"

# Staff sessions end after this much inactivity, and this long after logging in whatever.
STAFF_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("DJANGO_STAFF_IDLE_MINUTES", "30")))
STAFF_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("DJANGO_STAFF_SESSION_HOURS", "10")))
# The browser's cookie lasts no longer than the absolute lifetime either.
SESSION_COOKIE_AGE = int(STAFF_SESSION_LIFETIME.total_seconds())

# Document uploads: allow-listed formats only, checked by content (security/uploads.py).
UPLOAD_MAX_BYTES = int(os.environ.get("DJANGO_UPLOAD_MAX_MB", "20")) * 1024 * 1024

DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000


def _not_429(record):
    return getattr(record, "status_code", None) != 429


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A flood refused with 429 would write one WARNING per request; security/renders.py logs
    # one line per client and window instead.
    "filters": {"not_429": {"()": "django.utils.log.CallbackFilter", "callback": _not_429}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["not_429"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Rich-text editor (django-prose-editor) loads its own bundled assets; no CDN.
DJANGO_PROSE_EDITOR_DEFAULT_PRESET = "configurable"

# Email, configured by one URL as the database is (dj-email-url): e.g.
# EMAIL_URL=submission://user:password@smtp.example.org (port 587, STARTTLS),
# smtps://user:password@smtp.example.org:465?ssl=True, smtp://127.0.0.1:25, console:// (print
# to the console: the default with debug on, and `make demo`), dummy:// (discard).
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

# Public input (consultations/). Submissions stored per client address (an IPv6 /64 counts as
# one address): at most this many an hour and a day, counted in the cache.
CONSULTATIONS_RATE_PER_HOUR = int(os.environ.get("CONSULTATIONS_RATE_PER_HOUR", "5"))
CONSULTATIONS_RATE_PER_DAY = int(os.environ.get("CONSULTATIONS_RATE_PER_DAY", "20"))
# A form sent sooner than this after it was shown is refused (a person needs longer), and one
# shown longer ago than the second figure (seconds) must be sent again.
CONSULTATIONS_FORM_MIN_SECONDS = 3
CONSULTATIONS_FORM_MAX_SECONDS = 24 * 3600
# More links than this in a submission flag it for a closer look in the moderation queue.
CONSULTATIONS_MAX_LINKS = 2
# The email confirmation link is valid for this long; unconfirmed submissions are then erased.
CONSULTATIONS_CONFIRM_HOURS = 48
# Names and email addresses are erased this many days after a consultation is answered
# (`manage.py erase_personal_data`, run daily by cron).
CONSULTATIONS_RETENTION_DAYS = int(os.environ.get("CONSULTATIONS_RETENTION_DAYS", "180"))
# Self-hosted proof of work (altcha-django verifies it; consultations/static/ solves it). The
# secret signs the challenges; it defaults to one derived from the secret key.
ALTCHA_HMAC_SECRET = os.environ.get("ALTCHA_HMAC_SECRET", "") or f"altcha:{SECRET_KEY}"
ALTCHA_CHALLENGE = {"algorithm": "PBKDF2/SHA-256", "cost": 5000, "expires_seconds": 3600}
# The challenge is embedded in the form page (never cached): no challenge endpoint to wire.
ALTCHA_WIDGET_CHALLENGE_MODE = "inline"
# The rate limits and altcha-django's replay protection live in the default cache, so every
# worker shares them: in Redis, or without it in the file cache. altcha.W017 warns that
# Django's file-based cache adds a key by checking then writing; hled/filecache.py adds under
# an exclusive lock, which the check cannot see.
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["altcha.W017"]

# The read-only API (/api/v1/, api/): anonymous, JSON, paginated, throttled per client address.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's anonymous throttle, letting requests through while the cache is down.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("DJANGO_API_THROTTLE", "600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HLED open data API",
    "DESCRIPTION": "Read-only access to the published records of the US–Mexico High-Level "
    "Economic Dialogue. Every text is given in English and Spanish.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per shared set of choices (api/schema.py).
    "ENUM_NAME_OVERRIDES": {
        name: f"api.schema.{path}"
        for name, path in {
            "SideEnum": "SIDE",
            "MeetingKindEnum": "MEETING_KIND",
            "MeetingStatusEnum": "MEETING_STATUS",
            "AgreementKindEnum": "AGREEMENT_KIND",
            "AgreementStatusEnum": "AGREEMENT_STATUS",
            "StakeholderKindEnum": "STAKEHOLDER_KIND",
            "DocumentKindEnum": "DOCUMENT_KIND",
        }.items()
    },
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

SITE_NAME = "US–Mexico High-Level Economic Dialogue"
PAGINATE_BY = 20
