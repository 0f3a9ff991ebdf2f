"""Headers and cookies as an operator deploys them (DJANGO_HTTPS=1 behind a TLS proxy): the
Content-Security-Policy of every response, the other security headers, cookie attributes, the
Mozilla HTTP Observatory score of every page kind (tests/observatory.py), `check --deploy`."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import observatory
from tests.factories import MeetingFactory
from tests.page_types import PAGE_TYPES, demo_page_paths

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HTTPS_NAMES = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)
PUBLIC_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "report-uri": "/csp-report/",
}


@pytest.fixture
def https(settings, monkeypatch):
    """The settings hled/settings.py gives with DJANGO_HTTPS=1 (behind a TLS proxy)."""
    monkeypatch.setenv("DJANGO_HTTPS", "1")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "https-test")
    production = runpy.run_path(str(ROOT / "hled" / "settings.py"))
    for name in HTTPS_NAMES:
        setattr(settings, name, production[name])
    return settings


def policy(response):
    """{directive: sources} of the response's Content-Security-Policy."""
    value = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in value.split(";"))
        if part
    }


def cookies_of(*responses):
    jar = {}
    for response in responses:
        for name, morsel in response.cookies.items():
            jar[name] = observatory.Cookie(
                name=name,
                secure=bool(morsel["secure"]),
                httponly=bool(morsel["httponly"]),
                samesite=morsel["samesite"] or "",
            )
    return list(jar.values())


def scan(client, path, earlier=()):
    """Fetch `path` as the Observatory does: over HTTP (following the redirect), then over
    HTTPS with an Origin header; cookies set by `earlier` responses are in its jar too."""
    http = client.get(path, HTTP_X_FORWARDED_PROTO="http")
    chain = [(f"http://testserver{path}", http.status_code)]
    if http.status_code in (301, 302, 307, 308):
        chain.append((http["Location"], None))
    response = client.get(path, HTTP_X_FORWARDED_PROTO="https", HTTP_ORIGIN="https://other.example")
    result = observatory.Scan(
        headers=dict(response.headers),
        html=response.content.decode(errors="replace"),
        content_type=response.get("Content-Type", ""),
        http_chain=chain,
        cookies=cookies_of(*earlier, http, response),
        cors_allow_origin=response.get("Access-Control-Allow-Origin"),
        cors_allow_credentials=response.get("Access-Control-Allow-Credentials") == "true",
    )
    return response, observatory.score(result)


def log_in(client, user, password):
    """A real login through the admin form (as the Observatory's jar would hold it)."""
    page = client.get(reverse("admin:login"), HTTP_X_FORWARDED_PROTO="https")
    token = page.cookies[client_csrf_name()].value
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": password, "csrfmiddlewaretoken": token},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 302, response.content[:500]
    return [page, response]


def client_csrf_name():
    from django.conf import settings

    return settings.CSRF_COOKIE_NAME


def test_public_pages_carry_exactly_the_policy_and_no_nonce(client):
    MeetingFactory(slug="a-meeting")
    for path in ["/en/", "/es/reuniones/", "/en/meetings/a-meeting/", "/en/no-such-page/"]:
        response = client.get(path)
        assert response.status_code in (200, 404)
        assert policy(response) == PUBLIC_POLICY, path
        assert "nonce" not in response["Content-Security-Policy"]
        assert b"nonce=" not in response.content
        # No inline script: scripts are files of our own; JSON-LD blocks are data, which no
        # browser runs (and CSP does not govern).
        for tag in re.findall(rb"<script[^>]*>", response.content):
            assert b' src="/static/' in tag or b'type="application/ld+json"' in tag, tag


def test_admin_policy_adds_only_the_editor_import_map_hash(client, staff_client):
    response = staff_client.get(reverse("admin:dialogue_meeting_add"))
    assert response.status_code == 200
    admin_policy = policy(response)
    script_sources = admin_policy.pop("script-src").split()
    assert script_sources[0] == "'self'"
    assert len(script_sources) == 2 and script_sources[1].startswith("'sha256-")
    style_sources = admin_policy.pop("style-src").split()
    # The editor's injected base stylesheet (tests/e2e/test_csp.py shows it applies).
    assert style_sources == ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"]
    assert admin_policy == {
        k: v for k, v in PUBLIC_POLICY.items() if k not in {"script-src", "style-src"}
    }
    # The hash is the import map's, which the page really contains.
    import re

    from security.middleware import script_hash

    maps = re.findall(rb'<script type="importmap"[^>]*>(.*?)</script>', response.content, re.S)
    assert len(maps) == 1
    assert script_hash(maps[0].decode()) == script_sources[1]
    assert b"<script>" not in response.content  # no other inline script


