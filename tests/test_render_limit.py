"""A client may cause only so many fresh renders of public pages per window; hits, logged-in
staff and other clients are not affected, and the refusal is a small page in the visitor's
language that says when to come back."""

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

import security.middleware as middleware
from security import renders
from tests.factories import MeetingFactory

from .conftest import html

pytestmark = pytest.mark.django_db

BURST = 3
START = 1_800_000_000  # the start of a 60-second window


@pytest.fixture(autouse=True)
def render_limit_on(settings):
    settings.RENDER_BURST = BURST
    settings.RENDER_WINDOW = 60
    cache.clear()
    with time_machine.travel(START + 15, tick=False) as clock:
        yield clock
    cache.clear()


@pytest.fixture
def meetings():
    return [MeetingFactory() for _ in range(BURST + 2)]


def test_a_client_is_refused_after_its_burst_until_the_window_ends(
    client, meetings, render_limit_on, django_assert_num_queries
):
    for meeting in meetings[:BURST]:
        assert client.get(meeting.get_absolute_url()).status_code == 200
    with django_assert_num_queries(0):
        refused = client.get(meetings[BURST].get_absolute_url())
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert "no-store" in refused["Cache-Control"]
    page = html(refused)
    assert "Please wait 45 seconds, then try again." in page
    assert '<html lang="en">' in page
    assert meetings[BURST].title not in page
    # Still refused later in the window, with less to wait; served again in the next one.
    render_limit_on.shift(40)
    refused = client.get(meetings[BURST].get_absolute_url())
    assert (refused.status_code, refused["Retry-After"]) == (429, "5")
    render_limit_on.shift(5)
    served = client.get(meetings[BURST].get_absolute_url())
    assert served.status_code == 200
    assert meetings[BURST].title in html(served)


def test_other_addresses_are_not_affected(client, meetings):
    for meeting in meetings[: BURST + 1]:
        client.get(meeting.get_absolute_url())
    assert client.get(meetings[0].get_absolute_url()).status_code == 429
    other = client.get(meetings[0].get_absolute_url(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert meetings[0].title in html(other)


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, meetings, settings):
    settings.TRUSTED_PROXIES = 1

    def get(path, address):
        return client.get(path, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address)

    for meeting in meetings[:BURST]:
        assert get(meeting.get_absolute_url(), "203.0.113.5").status_code == 200
    assert get(meetings[0].get_absolute_url(), "203.0.113.5").status_code == 429
    assert get(meetings[0].get_absolute_url(), "203.0.113.6").status_code == 200
    # An IPv6 client's /64 counts as one client.
    for meeting in meetings[:BURST]:
        assert get(meeting.get_absolute_url(), "2001:db8:1:2::1").status_code == 200
    assert get(meetings[0].get_absolute_url(), "2001:db8:1:2::99").status_code == 429


def test_page_cache_hits_do_not_count(client, meetings, settings):
    settings.PAGE_CACHE_ENABLED = True
    path = meetings[0].get_absolute_url()
    assert client.get(path)["X-Page-Cache"] == "miss"
    for _ in range(BURST * 3):
        response = client.get(path)
        assert (response.status_code, response["X-Page-Cache"]) == (200, "hit")
    for meeting in meetings[1:BURST]:
        assert client.get(meeting.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(meetings[BURST].get_absolute_url()).status_code == 429
    assert client.get(path)["X-Page-Cache"] == "hit"  # cached pages are still served


def test_spanish_pages_are_refused_in_spanish(client, meetings):
    with translation.override("es"):
        paths = [meeting.get_absolute_url() for meeting in meetings]
    assert paths[0].startswith("/es/")
    for path in paths[:BURST]:
        assert client.get(path).status_code == 200
    refused = client.get(paths[BURST])
    assert refused.status_code == 429
    page = html(refused)
    assert '<html lang="es">' in page
    assert "Espere 45 segundos y vuelva a intentarlo." in page
    assert "Please wait" not in page


def test_logged_in_staff_are_exempt(staff_client, meetings):
    for _ in range(BURST + 2):
        for meeting in meetings:
            response = staff_client.get(meeting.get_absolute_url())
            assert response.status_code == 200


def test_only_public_pages_count(client, meetings):
    for _ in range(BURST + 2):
        assert client.get("/healthz").status_code == 200
        assert client.get(reverse("admin:login")).status_code == 200
    for meeting in meetings[:BURST]:
        assert client.get(meeting.get_absolute_url()).status_code == 200


def test_switched_off_with_a_burst_of_zero(client, meetings, settings):
    settings.RENDER_BURST = 0
    for _ in range(2):
        for meeting in meetings:
            assert client.get(meeting.get_absolute_url()).status_code == 200


def test_a_failing_cache_lets_pages_render(client, meetings, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(renders.cache, "add", broken)
    for meeting in meetings:
        assert client.get(meeting.get_absolute_url()).status_code == 200
    assert "Render limit unavailable" in caplog.text


def test_a_client_past_its_limit_is_refused_before_the_view(
    client, meetings, settings, monkeypatch
):
    settings.PAGE_CACHE_ENABLED = True
    with translation.override("es"):
        paths = [meeting.get_absolute_url() for meeting in meetings]
    for path in paths[:BURST]:
        assert client.get(path).status_code == 200
    assert client.get(paths[BURST]).status_code == 429  # counted: now past the limit

    def not_reached(*args, **kwargs):
        raise AssertionError("the request went past the early refusal")

    # Refused on its way in: no URL resolution, no view, no second count.
    monkeypatch.setattr(renders, "seconds_to_wait", not_reached)
    refused = client.get(paths[BURST + 1])
    assert (refused.status_code, refused["Retry-After"]) == (429, "45")
    assert "Espere 45 segundos y vuelva a intentarlo." in html(refused)


def test_a_client_whose_renders_take_long_is_refused_before_its_burst(
    client, meetings, settings, monkeypatch
):
    """The time budget: one expensive page can cost as much as many cheap ones."""
    settings.RENDER_BURST = 100
    settings.RENDER_SECONDS = 2
    # perf_counter as the middleware reads it: at the view, then at the response.
    ticks = iter([0.0, 1.5, 10.0, 11.5, 20.0, 21.5])
    monkeypatch.setattr(middleware.time, "perf_counter", lambda: next(ticks))
    assert client.get(meetings[0].get_absolute_url()).status_code == 200  # 1.5 s spent
    assert client.get(meetings[1].get_absolute_url()).status_code == 200  # 3.0 s spent
    refused = client.get(meetings[2].get_absolute_url())
    assert (refused.status_code, refused["Retry-After"]) == (429, "45")
    # Other clients keep their own budget.
    other = client.get(meetings[2].get_absolute_url(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_a_flood_is_logged_once_per_window_not_per_refusal(client, meetings, caplog):
    import logging

    from hled.settings import _not_429

    for _ in range(3):
        for meeting in meetings:
            client.get(meeting.get_absolute_url())
    limit_lines = [r for r in caplog.records if r.getMessage().startswith("Render limit:")]
    assert len(limit_lines) == 1
    refused = [r for r in caplog.records if getattr(r, "status_code", None) == 429]
    assert refused  # Django's per-request lines, which the console handler's filter drops
    assert not any(_not_429(record) for record in refused)
    assert _not_429(logging.makeLogRecord({"msg": "other"}))
