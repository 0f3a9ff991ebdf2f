"""The page cache: anonymous pages are served whole, never stale, never a draft, never staff's."""

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dialogue import cache as page_cache
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    MeetingFactory,
    PageFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_MAX_AGE = 60
    cache.clear()
    yield
    cache.clear()


def url(name, **kwargs):
    return reverse(f"dialogue:{name}", kwargs=kwargs or None)


def get(client, path, **headers):
    return client.get(path, headers=headers)


def body(response):
    return response.content.decode()


class TestAnonymousPages:
    @pytest.mark.parametrize(
        ("name", "factory"),
        [
            ("home", None),
            ("meeting-list", None),
            ("agreement-list", None),
            ("stakeholder-list", None),
            ("meeting-detail", MeetingFactory),
            ("agreement-detail", AgreementFactory),
            ("stakeholder-detail", StakeholderFactory),
        ],
    )
    def test_second_request_is_served_from_the_cache_without_queries(
        self, client, django_assert_num_queries, name, factory
    ):
        path = url(name, slug=factory().slug) if factory else url(name)
        first = client.get(path)
        assert first.status_code == 200
        assert first["X-Page-Cache"] == "miss"
        assert not first.cookies, "an anonymous page must set no cookie"
        with django_assert_num_queries(0):
            second = client.get(path)
        assert second.status_code == 200
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]

    def test_public_headers_and_no_cookie(self, client):
        for _ in range(2):
            response = client.get(url("meeting-list"))
            assert not response.cookies, "an anonymous page must set no cookie"
            cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert cache_control == {"public", "max-age=60", "s-maxage=5"}
            assert "Cookie" in response["Vary"]
            assert response["ETag"].startswith('"')
            assert response["Last-Modified"].endswith("GMT")

    def test_hits_carry_the_headers_of_every_middleware(self, client):
        path = url("meeting-list")
        first = client.get(path)
        hit = client.get(path)
        assert hit["X-Page-Cache"] == "hit"
        for header in ("X-Frame-Options", "Content-Language", "X-Content-Type-Options", "Vary"):
            assert hit[header] == first[header], header
        assert hit["Content-Language"] == "en"

    def test_repeat_request_with_the_etag_gets_304(self, client):
        path = url("agreement-list")
        etag = client.get(path)["ETag"]
        response = get(client, path, if_none_match=etag)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag

    def test_repeat_request_with_last_modified_gets_304(self, client):
        path = url("home")
        last_modified = client.get(path)["Last-Modified"]
        assert get(client, path, if_modified_since=last_modified).status_code == 304

    def test_a_changed_etag_gets_the_page(self, client):
        path = url("home")
        client.get(path)
        assert get(client, path, if_none_match='"something-else"').status_code == 200

    def test_query_string_and_language_are_part_of_the_key(self, client):
        MeetingFactory(title="Energy session", status="held")
        MeetingFactory(title="Cancelled session", status="cancelled")
        held = body(client.get(url("meeting-list") + "?status=held"))
        cancelled = body(client.get(url("meeting-list") + "?status=cancelled"))
        assert "Energy session" in held and "Cancelled session" not in held
        assert "Cancelled session" in cancelled and "Energy session" not in cancelled
        english = client.get(url("home"))
        with translation.override("es"):
            spanish_path = url("home")
        spanish = client.get(spanish_path)
        assert spanish["X-Page-Cache"] == "miss"
        assert '<html lang="es">' in body(spanish)
        assert '<html lang="en">' in body(english)

    def test_head_is_served_from_the_cache(self, client):
        path = url("home")
        client.get(path)
        assert client.head(path)["X-Page-Cache"] == "hit"

    def test_other_paths_cost_no_cache_lookup(self, client, monkeypatch):
        def fail(*args, **kwargs):
            raise AssertionError("looked up")

        monkeypatch.setattr(page_cache, "page_variant", fail)
        assert client.get("/healthz").status_code == 200
        assert client.get(reverse("admin:login")).status_code == 200

    def test_errors_are_not_stored(self, client):
        path = url("meeting-detail", slug="no-such-meeting")
        assert client.get(path).status_code == 404
        response = client.get(path)
        assert response.status_code == 404
        assert "X-Page-Cache" not in response

    def test_a_stale_session_cookie_is_still_anonymous(self, client):
        path = url("home")
        client.get(path)
        client.cookies["sessionid"] = "not-a-session"
        response = client.get(path)
        assert response["X-Page-Cache"] == "hit"
        assert "public" in response["Cache-Control"]

    def test_storage_can_be_switched_off(self, client, settings):
        settings.PAGE_CACHE_ENABLED = False
        path = url("home")
        client.get(path)
        response = client.get(path)
        assert "X-Page-Cache" not in response
        assert "public" in response["Cache-Control"]

    def test_an_unreachable_cache_does_not_break_pages(self, client, monkeypatch):
        def broken(*args, **kwargs):
            raise ConnectionError("cache is down")

        monkeypatch.setattr(page_cache, "current_generation", broken)
        response = client.get(url("home"))
        assert response.status_code == 200
        assert "X-Page-Cache" not in response


