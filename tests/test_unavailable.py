"""A database or Redis that does not answer: a friendly 503 with Retry-After, never a 500.

In-process, with the failure simulated; tests/test_faults.py stops real services under gunicorn.
"""

import json
import logging

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from dialogue import views

from .conftest import html


@pytest.fixture
def database_down(monkeypatch):
    """Every attempt to reach the database fails as an unreachable PostgreSQL does."""

    def refuse(self):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.fixture
def client():
    # Django's test client re-raises a view's exception; a visitor's browser gets the response.
    return Client(raise_request_exception=False)


def url(name, language):
    with translation.override(language):
        return reverse(name)


def assert_friendly_503(response, retry_after="30"):
    assert response.status_code == 503
    assert response["Retry-After"] == retry_after
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert "Connection refused" not in page
    return page


@pytest.mark.parametrize(
    ("language", "title", "text"),
    [
        ("en", "Temporarily unavailable", "please try again in a minute"),
        ("es", "No disponible por el momento", "vuelva a intentarlo en un minuto"),
    ],
)
def test_database_down_gives_a_503_in_the_language_of_the_url(
    client, database_down, language, title, text
):
    page = assert_friendly_503(client.get(url("dialogue:meeting-list", language)))
    assert f'<html lang="{language}">' in page
    assert title in page
    assert text in page
    assert f'href="/{language}/"' in page


def test_the_503_carries_the_configured_retry_after(client, database_down, settings):
    settings.RETRY_AFTER = 120
    assert_friendly_503(client.get("/en/"), retry_after="120")


def test_the_error_is_logged_once_without_reaching_the_visitor(client, database_down, caplog):
    with caplog.at_level(logging.WARNING):
        client.get("/en/")
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert "Connection refused" in errors[0].getMessage()
    assert errors[0].exc_info is None


def test_a_statement_timeout_gives_the_503(client, monkeypatch):
    def cut(self, *args, **kwargs):
        # What psycopg's QueryCanceled becomes through Django's error wrapper.
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(views.HomeView, "get", cut)
    assert "Temporarily unavailable" in assert_friendly_503(client.get("/en/"))


def test_a_lost_connection_gives_the_503(client, monkeypatch):
    def lost(self, *args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(views.HomeView, "get", lost)
    assert_friendly_503(client.get("/en/"))


def test_redis_unreachable_where_a_request_needs_it_gives_the_503(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to cache:6379. Connection refused.")

    monkeypatch.setattr(views.HomeView, "get", refuse)
    assert_friendly_503(client.get("/en/"))


def test_a_middleware_that_reaches_the_database_gives_the_503(client, database_down):
    # With a session cookie the staff-session middleware loads the session (outside any view).
    client.cookies["sessionid"] = "a" * 32
    page = assert_friendly_503(client.get("/es/"))
    assert "No disponible por el momento" in page


def test_the_admin_gets_the_503(client, database_down):
    login = {"username": "editor", "password": "editor-password"}
    assert_friendly_503(client.post("/admin/login/?next=/admin/", login))
    client.cookies["sessionid"] = "a" * 32
    assert_friendly_503(client.get("/admin/dialogue/meeting/"))


def test_the_api_gets_a_json_503(client, database_down):
    response = client.get("/api/v1/meetings/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert json.loads(response.content) == {
        "detail": "The site is temporarily unavailable. Please try again in a moment."
    }


def test_other_errors_still_get_the_500_page(client, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views.HomeView, "get", broken)
    response = client.get("/en/")
    assert response.status_code == 500
    assert "Something went wrong" in html(response)
    assert not response.has_header("Retry-After")


def test_healthz_stays_200_with_the_database_down(client, database_down):
    assert client.get("/healthz").status_code == 200


def test_readyz_names_the_database(client, database_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["database"].startswith("OperationalError: ")
    assert "Connection refused" in checks["database"]
    assert checks["cache"] == "ok"
