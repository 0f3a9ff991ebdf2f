"""Public pages: content, draft rule, friendly errors and constant query counts."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    EvidenceFactory,
    KeyFigureFactory,
    KeyFigureValueFactory,
    MeetingFactory,
    PageFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

from .conftest import html

pytestmark = pytest.mark.django_db


class TestHome:
    def test_shows_pillars_figures_meetings_and_agreements(self, client):
        pillar = PillarFactory(name="Promoting competitiveness and connectivity")
        KeyFigureFactory(label="Bilateral trade a year", value=500_000_000_000, unit="USD",
                         qualifier="over")  # fmt: skip
        held = MeetingFactory(title="First HLED meeting", status="held",
                              start=timezone.now() - dt.timedelta(days=2))  # fmt: skip
        AgreementFactory(title="Air transport agreement", pillar=pillar, origin_meeting=held)
        AgreementFactory(title="Secret draft deal", draft=True)

        page = html(client.get(reverse("dialogue:home")))

        assert "Promoting competitiveness and connectivity" in page
        assert "over US$500 billion" in page
        assert "First HLED meeting" in page
        assert "Air transport agreement" in page
        assert "Secret draft deal" not in page

    def test_scheduled_key_figure_is_hidden(self, client):
        KeyFigureFactory(label="Present figure")
        KeyFigureFactory(label="Future figure", scheduled=True)
        response = client.get(reverse("dialogue:home"))
        assert response.status_code == 200
        assert "Present figure" in html(response)
        assert "Future figure" not in html(response)


class TestMeetingPages:
    def test_list_shows_published_newest_first_and_hides_drafts(self, client):
        MeetingFactory(title="Older meeting", start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC))
        MeetingFactory(title="Newer meeting", start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC))
        MeetingFactory(title="Draft meeting", draft=True)
        MeetingFactory(title="Scheduled meeting", scheduled=True)

        response = client.get(reverse("dialogue:meeting-list"))

        page = html(response)
        assert response.status_code == 200
        assert page.index("Newer meeting") < page.index("Older meeting")
        assert "Draft meeting" not in page
        assert "Scheduled meeting" not in page
        assert "2 meetings" in page

    def test_detail_shows_local_time_agenda_in_order_and_co_chairs_by_side(self, client):
        meeting = MeetingFactory(
            title="Second HLED meeting",
            timezone="America/New_York",
            start=dt.datetime(2015, 1, 6, 15, 0, tzinfo=dt.UTC),
            end=dt.datetime(2015, 1, 6, 20, 0, tzinfo=dt.UTC),
            city="Washington, D.C.",
        )
        AgendaItemFactory(meeting=meeting, position=2, title="Second item")
        AgendaItemFactory(meeting=meeting, position=1, title="First item")
        AgendaItemFactory(meeting=meeting, position=3, title="Third item")
        commerce = StakeholderFactory(name="Department of Commerce", country="US")
        economy = StakeholderFactory(name="Secretariat of Economy", country="MX")
        ParticipationFactory(meeting=meeting, stakeholder=commerce, role="co-chair")
        ParticipationFactory(meeting=meeting, stakeholder=economy, role="co-chair")
        hidden = StakeholderFactory(name="Hidden draft body", draft=True)
        ParticipationFactory(meeting=meeting, stakeholder=hidden, role="delegate")

        page = html(client.get(meeting.get_absolute_url()))

        assert "10:00" in page and "EST" in page  # 15:00 UTC is 10:00 in Washington in January
        assert page.index("First item") < page.index("Second item") < page.index("Third item")
        assert page.index("United States") < page.index("Department of Commerce")
        assert page.index("Mexico") < page.index("Secretariat of Economy")
        assert "Hidden draft body" not in page

    def test_tentative_meeting_shows_only_the_year(self, client):
        meeting = MeetingFactory(
            title="Third HLED meeting",
            status="tentative",
            date_precision="year",
            start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC),
        )
        page = html(client.get(meeting.get_absolute_url()))
        assert "2016" in page and "date to be confirmed" in page
        assert "Tentative" in page

    def test_previous_and_next_meeting_links(self, client):
        first = MeetingFactory(title="M1", start=dt.datetime(2013, 9, 20, tzinfo=dt.UTC))
        second = MeetingFactory(title="M2", start=dt.datetime(2015, 1, 6, tzinfo=dt.UTC))
        third = MeetingFactory(title="M3", start=dt.datetime(2016, 1, 1, tzinfo=dt.UTC))
        page = html(client.get(second.get_absolute_url()))
        assert first.get_absolute_url() in page and third.get_absolute_url() in page

    def test_draft_is_404_for_visitors_and_a_marked_preview_for_staff(self, client, staff_client):
        meeting = MeetingFactory(title="Unpublished meeting", draft=True)
        assert client.get(meeting.get_absolute_url()).status_code == 404
        response = staff_client.get(meeting.get_absolute_url())
        assert response.status_code == 200
        assert "Draft preview" in html(response)
        assert 'name="robots" content="noindex' in html(response)


@pytest.mark.parametrize("state", ["draft", "scheduled"])
@pytest.mark.parametrize(
    "factory_class",
    [MeetingFactory, AgreementFactory, StakeholderFactory, PageFactory],
    ids=["meeting", "agreement", "stakeholder", "page"],
)
def test_hidden_records_are_404_for_visitors(client, factory_class, state):
    hidden = factory_class(**{state: True})
    public = factory_class()
    assert client.get(public.get_absolute_url()).status_code == 200
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in html(response)


class TestAgreementPages:
    def test_list_hides_drafts_and_counts_only_published(self, client):
        AgreementFactory(title="Trusted trader recognition")
        AgreementFactory(title="Draft agreement", draft=True)
        page = html(client.get(reverse("dialogue:agreement-list")))
        assert "Trusted trader recognition" in page
        assert "Draft agreement" not in page
        assert "1 agreement<" in page

    def test_detail_shows_status_dates_parties_and_timeline(self, client):
        meeting = MeetingFactory(title="Origin meeting")
        agreement = AgreementFactory(
            title="Air transport agreement",
            status="in-force",
            progress=80,
            origin_meeting=meeting,
            announced_on=dt.date(2015, 1, 6),
            signed_on=dt.date(2015, 12, 18),
        )
        AgreementPartyFactory(
            agreement=agreement, stakeholder=StakeholderFactory(name="DOT", country="US")
        )
        AgreementUpdateFactory(agreement=agreement, date=dt.date(2016, 1, 1), title="Signed")
        AgreementUpdateFactory(agreement=agreement, date=dt.date(2015, 1, 1), title="Announced")
        DocumentFactory(meeting=None, agreement=agreement, title="Agreement text")

        page = html(client.get(agreement.get_absolute_url()))

        assert "In force" in page and "80% implemented" in page
        assert "Origin meeting" in page and "DOT" in page and "Agreement text" in page
        assert page.index("Announced</h3>") < page.index("Signed</h3>")
        assert "18 December 2015" in page or "Dec. 18, 2015" in page

    def test_draft_origin_meeting_is_not_linked(self, client):
        meeting = MeetingFactory(title="Secret origin", draft=True)
        agreement = AgreementFactory(title="Agreement of a draft meeting", origin_meeting=meeting)
        response = client.get(agreement.get_absolute_url())
        assert response.status_code == 200
        assert "Agreement of a draft meeting" in html(response)
        assert "Secret origin" not in html(response)


class TestStakeholderPages:
    def test_directory_and_detail(self, client):
        parent = StakeholderFactory(name="Department of Commerce", country="US")
        child = StakeholderFactory(name="International Trade Administration", parent=parent)
        StakeholderFactory(name="Draft stakeholder", draft=True)
        meeting = MeetingFactory(title="A meeting")
        ParticipationFactory(meeting=meeting, stakeholder=parent, role="co-chair")
        hidden_meeting = MeetingFactory(title="Hidden meeting", draft=True)
        ParticipationFactory(meeting=hidden_meeting, stakeholder=parent)
        agreement = AgreementFactory(title="An agreement")
        AgreementPartyFactory(agreement=agreement, stakeholder=parent)

        directory = html(client.get(reverse("dialogue:stakeholder-list")))
        assert "Department of Commerce" in directory and "Draft stakeholder" not in directory

        page = html(client.get(parent.get_absolute_url()))
        assert "A meeting" in page and "An agreement" in page and child.name in page
        assert "Hidden meeting" not in page


class TestPillarAndPages:
    def test_pillar_page_breakdown_counts_only_published(self, client):
        pillar = PillarFactory()
        AgreementFactory.create_batch(2, pillar=pillar, status="implementing")
        AgreementFactory(pillar=pillar, status="completed")
        AgreementFactory(pillar=pillar, status="completed", draft=True)
        AgendaItemFactory(pillar=pillar, title="Connectivity item")

        response = client.get(pillar.get_absolute_url())

        breakdown = {row["status"]: row["count"] for row in response.context["status_breakdown"]}
        assert breakdown == {"implementing": 2, "completed": 1}
        assert response.context["agreement_total"] == 3
        assert "Connectivity item" in html(response)

    def test_content_page_and_menu(self, client):
        page = PageFactory(title="About the initiative", slug="about", menu_order=1)
        PageFactory(title="Hidden page", slug="hidden", menu_order=2, draft=True)
        response = client.get(page.get_absolute_url())
        assert response.status_code == 200
        assert "About the initiative" in html(response)
        assert "Hidden page" not in html(response)
        assert client.get("/en/pages/hidden/").status_code == 404


class TestErrors:
    @pytest.mark.parametrize(
        "url",
        ["/en/meetings/no-such-meeting/", "/en/agreements/nope/", "/en/stakeholders/nope/",
         "/en/pillars/nope/", "/en/pages/nope/", "/en/no/such/page/",
         "/no/such/page/"],
    )  # fmt: skip
    def test_unknown_slug_is_a_friendly_404(self, client, url):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in html(response)
        assert 'class="site-header"' in html(response)

    def test_bad_page_number_is_404_not_500(self, client):
        assert client.get("/en/meetings/?page=abc").status_code == 404
        assert client.get("/en/meetings/?page=999").status_code == 404


def build_meeting(size):
    """A meeting with `size` of each related row a visitor sees on its page."""
    sectors = SectorFactory.create_batch(2)
    meeting = MeetingFactory(slug="big")
    for i in range(size):
        stakeholder = StakeholderFactory()
        ParticipationFactory(meeting=meeting, stakeholder=stakeholder,
                             role="co-chair" if i < 2 else "delegate")  # fmt: skip
        AgendaItemFactory(meeting=meeting, position=i + 1, sectors=sectors,
                          presenters=[stakeholder], pillar=PillarFactory())  # fmt: skip
        AgreementFactory(origin_meeting=meeting, pillar=PillarFactory())
        DocumentFactory(meeting=meeting)
    MeetingFactory(start=meeting.start - dt.timedelta(days=400))
    MeetingFactory(start=meeting.start + dt.timedelta(days=400))
    return meeting


def build_agreement(size):
    agreement = AgreementFactory(slug="big", origin_meeting=MeetingFactory())
    for _ in range(size):
        AgreementPartyFactory(agreement=agreement)
        AgreementUpdateFactory(agreement=agreement, meeting=MeetingFactory())
        DocumentFactory(meeting=None, agreement=agreement)
    agreement.sectors.set(SectorFactory.create_batch(min(size, 5)))
    return agreement


def build_stakeholder(size):
    stakeholder = StakeholderFactory(slug="big", parent=StakeholderFactory())
    for _ in range(size):
        ParticipationFactory(stakeholder=stakeholder)
        AgreementPartyFactory(stakeholder=stakeholder)
        StakeholderFactory(parent=stakeholder)
    return stakeholder


def build_tracked(size):
    """`size` commitments, each with updates per side, evidence and parties on each side."""
    pillar = PillarFactory(slug="big")
    meeting = MeetingFactory(slug="big", kind="annual")
    KeyFigureValueFactory(figure=KeyFigureFactory(), year=2014)
    for i in range(size):
        agreement = AgreementFactory(
            slug="big" if i == 0 else f"tracked-{i}", origin_meeting=meeting, pillar=pillar
        )
        for side in ("US", "MX"):
            AgreementPartyFactory(
                agreement=agreement, stakeholder=StakeholderFactory(country=side), role="lead"
            )
        for year in (2014, 2015):
            update = AgreementUpdateFactory(
                agreement=agreement,
                date=dt.date(year, 3, 1),
                meeting=meeting,
                status="implementing",
                progress=40,
                us_status="implementing",
                us_progress=50,
                mx_status="signed",
                mx_progress=30,
            )
            EvidenceFactory(update=update)
        PageFactory(menu_order=1)


def build_lists(size):
    pillar = PillarFactory(slug="big")
    for _ in range(size):
        meeting = MeetingFactory()
        AgendaItemFactory(meeting=meeting, pillar=pillar)
        AgreementFactory(origin_meeting=meeting, pillar=pillar)
        StakeholderFactory(parent=StakeholderFactory())
        KeyFigureFactory()
        PageFactory(menu_order=1)


QUERY_GUARDS = [
    # (URL name, slug, query string, builder, expected queries)
    ("home", None, "", build_lists, 9),
    ("meeting-list", None, "", build_lists, 5),
    ("meeting-list", None, "?pillar=big&status=held", build_lists, 6),
    ("agreement-list", None, "", build_lists, 7),
    ("agreement-list", None, "?pillar=big&status=implementing&q=a", build_lists, 6),
    ("stakeholder-list", None, "", build_lists, 3),
    ("pillar-detail", "big", "", build_lists, 6),
    ("page-detail", "about", "", build_lists, 2),
    # + 2 for public input (the meeting's consultations, "Shaped by N submissions"), + 3 for
    # commitment tracking (announced there with today's state, reviewed there, since the
    # previous meeting).
    ("meeting-detail", "big", "", build_meeting, 15),
    ("agreement-detail", "big", "", build_agreement, 7),
    ("stakeholder-detail", "big", "", build_stakeholder, 6),
    ("progress", None, "", build_tracked, 15),
    ("progress", None, "?pillar=big&side=US&status=implementing&meeting=big", build_tracked, 17),
    ("meeting-factsheet", "big", "", build_meeting, 11),
    ("meeting-factsheet-pdf", "big", "", build_meeting, 10),
    ("follow", None, "", build_lists, 2),
    ("follow", None, "?agreement=big", build_tracked, 2),
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(("name", "slug", "query", "builder", "expected"), QUERY_GUARDS)
def test_query_count_is_constant(
    client, django_assert_num_queries, name, slug, query, builder, expected, size, language
):
    builder(size)
    PageFactory(slug="about", menu_order=None)
    with translation.override(language):
        url = reverse(f"dialogue:{name}", kwargs={"slug": slug} if slug else None) + query
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    if name.endswith("-pdf"):
        assert response["Content-Type"] == "application/pdf"
    else:
        assert f'<html lang="{language}">' in html(response)


class TestRichTextIsSanitizedOnOutput:
    """Raw saves (loaddata, bulk imports) skip the sanitizer on save: rendering cleans again."""

    HOSTILE = (
        '<p onclick="alert(1)">Welcome<script>alert(9)</script> '
        '<a href="javascript:alert(2)">click</a> <a href="https://example.org/">safe link</a></p>'
    )

    def load_page(self, tmp_path):
        from django.core.management import call_command

        record = {
            "model": "dialogue.page",
            "fields": {
                "slug": "hostile",
                "title_en": "Loaded from a fixture",
                "body_en": self.HOSTILE,
                "publication_status": "published",
                "publish_at": "2020-01-01T00:00:00Z",
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            },
        }
        fixture = tmp_path / "hostile.json"
        fixture.write_text(json.dumps([record]))
        call_command("loaddata", str(fixture), verbosity=0)

    def test_a_page_loaded_raw_from_a_fixture_renders_inert(self, client, tmp_path):
        from dialogue.models import Page

        self.load_page(tmp_path)
        # The raw save really stored the hostile markup …
        assert "<script>" in Page.objects.get(slug="hostile").body_en

        response = client.get(reverse("dialogue:page-detail", kwargs={"slug": "hostile"}))

        # … and the page shows the text and the safe link, and none of the hostile parts.
        page = html(response)
        assert response.status_code == 200
        assert "Welcome" in page
        assert 'href="https://example.org/"' in page
        assert "alert(9)" not in page
        assert "onclick" not in page
        assert "javascript:" not in page

    def test_no_public_template_marks_text_safe(self):
        from pathlib import Path

        templates = Path(__file__).resolve().parent.parent / "templates"
        public = [p for p in templates.rglob("*.html") if "admin" not in p.parts]
        assert public, "no public templates found"
        unsafe = [str(p) for p in public if "|safe" in p.read_text()]
        assert not unsafe, f"render rich text with |rich, not |safe: {unsafe}"
