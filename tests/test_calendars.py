"""iCalendar files: RFC 5545 as read by `icalendar` and by a second, independent parser
(vobject): stable UID, DTSTAMP, SEQUENCE raised on each change, STATUS, the host city's zone
with its VTIMEZONE, all-day meetings, undated ones left out, both languages."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import translation

from tests.factories import AgendaItemFactory, MeetingFactory, PillarFactory

pytestmark = pytest.mark.django_db


def ics(client, name, language="en", query="", **kwargs):
    with translation.override(language):
        url = reverse(f"dialogue:{name}", kwargs=kwargs or None) + query
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def events(content):
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, {str(event["uid"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def second_meeting():
    return MeetingFactory(
        title="Second HLED meeting",
        title_es="Segunda reunión",
        slug="second",
        status="held",
        timezone="America/New_York",
        start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC),
        end=dt.datetime(2015, 1, 6, 20, tzinfo=dt.UTC),
        city="Washington, D.C.",
        venue="Department of State",
        host_country="US",
        summary="Reviewed progress.",
        body="<p>Officials <strong>met</strong> &amp; agreed.</p>",
    )


def test_meeting_ics_has_the_zone_with_its_vtimezone(client, second_meeting):
    calendar, found = events(ics(client, "meeting-ics", slug="second"))
    event = found[f"meeting-{second_meeting.pk}@hled"]
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert event.decoded("dtstart") == dt.datetime(
        2015, 1, 6, 10, tzinfo=ZoneInfo("America/New_York")
    )
    assert event.decoded("dtend").astimezone(dt.UTC) == second_meeting.end
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["tzid"]) for zone in zones] == ["America/New_York"]
    transitions = [
        sub.decoded("dtstart").year for zone in zones for sub in zone.subcomponents
    ]  # a narrow range around the meeting, not 1970–2038
    assert min(transitions) >= 2013 and max(transitions) <= 2017
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("sequence") == second_meeting.version - 1
    assert event.decoded("dtstamp").tzinfo is not None
    assert str(event["location"]) == "Department of State, Washington, D.C., United States"
    description = str(event["description"])
    assert "Officials met & agreed." in description and "<" not in description
    assert str(event["url"]) == "http://testserver/en/meetings/second/"


def test_a_second_parser_reads_the_same_event(client, second_meeting):
    content = ics(client, "meeting-ics", "es", slug="second").decode()
    parsed = vobject.readOne(content)
    event = parsed.vevent
    assert event.uid.value == f"meeting-{second_meeting.pk}@hled"
    assert event.summary.value == "Segunda reunión"
    assert event.dtstart.value.astimezone(dt.UTC) == second_meeting.start
    assert event.dtstart.value.utcoffset() == dt.timedelta(hours=-5)
    assert event.url.value == "http://testserver/es/reuniones/second/"
    assert parsed.vtimezone.tzid.value == "America/New_York"


def test_sequence_rises_with_every_change_and_uid_stays(client, second_meeting):
    _calendar, before = events(ics(client, "meeting-ics", slug="second"))
    second_meeting.title = "Second meeting, renamed"
    second_meeting.status = "cancelled"
    second_meeting.save()
    _calendar, after = events(ics(client, "meeting-ics", slug="second"))
    uid = f"meeting-{second_meeting.pk}@hled"
    assert after[uid].decoded("sequence") == before[uid].decoded("sequence") + 1
    assert str(after[uid]["status"]) == "CANCELLED"


def test_day_only_meetings_are_all_day_and_undated_ones_left_out(client):
    day = MeetingFactory(
        slug="day",
        date_precision="day",
        status="confirmed",
        start=dt.datetime(2015, 1, 6, 6, tzinfo=dt.UTC),
        end=dt.datetime(2015, 1, 7, 6, tzinfo=dt.UTC),
    )
    tentative = MeetingFactory(
        slug="third", date_precision="year", status="tentative",
        start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC),
    )  # fmt: skip
    MeetingFactory(slug="draft", draft=True)
    _calendar, found = events(ics(client, "meetings-ics"))
    event = found[f"meeting-{day.pk}@hled"]
    assert event.decoded("dtstart") == dt.date(2015, 1, 6)
    assert event.decoded("dtend") == dt.date(2015, 1, 8)  # exclusive: the day after the last
    assert f"meeting-{tentative.pk}@hled" not in found
    assert len(found) == 1
    with translation.override("en"):
        url = reverse("dialogue:meeting-ics", kwargs={"slug": "third"})
    assert client.get(url).status_code == 404
    assert client.get(url.replace("third", "draft")).status_code == 404
    assert "Add to calendar" not in client.get(tentative.get_absolute_url()).content.decode()


def test_meeting_page_offers_add_to_calendar(client, second_meeting):
    page = client.get(second_meeting.get_absolute_url()).content.decode()
    assert 'href="/en/meetings/second/meeting.ics"' in page and "Add to calendar" in page


def test_subscriptions_per_pillar_and_filtered(client, second_meeting):
    pillar = PillarFactory(slug="growth")
    AgendaItemFactory(meeting=second_meeting, pillar=pillar, position=1)
    other = MeetingFactory(slug="other", status="cancelled")
    _calendar, found = events(ics(client, "pillar-ics", slug="growth"))
    assert set(found) == {f"meeting-{second_meeting.pk}@hled"}
    _calendar, found = events(ics(client, "meetings-ics", query="?status=cancelled"))
    assert set(found) == {f"meeting-{other.pk}@hled"}
    _calendar, found = events(ics(client, "meetings-ics", query="?status=nonsense"))
    assert found == {}


@pytest.mark.parametrize("size", [1, 50])
def test_query_count_is_constant(client, django_assert_num_queries, size):
    pillar = PillarFactory(slug="big")
    for number in range(size):
        meeting = MeetingFactory(timezone=["America/Mexico_City", "America/New_York"][number % 2])
        AgendaItemFactory(meeting=meeting, pillar=pillar, position=1)
    with translation.override("en"):
        urls = [reverse("dialogue:meetings-ics"), reverse("dialogue:pillar-ics", args=["big"])]
    with django_assert_num_queries(2):  # the meeting list's year choices, the meetings
        assert client.get(urls[0]).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(urls[1]).status_code == 200
