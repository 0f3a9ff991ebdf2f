"""Consultations and submissions as visitors see them: states, windows in both countries'
time, the public read model, the public pages and their query counts, inert hostile text."""

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultation, Submission
from dialogue.models import Side
from tests import factories as f

from .conftest import html

pytestmark = pytest.mark.django_db

HIDDEN_STATES = ["unconfirmed", "received", "in-review", "declined", "merged", "spam", "withdrawn"]


class TestStates:
    def test_state_follows_the_window_and_the_answer(self):
        opens = dt.datetime(2016, 2, 1, 14, tzinfo=dt.UTC)
        consultation = f.ConsultationFactory(
            opens_at=opens, closes_at=opens + dt.timedelta(days=30)
        )
        with time_machine.travel(opens - dt.timedelta(minutes=1)):
            assert consultation.state == Consultation.State.UPCOMING
        with time_machine.travel(opens):
            assert consultation.state == Consultation.State.OPEN
        with time_machine.travel(opens + dt.timedelta(days=30)):
            assert consultation.state == Consultation.State.CLOSED
        consultation.answered_at = opens + dt.timedelta(days=40)
        with time_machine.travel(opens + dt.timedelta(days=39)):
            assert consultation.state == Consultation.State.CLOSED
        with time_machine.travel(opens + dt.timedelta(days=41)):
            assert consultation.state == Consultation.State.ANSWERED

    def test_the_database_refuses_a_window_that_closes_before_it_opens(self):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            f.ConsultationFactory(closes_at=timezone.now() - dt.timedelta(days=30))

    def test_window_is_shown_in_both_countries_time(self, client):
        # 1 February 2016, 14:00 UTC: 09:00 in Washington (EST), 08:00 in Mexico City (CST).
        opens = dt.datetime(2016, 2, 1, 14, tzinfo=dt.UTC)
        consultation = f.ConsultationFactory(
            opens_at=opens, closes_at=dt.datetime(2016, 4, 1, 5, 59, tzinfo=dt.UTC)
        )
        page = html(client.get(consultation.get_absolute_url()))
        assert 'datetime="2016-02-01T09:00:00-05:00"' in page
        assert 'datetime="2016-02-01T08:00:00-06:00"' in page
        assert "EST" in page and "CST" in page
        # Washington is already on daylight time at the close, Mexico City is not (2016).
        assert 'datetime="2016-04-01T01:59:00-04:00"' in page
        assert 'datetime="2016-03-31T23:59:00-06:00"' in page
        with translation.override("es"):
            page = html(client.get(consultation.get_absolute_url()))
        assert "Estados Unidos" in page and "México" in page


class TestPublicReadModel:
    @pytest.mark.parametrize("state", HIDDEN_STATES)
    def test_only_accepted_submissions_of_public_consultations_are_public(self, state):
        shown = f.SubmissionFactory()
        hidden = f.SubmissionFactory(state=state, merged_into=shown if state == "merged" else None)
        assert list(Submission.objects.public()) == [shown]
        assert hidden not in Submission.objects.public()

    @pytest.mark.parametrize("flag", ["draft", "scheduled"])
    def test_accepted_submissions_of_a_hidden_consultation_are_not_public(self, flag):
        consultation = f.ConsultationFactory(**{flag: True})
        f.SubmissionFactory(consultation=consultation)
        assert not Submission.objects.public().exists()
        assert not Consultation.objects.public().exists()

    def test_agenda_items_of_a_hidden_meeting_are_left_out(self):
        public_item = f.AgendaItemFactory(title="Public item")
        draft_item = f.AgendaItemFactory(meeting=f.MeetingFactory(draft=True), title="Draft item")
        submission = f.SubmissionFactory(agenda_items=[public_item, draft_item])
        found = Submission.objects.public().get(pk=submission.pk)
        assert list(found.agenda_items.all()) == [public_item]

    def test_a_draft_meeting_of_a_public_consultation_reads_as_none(self):
        consultation = f.ConsultationFactory(meeting=f.MeetingFactory(draft=True))
        assert Consultation.objects.public().get(pk=consultation.pk).meeting is None


