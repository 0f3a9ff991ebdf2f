"""Health checks: /healthz answers without the database, /readyz checks database and cache."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from dialogue import health


def test_urls_have_no_language_prefix():
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"


def test_healthz_needs_no_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code != 301


@pytest.mark.django_db
def test_readyz_checks_database_and_cache(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_with_a_reason_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    payload = json.loads(response.content)
    assert payload["status"] == "unavailable"
    assert "connection refused" in payload["checks"]["database"]
    assert payload["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_fails(client, monkeypatch):
    class ForgetfulCache:
        def set(self, key, value, timeout=None):
            pass

        def get(self, key, default=None):
            return default

        def delete(self, key):
            pass

    monkeypatch.setattr(health, "cache", ForgetfulCache())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "could not be read back" in json.loads(response.content)["checks"]["cache"]


def test_health_checks_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
