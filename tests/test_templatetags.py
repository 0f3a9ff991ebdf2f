"""Presentation helpers: figures in words and meeting dates as precisely as known."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dialogue.models import Meeting
from dialogue.templatetags.dialogue_tags import amount_in_words, meeting_date, meeting_when
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("500000000000", "500 billion"),
        ("100000000000", "100 billion"),
        ("1500000000", "1.5 billion"),
        ("2750000", "2.8 million"),
        ("2000000000000", "2 trillion"),
        ("450", "450"),
        ("12345", "12,345"),
    ],
)
def test_amount_in_words(value, words):
    assert amount_in_words(Decimal(value)) == words


def test_meeting_when_uses_the_host_city_zone():
    meeting = MeetingFactory(
        timezone="America/Mexico_City",
        start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC),
        end=dt.datetime(2013, 9, 20, 20, tzinfo=dt.UTC),
    )
    text = meeting_when(meeting)
    assert "10 a.m." in text and "3 p.m." in text and "CDT" in text
    assert 'datetime="2013-09-20"' in text


def test_meeting_when_with_unknown_day():
    meeting = MeetingFactory(
        date_precision="month", start=dt.datetime(2016, 3, 1, 6, tzinfo=dt.UTC)
    )
    assert "March 2016" in meeting_when(meeting)
    assert meeting_date(meeting) == "March 2016"
    meeting.date_precision = "year"
    assert meeting_date(meeting) == "2016"


def test_upcoming_keeps_tentative_meetings_only_within_their_planned_period():
    this_year = timezone.now().year
    planned = MeetingFactory(
        status="tentative",
        start=dt.datetime(this_year, 1, 1, 6, tzinfo=dt.UTC),
        date_precision="year",
    )
    overdue = MeetingFactory(
        status="tentative", start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC), date_precision="year"
    )
    MeetingFactory(status="held", start=dt.datetime(2015, 1, 6, tzinfo=dt.UTC))
    MeetingFactory(status="cancelled", start=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert list(Meeting.objects.upcoming()) == [planned]
    assert list(Meeting.objects.overdue()) == [overdue]
    assert overdue.is_overdue and not planned.is_overdue
    # A year-only meeting is planned until the host city's new year.
    assert overdue.period_end == dt.datetime(2017, 1, 1, 6, tzinfo=dt.UTC)


def test_next_upcoming_is_the_first_upcoming_meeting():
    """`next_upcoming()` (the home page's next meeting) finds what `upcoming().first()` finds."""
    now = timezone.now()
    meetings = Meeting.objects.all()
    assert meetings.next_upcoming() is None
    MeetingFactory(status="held", start=now - dt.timedelta(days=400))
    MeetingFactory(status="cancelled", start=now + dt.timedelta(days=5))
    assert meetings.next_upcoming() is None
    later = MeetingFactory(status="confirmed", start=now + dt.timedelta(days=90))
    sooner = MeetingFactory(status="tentative", start=now + dt.timedelta(days=30))
    assert meetings.next_upcoming() == meetings.upcoming().first() == sooner
    # A meeting planned for this month, its period begun: it comes before the future ones.
    begun = MeetingFactory(
        status="tentative", start=now - dt.timedelta(days=2), end=now + dt.timedelta(days=3)
    )
    assert begun.period_end > now
    assert meetings.next_upcoming() == meetings.upcoming().first() == begun
    begun.status = "cancelled"
    begun.save()
    assert meetings.next_upcoming() == meetings.upcoming().first() == sooner
    sooner.delete()
    assert meetings.next_upcoming() == later


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/meetings/?year=2019&pillar=energy",
        "/es/reuniones/?q=econom%C3%ADa&page=1",
        "/en/meetings/{slug}/",
        "/en/search/?q=caf%C3%A9+%3Cb%3E",
    ],
)
def test_language_paths_are_what_translate_url_gives(client, path):
    import re
    from html import unescape

    from django.urls import translate_url

    meeting = MeetingFactory()
    path = path.format(slug=meeting.slug)
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    other = "es" if path.startswith("/en/") else "en"
    expected = translate_url(path, other)
    assert expected != path
    switcher = re.search(rf'<a href="([^"]+)" hreflang="{other}"', page).group(1)
    alternate = re.search(rf'<link rel="alternate" hreflang="{other}" href="([^"]+)"', page)
    assert unescape(switcher) == expected
    assert unescape(alternate.group(1)) == f"http://testserver{expected}"