class TestAttribution:
    @pytest.mark.parametrize(
        ("display", "organization", "expected"),
        [
            ("name", "Acme", "Ana Pérez, Acme"),
            ("name", "", "Ana Pérez"),
            ("organization", "Acme", "Acme"),
            ("organization", "", "Anonymous"),
            ("anonymous", "Acme", "Anonymous"),
        ],
    )
    def test_shown_as_the_sender_chose(self, display, organization, expected):
        submission = f.SubmissionFactory.build(
            display=display, organization=organization, name="Ana Pérez"
        )
        assert str(submission.attribution) == expected

    def test_the_email_address_is_never_on_a_public_page(self, client):
        submission = f.SubmissionFactory(email="hidden.sender@example.org", name="Ana Pérez")
        for url in (
            submission.get_absolute_url(),
            reverse("consultations:submission-list"),
            submission.consultation.get_absolute_url(),
        ):
            page = html(client.get(url))
            assert "hidden.sender@example.org" not in page
            assert submission.reference in page or submission.consultation.title in page

    def test_an_anonymous_submission_shows_no_name_nor_organization(self, client):
        submission = f.SubmissionFactory(
            display="anonymous", name="Ana Secreta", organization="Secret Org"
        )
        page = html(client.get(submission.get_absolute_url()))
        assert submission.title in page and "Anonymous" in page
        assert "Ana Secreta" not in page and "Secret Org" not in page


class TestPages:
    def test_consultation_list_shows_states_and_counts(self, client):
        f.ConsultationFactory(title="Open one")
        closed = f.ConsultationFactory(title="Closed one", closed=True)
        f.SubmissionFactory.create_batch(2, consultation=closed)
        f.ConsultationFactory(title="Draft one zzcanary", draft=True)
        page = html(client.get(reverse("consultations:consultation-list")))
        assert "Open one" in page and "Closed one" in page
        assert "2 published submissions" in page
        assert "zzcanary" not in page

    def test_open_consultation_shows_the_form_and_a_closed_one_the_summary(self, client):
        pillar = f.PillarFactory(number=1)
        open_one = f.ConsultationFactory(pillars=[pillar])
        closed = f.ConsultationFactory(closed=True)
        f.SubmissionFactory(consultation=closed, pillar=pillar)
        page = html(client.get(open_one.get_absolute_url()))
        assert '<form method="post"' in page and 'name="title"' in page
        page = html(client.get(closed.get_absolute_url()))
        assert '<form method="post"' not in page
        assert "1 submission has been published." in page
        assert pillar.name in page

    def test_answered_consultation_shows_its_outcome(self, client):
        consultation = f.ConsultationFactory(
            answered=True, outcome="<p>Three proposals reached the agenda.</p>"
        )
        page = html(client.get(consultation.get_absolute_url()))
        assert "Answered" in page and "Three proposals reached the agenda." in page

    def test_submission_page_shows_the_answer_with_its_date_and_the_agenda_items(self, client):
        item = f.AgendaItemFactory(title="Modern borders")
        submission = f.SubmissionFactory(
            answered=True, answer_es="Los copresidentes lo incluyeron.", agenda_items=[item]
        )
        page = html(client.get(submission.get_absolute_url()))
        assert "The co-chairs took this up in the agenda." in page
        assert "Answered on" in page
        assert "Modern borders" in page and item.meeting.get_absolute_url() in page
        with translation.override("es"):
            page = html(client.get(submission.get_absolute_url()))
        assert "Los copresidentes lo incluyeron." in page

    def test_an_unpublished_answer_is_not_shown(self, client):
        submission = f.SubmissionFactory(answer="Draft answer text", answered_at=None)
        page = html(client.get(submission.get_absolute_url()))
        assert submission.title in page
        assert "Draft answer text" not in page
        assert "have not answered this submission yet" in page

    @pytest.mark.parametrize("state", HIDDEN_STATES)
    def test_hidden_submissions_answer_404(self, client, state):
        target = f.SubmissionFactory()
        hidden = f.SubmissionFactory(state=state, merged_into=target if state == "merged" else None)
        assert client.get(hidden.get_absolute_url()).status_code == 404
        assert client.get(target.get_absolute_url()).status_code == 200

    def test_list_filters_and_counts_by_pillar_country_and_kind(self, client):
        one, two = f.PillarFactory(number=1), f.PillarFactory(number=2)
        f.SubmissionFactory.create_batch(3, pillar=one, country=Side.MX, sender_kind="company")
        f.SubmissionFactory(pillar=two, country=Side.US, sender_kind="university")
        f.SubmissionFactory(pillar=two, state="spam", country=Side.US)
        page = html(client.get(reverse("consultations:submission-list")))
        assert "4 submissions" in page
        assert "By pillar" in page and "By country" in page and "By kind of sender" in page
        page = html(client.get(reverse("consultations:submission-list") + "?country=US"))
        assert "1 submission" in page
        page = html(client.get(reverse("consultations:submission-list") + f"?pillar={one.slug}"))
        assert "3 submissions" in page

    def test_an_invalid_filter_shows_an_error_not_a_500(self, client):
        response = client.get(reverse("consultations:submission-list") + "?country=XX&pillar=no")
        assert response.status_code == 200
        assert "Some filters could not be applied" in html(response)

    def test_paths_are_translated(self, client):
        consultation = f.ConsultationFactory(slug="consulta-2016")
        with translation.override("es"):
            assert consultation.get_absolute_url() == "/es/consultas/consulta-2016/"
            assert reverse("consultations:submission-list") == "/es/aportaciones/"
            assert reverse("consultations:privacy") == "/es/privacidad/"
        assert client.get("/es/consultas/consulta-2016/").status_code == 200

    @pytest.mark.parametrize("language", ["en", "es"])
    def test_privacy_notice_in_both_languages(self, client, language):
        with translation.override(language):
            response = client.get(reverse("consultations:privacy"))
        page = html(response)
        assert response.status_code == 200
        assert {"en": "How long we keep it", "es": "Cuánto tiempo la conservamos"}[language] in page
        assert "180" in page  # the retention period from the settings
        assert client.get(reverse("consultations:privacy-version", args=["9"])).status_code == 404


