"""The demo fixture `fixtures/hled_demo.json` carries the initiative's facts and loads cleanly."""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation
from modeltranslation.translator import translator

from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementUpdate,
    Document,
    Evidence,
    KeyFigure,
    KeyFigureValue,
    Meeting,
    Page,
    Participation,
    Pillar,
    Stakeholder,
)
from dialogue.richtext import RichTextField, sanitize_html

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hled_demo.json"
ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3"}
LANGUAGE_SUFFIXES = ("_en", "_es")
PUBLISHED_OUTCOMES = {
    "air-transport-agreement",
    "cross-border-telecommunications",
    "border-infrastructure-upgrades",
    "trusted-trader-mutual-recognition",
    "fobesii-stakeholder-workshops",
    "museic",
}


def dialogue_models():
    return list(apps.get_app_config("dialogue").get_models())


def counts():
    return {model._meta.label: model.objects.count() for model in dialogue_models()}


def fixture_records():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def load(path=FIXTURE):
    call_command("loaddata", str(path), verbosity=0)


def rich_text_values():
    """(label, field name, value) for every rich-text value in the fixture.

    Covers each rich-text field F and, where the fixture carries them, its translations F_en and
    F_es (django-modeltranslation adds those as model fields of the same class, so only the
    original names are taken from the model).
    """
    rich = {
        model._meta.label_lower: {
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, RichTextField) and not f.name.endswith(LANGUAGE_SUFFIXES)
        }
        for model in dialogue_models()
    }
    for record in fixture_records():
        fields = record["fields"]
        for base in rich[record["model"]]:
            for name in (base, f"{base}_en", f"{base}_es"):
                if name in fields:
                    yield record["model"], name, fields[name] or ""


def translated_fields():
    """{"dialogue.meeting": ("title", "city", ...), ...} per dialogue/translation.py."""
    return {
        model._meta.label_lower: tuple(translator.get_options_for_model(model).fields)
        for model in translator.get_registered_models()
        if model._meta.app_label == "dialogue"
    }


def translations():
    """(record, field, English, Spanish) for every translated field of every record."""
    registered = translated_fields()
    for record in fixture_records():
        fields = record["fields"]
        for name in registered.get(record["model"], ()):
            yield record, name, fields.get(f"{name}_en"), fields.get(f"{name}_es")


def block_tags(html):
    return re.findall(r"</?(?:p|ul|ol|li|h2|h3)>", html)


# --------------------------------------------------------------------------- the file


def test_fixture_uses_natural_keys_only():
    text = FIXTURE.read_text(encoding="utf-8")
    assert '"pk"' not in text
    for record in fixture_records():
        assert set(record) == {"model", "fields"}


def test_every_record_carries_its_timestamps_and_publication():
    publishable = {
        "dialogue.stakeholder",
        "dialogue.meeting",
        "dialogue.agreement",
        "dialogue.keyfigure",
        "dialogue.page",
        "dialogue.agreementupdate",
    }
    for record in fixture_records():
        fields = record["fields"]
        assert fields["created_at"] and fields["updated_at"], record
        if record["model"] in publishable:
            assert fields["publication_status"] in {"draft", "published"}, record
            assert fields["publish_at"], record


def test_rich_text_is_clean_html():
    event_attribute = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    for label, name, value in rich_text_values():
        where = f"{label}.{name}: {value[:60]!r}"
        lowered = value.lower()
        assert "<script" not in lowered, where
        assert "javascript:" not in lowered, where
        assert not event_attribute.search(value), where
        tags = set(re.findall(r"</?([a-z0-9]+)", lowered))
        assert tags <= ALLOWED_TAGS, where
        assert sanitize_html(value) == value, where  # what the editor would save unchanged


def test_rich_text_checks_cover_both_languages():
    names = {name for _, name, _ in rich_text_values()}
    assert {"body", "body_en", "body_es", "description_es", "impact_es"} <= names


def test_every_translated_field_has_english_and_spanish():
    registered = translated_fields()
    assert set(registered) == {record["model"] for record in fixture_records()}
    seen = 0
    for record, name, english, spanish in translations():
        where = f"{record['model']}.{name}: {record['fields'].get(name)!r}"
        assert f"{name}_en" in record["fields"] and f"{name}_es" in record["fields"], where
        original = record["fields"][name] or ""
        assert english == original, where  # English is kept as it was
        if original:
            seen += 1
            assert spanish and spanish.strip(), where
        else:
            assert not spanish, where
    assert seen > 250


