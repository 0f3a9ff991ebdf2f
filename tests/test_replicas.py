"""Read replicas (hled/routers.py): which database each kind of request reads from.

A replica alias that mirrors the test database (as DATABASE_REPLICA_URLS's aliases do in
tests) has a connection of its own, so the queries each alias ran can be counted. The tests
commit their data (transactional), so the replica's connection sees it. The same checks
against a real streaming replica are in tests/test_replication.py.
"""

import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogue import cache as page_cache
from dialogue.models import Meeting, Sector
from hled import routers

from .factories import MeetingFactory

PIN_SECONDS = 7


def settle():
    """Forget that content just changed (the test's data was created a moment ago)."""
    cache.delete(page_cache.CHANGED_KEY)


pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica1"])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """The alias replica1, mirroring the test database as DATABASE_REPLICA_URLS's do in tests.

    Module-scoped, so it exists before each test's database access is set up.
    """
    default = connections["default"].settings_dict
    connections.settings["replica1"] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    yield "replica1"
    connections["replica1"].close()
    del connections["replica1"]
    del connections.settings["replica1"]


@pytest.fixture
def replica(settings):
    """DATABASE_REPLICA_URLS with one replica (replica1), and one meeting published."""
    settings.DATABASE_REPLICAS = ["replica1"]
    settings.DATABASE_ROUTERS = ["hled.routers.ReplicaRouter"]
    settings.REPLICA_PIN_SECONDS = PIN_SECONDS
    MeetingFactory(slug="first", title="Meeting read back")
    settle()
    yield "replica1"
    routers.unavailable_until.clear()


def restore_alias(working):
    connections["replica1"].close()
    del connections["replica1"]
    connections.settings["replica1"] = working


class Queries:
    """The queries each alias ran inside the `with` block."""

    def __enter__(self):
        self.captured = {
            alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica1")
        }
        for context in self.captured.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.captured.values():
            context.__exit__(*exc)

    def count(self, alias):
        return len(self.captured[alias].captured_queries)


def get(client, url, **kwargs):
    with Queries() as queries:
        response = client.get(url, **kwargs)
    return response, queries


class TestPublicReads:
    def test_an_anonymous_get_reads_from_the_replica(self, replica, client):
        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert response.status_code == 200
        assert "Meeting read back" in response.content.decode()
        assert queries.count("replica1") > 0
        assert queries.count("default") == 0
        assert routers.PIN_COOKIE not in response.cookies

    def test_head_and_the_api_read_from_the_replica(self, replica, client):
        with Queries() as queries:
            assert client.head(reverse("dialogue:meeting-list")).status_code == 200
            assert client.get("/api/v1/meetings/").status_code == 200
        assert queries.count("replica1") > 0
        assert queries.count("default") == 0

    def test_a_page_read_from_the_replica_is_still_shared(self, replica, client, settings):
        settings.PAGE_CACHE_ENABLED = True
        response, _ = get(client, reverse("dialogue:meeting-detail", args=["first"]))
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert not response.cookies
        again, queries = get(client, reverse("dialogue:meeting-detail", args=["first"]))
        assert again["X-Page-Cache"] == "hit"
        assert queries.count("replica1") == queries.count("default") == 0

    def test_without_replicas_nothing_changes(self, client, settings):
        assert settings.DATABASE_REPLICAS == []
        assert settings.DATABASE_ROUTERS == []
        response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
        assert routers.PIN_COOKIE not in response.cookies


class TestStaffAndAdmin:
    def test_staff_read_from_the_primary_everywhere(self, replica, staff_client):
        for url in (reverse("admin:index"), reverse("dialogue:meeting-list")):
            response, queries = get(staff_client, url)
            assert response.status_code == 200
            assert queries.count("default") > 0
            assert queries.count("replica1") == 0

    def test_the_admin_login_page_reads_from_the_primary(self, replica, client):
        response, queries = get(client, reverse("admin:login"))
        assert response.status_code == 200
        assert queries.count("replica1") == 0

    def test_any_session_cookie_means_the_primary(self, replica, client, settings):
        client.cookies[settings.SESSION_COOKIE_NAME] = "expired-or-unknown"
        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert response.status_code == 200
        assert queries.count("default") > 0
        assert queries.count("replica1") == 0


class TestReadYourWrites:
    def test_a_post_pins_the_client_to_the_primary(self, replica, client):
        response = client.post(reverse("set_language"), {"language": "en", "next": "/en/"})
        assert response.status_code == 302
        pin = response.cookies[routers.PIN_COOKIE]
        assert pin["max-age"] == PIN_SECONDS
        assert pin["httponly"]
        assert pin["samesite"] == "Lax"

        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert response.status_code == 200
        assert queries.count("default") > 0
        assert queries.count("replica1") == 0

        # Once the cookie has expired, the replica again.
        del client.cookies[routers.PIN_COOKIE]
        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert queries.count("replica1") > 0
        assert queries.count("default") == 0

    def test_a_get_that_writes_reads_from_the_primary_after_and_pins(self, replica):
        seen = []

        def view(request):
            seen.append(router.db_for_read(Meeting))
            Sector.objects.create(name="Ports", slug="ports")
            seen.append(router.db_for_read(Meeting))
            return HttpResponse("ok")

        response = routers.ReplicaMiddleware(view)(RequestFactory().get("/en/"))
        assert seen == ["replica1", "default"]
        assert response.cookies[routers.PIN_COOKIE]["max-age"] == PIN_SECONDS

    def test_reads_inside_a_transaction_use_the_primary(self, replica):
        seen = []

        def view(request):
            with transaction.atomic():
                seen.append(router.db_for_read(Meeting))
            seen.append(router.db_for_read(Meeting))
            return HttpResponse("ok")

        routers.ReplicaMiddleware(view)(RequestFactory().get("/en/"))
        assert seen == ["default", "replica1"]

    def test_after_a_content_change_every_visitor_reads_from_the_primary(self, replica, client):
        MeetingFactory(title="Meeting just added")  # the page cache starts a new generation
        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert "Meeting just added" in response.content.decode()
        assert queries.count("default") > 0
        assert queries.count("replica1") == 0

        settle()  # REPLICA_PIN_SECONDS later
        response, queries = get(client, reverse("dialogue:meeting-list"))
        assert queries.count("replica1") > 0
        assert queries.count("default") == 0


class TestOutsideRequests:
    def test_management_commands_and_the_shell_read_from_the_primary(self, replica):
        assert router.db_for_read(Meeting) == "default"
        with Queries() as queries:
            assert Meeting.objects.count() == 1
            call_command("check", "--database", "default", verbosity=0)
        assert queries.count("replica1") == 0
        assert queries.count("default") > 0

    def test_writes_and_migrations_go_to_the_primary(self, replica):
        assert router.db_for_write(Meeting) == "default"
        assert router.allow_migrate("default", "dialogue")
        assert not router.allow_migrate("replica1", "dialogue")


class TestReplicaDown:
    def test_a_replica_that_does_not_answer_falls_back_to_the_primary(
        self, replica, client, caplog, request
    ):
        working = connections.settings["replica1"]
        connections["replica1"].close()
        del connections["replica1"]
        connections.settings["replica1"] = {
            **working,
            "NAME": "/nonexistent/directory/replica.sqlite3",
        }
        request.addfinalizer(lambda: restore_alias(working))
        with (
            caplog.at_level(logging.WARNING, logger="hled.routers"),
            CaptureQueriesContext(connections["default"]) as primary,
        ):
            response = client.get(reverse("dialogue:meeting-list"))
        assert response.status_code == 200
        assert "Meeting read back" in response.content.decode()
        assert len(primary.captured_queries) > 0
        assert "Replica replica1 unavailable" in caplog.text
        # Left aside for a while: the next request does not even try it.
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="hled.routers"):
            assert client.get(reverse("dialogue:meeting-list")).status_code == 200
        assert "Replica replica1 unavailable" not in caplog.text