class TestInvalidation:
    def test_saving_a_record_shows_the_change(self, client):
        meeting = MeetingFactory(title="Old title")
        path = meeting.get_absolute_url()
        assert "Old title" in body(client.get(path))
        assert client.get(path)["X-Page-Cache"] == "hit"
        meeting.title = "New title"
        meeting.save()
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss"
        assert "New title" in body(response)

    def test_the_list_follows_a_change_to_one_of_its_records(self, client):
        meeting = MeetingFactory(title="Listed meeting")
        path = url("meeting-list")
        assert "Listed meeting" in body(client.get(path))
        meeting.title = "Renamed meeting"
        meeting.save()
        assert "Renamed meeting" in body(client.get(path))

    def test_deleting_a_record_removes_it(self, client):
        agreement = AgreementFactory(title="Doomed agreement")
        path = url("agreement-list")
        assert "Doomed agreement" in body(client.get(path))
        agreement.delete()
        assert "Doomed agreement" not in body(client.get(path))

    def test_inline_rows_and_many_to_many_changes_show(self, client):
        meeting = MeetingFactory()
        item = AgendaItemFactory(meeting=meeting, title="Agenda item one")
        path = meeting.get_absolute_url()
        assert "Agenda item one" in body(client.get(path))
        sector = SectorFactory(name="Space cooperation")
        item.sectors.add(sector)
        assert "Space cooperation" in body(client.get(path))
        agreement = AgreementFactory()
        agreement_path = agreement.get_absolute_url()
        client.get(agreement_path)
        AgreementPartyFactory(agreement=agreement, stakeholder=StakeholderFactory(name="NASA"))
        assert "NASA" in body(client.get(agreement_path))

    def test_publishing_and_unpublishing_a_draft(self, client, staff_client):
        meeting = MeetingFactory(title="Draft meeting", draft=True)
        path = url("meeting-list")
        assert "Draft meeting" not in body(client.get(path))
        assert client.get(meeting.get_absolute_url()).status_code == 404
        meeting.publication_status = "published"
        meeting.save()
        assert "Draft meeting" in body(client.get(path))
        assert client.get(meeting.get_absolute_url()).status_code == 200

        # The admin's bulk action saves each record through the publishing service.
        response = staff_client.post(
            reverse("admin:dialogue_meeting_changelist"),
            {"action": "unpublish", "_selected_action": [meeting.pk]},
        )
        assert response.status_code == 302
        assert "Draft meeting" not in body(client.get(path))
        assert client.get(meeting.get_absolute_url()).status_code == 404

    def test_a_staff_post_that_changes_nothing_keeps_the_cached_pages(self, client, staff_client):
        meeting = MeetingFactory(title="Cached meeting")
        path = meeting.get_absolute_url()
        assert client.get(path)["X-Page-Cache"] == "miss"
        assert client.get(path)["X-Page-Cache"] == "hit"
        # A change form posted with an error saves nothing.
        change = reverse("admin:dialogue_meeting_change", args=[meeting.pk])
        response = staff_client.post(change, {"title_en": ""})
        assert response.status_code == 200
        assert "This field is required" in body(response)
        hit = client.get(path)
        assert hit["X-Page-Cache"] == "hit"
        assert "Cached meeting" in body(hit)

    def test_a_scheduled_record_appears_when_its_time_comes(self, client):
        publish_at = timezone.now() + dt.timedelta(seconds=1.5)
        MeetingFactory(title="Scheduled meeting", publish_at=publish_at)
        path = url("meeting-list")
        first = client.get(path)
        assert first.status_code == 200
        assert "Scheduled meeting" not in body(first)
        with time_machine.travel(publish_at + dt.timedelta(seconds=0.1), tick=False):
            second = client.get(path)
            assert second["X-Page-Cache"] == "miss"
            assert "Scheduled meeting" in body(second)

    def test_next_change_is_the_earliest_scheduled_time_or_meeting_start(self):
        now = timezone.now()
        assert page_cache.next_change_at(now) is None
        soon = now + dt.timedelta(days=3)
        later = now + dt.timedelta(days=9)
        AgreementFactory(scheduled=True, publish_at=later, origin_meeting=MeetingFactory())
        PageFactory(scheduled=True, publish_at=soon)
        StakeholderFactory(draft=True, publish_at=now + dt.timedelta(days=1))
        assert page_cache.next_change_at(now) == soon
        start = now + dt.timedelta(days=2)
        MeetingFactory(start=start, end=None, status="confirmed")
        assert page_cache.next_change_at(now) == start

    def test_changes_bump_the_generation_again_after_commit(
        self, django_capture_on_commit_callbacks
    ):
        before = page_cache.current_generation()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            MeetingFactory()
        assert callbacks
        assert page_cache.current_generation() > before + 1

    def test_bulk_changes_bump_once_at_the_end(self):
        before = page_cache.current_generation()
        with page_cache.bulk_changes():
            MeetingFactory.create_batch(3)
            assert page_cache.current_generation() == before
        assert page_cache.current_generation() > before

    def test_another_process_invalidating_is_seen_at_once(self, client):
        meeting = MeetingFactory(title="Before")
        path = meeting.get_absolute_url()
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit"  # this worker now holds a hint
        # Another worker changes the record: only the shared generation moves here.
        page_cache.disconnect_signals()
        try:
            type(meeting).objects.filter(pk=meeting.pk).update(title="After")
        finally:
            page_cache.connect_signals()
        assert client.get(path)["X-Page-Cache"] == "hit"
        cache.incr(page_cache.GENERATION_KEY)
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss"
        assert "After" in body(response)

    def test_a_new_release_or_a_migration_never_serves_old_pages(self, client, settings):
        path = url("home")
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit"
        settings.PAGE_CACHE_RELEASE = "next-release"
        assert client.get(path)["X-Page-Cache"] == "miss"
        assert client.get(path)["X-Page-Cache"] == "hit"
        page_cache.migrated(sender=None)
        assert client.get(path)["X-Page-Cache"] == "miss"

    def test_a_lost_generation_is_never_reused(self):
        first = page_cache.current_generation()
        cache.delete(page_cache.GENERATION_KEY)
        assert page_cache.current_generation() > first


