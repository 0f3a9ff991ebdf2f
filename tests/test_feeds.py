"""RSS 2.0 and Atom feeds: valid for a strict parser, public records only, stable GUIDs, both
languages, filtered exactly as the lists, autodiscovery, constant queries."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(name, format="rss", language="en", query="", **kwargs):
    with translation.override(language):
        return reverse(f"dialogue:{name}", kwargs={"format": format, **kwargs}) + query


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def strictly_valid(response, format):
    """The feed parses as XML (expat, no recovery) and feedparser finds nothing wrong; the
    elements each format requires are there. Returns feedparser's result."""
    root = ET.fromstring(response.content)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    if format == "rss":
        assert response["Content-Type"].startswith("application/rss+xml")
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for name in ("title", "link", "description", "language"):
            assert channel.findtext(name), name
        for item in channel.findall("item"):
            assert item.findtext("title") and item.findtext("link")
            guid = item.find("guid")
            assert guid is not None and guid.get("isPermaLink") == "false"
            assert guid.text.startswith("urn:uuid:")
    else:
        assert response["Content-Type"].startswith("application/atom+xml")
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated"):
            assert root.findtext(f"{ATOM}{name}"), name
        assert root.find(f"{ATOM}author/{ATOM}name") is not None
        for entry in root.findall(f"{ATOM}entry"):
            for name in ("id", "title", "updated"):
                assert entry.findtext(f"{ATOM}{name}"), name
            assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
            assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    return parsed


@pytest.fixture
def world():
    pillar = PillarFactory(slug="connectivity")
    held = MeetingFactory(title="Held meeting", title_es="Reunión celebrada", status="held")
    upcoming = MeetingFactory(title="Upcoming meeting", upcoming=True)
    MeetingFactory(title="Draft meeting", draft=True)
    agreement = AgreementFactory(
        title="Air transport", title_es="Transporte aéreo", pillar=pillar, origin_meeting=held
    )
    AgreementFactory(title="Draft agreement", draft=True, pillar=pillar, origin_meeting=held)
    AgreementUpdateFactory(agreement=agreement, title="Signed in Washington")
    hidden = AgreementFactory(title="Scheduled agreement", scheduled=True, origin_meeting=held)
    AgreementUpdateFactory(agreement=hidden, title="Update of a hidden agreement")
    commerce = StakeholderFactory(name="Department of Commerce", slug="commerce")
    ParticipationFactory(meeting=held, stakeholder=commerce)
    AgreementPartyFactory(agreement=agreement, stakeholder=commerce)
    return {"held": held, "upcoming": upcoming, "agreement": agreement, "pillar": pillar}


@pytest.mark.parametrize("format", ["rss", "atom"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("meeting-feed", {}, {"Held meeting", "Upcoming meeting"}),
        ("agreement-feed", {}, {"Air transport"}),
        ("update-feed", {}, {"Signed in Washington"}),
        ("agreement-updates-feed", {"slug": "agreement"}, {"Signed in Washington"}),
        ("pillar-feed", {"slug": "connectivity"}, {"Air transport", "Signed in Washington"}),
        ("stakeholder-feed", {"slug": "commerce"}, {"Held meeting", "Air transport"}),
    ],
)
def test_feeds_are_valid_and_show_public_records_only(
    client, world, format, language, name, kwargs, expected
):
    if kwargs.get("slug") == "agreement":
        kwargs = {"slug": world["agreement"].slug}
    parsed = strictly_valid(fetch(client, feed_url(name, format, language, **kwargs)), format)
    titles = {entry.title for entry in parsed.entries}
    if language == "es":
        expected = {{"Held meeting": "Reunión celebrada", "Air transport": "Transporte aéreo"}.get(
            title, title) for title in expected}  # fmt: skip
    assert titles == expected
    assert parsed.feed.language == language if format == "rss" else True
    links = [entry.link for entry in parsed.entries]
    assert all(link.startswith(f"http://testserver/{language}/") for link in links)


def test_guids_are_stable_across_languages_and_edits(client, world):
    english = feedparser.parse(fetch(client, feed_url("agreement-feed")).content)
    spanish = feedparser.parse(fetch(client, feed_url("agreement-feed", language="es")).content)
    agreement = world["agreement"]
    agreement.title = "Renamed air transport agreement"
    agreement.slug = "renamed"
    agreement.save()
    renamed = feedparser.parse(fetch(client, feed_url("agreement-feed", "atom")).content)
    assert english.entries[0].id == spanish.entries[0].id == renamed.entries[0].id


def test_filtered_list_offers_a_feed_of_exactly_that_filter(client, world):
    page = client.get(reverse("dialogue:meeting-list"), {"status": "held"}).content.decode()
    assert f'href="{feed_url("meeting-feed", query="?status=held")}"' in page
    assert 'rel="alternate" type="application/rss+xml"' in page
    assert 'type="application/atom+xml"' in page
    parsed = feedparser.parse(fetch(client, feed_url("meeting-feed", query="?status=held")).content)
    assert [entry.title for entry in parsed.entries] == ["Held meeting"]
    agreements = fetch(client, feed_url("agreement-feed", query="?pillar=connectivity&q=air"))
    assert [e.title for e in feedparser.parse(agreements.content).entries] == ["Air transport"]
    broken = fetch(client, feed_url("meeting-feed", query="?status=nonsense"))
    assert feedparser.parse(broken.content).entries == []


def test_pagination_is_not_part_of_the_feed_address(client, world, settings):
    settings.PAGINATE_BY = 1
    page = client.get(reverse("dialogue:meeting-list"), {"page": "2"}).content.decode()
    assert f'href="{feed_url("meeting-feed")}"' in page


def test_feeds_of_hidden_records_are_404(client, world):
    hidden = AgreementFactory(draft=True, origin_meeting=world["held"])
    draft_stakeholder = StakeholderFactory(draft=True)
    assert client.get(feed_url("agreement-updates-feed", slug=hidden.slug)).status_code == 404
    url = feed_url("stakeholder-feed", slug=draft_stakeholder.slug)
    assert client.get(url).status_code == 404


def test_detail_pages_link_their_feeds(client, world):
    agreement_page = client.get(world["agreement"].get_absolute_url()).content.decode()
    assert feed_url("agreement-updates-feed", slug=world["agreement"].slug) in agreement_page
    pillar_page = client.get(world["pillar"].get_absolute_url()).content.decode()
    assert feed_url("pillar-feed", "atom", slug="connectivity") in pillar_page


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("meeting-feed", {}, 2),
        ("agreement-feed", {}, 2),
        ("update-feed", {}, 2),  # + the evidence of the updates
        ("pillar-feed", {"slug": "big"}, 4),
        ("stakeholder-feed", {"slug": "big"}, 3),
    ],
)
def test_query_count_is_constant(client, django_assert_num_queries, size, name, kwargs, expected):
    pillar = PillarFactory(slug="big")
    stakeholder = StakeholderFactory(slug="big")
    for _ in range(size):
        meeting = MeetingFactory()
        ParticipationFactory(meeting=meeting, stakeholder=stakeholder)
        agreement = AgreementFactory(pillar=pillar, origin_meeting=meeting)
        AgreementPartyFactory(agreement=agreement, stakeholder=stakeholder)
        AgreementUpdateFactory(agreement=agreement, meeting=meeting)
    url = feed_url(name, **kwargs)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
