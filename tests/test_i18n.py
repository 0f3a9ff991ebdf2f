"""Both languages end to end: URLs, switcher, alternates, content fallback and formats."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from dialogue.models import Meeting
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    KeyFigureFactory,
    MeetingFactory,
    PageFactory,
    PillarFactory,
    StakeholderFactory,
)

from .conftest import html

pytestmark = pytest.mark.django_db


def url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"dialogue:{name}", kwargs=kwargs or None)


@pytest.fixture
def records():
    pillar = PillarFactory(
        slug="competitiveness", name_en="Competitiveness", name_es="Competitividad"
    )
    meeting = MeetingFactory(
        slug="first", title_en="First meeting", title_es="Primera reunión",
        start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC),
    )  # fmt: skip
    AgendaItemFactory(meeting=meeting, pillar=pillar, title_en="Opening", title_es="Apertura")
    agreement = AgreementFactory(
        slug="air", title_en="Air transport agreement", title_es="Acuerdo de transporte aéreo",
        pillar=pillar, origin_meeting=meeting,
    )  # fmt: skip
    stakeholder = StakeholderFactory(
        slug="se", name_en="Secretariat of Economy", name_es="Secretaría de Economía"
    )
    page = PageFactory(slug="about", title_en="About", title_es="Acerca de", menu_order=1)
    return {
        "meeting": meeting,
        "agreement": agreement,
        "stakeholder": stakeholder,
        "pillar": pillar,
        "page": page,
    }


PAGES = [
    ("home", {}, None),
    ("meeting-list", {}, None),
    ("meeting-detail", {"slug": "first"}, ("First meeting", "Primera reunión")),
    ("agreement-list", {}, None),
    ("agreement-detail", {"slug": "air"}, ("Air transport agreement", "Acuerdo de transporte")),
    ("stakeholder-list", {}, None),
    ("stakeholder-detail", {"slug": "se"}, ("Secretariat of Economy", "Secretaría de Economía")),
    ("pillar-detail", {"slug": "competitiveness"}, ("Competitiveness", "Competitividad")),
    ("page-detail", {"slug": "about"}, ("About", "Acerca de")),
]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("name", "kwargs", "titles"), PAGES)
def test_every_page_type_in_both_languages(client, records, name, kwargs, titles, language):
    other = "es" if language == "en" else "en"
    path = url(name, language, **kwargs)
    assert path.startswith(f"/{language}/")

    response = client.get(path)

    page = html(response)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    # The switcher links to the same page in the other language.
    switch = re.search(rf'<a href="([^"]+)" hreflang="{other}"', page)
    assert switch and switch.group(1) == url(name, other, **kwargs)
    # Alternates for both languages, absolute.
    for code in ("en", "es"):
        expected = f'<link rel="alternate" hreflang="{code}" href="http://testserver'
        assert expected + url(name, code, **kwargs) + '"' in page
    if titles:
        assert titles[0 if language == "en" else 1] in page


def test_spanish_url_paths_are_translated():
    assert url("meeting-list", "es") == "/es/reuniones/"
    assert url("agreement-detail", "es", slug="air") == "/es/acuerdos/air/"
    assert url("meeting-list", "en") == "/en/meetings/"


def test_root_redirects_to_the_preferred_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 302 and response["Location"] == "/es/"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Location"] == "/en/"


def test_switcher_keeps_the_filters(client, records):
    response = client.get(url("agreement-list", "en") + "?status=implementing&page=1")
    page = html(response)
    target = url("agreement-list", "es") + "?status=implementing&amp;page=1"
    assert f'<a href="{target}" hreflang="es"' in page


def test_filters_and_pagination_keep_the_language(client):
    AgreementFactory.create_batch(25, status="implementing")
    path = url("agreement-list", "es")
    response = client.get(path + "?status=implementing")
    page = html(response)
    assert '<html lang="es">' in page
    assert 'href="?status=implementing&amp;page=2"' in page  # relative: stays under /es/
    second = client.get(path + "?status=implementing&page=2")
    assert second.status_code == 200 and '<html lang="es">' in html(second)
    assert len(second.context["object_list"]) == 5


def test_missing_spanish_falls_back_to_english_with_a_notice_and_lang(client):
    meeting = MeetingFactory(
        slug="english-only", title_en="English only meeting", title_es=None,
        summary_en="An English summary.", summary_es="",
    )  # fmt: skip
    page = html(client.get(url("meeting-detail", "es", slug=meeting.slug)))
    assert '<h1 lang="en">English only meeting</h1>' in page
    assert '<p class="lead" lang="en">An English summary.</p>' in page
    assert 'class="fallback-notice"' in page

    english = html(client.get(url("meeting-detail", "en", slug=meeting.slug)))
    assert "fallback-notice" not in english
    assert "<h1>English only meeting</h1>" in english


def test_complete_translation_has_no_notice(client, records):
    records["meeting"].summary_es = "Resumen"
    records["meeting"].summary_en = "Summary"
    records["meeting"].body_es = "<p>Cuerpo</p>"
    records["meeting"].body_en = "<p>Body</p>"
    records["meeting"].save()
    page = html(client.get(url("meeting-detail", "es", slug="first")))
    assert "fallback-notice" not in page
    assert "<h1>Primera reunión</h1>" in page


def test_dates_and_money_follow_the_language(client):
    KeyFigureFactory(
        label_en="Bilateral trade", label_es="Comercio bilateral", value=500_000_000_000,
        unit="USD", qualifier_en="over", qualifier_es="más de",
    )  # fmt: skip
    meeting = MeetingFactory(slug="first", start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC))
    spanish_home = html(client.get(url("home", "es")))
    assert "más de US$500 mil millones" in spanish_home
    assert "billón" not in spanish_home and "billones" not in spanish_home
    assert "over US$500 billion" in html(client.get(url("home", "en")))
    spanish_meeting = html(client.get(url("meeting-detail", "es", slug=meeting.slug)))
    assert "20 de septiembre de 2013" in spanish_meeting


def test_interface_strings_are_spanish(client, records):
    page = html(client.get(url("meeting-detail", "es", slug="first")))
    assert "Saltar al contenido principal" in page
    assert "Agenda" in page
    assert "Skip to main content" not in page


def test_spanish_search_matches_spanish_text(client, records):
    response = client.get(url("agreement-list", "es") + "?q=aéreo")
    assert [a.slug for a in response.context["object_list"]] == ["air"]
    response = client.get(url("agreement-list", "en") + "?q=aéreo")
    assert [a.slug for a in response.context["object_list"]] == ["air"]


def test_model_text_falls_back_in_python_too():
    meeting = MeetingFactory(title_en="Only English", title_es=None)
    with translation.override("es"):
        assert Meeting.objects.get(pk=meeting.pk).title == "Only English"


def test_admin_follows_the_language_the_staff_member_chose(admin_client):
    assert "HLED administration" in html(admin_client.get("/admin/"))
    response = admin_client.post("/i18n/setlang/", {"language": "es", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = html(admin_client.get("/admin/"))
    assert "Administración del DEAN" in page
    assert '<option value="es" lang="es" selected>' in page


def test_admin_shows_both_language_versions_and_requires_only_english(admin_client):
    meeting = MeetingFactory()
    page = html(admin_client.get(f"/admin/dialogue/meeting/{meeting.pk}/change/"))
    assert 'name="title_en"' in page and 'name="title_es"' in page
    assert 'name="body_en"' in page and 'name="body_es"' in page
    assert re.search(r'<label class="required" for="id_title_en">', page)
    assert not re.search(r'<label class="required" for="id_title_es">', page)


def test_admin_filter_finds_records_missing_spanish(admin_client):
    complete = MeetingFactory(title_en="Complete", title_es="Completa", summary_en="S",
                              summary_es="R", body_en="<p>B</p>", body_es="<p>C</p>",
                              city_en="Mexico City", city_es="Ciudad de México",
                              venue_en="", venue_es="")  # fmt: skip
    missing = MeetingFactory(title_en="No Spanish", title_es=None)
    response = admin_client.get("/admin/dialogue/meeting/?spanish=missing")
    listed = set(response.context["cl"].result_list)
    assert missing in listed and complete not in listed
    response = admin_client.get("/admin/dialogue/meeting/?spanish=complete")
    listed = set(response.context["cl"].result_list)
    assert complete in listed and missing not in listed


def test_switcher_names_each_language_in_itself(client):
    page = html(client.get(url("home", "es")))
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in page
    assert '<span aria-current="true" lang="es">Español</span>' in page