def test_spanish_rich_text_keeps_the_english_structure():
    registered = translated_fields()
    for record in fixture_records():
        fields = record["fields"]
        for name in registered[record["model"]]:
            english, spanish = fields[f"{name}_en"] or "", fields[f"{name}_es"] or ""
            assert block_tags(spanish) == block_tags(english), f"{record['model']}.{name}"
            if english.startswith("<"):
                assert spanish != english, f"{record['model']}.{name} is not translated"


def test_spanish_never_uses_billon_for_a_thousand_million():
    for record, name, _, spanish in translations():
        if spanish:
            where = f"{record['model']}.{name}: {spanish!r}"
            assert not re.search(r"bill[oó]n|billones|billion", spanish, re.IGNORECASE), where
    about = next(r for r in fixture_records() if r["fields"].get("slug") == "about")
    assert "más de 500 mil millones de dólares" in about["fields"]["body_es"]
    assert "100 mil millones de dólares" in about["fields"]["body_es"]


# --------------------------------------------------------------------------- empty database


def test_loading_into_an_empty_database_gives_the_initiative_facts():
    assert not any(counts().values())
    load()

    assert list(Pillar.objects.values_list("number", "name")) == [
        (1, "Promoting competitiveness and connectivity"),
        (2, "Fostering economic growth, productivity, and innovation"),
        (3, "Partnering for regional and global leadership"),
    ]
    assert list(Pillar.objects.values_list("slug", flat=True)) == [
        "competitiveness-connectivity",
        "economic-growth-innovation",
        "regional-global-leadership",
    ]

    held = Meeting.objects.filter(status=Meeting.Status.HELD).order_by("start")
    assert [(m.edition, m.local_start.date(), m.city, m.timezone) for m in held] == [
        (1, datetime.date(2013, 9, 20), "Mexico City", "America/Mexico_City"),
        (2, datetime.date(2015, 1, 6), "Washington, D.C.", "America/New_York"),
    ]
    third = Meeting.objects.get(edition=3)
    assert third.status == Meeting.Status.TENTATIVE
    assert third.date_precision == Meeting.Precision.YEAR
    assert third.year == 2016
    assert third.end is None

    co_chairs = {
        (s.name, s.acronym, s.country)
        for s in Stakeholder.objects.filter(participations__role=Participation.Role.CO_CHAIR)
    }
    assert co_chairs == {
        ("U.S. Department of Commerce", "DOC", "US"),
        ("U.S. Department of State", "DOS", "US"),
        ("Secretariat of Economy", "SE", "MX"),
        ("Secretariat of Finance and Public Credit", "SHCP", "MX"),
        ("Secretariat of Foreign Relations", "SRE", "MX"),
    }
    for meeting in held:
        assert meeting.participations.filter(role=Participation.Role.CO_CHAIR).count() == 5
        positions = list(meeting.agenda_items.values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))
        assert 5 <= len(positions) <= 8

    published = Agreement.objects.published()
    assert set(published.values_list("slug", flat=True)) == PUBLISHED_OUTCOMES
    fobesii = published.get(slug="fobesii-stakeholder-workshops")
    assert "over 450 stakeholders" in fobesii.title
    assert "Bilateral Forum on Higher Education, Innovation and Research" in fobesii.title
    assert "Entrepreneurship and Innovation Council" in published.get(slug="museic").title

    figures = {f.slug: f for f in KeyFigure.objects.published()}
    assert figures["bilateral-trade"].value == Decimal("500000000000")
    assert figures["cross-border-investment"].value == Decimal("100000000000")
    assert {f.qualifier for f in figures.values()} == {"over"}
    assert {f.unit for f in figures.values()} == {"USD"}

    assert list(Page.objects.published().values_list("slug", "menu_order")) == [
        ("about", 1),
        ("how-the-agenda-is-set", 2),
    ]
    assert "May 2013" in Page.objects.get(slug="about").body


def test_demo_drafts_are_not_published():
    load()
    drafts = Agreement.objects.drafts()
    assert drafts.exists()
    for draft in drafts:
        assert draft.title.startswith("DRAFT – ")
        assert draft.notes
        assert not Agreement.objects.published().filter(pk=draft.pk).exists()
    assert not Stakeholder.objects.published().filter(pk__in=Stakeholder.objects.drafts()).exists()