def test_no_unsafe_source_anywhere(client, staff_client):
    for c, path in [
        (client, "/en/"),
        (client, reverse("admin:login")),
        (staff_client, reverse("admin:index")),
        (staff_client, reverse("admin:dialogue_meeting_changelist")),
        (staff_client, reverse("admin:dialogue_meeting_add")),
        (staff_client, reverse("security:mfa-manage")),
        (client, "/static/dialogue/site.css"),
        (client, "/healthz"),
    ]:
        response = c.get(path)
        value = response["Content-Security-Policy"]
        assert "unsafe-inline" not in value and "unsafe-eval" not in value, path
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", path
        assert response["X-Content-Type-Options"] == "nosniff", path


def test_security_headers_under_https(https, client):
    response = client.get("/en/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    plain = client.get("/en/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/en/"


def test_no_hsts_without_https(client):
    response = client.get("/en/")
    assert "Strict-Transport-Security" not in response
    assert response["Content-Security-Policy"]


def test_cookies_under_https(https, client, staff_user):
    responses = log_in(client, staff_user, "editor-password")
    session = responses[-1].cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    csrf = responses[-1].cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    language = client.post(
        reverse("set_language"), {"language": "es", "next": "/"}, HTTP_X_FORWARDED_PROTO="https"
    ).cookies["django_language"]
    assert language["secure"] and language["samesite"] == "Lax" and language["httponly"]


def test_every_page_kind_scores_at_least_130_on_the_observatory(https, staff_user, capsys):
    call_command("loaddata", "hled_demo", "consultations_demo", verbosity=0)
    paths = demo_page_paths()
    scores = {}
    visitor = Client()
    for kind in PAGE_TYPES:
        if kind == "404":
            continue  # the Observatory refuses to score an error page
        response, scores[kind] = scan(visitor, paths[kind])
        assert response.status_code == 200, kind
    response, scores["admin login"] = scan(visitor, reverse("admin:login"))
    staff = Client()
    jar = log_in(staff, staff_user, "editor-password")
    jar.append(
        staff.post(
            reverse("set_language"),
            {"language": "en", "next": "/admin/"},
            HTTP_X_FORWARDED_PROTO="https",
        )
    )
    for kind, path in [
        ("admin index", reverse("admin:index")),
        ("admin list", reverse("admin:dialogue_meeting_changelist")),
        ("admin form (editor)", reverse("admin:dialogue_meeting_add")),
        ("two-factor page", reverse("security:mfa-manage")),
    ]:
        response, scores[kind] = scan(staff, path, earlier=jar)
        assert response.status_code == 200, kind
    with capsys.disabled():
        print("\nHTTP Observatory score per page kind (algorithm 6; 5 in brackets):")
        for kind, (score, older, _outcomes) in scores.items():
            print(f"  {kind:22} {score} ({older})")
    for kind, (score, older, outcomes) in scores.items():
        assert score >= 130 and older >= 130, (kind, score, outcomes)
        assert outcomes["content-security-policy"] == (
            "csp-implemented-with-no-unsafe-default-src-none"
        ), kind
        assert outcomes["cookies"] in {
            "cookies-not-found",
            "cookies-secure-with-httponly-sessions-and-samesite",
        }, kind
        assert outcomes["redirection"] == "redirection-to-https", kind


def test_the_scorer_penalises_what_the_site_avoids():
    """The re-implemented scoring is not a constant: known bad headers lose points."""
    bare = observatory.Scan(headers={"Content-Type": "text/html"}, http_chain=[("http://x/", 200)])
    score, _older, outcomes = observatory.score(bare)
    assert outcomes["content-security-policy"] == "csp-not-implemented"
    assert score == 100 - 25 - 20 - 20 - 5 - 20  # no CSP, HSTS, redirect, nosniff, XFO
    unsafe = observatory.Scan(
        headers={
            "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'",
            "Strict-Transport-Security": "max-age=63072000",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
        },
        http_chain=[("http://x/", 301), ("https://x/", 200)],
        cookies=[observatory.Cookie("sessionid", secure=False, httponly=True, samesite="Lax")],
    )
    _score, _older, outcomes = observatory.score(unsafe)
    assert outcomes["content-security-policy"] == "csp-implemented-with-unsafe-inline"
    assert outcomes["cookies"] == "cookies-session-without-secure-flag-but-protected-by-hsts"
    assert observatory.score(unsafe)[0] == 100 - 20 - 10


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "file-cache"])
def test_check_deploy_reports_nothing(redis, tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "hled.example.org",
        "DJANGO_HTTPS": "1",
        "DJANGO_STAFF_MFA": "required",
        "DJANGO_TRUSTED_PROXIES": "1",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = "redis://cache.internal:6379/0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Without Redis, altcha-django's warning about the file cache's add() is silenced: the
    # project's file cache adds under a lock (hled/filecache.py).
    silenced = 0 if redis else 1
    assert f"System check identified no issues ({silenced} silenced)." in result.stdout