class TestStaff:
    def test_staff_are_never_served_from_the_cache_nor_stored(self, client, staff_client):
        meeting = MeetingFactory(title="Shared meeting")
        path = meeting.get_absolute_url()
        client.get(path)
        response = staff_client.get(path)
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]

        cache.clear()
        staff_client.get(path)
        assert client.get(path)["X-Page-Cache"] == "miss"

    def test_previews_are_private(self, client, staff_client):
        meeting = MeetingFactory(title="Draft for preview", draft=True)
        response = staff_client.get(meeting.get_absolute_url())
        assert response.status_code == 200
        assert "Draft preview" in body(response)
        assert "no-store" in response["Cache-Control"]
        assert client.get(meeting.get_absolute_url()).status_code == 404

    def test_admin_is_never_cached(self, staff_client):
        response = staff_client.get(reverse("admin:index"))
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def redis_location():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_cache(settings):
    """Django's Redis backend against the local server; required under CI=true."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(redis_location(), socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {redis_location()} under CI: {error}")
        pytest.skip(f"Redis is not reachable at {redis_location()}: {error}")
    prefix = f"hled-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_location(),
            "KEY_PREFIX": prefix,
        }
    }
    backend = caches["default"]
    yield backend
    client = redis.Redis.from_url(redis_location())
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_the_redis_backend_serves_and_invalidates_pages(redis_cache, client):
    assert isinstance(redis_cache, RedisCache)
    redis_cache.set("ping", "pong")
    assert redis_cache.get("ping") == "pong"
    assert redis_cache.get_many(["ping", "missing"]) == {"ping": "pong"}

    meeting = MeetingFactory(title="Cached in Redis")
    path = meeting.get_absolute_url()
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"
    meeting.title = "Changed in Redis"
    meeting.save()
    response = client.get(path)
    assert response["X-Page-Cache"] == "miss"
    assert "Changed in Redis" in body(response)


def test_anonymous_pages_set_no_cookie_even_after_a_staff_visit(staff_client):
    anonymous = Client()
    meeting = MeetingFactory()
    staff_client.get(meeting.get_absolute_url())
    response = anonymous.get(meeting.get_absolute_url())
    assert not response.cookies


def test_a_change_made_by_another_app_server_is_seen_by_the_next_request(redis_cache, client):
    """Every server reads the generation from Redis: a bump by any of them (here a raw
    connection, as another server's INCR) expires this server's pages at once."""
    redis = pytest.importorskip("redis")
    path = MeetingFactory().get_absolute_url()
    client.get(path)
    assert client.get(path)["X-Page-Cache"] == "hit"
    key = redis_cache.make_and_validate_key(page_cache.GENERATION_KEY)
    redis.Redis.from_url(redis_location()).incr(key)
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"


class TestFragments:
    """Parts of pages kept per content generation (`page_cache.fragment`): the tracker's
    figures, the same on every page of its list."""

    @pytest.fixture(autouse=True)
    def fragments_on(self, settings):
        settings.PAGE_CACHE_ENABLED = False  # every request renders the page around them
        settings.FRAGMENT_CACHE_ENABLED = True

    def test_the_tracker_figures_are_rendered_once_per_filter_and_follow_changes(
        self, client, django_assert_max_num_queries
    ):
        from tests.factories import AgreementUpdateFactory

        agreement = AgreementFactory(status="implementing", progress=30)
        path = url("progress")
        with django_assert_max_num_queries(30) as first:
            assert "1 commitment" in body(client.get(path))
        with django_assert_max_num_queries(len(first) - 4):  # counts, meetings, progress
            assert "1 commitment" in body(client.get(path + "?page=1"))
        # Another filter has figures of its own.
        assert "0 commitments" in body(client.get(path + "?status=completed"))
        update = AgreementUpdateFactory(agreement=agreement, date=dt.date.today(),
                                        status="completed", progress=100)  # fmt: skip
        assert "1 commitment" in body(client.get(path + "?status=completed"))
        update.delete()
        assert "0 commitments" in body(client.get(path + "?status=completed"))

    def test_a_scheduled_update_changes_the_figures_at_its_time(self, client):
        from tests.factories import AgreementUpdateFactory

        agreement = AgreementFactory(status="implementing", progress=30)
        publish_at = timezone.now() + dt.timedelta(seconds=1.5)
        AgreementUpdateFactory(agreement=agreement, date=dt.date.today(), status="completed",
                               progress=100, publish_at=publish_at)  # fmt: skip
        path = url("progress") + "?status=completed"
        assert "0 commitments" in body(client.get(path))
        with time_machine.travel(publish_at + dt.timedelta(seconds=0.1), tick=False):
            assert "1 commitment" in body(client.get(path))

    def test_each_language_has_its_own(self, client):
        AgreementFactory(status="implementing", progress=30)
        assert "1 commitment" in body(client.get(url("progress")))
        with translation.override("es"):
            spanish = url("progress")
        assert "1 compromiso" in body(client.get(spanish))

    def test_an_unreachable_cache_renders_them(self, client, monkeypatch):
        AgreementFactory(status="implementing", progress=30)

        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(page_cache, "current_generation", broken)
        assert "1 commitment" in body(client.get(url("progress")))

    def test_agreement_cards_follow_every_change_they_show(self, client):
        agreement = AgreementFactory(title="Air transport", status="implementing", progress=30)
        lead = StakeholderFactory(name="Department of Transportation", country="US")
        AgreementPartyFactory(agreement=agreement, stakeholder=lead, role="lead")
        path = url("agreement-list")
        page = body(client.get(path))
        assert "Air transport" in page and "Department of Transportation" in page
        agreement.title = "Air services"
        agreement.save()
        lead.name = "Department of Transport"
        lead.save()
        page = body(client.get(path))
        assert "Air services" in page and "Department of Transport<" in page
        assert "Air transport" not in page