class TestMeetingPage:
    def test_input_received_by_pillar_and_shaped_by_on_agenda_items(self, client):
        one, two = f.PillarFactory(number=1), f.PillarFactory(number=2)
        meeting = f.MeetingFactory(slug="third")
        item = f.AgendaItemFactory(meeting=meeting, position=1, pillar=one)
        other = f.AgendaItemFactory(meeting=meeting, position=2, pillar=two)
        consultation = f.ConsultationFactory(meeting=meeting, closed=True)
        f.SubmissionFactory.create_batch(
            2, consultation=consultation, pillar=one, agenda_items=[item]
        )
        f.SubmissionFactory(consultation=consultation, pillar=two)
        f.SubmissionFactory(consultation=consultation, pillar=two, state="in-review",
                            agenda_items=[other])  # fmt: skip
        page = html(client.get(meeting.get_absolute_url()))
        assert "Input received: 3 published submissions" in page
        assert "pillar 1: 2" in page and "pillar 2: 1" in page
        assert "Shaped by 2 submissions" in page
        assert page.count("Shaped by") == 1  # the in-review one does not count
        assert f"?agenda_item={item.pk}" in page

    def test_a_meeting_without_consultation_shows_no_input_line(self, client):
        meeting = f.MeetingFactory()
        response = client.get(meeting.get_absolute_url())
        assert response.status_code == 200
        assert "Input received" not in html(response)


