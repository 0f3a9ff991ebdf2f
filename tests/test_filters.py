"""Filters of the public lists: each narrows the results, bad values are reported, never a 500."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dialogue.filters import agreement_years, distinct_years, meeting_years
from dialogue.models import Agreement, Meeting

from .conftest import html
from .factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

ERROR_BANNER = "Some filters could not be applied"


def results(client, url_name, **params):
    """The rows a public list shows for `params`, after checking the filters were accepted."""
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert not response.context["filter"].errors
    assert ERROR_BANNER not in html(response)
    return list(response.context["object_list"])


def meetings(client, **params):
    return results(client, "dialogue:meeting-list", **params)


def agreements(client, **params):
    return results(client, "dialogue:agreement-list", **params)


def stakeholders(client, **params):
    return results(client, "dialogue:stakeholder-list", **params)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


class TestMeetingFilters:
    @pytest.fixture
    def mexico(self):
        return MeetingFactory(
            title="First HLED meeting",
            start=utc(2013, 9, 20, 15),
            status="held",
            kind="annual",
            host_country="MX",
        )

    @pytest.fixture
    def washington(self):
        return MeetingFactory(
            title="Working group session",
            start=utc(2015, 1, 6, 15),
            status="postponed",
            kind="working-group",
            host_country="US",
        )

    def test_unfiltered_list_shows_both(self, client, mexico, washington):
        assert meetings(client) == [washington, mexico]

    def test_year(self, client, mexico, washington):
        assert meetings(client, year=2013) == [mexico]
        assert meetings(client, year=2015) == [washington]

    def test_status(self, client, mexico, washington):
        assert meetings(client, status="postponed") == [washington]
        assert meetings(client, status="held") == [mexico]

    def test_kind(self, client, mexico, washington):
        assert meetings(client, kind="working-group") == [washington]
        assert meetings(client, kind="annual") == [mexico]

    def test_host_country(self, client, mexico, washington):
        assert meetings(client, host_country="US") == [washington]
        assert meetings(client, host_country="MX") == [mexico]

    def test_pillar_lists_each_meeting_once(self, client, mexico, washington):
        connectivity = PillarFactory(slug="connectivity")
        AgendaItemFactory(meeting=mexico, pillar=connectivity, position=1)
        AgendaItemFactory(meeting=mexico, pillar=connectivity, position=2)
        AgendaItemFactory(meeting=washington, pillar=PillarFactory(slug="growth"), position=1)

        found = meetings(client, pillar="connectivity")
        assert found == [mexico]
        assert found[0].agenda_count == 2
        assert meetings(client, pillar="growth") == [washington]

    def test_filters_combine(self, client, mexico, washington):
        assert meetings(client, year=2015, host_country="MX") == []

    def test_year_of_a_draft_meeting_is_not_offered(self, client, mexico):
        MeetingFactory(start=utc(2016, 1, 1, 15), draft=True)
        response = client.get(reverse("dialogue:meeting-list"), {"year": 2016})
        assert "year" in response.context["filter"].errors
        assert list(response.context["object_list"]) == []


class TestAgreementFilters:
    def test_q_searches_title_summary_and_reference_ignoring_case(self, client):
        by_title = AgreementFactory(title="Air Transport Agreement", summary="", reference="")
        by_summary = AgreementFactory(title="Memorandum", summary="Opens the AIR market.")
        by_reference = AgreementFactory(title="Letter", summary="", reference="AIR-2015-01")
        AgreementFactory(title="Energy council", summary="Electricity.", reference="E-1")

        assert set(agreements(client, q="air")) == {by_title, by_summary, by_reference}
        assert agreements(client, q="  transport agreement ") == [by_title]

    def test_pillar(self, client):
        match = AgreementFactory(pillar=PillarFactory(slug="connectivity"))
        AgreementFactory(pillar=PillarFactory(slug="growth"))
        assert agreements(client, pillar="connectivity") == [match]

    def test_sector(self, client):
        transport = SectorFactory(slug="transport")
        energy = SectorFactory(slug="energy")
        match = AgreementFactory(sectors=[transport, energy])
        AgreementFactory(sectors=[energy])
        assert agreements(client, sector="transport") == [match]
        assert len(agreements(client, sector="energy")) == 2

    def test_status_and_kind(self, client):
        mou = AgreementFactory(status="implementing", kind="memorandum")
        council = AgreementFactory(status="completed", kind="council")
        assert agreements(client, status="implementing") == [mou]
        assert agreements(client, kind="council") == [council]
        assert agreements(client, status="implementing", kind="council") == []

    def test_year_is_the_year_announced(self, client):
        early = AgreementFactory(announced_on=dt.date(2013, 9, 20))
        late = AgreementFactory(announced_on=dt.date(2015, 1, 6))
        assert agreements(client, year=2013) == [early]
        assert agreements(client, year=2015) == [late]

    def test_meeting_is_the_origin_meeting(self, client):
        origin = MeetingFactory(slug="first-hled-meeting")
        match = AgreementFactory(origin_meeting=origin)
        AgreementFactory()
        assert agreements(client, meeting="first-hled-meeting") == [match]

    def test_stakeholder_is_a_party(self, client):
        dot = StakeholderFactory(slug="dot")
        match = AgreementFactory()
        AgreementPartyFactory(agreement=match, stakeholder=dot)
        AgreementPartyFactory()
        assert agreements(client, stakeholder="dot") == [match]

    @pytest.mark.parametrize("trait", ["draft", "scheduled"])
    def test_unpublished_meeting_is_rejected_and_not_revealed(self, client, trait):
        hidden = MeetingFactory(slug="secret-meeting", title="Secret meeting", **{trait: True})
        AgreementFactory(origin_meeting=hidden)

        response = client.get(reverse("dialogue:agreement-list"), {"meeting": "secret-meeting"})

        assert response.status_code == 200
        assert "meeting" in response.context["filter"].errors
        assert list(response.context["object_list"]) == []
        assert ERROR_BANNER in html(response)
        assert "Secret meeting" not in html(response)

    def test_draft_agreements_are_never_listed(self, client):
        AgreementFactory(title="Draft air deal", draft=True)
        assert agreements(client, q="air deal") == []


class TestStakeholderFilters:
    def test_q_searches_name_acronym_and_position(self, client):
        by_name = StakeholderFactory(name="Secretariat of Economy", acronym="", position="")
        by_acronym = StakeholderFactory(name="Communications", acronym="SE-COM", position="")
        by_position = StakeholderFactory(name="Ana", acronym="", position="Secretary of Economy")
        StakeholderFactory(name="Department of Commerce", acronym="DOC", position="")

        assert set(stakeholders(client, q="econ")) == {by_name, by_position}
        assert stakeholders(client, q="se-com") == [by_acronym]

    def test_kind_and_country(self, client):
        university = StakeholderFactory(kind="academic", country="MX")
        agency = StakeholderFactory(kind="agency", country="US")
        assert stakeholders(client, kind="academic") == [university]
        assert stakeholders(client, country="US") == [agency]
        assert stakeholders(client, kind="academic", country="US") == []

    def test_drafts_are_never_listed(self, client):
        StakeholderFactory(name="Hidden body", draft=True)
        assert stakeholders(client, q="hidden") == []


GARBAGE = [
    ("dialogue:meeting-list", "year", "abc"),
    ("dialogue:meeting-list", "status", "nope"),
    ("dialogue:meeting-list", "pillar", "does-not-exist"),
    ("dialogue:meeting-list", "kind", "\x00"),
    ("dialogue:agreement-list", "year", "abc"),
    ("dialogue:agreement-list", "status", "nope"),
    ("dialogue:agreement-list", "pillar", "does-not-exist"),
    ("dialogue:agreement-list", "sector", "does-not-exist"),
    ("dialogue:agreement-list", "kind", "\x00"),
    ("dialogue:agreement-list", "q", "air" * 167),
    ("dialogue:agreement-list", "q", "air\x00"),
    ("dialogue:agreement-list", "meeting", "no-such-meeting"),
    ("dialogue:stakeholder-list", "kind", "\x00"),
    ("dialogue:stakeholder-list", "country", "nope"),
    ("dialogue:stakeholder-list", "q", "a" * 500),
]


@pytest.mark.parametrize(("url_name", "name", "value"), GARBAGE)
def test_garbage_filter_value_shows_an_error_and_no_results(client, url_name, name, value):
    agreement = AgreementFactory(title="Air transport agreement", pillar=PillarFactory())
    AgendaItemFactory(meeting=agreement.origin_meeting, pillar=agreement.pillar)
    StakeholderFactory(name="Air traffic authority")
    url = reverse(url_name)
    assert client.get(url).context["object_list"], "the unfiltered list must not be empty"

    response = client.get(url, {name: value})

    assert response.status_code == 200
    assert name in response.context["filter"].errors
    assert ERROR_BANNER in html(response)
    assert list(response.context["object_list"]) == []


def test_raw_null_byte_in_the_query_string_is_not_a_500(client):
    StakeholderFactory()
    response = client.get("/en/stakeholders/?kind=%00")
    assert response.status_code == 200
    assert ERROR_BANNER in html(response)
    assert list(response.context["object_list"]) == []


def next_link(response):
    match = re.search(r'<a rel="next nofollow" href="([^"]*)"', html(response))
    assert match, "no next link"
    return unescape(match.group(1))


def test_pagination_keeps_the_filters(client, settings):
    assert settings.PAGINATE_BY == 20
    first_day = dt.date(2014, 1, 1)
    for i in range(45):
        AgreementFactory(
            title=f"Implementing agreement {i:02d}",
            status="implementing",
            announced_on=first_day + dt.timedelta(days=i),
        )
    AgreementFactory.create_batch(5, status="completed")
    url = reverse("dialogue:agreement-list")

    first_page = client.get(url, {"status": "implementing"})
    titles = [a.title for a in first_page.context["object_list"]]
    assert titles == [f"Implementing agreement {i:02d}" for i in range(44, 24, -1)]
    link = next_link(first_page)
    assert parse_qs(urlsplit(link).query) == {"status": ["implementing"], "page": ["2"]}

    second_page = client.get(link if link.startswith("/") else url + link)
    assert second_page.status_code == 200
    titles = [a.title for a in second_page.context["object_list"]]
    assert titles == [f"Implementing agreement {i:02d}" for i in range(24, 4, -1)]
    assert second_page.context["page_obj"].number == 2
    assert "45 agreements" in html(second_page)
    assert parse_qs(urlsplit(next_link(second_page)).query) == {
        "status": ["implementing"],
        "page": ["3"],
    }


class TestYearChoices:
    """The year drop-downs offer exactly the years with published records (PostgreSQL finds
    them with one index probe per year, other databases with DISTINCT: both must agree)."""

    def test_meeting_years_skip_gaps_drafts_and_scheduled_meetings(self):
        for start in (
            utc(2013, 9, 20),
            utc(2013, 12, 31, 23, 30),
            utc(2015, 1, 1),
            utc(2021, 6, 1),
        ):
            MeetingFactory(start=start)
        MeetingFactory(start=utc(2017, 5, 1), draft=True)
        MeetingFactory(start=utc(2018, 5, 1), scheduled=True)
        published = Meeting.objects.published()
        expected = [dt.date(year, 1, 1) for year in (2013, 2015, 2021)]
        assert distinct_years(published, "start") == expected
        assert distinct_years(published, "start") == list(published.dates("start", "year"))
        assert [value for value, _label in meeting_years()] == ["", 2021, 2015, 2013]

    def test_agreement_years_skip_agreements_not_yet_announced(self):
        for announced in (dt.date(2013, 9, 20), dt.date(2013, 12, 31), None, dt.date(2016, 1, 1)):
            AgreementFactory(announced_on=announced)
        AgreementFactory(announced_on=dt.date(2014, 3, 1), draft=True)
        published = Agreement.objects.published()
        assert distinct_years(published, "announced_on") == [
            dt.date(2013, 1, 1),
            dt.date(2016, 1, 1),
        ]
        assert [value for value, _label in agreement_years()] == ["", 2016, 2013]

    def test_no_records_no_years(self):
        assert distinct_years(Meeting.objects.published(), "start") == []
        assert [value for value, _label in meeting_years()] == [""]

    def test_years_follow_the_current_time_zone(self, settings):
        MeetingFactory(start=utc(2013, 12, 31, 23, 30))
        settings.TIME_ZONE = "America/Mexico_City"
        assert distinct_years(Meeting.objects.published(), "start") == [dt.date(2013, 1, 1)]
        settings.TIME_ZONE = "Asia/Tokyo"
        assert distinct_years(Meeting.objects.published(), "start") == [dt.date(2014, 1, 1)]
        assert list(Meeting.objects.published().dates("start", "year")) == [dt.date(2014, 1, 1)]


class TestMeetingsOfAStakeholder:
    """The meeting list filters by a stakeholder, as its page links to it."""

    def test_stakeholder_took_part(self, client):
        dot = StakeholderFactory(slug="dot")
        match = MeetingFactory()
        ParticipationFactory(meeting=match, stakeholder=dot)
        ParticipationFactory()
        assert meetings(client, stakeholder="dot") == [match]

    def test_the_stakeholder_page_says_when_it_shows_only_the_latest(self, client):
        from dialogue.views import StakeholderDetailView

        dot = StakeholderFactory(slug="dot")
        for meeting in MeetingFactory.create_batch(StakeholderDetailView.LIMIT):
            ParticipationFactory(meeting=meeting, stakeholder=dot)
        page = html(client.get(dot.get_absolute_url()))
        link = f"{reverse('dialogue:meeting-list')}?stakeholder=dot"
        assert f'href="{link}"' in page
        assert f"The latest {StakeholderDetailView.LIMIT} meetings are shown." in page
        assert "agreements are shown" not in page
        # The link leads to every one of them.
        assert len(meetings(client, stakeholder="dot")) == StakeholderDetailView.LIMIT

    def test_no_note_below_the_limit(self, client):
        dot = StakeholderFactory(slug="dot")
        ParticipationFactory(stakeholder=dot)
        page = html(client.get(dot.get_absolute_url()))
        assert "meetings are shown" not in page
        assert f"{reverse('dialogue:meeting-list')}?stakeholder=dot" in page


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
@pytest.mark.parametrize(
    ("list_name", "part_factory"),
    [("agreement-list", AgreementPartyFactory), ("meeting-list", ParticipationFactory)],
    ids=["agreements", "meetings"],
)
def test_unpublished_stakeholder_is_rejected_and_not_revealed(
    client, list_name, part_factory, trait
):
    hidden = StakeholderFactory(slug="hidden-body", name="Hidden body", **{trait: True})
    part_factory(stakeholder=hidden)

    response = client.get(reverse(f"dialogue:{list_name}"), {"stakeholder": "hidden-body"})

    assert response.status_code == 200
    assert "stakeholder" in response.context["filter"].errors
    assert list(response.context["object_list"]) == []
    assert ERROR_BANNER in html(response)
    assert "Hidden body" not in html(response)