def test_the_demo_reads_in_spanish():
    load()
    with translation.override("es"):
        assert list(Pillar.objects.values_list("name", flat=True)) == [
            "Promover la competitividad y la conectividad",
            "Fomentar el crecimiento económico, la productividad y la innovación",
            "Asociarnos para el liderazgo regional y global",
        ]
        assert [m.title for m in Meeting.objects.order_by("edition")] == [
            "Primera reunión del Diálogo Económico de Alto Nivel",
            "Segunda reunión del Diálogo Económico de Alto Nivel",
            "Tercera reunión del Diálogo Económico de Alto Nivel",
        ]
        first = Meeting.objects.get(slug="first-hled-meeting")
        assert first.city == "Ciudad de México"
        assert "20 de septiembre de 2013" in first.body
        assert "6 de enero de 2015" in Meeting.objects.get(slug="second-hled-meeting").body

        co_chairs = Stakeholder.objects.filter(
            participations__role=Participation.Role.CO_CHAIR
        ).distinct()
        assert {s.name for s in co_chairs} == {
            "Departamento de Comercio de los Estados Unidos",
            "Departamento de Estado de los Estados Unidos",
            "Secretaría de Economía",
            "Secretaría de Hacienda y Crédito Público",
            "Secretaría de Relaciones Exteriores",
        }
        assert Stakeholder.objects.get(slug="luis-videgaray").position == (
            "Secretario de Hacienda y Crédito Público"
        )
        assert Stakeholder.objects.get(slug="joseph-biden").position == (
            "Vicepresidente de los Estados Unidos"
        )

        published = {a.slug: a.title for a in Agreement.objects.published()}
        assert published["air-transport-agreement"] == "Acuerdo sobre transporte aéreo"
        assert (
            "Foro Bilateral sobre Educación Superior, Innovación e Investigación (FOBESII)"
            in (published["fobesii-stakeholder-workshops"])
        )
        assert "más de 450" in published["fobesii-stakeholder-workshops"]
        assert (
            "Consejo México–Estados Unidos para el Emprendimiento y la Innovación (MUSEIC)"
            in (published["museic"])
        )
        assert "comerciante confiable" in published["trusted-trader-mutual-recognition"]
        for draft in Agreement.objects.drafts():
            assert draft.title.startswith("BORRADOR – ")

        figures = KeyFigure.objects.published()
        assert {f.qualifier for f in figures} == {"más de"}
        assert {f.source for f in figures} == {"Departamento de Comercio de los Estados Unidos"}
        about = Page.objects.get(slug="about")
        assert about.title == "Acerca de la iniciativa"
        assert "Diálogo Económico de Alto Nivel (DEAN)" in about.body
        assert "mayo de 2013" in about.body
        assert AgendaItem.objects.filter(title__contains="orden del día").exists()

    with translation.override("en"):
        assert Meeting.objects.get(slug="first-hled-meeting").title == "First HLED meeting"
        assert {f.qualifier for f in KeyFigure.objects.published()} == {"over"}


def test_loading_twice_with_spanish_active_changes_no_counts():
    """Updates are matched by their English title whatever language is active."""
    with translation.override("es"):
        load()
        first = counts()
        load()
        assert counts() == first
        assert Meeting.objects.get(slug="first-hled-meeting").title_en == "First HLED meeting"


def test_agreement_dates_and_timelines_are_consistent():
    load()
    for agreement in Agreement.objects.prefetch_related("updates", "parties"):
        if agreement.signed_on and agreement.in_force_on:
            assert agreement.in_force_on >= agreement.signed_on
        if agreement.announced_on and agreement.completed_on:
            assert agreement.completed_on >= agreement.announced_on
        if agreement.publication_status == "published":
            assert 2 <= agreement.parties.count() <= 5, agreement
            dates = [u.date for u in agreement.updates.published()]
            assert 2 <= len(dates) <= 4, agreement
            assert dates == sorted(dates), agreement