class ElementCollector(HTMLParser):
    """Every element and attribute of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(page):
    collector = ElementCollector()
    collector.feed(page)
    return collector


class TestHostileText:
    PAYLOADS = [
        '<script>alert("x")</script>',
        '<img src=x onerror="alert(1)">',
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
    ]

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_payloads_are_stored_as_text_and_rendered_inert(self, client, payload):
        submission = f.SubmissionFactory(
            title=f"Title {payload}",
            text=f"Text {payload}\nsecond line",
            organization=f"Org {payload}",
            display="organization",
            answered=True,
            answer=f"Answer {payload}",
        )
        assert Submission.objects.get(pk=submission.pk).text.startswith(f"Text {payload}")
        for url in (submission.get_absolute_url(), reverse("consultations:submission-list")):
            page = parsed(html(client.get(url)))
            # The payload is there as text a reader sees …
            assert f"Title {payload}" in "".join(page.text)
            # … and nothing of it became markup: no inline script, handler, image or link.
            for tag, attrs in page.elements:
                assert not any(name.startswith("on") for name in attrs), (tag, attrs)
                assert tag not in {"img", "svg"}
                assert not (tag == "script" and "src" not in attrs)
                assert not attrs.get("href", "").startswith("javascript:")
        page = html(client.get(submission.get_absolute_url()))
        assert "<br>second line" in page  # line breaks kept, as markup of our own


def build_submissions(size):
    pillars = [f.PillarFactory(number=n, slug=f"p{n}") for n in (1, 2, 3)]
    meeting = f.MeetingFactory(slug="big")
    items = [
        f.AgendaItemFactory(meeting=meeting, position=n + 1, pillar=pillars[n % 3])
        for n in range(3)
    ]
    sectors = f.SectorFactory.create_batch(2)
    consultation = f.ConsultationFactory(slug="big", meeting=meeting, closed=True)
    for n in range(size):
        submission = f.SubmissionFactory(
            consultation=consultation,
            pillar=pillars[n % 3],
            sectors=sectors,
            agenda_items=items[: 1 + n % 3],
            answered=n % 2 == 0,
        )
        f.SubmissionFactory(consultation=consultation, state="merged", merged_into=submission)
    f.ConsultationFactory()
    return Submission.objects.public().first()


QUERY_GUARDS = [
    ("consultations:consultation-list", {}, "", 3),
    ("consultations:consultation-detail", {"slug": "big"}, "", 5),
    ("consultations:submission-list", {}, "", 12),
    ("consultations:submission-list", {}, "?pillar=p1&sender_kind=association&q=e", 13),
    ("consultations:submission-detail", None, "", 4),
    ("consultations:privacy", {}, "", 1),
    ("dialogue:meeting-detail", {"slug": "big"}, "", 15),  # with commitment tracking
]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), QUERY_GUARDS)
def test_query_count_is_constant(
    client, django_assert_num_queries, name, kwargs, query, expected, size, language
):
    first = build_submissions(size)
    f.PageFactory(slug="about", menu_order=None)
    if kwargs is None:
        kwargs = {"reference": first.reference}
    with translation.override(language):
        url = reverse(name, kwargs=kwargs or None) + query
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html(response)


def test_pages_are_cached_but_the_open_form_is_not(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PAGE_CACHE_ENABLED = True
    open_one = f.ConsultationFactory()
    closed = f.ConsultationFactory(closed=True)
    client.get(closed.get_absolute_url())
    second = client.get(closed.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert not second.cookies
    first = client.get(open_one.get_absolute_url())
    assert "csrftoken" in first.cookies  # the only public page that sets one
    again = client.get(open_one.get_absolute_url())
    assert "X-Page-Cache" not in again
    assert "no-store" in again["Cache-Control"]


def test_a_cached_consultation_page_shows_the_form_once_it_opens(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PAGE_CACHE_ENABLED = True
    consultation = f.ConsultationFactory(upcoming=True)
    assert "The form opens on" in html(client.get(consultation.get_absolute_url()))
    assert client.get(consultation.get_absolute_url())["X-Page-Cache"] == "hit"
    with time_machine.travel(consultation.opens_at + dt.timedelta(seconds=1)):
        page = html(client.get(consultation.get_absolute_url()))
    assert 'name="title"' in page
