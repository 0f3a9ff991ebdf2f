"""What search engines and social sites read: sitemap.xml, robots.txt, canonical links,
schema.org JSON-LD (escaped, plain text) and Open Graph / Twitter tags."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import (
    AgreementFactory,
    MeetingFactory,
    PageFactory,
    ParticipationFactory,
    PillarFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def meeting():
    commerce = StakeholderFactory(name="Department of Commerce", kind="government", country="US")
    meeting = MeetingFactory(
        title="Second HLED meeting",
        slug="second",
        status="held",
        timezone="America/New_York",
        start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC),
        end=dt.datetime(2015, 1, 6, 20, tzinfo=dt.UTC),
        city="Washington, D.C.",
        venue="Department of State",
        host_country="US",
        summary="Progress </script><script>alert(1)</script> & more",
    )
    ParticipationFactory(meeting=meeting, stakeholder=commerce, role="co-chair")
    return meeting


def test_sitemap_lists_every_public_page_in_both_languages(client, meeting):
    AgreementFactory(slug="air", origin_meeting=meeting)
    AgreementFactory(slug="hidden-agreement", draft=True)
    StakeholderFactory(slug="hidden-body", scheduled=True)
    PageFactory(slug="about")
    PillarFactory(slug="connectivity")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-meetings.xml" in sections
    urls = {}
    for section in sections:
        root = ET.fromstring(client.get(section.replace("http://testserver", "")).content)
        for url in root.findall(f"{SITEMAP}url"):
            alternates = {
                link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
            }
            urls[url.findtext(f"{SITEMAP}loc")] = (url.findtext(f"{SITEMAP}lastmod"), alternates)
    lastmod, alternates = urls["http://testserver/en/meetings/second/"]
    assert lastmod == meeting.updated_at.date().isoformat()
    assert alternates["es"] == "http://testserver/es/reuniones/second/"
    assert alternates["en"] == "http://testserver/en/meetings/second/"
    assert "x-default" in alternates
    for expected in ("/en/agreements/air/", "/es/acuerdos/air/", "/en/pages/about/",
                     "/en/pillars/connectivity/", "/en/", "/es/", "/en/data/"):  # fmt: skip
        assert f"http://testserver{expected}" in urls, expected
    assert not [url for url in urls if "hidden" in url]


def test_robots_points_to_the_sitemap_and_keeps_crawlers_off_filters(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for rule in ("Disallow: /en/meetings/*?", "Disallow: /es/acuerdos/*?", "Disallow: /en/search/"):
        assert rule in text


def test_meeting_is_a_schema_org_event_escaped_like_json_script(client, meeting):
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in page.split("<body>")[0]
    assert "\\u003C/script\\u003E" in page
    event = next(block for block in json_ld(page) if block["@type"] == "Event")
    assert event["startDate"] == "2015-01-06T10:00:00-05:00"
    assert event["endDate"] == "2015-01-06T15:00:00-05:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"]["address"] == {
        "@type": "PostalAddress", "addressCountry": "US", "addressLocality": "Washington, D.C."
    }  # fmt: skip
    assert event["organizer"][0]["@type"] == "GovernmentOrganization"
    assert event["description"].startswith("Progress </script>")  # text, escaped in the page
    crumbs = next(block for block in json_ld(page) if block["@type"] == "BreadcrumbList")
    assert [item["name"] for item in crumbs["itemListElement"]] == [
        "Home", "Meetings", "Second HLED meeting"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("person", "Person"), ("agency", "GovernmentOrganization"), ("company", "Organization")],
)
def test_stakeholders_are_people_or_organizations(client, kind, expected):
    parent = StakeholderFactory(name="Parent body")
    stakeholder = StakeholderFactory(kind=kind, parent=parent, position="Secretary")
    page = client.get(stakeholder.get_absolute_url()).content.decode()
    data = next(block for block in json_ld(page) if block["@type"] == expected)
    assert data["name"] == stakeholder.name
    relation = "affiliation" if kind == "person" else "parentOrganization"
    assert data[relation]["name"] == "Parent body"


def test_home_is_a_website_with_a_search_action(client):
    for language, search in (("en", "/en/search/"), ("es", "/es/buscar/")):
        page = client.get(f"/{language}/").content.decode()
        site = json_ld(page)[0]
        assert site["@type"] == "WebSite"
        target = site["potentialAction"]["target"]["urlTemplate"]
        assert target == f"http://testserver{search}?q={{search_term_string}}"


def test_canonical_open_graph_and_twitter_tags(client, meeting):
    page = client.get(meeting.get_absolute_url() + "?utm=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/en/meetings/second/">' in page
    assert '<meta property="og:title" content="Second HLED meeting">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:locale" content="en_US">' in page
    assert '<meta property="og:locale:alternate" content="es_MX">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert 'content="Progress &lt;/script&gt;' in page
    listing = client.get(reverse("dialogue:meeting-list") + "?status=held").content.decode()
    assert '<link rel="canonical" href="http://testserver/en/meetings/">' in listing


def test_drafts_previewed_by_staff_carry_no_structured_data(staff_client):
    draft = MeetingFactory(draft=True)
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert json_ld(page) == []
