"""The staff admin: every page opens, filters and search work, inlines save, actions publish."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Page,
    Participation,
    Pillar,
    PublicationStatus,
    Sector,
    Stakeholder,
)

from .conftest import changelist_url, html
from .factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    KeyFigureFactory,
    MeetingFactory,
    PageFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    AgendaItem: AgendaItemFactory,
    Agreement: AgreementFactory,
    AgreementParty: AgreementPartyFactory,
    AgreementUpdate: AgreementUpdateFactory,
    Document: DocumentFactory,
    KeyFigure: KeyFigureFactory,
    Meeting: MeetingFactory,
    Page: PageFactory,
    Participation: ParticipationFactory,
    Pillar: PillarFactory,
    Sector: SectorFactory,
    Stakeholder: StakeholderFactory,
}

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "dialogue"),
    key=lambda model: model._meta.model_name,
)


def model_id(model):
    return model._meta.model_name


def results(response):
    """The rows a changelist shows, failing loudly if the admin rejected the filter."""
    assert response.status_code == 200, response.get("Location")
    return list(response.context["cl"].result_list)


# Every page opens


def test_every_registered_dialogue_model_has_a_factory():
    assert REGISTERED, "the dialogue admin registers no model"
    assert set(REGISTERED) == set(FACTORIES)


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_changelist_add_and_change_pages_open_for_a_superuser(admin_client, model):
    obj = FACTORIES[model]()
    base = changelist_url(model)

    changelist = admin_client.get(base)
    assert changelist.status_code == 200
    assert obj in changelist.context["cl"].result_list
    assert admin_client.get(f"{base}add/").status_code == 200
    change = admin_client.get(f"{base}{obj.pk}/change/")
    assert change.status_code == 200
    assert change.context["original"] == obj


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_anonymous_visitor_is_sent_to_the_admin_login(client, model):
    obj = FACTORIES[model]()
    base = changelist_url(model)
    for url in (base, f"{base}add/", f"{base}{obj.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"], url


# Search and list filters


@pytest.mark.parametrize(
    ("factory_class", "wanted", "other", "query"),
    [
        (MeetingFactory, {"title": "Zacatecas forum", "venue": ""},
         {"title": "Mexico City meeting", "venue": ""}, "zacatecas"),
        (AgreementFactory, {"title": "Air", "reference": "MOU-2015-07"},
         {"title": "Rail", "reference": "LOI-2016-01"}, "mou-2015"),
        (StakeholderFactory, {"name": "Secretariat of Transport", "acronym": "SCT"},
         {"name": "Department of Transportation", "acronym": "DOT"}, "sct"),
    ],
    ids=["meeting-title", "agreement-reference", "stakeholder-acronym"],
)  # fmt: skip
def test_search_narrows_the_changelist(admin_client, factory_class, wanted, other, query):
    match = factory_class(**wanted)
    factory_class(**other)
    url = changelist_url(factory_class._meta.model)
    assert len(results(admin_client.get(url))) == 2
    assert results(admin_client.get(url, {"q": query})) == [match]


@pytest.mark.parametrize(
    "factory_class",
    [MeetingFactory, AgreementFactory, StakeholderFactory, KeyFigureFactory, PageFactory],
    ids=lambda factory_class: model_id(factory_class._meta.model),
)
def test_publication_filter_tells_draft_scheduled_and_live_apart(admin_client, factory_class):
    records = {
        "draft": factory_class(draft=True),
        "scheduled": factory_class(scheduled=True),
        "live": factory_class(),
    }
    url = changelist_url(factory_class._meta.model)
    for value, record in records.items():
        assert results(admin_client.get(url, {"publication": value})) == [record], value


@pytest.mark.parametrize("model", REGISTERED, ids=model_id)
def test_each_changelist_offers_its_filters_once(admin_client, model):
    FACTORIES[model]()
    changelist = admin_client.get(changelist_url(model))
    titles = [str(spec.title) for spec in changelist.context["cl"].filter_specs]
    assert len(titles) == len(set(titles)), titles


def test_meeting_changelist_filters(admin_client):
    pillar = PillarFactory()
    washington = MeetingFactory(
        title="Washington",
        status=Meeting.Status.HELD,
        kind=Meeting.Kind.ANNUAL,
        host_country="US",
        start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC),
    )
    mexico = MeetingFactory(
        title="Mexico City",
        status=Meeting.Status.CANCELLED,
        kind=Meeting.Kind.FORUM,
        host_country="MX",
        start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC),
    )
    AgendaItemFactory(meeting=washington, pillar=pillar, position=1)
    AgendaItemFactory(meeting=washington, pillar=pillar, position=2)
    AgendaItemFactory(meeting=mexico, pillar=PillarFactory(), position=1)
    url = changelist_url(Meeting)

    assert results(admin_client.get(url, {"status__exact": "cancelled"})) == [mexico]
    assert results(admin_client.get(url, {"kind__exact": "forum"})) == [mexico]
    assert results(admin_client.get(url, {"host_country__exact": "US"})) == [washington]
    assert results(admin_client.get(url, {"start_year": "2015"})) == [washington]
    assert results(admin_client.get(url, {"start_year": "2013"})) == [mexico]
    # Two matching agenda items must not list the meeting twice.
    by_pillar = admin_client.get(url, {"agenda_items__pillar__id__exact": pillar.pk})
    assert results(by_pillar) == [washington]
    assert by_pillar.context["cl"].result_list[0].agenda_total == 2
    page = html(admin_client.get(url))
    assert "?start_year=2015" in page and "?start_year=2013" in page


def test_agreement_changelist_filters(admin_client):
    pillar = PillarFactory()
    air = AgreementFactory(
        status="implementing", kind="agreement", pillar=pillar, announced_on=dt.date(2015, 1, 6)
    )
    mou = AgreementFactory(
        status="signed", kind="memorandum", pillar=PillarFactory(), announced_on=dt.date(2016, 2, 1)
    )
    url = changelist_url(Agreement)

    assert results(admin_client.get(url, {"status": "implementing"})) == [air]
    assert results(admin_client.get(url, {"kind__exact": "memorandum"})) == [mou]
    assert results(admin_client.get(url, {"pillar__id__exact": pillar.pk})) == [air]
    assert results(admin_client.get(url, {"announced_on_year": "2016"})) == [mou]


def test_stakeholder_changelist_filters(admin_client):
    commerce = StakeholderFactory(kind="government", country="US")
    university = StakeholderFactory(kind="academic", country="MX")
    url = changelist_url(Stakeholder)

    assert results(admin_client.get(url, {"kind__exact": "academic"})) == [university]
    assert results(admin_client.get(url, {"country__exact": "US"})) == [commerce]


def test_agenda_item_changelist_filters_by_pillar_and_meeting_year(admin_client):
    pillar = PillarFactory()
    early = AgendaItemFactory(
        pillar=pillar, meeting=MeetingFactory(start=dt.datetime(2013, 9, 20, tzinfo=dt.UTC))
    )
    late = AgendaItemFactory(
        pillar=PillarFactory(), meeting=MeetingFactory(start=dt.datetime(2015, 1, 6, tzinfo=dt.UTC))
    )
    url = changelist_url(AgendaItem)

    assert results(admin_client.get(url, {"pillar__id__exact": pillar.pk})) == [early]
    assert results(admin_client.get(url, {"meeting__start_year": "2015"})) == [late]


# Query count


CHANGELIST_FACTORIES = [
    MeetingFactory,
    AgreementFactory,
    StakeholderFactory,
    AgendaItemFactory,
    ParticipationFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
]


def build(factory_class, count):
    if factory_class is StakeholderFactory:
        # The list shows each stakeholder's parent: give every one a parent to load.
        return factory_class.create_batch(count, parent=StakeholderFactory())
    if factory_class is DocumentFactory and count > 1:
        # The list shows the meeting or the agreement: have both kinds of owner.
        half = count // 2
        return factory_class.create_batch(half) + factory_class.create_batch(
            count - half, for_agreement=True
        )
    return factory_class.create_batch(count)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "factory_class",
    CHANGELIST_FACTORIES,
    ids=lambda factory_class: model_id(factory_class._meta.model),
)
def test_changelist_query_count_does_not_grow_with_the_rows(admin_client, factory_class):
    url = changelist_url(factory_class._meta.model)
    build(factory_class, 1)
    admin_client.get(url)  # warm the session and content-type caches

    small, small_rows = count_queries(admin_client, url)
    build(factory_class, 29)
    large, large_rows = count_queries(admin_client, url)

    # Creating a meeting or an agreement may create other rows of the same model.
    assert large_rows >= small_rows + 29
    assert large == small


# Editing a meeting with its inlines


def management_form(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def meeting_post_data(positions=(1, 2, 3), **overrides):
    """What the meeting add form sends: the meeting, its agenda, co-chairs and a document."""
    commerce = StakeholderFactory(name="Department of Commerce", country="US")
    economy = StakeholderFactory(name="Secretariat of Economy", country="MX")
    data = {
        "title_en": "Second HLED meeting",
        "title_es": "Segunda reunión del DEAN",
        "slug": "second-hled-meeting",
        "edition": "2",
        "kind": Meeting.Kind.ANNUAL,
        "status": Meeting.Status.HELD,
        "start_0": "2015-01-06",
        "start_1": "10:00:00",
        "end_0": "",
        "end_1": "",
        "date_precision": Meeting.Precision.TIME,
        "timezone": "America/New_York",
        "city_en": "Washington, D.C.",
        "host_country": "US",
        "summary_en": "",
        "body_en": "<p>The second meeting.</p>",
        "publication_status": PublicationStatus.DRAFT,
        "publish_at_0": "2015-01-06",
        "publish_at_1": "12:00:00",
        "notes": "",
        **management_form("agenda_items", len(positions)),
        **management_form("participations", 2),
        **management_form("documents", 1),
        "documents-0-title_en": "Joint statement",
        "documents-0-slug": "joint-statement-2015",
        "documents-0-kind": "joint-statement",
        "documents-0-url": "https://example.org/joint-statement",
        "documents-0-language": "en",
        "documents-0-published_on": "2015-01-06",
    }
    for i, position in enumerate(positions):
        data[f"agenda_items-{i}-position"] = str(position)
        data[f"agenda_items-{i}-title_en"] = f"Agenda item {i + 1}"
    for i, stakeholder in enumerate([commerce, economy]):
        data[f"participations-{i}-stakeholder"] = str(stakeholder.pk)
        data[f"participations-{i}-role"] = "co-chair"
        data[f"participations-{i}-order"] = str(i)
    data.update(overrides)
    return data


def field_names_on(admin_client, url):
    """The names of every input the add page renders; inline forms under `-__prefix__-`."""
    return set(re.findall(r'name="([^"]+)"', html(admin_client.get(url))))


def assert_form_offers(admin_client, url, data):
    """Every key the test posts is a field the page really has, so none is silently ignored."""
    offered = field_names_on(admin_client, url)
    posted = {re.sub(r"-\d+-", "-__prefix__-", name) for name in data}
    assert posted <= offered, sorted(posted - offered)


def test_meeting_add_form_has_every_field_the_tests_post(admin_client):
    assert_form_offers(admin_client, "/admin/dialogue/meeting/add/", meeting_post_data())


def test_meeting_is_created_with_its_agenda_co_chairs_and_documents(admin_client):
    response = admin_client.post("/admin/dialogue/meeting/add/", meeting_post_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get(slug="second-hled-meeting")
    assert (meeting.title_en, meeting.title_es) == (
        "Second HLED meeting",
        "Segunda reunión del DEAN",
    )
    items = list(meeting.agenda_items.order_by("position"))
    assert [(item.position, item.title) for item in items] == [
        (1, "Agenda item 1"),
        (2, "Agenda item 2"),
        (3, "Agenda item 3"),
    ]
    co_chairs = meeting.participations.filter(role="co-chair").select_related("stakeholder")
    assert {p.stakeholder.name for p in co_chairs} == {
        "Department of Commerce",
        "Secretariat of Economy",
    }
    assert {p.side for p in co_chairs} == {"US", "MX"}
    assert list(meeting.documents.values_list("slug", flat=True)) == ["joint-statement-2015"]
    assert meeting.publication_status == PublicationStatus.DRAFT


def test_meeting_start_is_typed_in_the_host_citys_time(admin_client):
    admin_client.post("/admin/dialogue/meeting/add/", meeting_post_data())

    meeting = Meeting.objects.get(slug="second-hled-meeting")
    # 10:00 in Washington on 6 January 2015 (EST, UTC-5) is 15:00 UTC.
    assert meeting.start == dt.datetime(2015, 1, 6, 15, 0, tzinfo=dt.UTC)
    change = admin_client.get(f"/admin/dialogue/meeting/{meeting.pk}/change/")
    assert change.context["adminform"].form["start"].value() == dt.datetime(2015, 1, 6, 10, 0)


def test_meeting_with_two_agenda_items_at_one_position_is_not_saved(admin_client):
    response = admin_client.post(
        "/admin/dialogue/meeting/add/", meeting_post_data(positions=(1, 1, 2))
    )

    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()
    assert not Participation.objects.exists()
    assert not Document.objects.exists()
    agenda = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.prefix == "agenda_items"
    )
    assert agenda.formset.non_form_errors()
    assert "Please correct the duplicate data" in html(response)


def test_agreement_is_created_with_a_party_and_its_state_comes_from_an_update(admin_client):
    signatory = StakeholderFactory(name="Department of Transportation", country="US")
    meeting = MeetingFactory()
    pillar = PillarFactory()
    data = {
        "title_en": "Air transport agreement",
        "slug": "air-transport-agreement",
        "reference": "",
        "kind": Agreement.Kind.AGREEMENT,
        "pillar": str(pillar.pk),
        "announced_on": "2015-01-06",
        "signed_on": "2015-12-18",
        "in_force_on": "",
        "completed_on": "",
        "origin_meeting": str(meeting.pk),
        "summary_en": "Opens the air market.",
        "publication_status": PublicationStatus.PUBLISHED,
        "publish_at_0": "2015-12-18",
        "publish_at_1": "09:00:00",
        "notes": "",
        **management_form("parties", 1),
        "parties-0-stakeholder": str(signatory.pk),
        "parties-0-role": AgreementParty.Role.SIGNATORY,
        "parties-0-capacity_en": "Secretary of Transportation",
        "parties-0-signed_on": "2015-12-18",
        **management_form("updates", 0),
        **management_form("documents", 0),
    }

    assert_form_offers(admin_client, "/admin/dialogue/agreement/add/", data)
    response = admin_client.post("/admin/dialogue/agreement/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    agreement = Agreement.objects.get(slug="air-transport-agreement")
    assert agreement.pillar == pillar and agreement.origin_meeting == meeting
    party = agreement.parties.get()
    assert (party.stakeholder, party.role, party.side) == (signatory, "signatory", "US")
    assert Agreement.objects.published().filter(pk=agreement.pk).exists()
    assert (agreement.status, agreement.progress) == ("proposed", 0)

    # Its state is typed once, on an implementation update, which starts from the current
    # state; publishing it changes the agreement's.
    add_url = f"/admin/dialogue/agreementupdate/add/?agreement={agreement.pk}"
    form = admin_client.get(add_url).content.decode()
    assert 'name="status"' in form and 'value="proposed" selected' in form
    update = {
        "agreement": str(agreement.pk),
        "date": "2015-12-18",
        "meeting": "",
        "title_en": "Signed in Washington",
        "note_en": "",
        "status": "signed",
        "progress": "40",
        "us_status": "signed",
        "us_progress": "40",
        "mx_status": "",
        "mx_progress": "",
        "joint_status": "",
        "joint_progress": "",
        "publication_status": PublicationStatus.PUBLISHED,
        "publish_at_0": "2015-12-18",
        "publish_at_1": "10:00:00",
        **management_form("evidence", 1),
        "evidence-0-title_en": "Agreement text",
        "evidence-0-url": "https://www.state.gov/air-transport.pdf",
        "evidence-0-document": "",
        "evidence-0-order": "0",
    }
    assert_form_offers(admin_client, add_url, update)
    response = admin_client.post(add_url, update)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = agreement.updates.get()
    assert (saved.date, saved.title, saved.progress, saved.us_status) == (
        dt.date(2015, 12, 18),
        "Signed in Washington",
        40,
        "signed",
    )
    assert saved.evidence.get().url == "https://www.state.gov/air-transport.pdf"
    assert saved.confirmed_by is not None and saved.confirmed_at is not None
    fresh = Agreement.objects.with_state().get(pk=agreement.pk)
    assert (fresh.status, fresh.progress, fresh.us_status) == ("signed", 40, "signed")


# Bulk actions


def test_publish_and_unpublish_actions(admin_client):
    first = MeetingFactory(draft=True)
    # "Publish now" must not leave a draft's old future date behind, scheduling it instead.
    second = MeetingFactory(draft=True, publish_at=timezone.now() + dt.timedelta(days=30))
    untouched = MeetingFactory(draft=True)
    url = changelist_url(Meeting)
    selected = [str(first.pk), str(second.pk)]

    response = admin_client.post(url, {"action": "publish", "_selected_action": selected})
    assert response.status_code == 302
    assert set(Meeting.objects.published()) == {first, second}
    assert Meeting.objects.drafts().get() == untouched

    response = admin_client.post(url, {"action": "unpublish", "_selected_action": selected})
    assert response.status_code == 302
    assert not Meeting.objects.published().exists()
    assert set(Meeting.objects.drafts()) == {first, second, untouched}


def test_publish_keeps_the_original_date_of_records_already_live(admin_client):
    live_since = timezone.now() - dt.timedelta(days=400)
    live = MeetingFactory(publish_at=live_since)
    draft = MeetingFactory(draft=True)
    admin_client.post(
        changelist_url(Meeting),
        {"action": "publish", "_selected_action": [str(live.pk), str(draft.pk)]},
    )
    live.refresh_from_db()
    draft.refresh_from_db()
    assert live.publish_at == live_since
    assert draft.is_public


# View on site and preview


def test_view_on_site_leads_staff_to_a_preview_of_the_draft(client, staff_client):
    meeting = MeetingFactory(title="Unpublished meeting", draft=True)
    content_type = ContentType.objects.get_for_model(Meeting)
    shortcut = f"/admin/r/{content_type.pk}/{meeting.pk}/"

    change = staff_client.get(f"/admin/dialogue/meeting/{meeting.pk}/change/")
    assert change.status_code == 200
    assert f'href="{shortcut}"' in html(change)

    redirect = staff_client.get(shortcut)
    assert redirect.status_code == 302
    assert redirect["Location"].endswith(meeting.get_absolute_url())

    preview = staff_client.get(meeting.get_absolute_url())
    assert preview.status_code == 200
    assert "Unpublished meeting" in html(preview)
    assert client.get(meeting.get_absolute_url()).status_code == 404


# Rich text


def test_rich_text_saved_through_the_admin_is_sanitized(admin_client):
    body = '<script>alert(1)</script><p onclick="x">ok</p>'
    response = admin_client.post("/admin/dialogue/meeting/add/", meeting_post_data(body_en=body))

    assert response.status_code == 302
    stored = Meeting.objects.get(slug="second-hled-meeting").body_en
    assert "<script" not in stored and "alert(1)" not in stored
    assert "onclick" not in stored
    assert "<p>ok</p>" in stored