def test_demo_tracks_each_outcome_per_side_reviewed_at_the_2015_meeting():
    load()
    second = Meeting.objects.get(slug="second-hled-meeting")
    agreements = Agreement.objects.public().with_lead_agencies().filter(slug__in=PUBLISHED_OUTCOMES)
    today = {
        "air-transport-agreement": ("in-force", 90),
        "cross-border-telecommunications": ("implementing", 60),
        "border-infrastructure-upgrades": ("implementing", 55),
        "trusted-trader-mutual-recognition": ("implementing", 75),
        "fobesii-stakeholder-workshops": ("completed", 100),
        "museic": ("implementing", 50),
    }
    assert {a.slug: (a.status, a.progress) for a in agreements} == today
    for agreement in agreements:
        sides = {side["side"]: side for side in agreement.sides}
        assert sides["US"]["lead"] is not None and sides["MX"]["lead"] is not None, agreement
        assert sides["US"]["status"] and sides["MX"]["status"], agreement
        assert "illustrative" in agreement.notes
        updates = agreement.updates.published()
        assert updates.filter(meeting=second).exists(), agreement
        assert Evidence.objects.filter(update__in=updates).exists(), agreement
        for update in updates:
            if update.marks_completed:
                assert update.evidence.exists(), update
    border = agreements.get(slug="border-infrastructure-upgrades")
    joint = {side["side"]: side for side in border.sides}["JOINT"]
    assert joint["lead"].slug == "binational-bridges-and-border-crossings-group"
    # The demo's draft update would complete MUSEIC; visitors still see it being implemented.
    assert AgreementUpdate.objects.drafts().filter(agreement__slug="museic").exists()
    assert figures_by_year() == {
        "bilateral-trade": [2013, 2014, 2015],
        "cross-border-investment": [2013, 2014, 2015],
    }


def figures_by_year():
    found = {}
    for value in KeyFigureValue.objects.order_by("figure__slug", "year"):
        found.setdefault(value.figure.slug, []).append(value.year)
    return found


def test_documents_have_a_link_and_one_owner():
    load()
    assert Document.objects.exists()
    for document in Document.objects.all():
        assert document.url.startswith("https://")
        assert not document.file
        assert (document.meeting_id is None) != (document.agreement_id is None)


# --------------------------------------------------------------------------- reloading


def test_loading_twice_changes_no_counts():
    load()
    first = counts()
    load()
    assert counts() == first


def test_loads_by_name_from_the_fixtures_directory():
    """`manage.py loaddata hled_demo` needs the project's fixtures/ in FIXTURE_DIRS."""
    call_command("loaddata", "hled_demo", verbosity=0)
    assert Meeting.objects.count() == 3


def test_loading_into_a_non_empty_database_keeps_existing_records():
    Pillar.objects.create(number=9, name="Local pillar", slug="local-pillar")
    Stakeholder.objects.create(
        name="Local chamber of commerce",
        slug="local-chamber",
        kind=Stakeholder.Kind.BUSINESS,
        country="MX",
        publication_status="published",
    )
    before = counts()
    load()
    after = counts()

    assert Pillar.objects.filter(number=9, slug="local-pillar").exists()
    assert Stakeholder.objects.filter(slug="local-chamber").exists()
    assert after["dialogue.Pillar"] == before["dialogue.Pillar"] + 3
    loaded_stakeholders = sum(r["model"] == "dialogue.stakeholder" for r in fixture_records())
    assert after["dialogue.Stakeholder"] == before["dialogue.Stakeholder"] + loaded_stakeholders
    assert Meeting.objects.count() == 3


# --------------------------------------------------------------------------- a broken fixture


def break_reference(model, field, missing, index=None):
    """Return fixture records with one natural-key reference pointing at `missing`."""
    records = fixture_records()
    record = next(
        r
        for r in records
        if r["model"] == model and (index is not None or r["fields"].get(field) is not None)
    )
    if index is None:
        record["fields"][field] = [missing]
    else:
        record["fields"][field][index] = [missing]
    return records


@pytest.mark.parametrize(
    ("model", "field", "index", "missing"),
    [
        ("dialogue.agreement", "origin_meeting", None, "no-such-meeting"),
        ("dialogue.agreement", "sectors", 0, "no-such-sector"),
        ("dialogue.stakeholder", "parent", None, "no-such-parent"),
    ],
)
def test_a_missing_reference_fails_loudly_and_loads_nothing(tmp_path, model, field, index, missing):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(break_reference(model, field, missing, index)), encoding="utf-8")

    with pytest.raises(Exception, match=missing):
        load(broken)
    assert not any(counts().values())


def test_a_missing_required_reference_names_the_record(tmp_path):
    broken = tmp_path / "broken.json"
    records = break_reference("dialogue.participation", "stakeholder", "no-such-stakeholder")
    broken.write_text(json.dumps(records), encoding="utf-8")

    with pytest.raises(Exception, match=r"(?i)participation.*stakeholder"):
        load(broken)
    assert not any(counts().values())
