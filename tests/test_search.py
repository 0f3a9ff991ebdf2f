"""Site search: every kind of public record, both languages, accents, filters, hostile input,
escaped snippets, "did you mean" and a constant number of queries. Runs on SQLite and on
PostgreSQL (CI runs both); the full-text specifics are checked where they apply."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import translation

from dialogue.search import highlight, terms_of
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementUpdateFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    PageFactory,
    PillarFactory,
    StakeholderFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

POSTGRESQL = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL full-text search only"
)


def search(client, language="en", **params):
    with translation.override(language):
        url = reverse("dialogue:search")
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def titles(response):
    """The English title (or name) of each result, in order."""
    found = []
    for result in response.context["search"].results:
        record = result.kind.model.objects.get(pk=result.pk)
        found.append(
            getattr(record, "title_en", None) or getattr(record, "name_en", None) or record.title
        )
    return found


def kinds(response):
    return [result.kind.name for result in response.context["search"].results]


@pytest.fixture
def world():
    pillar = PillarFactory(number=1, slug="connectivity", name="Connectivity")
    other = PillarFactory(number=2, slug="growth", name="Growth")
    meeting = MeetingFactory(
        title="Meeting on border logistics",
        title_es="Reunión sobre logística fronteriza",
        summary="Customs and crossings.",
        city="Querétaro",
        start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC),
    )
    AgendaItemFactory(meeting=meeting, position=1, title="Logistics corridors", pillar=pillar)
    agreement = AgreementFactory(
        title="Air transport agreement",
        title_es="Acuerdo de transporte aéreo",
        summary="Open skies for carriers.",
        pillar=pillar,
        announced_on=dt.date(2015, 1, 6),
        origin_meeting=meeting,
    )
    AgreementUpdateFactory(
        agreement=agreement, title="Logistics study published", note="", date=dt.date(2015, 2, 1)
    )
    StakeholderFactory(name="Secretaría de Economía", slug="economia", acronym="SE")
    PageFactory(title="About logistics", slug="about-logistics", summary="How the dialogue works.")
    DocumentFactory(meeting=meeting, title="Logistics fact sheet", published_on=dt.date(2015, 1, 6))
    AgreementFactory(title="Energy logistics", pillar=other, announced_on=dt.date(2019, 5, 1))
    # Hidden records that match every query of these tests.
    MeetingFactory(title="Logistics draft meeting", draft=True)
    AgreementFactory(title="Logistics scheduled agreement", scheduled=True)
    StakeholderFactory(name="Logistics draft body", draft=True)
    hidden = MeetingFactory(title="Hidden meeting", draft=True)
    AgendaItemFactory(meeting=hidden, position=1, title="Logistics hidden item")
    DocumentFactory(meeting=hidden, title="Logistics hidden document")
    return {"pillar": pillar, "meeting": meeting, "agreement": agreement}


def test_finds_every_public_kind_and_nothing_hidden(client, world):
    response = search(client, q="logistics")
    found = titles(response)
    assert set(kinds(response)) == {
        "meeting", "agenda-item", "agreement", "update", "page", "document"
    }  # fmt: skip
    assert "Meeting on border logistics" in found
    assert not [title for title in found if "draft" in title or "hidden" in title.lower()]
    assert not [title for title in found if "scheduled" in title]
    page = response.content.decode()
    assert "Logistics draft" not in page and "hidden" not in page.lower().split("</header>")[-1]


def test_titles_rank_above_bodies(client, world):
    MeetingFactory(title="Unrelated title", summary="", body="<p>carriers and carriers</p>")
    found = titles(search(client, q="carriers"))
    assert found[0] == "Air transport agreement"  # in its summary, above a body-only match
    assert "Unrelated title" in found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("querétaro", "Meeting on border logistics"),
        ("QUERETARO", "Meeting on border logistics"),
        ("Queretaro", "Meeting on border logistics"),
        ("secretaria de economia", "Secretaría de Economía"),
        ("ECONOMÍA", "Secretaría de Economía"),
    ],
)
def test_case_and_accents_are_folded(client, world, query, expected):
    found = titles(search(client, q=query))
    assert expected in found, query
    assert found.index(expected) < 2  # a name or a city weighs more than any body text


def test_spanish_text_is_found_from_either_language(client, world):
    for language in ("en", "es"):
        response = search(client, language, q="transporte aereo")
        assert titles(response)[0] == "Air transport agreement"
    with translation.override("es"):
        assert reverse("dialogue:search") == "/es/buscar/"
    response = search(client, "es", q="transporte")
    assert "Acuerdo de <mark>transporte</mark> aéreo" in response.content.decode()


def test_filters_by_type_pillar_and_year(client, world):
    assert set(kinds(search(client, q="logistics", type="agenda-item"))) == {"agenda-item"}
    by_pillar = titles(search(client, q="logistics", pillar="connectivity"))
    assert "Energy logistics" not in by_pillar
    assert "Logistics corridors" in by_pillar
    by_year = titles(search(client, q="logistics", year="2019"))
    assert by_year == ["Energy logistics"]


def test_bad_filter_values_are_form_errors(client, world):
    response = search(client, q="logistics", type="nonsense", year="abc", pillar="nope")
    assert response.context["search"].results == []
    page = response.content.decode()
    assert "could not be run" in page and "Select a valid choice" in page


@pytest.mark.parametrize(
    "query",
    [
        "'\"&|!<->:*()",
        "a & b | !c",
        "\\",
        "%_%",
        "x" * 200,
        "or or or",
        "-",
        '"unclosed quote',
        "🙂 émoji",
        "<script>alert(1)</script>",
        "the",
    ],
)
def test_hostile_queries_never_fail(client, world, query):
    response = search(client, q=query)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_too_long_or_null_queries_get_a_message(client, world):
    for query in ("x" * 201, "logistics\x00"):
        response = search(client, q=query)
        assert "could not be run" in response.content.decode()
        assert response.context["search"].results == []


def test_snippets_are_escaped_plain_text_with_marks(client):
    AgreementFactory(
        title="Markup <b>agreement</b>",
        summary="",
        body='<p>Cross-border <strong>logistics</strong> &amp; <a href="x">customs</a></p>'
        "<script>alert(1)</script>",
    )
    page = search(client, q="logistics").content.decode()
    assert "Cross-border <mark>logistics</mark> &amp; customs" in page
    assert "Markup &lt;b&gt;agreement&lt;/b&gt;" in page
    assert "<strong>" not in page.split('class="search-results"')[1]


def test_highlight_window_and_stems():
    text = "word " * 100 + "Agreements on transport. " + "tail " * 100
    snippet = highlight(text, terms_of("agreement"))
    assert "<mark>Agreements</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < 400
    assert highlight("<b>x</b> & y", ["x"]) == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; y"


def test_pagination_keeps_the_query(client, settings):
    settings.PAGINATE_BY = 2
    for number in range(5):
        AgreementFactory(title=f"Logistics agreement {number}")
    response = search(client, q="logistics", type="agreement")
    page = response.content.decode()
    assert 'href="?q=logistics&amp;type=agreement&amp;page=2"' in page
    second = search(client, q="logistics", type="agreement", page="2")
    assert len(second.context["search"].results) == 2
    assert search(client, q="logistics", page="999").context["search"].results


def test_empty_query_shows_the_form_only(client, world):
    response = search(client)
    assert response.context["search"].paginator is None
    assert 'name="q"' in response.content.decode()


def test_header_has_a_search_box_in_both_languages(client, world):
    for language, action in (("en", "/en/search/"), ("es", "/es/buscar/")):
        page = client.get(f"/{language}/").content.decode()
        assert f'action="{action}"' in page and 'type="search"' in page


@POSTGRESQL
def test_stemming_in_each_language(client, world):
    assert "Air transport agreement" in titles(search(client, q="agreements"))
    assert "Air transport agreement" in titles(search(client, q="acuerdos"))


@POSTGRESQL
def test_did_you_mean_proposes_a_spelling(client, world):
    response = search(client, q="logistcs")
    assert response.context["search"].suggestion == "logistics"
    page = response.content.decode()
    assert 'href="/en/search/?q=logistics"' in page
    assert search(client, q="logistics").context["search"].suggestion is None


@POSTGRESQL
def test_did_you_mean_proposes_only_words_of_public_titles(client, world):
    draft = MeetingFactory(title="Zanzibar corridor", draft=True)
    assert search(client, q="zanzibat").context["search"].suggestion is None
    draft.publication_status = "published"
    draft.save()
    assert search(client, q="zanzibat").context["search"].suggestion == "zanzibar"
    draft.title_en = "Another corridor"
    draft.save()
    assert search(client, q="zanzibat").context["search"].suggestion is None


@POSTGRESQL
def test_did_you_mean_judges_publication_at_its_own_time(client, world):
    """Its SQL is compiled once per number of words: each run has its own words and time."""
    scheduled = AgreementFactory(title="Zanzibar corridor", scheduled=True)
    MeetingFactory(title="Harbour modernisation")
    assert search(client, q="zanzibat").context["search"].suggestion is None
    with time_machine.travel(scheduled.publish_at + dt.timedelta(minutes=1), tick=False):
        assert search(client, q="zanzibat").context["search"].suggestion == "zanzibar"
        both = search(client, q="zanzibat harbor modernizacion").context["search"]
        assert both.suggestion == "zanzibar harbour modernisation"
    assert search(client, q="zanzibat").context["search"].suggestion is None
    assert search(client, q="harbor").context["search"].suggestion == "harbour"


@POSTGRESQL
def test_search_reads_narrow_rows_kept_by_triggers(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search_row'"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'hled_%'")
        configs = {row[0] for row in cursor.fetchall()}
    assert configs == {"hled_en", "hled_es"}
    for name in ("meeting", "agreement", "agendaitem", "stakeholder", "submission"):
        assert "USING gin (vector)" in indexes[f"{name}_search_row"]
    meeting = world["meeting"]
    row = meeting.search_row
    assert row.vector is not None and "logist" in str(row.vector)
    meeting.title_en = "Meeting on customs"
    meeting.save()
    row.refresh_from_db()
    assert "'custom'" in str(row.vector)
    # Bulk writes and raw updates go through the trigger too.
    type(meeting).objects.filter(pk=meeting.pk).update(summary="Cargo screening.")
    row.refresh_from_db()
    assert "cargo" in str(row.vector)


def test_scheduled_records_are_found_from_their_publication_time(client, world):
    """The PostgreSQL search compiles its SQL once per shape of search: each run still judges
    publication at its own time."""
    agreement = AgreementFactory(title="Logistics of the future", scheduled=True)
    assert "Logistics of the future" not in titles(search(client, q="logistics"))
    with time_machine.travel(agreement.publish_at + dt.timedelta(minutes=1), tick=False):
        assert "Logistics of the future" in titles(search(client, q="logistics"))
    assert "Logistics of the future" not in titles(search(client, q="logistics"))


def test_accepted_submissions_are_found_and_others_never(client, world):
    consultation = ConsultationFactory(title="Input on logistics", slug="input")
    accepted = SubmissionFactory(
        consultation=consultation,
        title="Cross-border logistics for small firms",
        text="Customs windows should open earlier.",
        name="Ana Sender",
        organization="Sender Org",
    )
    for state in ("received", "in-review", "declined", "spam", "unconfirmed"):
        SubmissionFactory(
            consultation=consultation, state=state, title=f"Logistics {state} submission"
        )
    hidden = ConsultationFactory(title="Draft consultation", slug="hidden", draft=True)
    SubmissionFactory(consultation=hidden, title="Logistics of a draft consultation")
    response = search(client, q="logistics")
    results = [r for r in response.context["search"].results if r.kind.name == "submission"]
    assert [r.pk for r in results] == [accepted.pk]
    assert results[0].url == accepted.get_absolute_url()
    assert results[0].context_url == consultation.get_absolute_url()
    page = response.content.decode()
    assert "Cross-border <mark>logistics</mark> for small firms" in page
    assert "in-review submission" not in page and "spam submission" not in page
    assert "draft consultation" not in page
    assert "Ana Sender" not in page  # the sender's name is never searched nor shown
    assert search(client, q="Ana Sender").context["search"].results == []
    assert kinds(search(client, q="customs windows", type="submission")) == ["submission"]


def build(size):
    pillar = PillarFactory(slug="big")
    for number in range(size):
        meeting = MeetingFactory(title=f"Logistics meeting {number}")
        AgendaItemFactory(meeting=meeting, title=f"Logistics item {number}", pillar=pillar)
        agreement = AgreementFactory(title=f"Logistics agreement {number}", pillar=pillar)
        AgreementUpdateFactory(agreement=agreement, title=f"Logistics update {number}")
        StakeholderFactory(name=f"Logistics council {number}")
        PageFactory(title=f"Logistics page {number}")
        DocumentFactory(meeting=meeting, title=f"Logistics document {number}")
        SubmissionFactory(title=f"Logistics submission {number}")


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("query", ["", "?type=agreement&pillar=big", "?year=2015"])
def test_query_count_is_constant(client, django_assert_max_num_queries, size, query):
    build(size)
    url = reverse("dialogue:search") + "?q=logistics" + query.replace("?", "&")
    # Menu, pillars, two year lists, count, one page, then one query per kind on the page
    # (eight kinds at most).
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
