"""Editing in the admin as staff do it every day: rows ordered by position (swapped in one
save, unique), a meeting duplicated as its next edition, spreadsheets imported and exported
through the publishing rules, changelists that show status and who edited what."""

import csv
import io

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from dialogue.models import (
    AgendaItem,
    Document,
    Meeting,
    Participation,
    PublicationStatus,
    Stakeholder,
)

from .admin_forms import form_fields, open_form
from .factories import (
    AgendaItemFactory,
    DocumentFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:dialogue_{obj._meta.model_name}_change", args=[obj.pk])


def text(response):
    return response.content.decode()


def post_form(client, obj, changes):
    """Open `obj`'s change form, change some values as a person would, and post it."""
    data = open_form(client, change_url(obj), obj._meta.model_name)
    data.update(changes)
    return client.post(change_url(obj), data)


def positions(meeting):
    return list(meeting.agenda_items.order_by("position").values_list("position", "title_en"))


@pytest.fixture
def draft_meeting():
    meeting = MeetingFactory(title="Second HLED meeting", edition=2, draft=True)
    for position, title in enumerate(["Opening", "Border", "Energy"], start=1):
        AgendaItemFactory(meeting=meeting, position=position, title=title)
    return meeting


# Rows in order


def test_two_agenda_items_swap_places_in_one_save(editor_client, draft_meeting):
    # The rows come in position order: 0 is "Opening" (1), 1 is "Border" (2).
    response = post_form(
        editor_client,
        draft_meeting,
        {"agenda_items-0-position": "2", "agenda_items-1-position": "1"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert positions(draft_meeting) == [(1, "Border"), (2, "Opening"), (3, "Energy")]


def test_a_whole_agenda_is_reversed_and_rows_go_and_come_in_the_same_save(
    editor_client, draft_meeting
):
    data = open_form(editor_client, change_url(draft_meeting), "meeting")
    data.update(
        {
            "agenda_items-0-position": "3",
            "agenda_items-1-DELETE": "on",
            "agenda_items-2-position": "1",
            "agenda_items-TOTAL_FORMS": "4",
            "agenda_items-3-title_en": "Closing",
            "agenda_items-3-position": "2",
        }
    )
    response = editor_client.post(change_url(draft_meeting), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert positions(draft_meeting) == [(1, "Energy"), (2, "Closing"), (3, "Opening")]


def test_two_rows_at_one_position_are_refused_and_nothing_changes(editor_client, draft_meeting):
    response = post_form(
        editor_client,
        draft_meeting,
        {"agenda_items-0-position": "2", "title_en": "Renamed"},
    )

    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in text(response)
    assert positions(draft_meeting) == [(1, "Opening"), (2, "Border"), (3, "Energy")]
    draft_meeting.refresh_from_db()
    assert draft_meeting.title == "Second HLED meeting"


def test_a_new_row_without_a_position_goes_last(editor_client, draft_meeting):
    data = open_form(editor_client, change_url(draft_meeting), "meeting")
    data.update(
        {
            "agenda_items-TOTAL_FORMS": "4",
            "agenda_items-3-title_en": "Any other business",
            "agenda_items-3-position": "",
        }
    )
    response = editor_client.post(change_url(draft_meeting), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert positions(draft_meeting)[-1] == (4, "Any other business")


def test_participants_and_documents_are_reordered_like_agenda_items(editor_client):
    meeting = MeetingFactory(draft=True)
    first = ParticipationFactory(meeting=meeting, order=1, stakeholder__name="Commerce")
    second = ParticipationFactory(meeting=meeting, order=2, stakeholder__name="Economy")
    old = DocumentFactory(meeting=meeting, position=1, title="Fact sheet")
    new = DocumentFactory(meeting=meeting, position=2, title="Joint statement")

    response = post_form(
        editor_client,
        meeting,
        {
            "participations-0-order": "2",
            "participations-1-order": "1",
            "documents-0-position": "2",
            "documents-1-position": "1",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(meeting.participations.order_by("order")) == [second, first]
    assert list(meeting.documents.all()) == [new, old]


def test_positions_are_unique_in_the_database_too():
    from django.db import IntegrityError, transaction

    meeting = MeetingFactory()
    ParticipationFactory(meeting=meeting, order=1)
    DocumentFactory(meeting=meeting, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(meeting=meeting, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(meeting=meeting, position=1)


def test_the_meeting_form_has_folding_rows_and_languages_side_by_side(editor_client):
    meeting = MeetingFactory(draft=True)
    AgendaItemFactory(meeting=meeting, position=1)

    page = text(editor_client.get(change_url(meeting)))

    assert 'data-rows-position="position"' in page
    assert 'data-rows-summary="position title_en pillar"' in page
    assert 'data-rows-position="order"' in page  # participants
    assert "dialogue/admin-rows.js" in page and "dialogue/admin-forms.css" in page
    # English and Spanish of a field share one line (columns on wide screens).
    assert 'class="form-row field-title_en field-title_es"' in page
    assert 'class="form-row field-body_en field-body_es"' in page
    # Sections: when and where starts open, staff notes folded.
    assert page.count("<details open>") >= 2
    assert "<details><summary>" in page


# Duplicate as next meeting


@pytest.fixture
def held_meeting():
    """A published meeting that took place, with its agenda, co-chairs and a document."""
    pillar = PillarFactory(number=1)
    sector = SectorFactory()
    meeting = MeetingFactory(
        title="Second HLED meeting",
        title_es="Segunda reunión",
        slug="second-hled-meeting",
        edition=2,
        city="Washington, D.C.",
        summary="What happened.",
        body="<p>The account.</p>",
        timezone="America/New_York",
    )
    presenter = StakeholderFactory(name="Department of Commerce")
    opening = AgendaItemFactory(
        meeting=meeting, position=1, title="Opening", pillar=pillar, outcome="Agreed."
    )
    opening.sectors.add(sector)
    opening.presenters.add(presenter)
    AgendaItemFactory(meeting=meeting, position=2, parent=opening, title="Sub-item", outcome="x")
    ParticipationFactory(
        meeting=meeting, stakeholder=presenter, role="co-chair", order=1, capacity="Secretary"
    )
    ParticipationFactory(meeting=meeting, role="delegate", order=2)
    DocumentFactory(meeting=meeting)
    return meeting


def test_an_editor_duplicates_a_published_meeting_as_a_draft_of_its_next_edition(
    editor, editor_client, held_meeting
):
    MeetingFactory(edition=3)  # the next edition exists already: the copy takes the one after
    url = reverse("admin:dialogue_meeting_duplicate", args=[held_meeting.pk])

    response = editor_client.post(url)

    copy = Meeting.objects.exclude(pk=held_meeting.pk).get(edition=4)
    assert response.status_code == 302 and response.url == change_url(copy)
    assert copy.publication_status == PublicationStatus.DRAFT and not copy.is_public
    assert copy.title_en == "Second HLED meeting (next edition)"
    assert copy.title_es == "Segunda reunión (próxima edición)"
    assert copy.slug == "second-hled-meeting-next-edition"
    assert copy.status == Meeting.Status.TENTATIVE
    assert copy.date_precision == Meeting.Precision.YEAR and copy.end is None
    assert copy.start.year == held_meeting.start.year + 1
    assert (copy.summary, copy.body) == ("", "")
    assert "Copied from “Second HLED meeting”" in copy.notes
    items = list(copy.agenda_items.order_by("position"))
    assert [(i.position, i.title, i.outcome) for i in items] == [
        (1, "Opening", ""),
        (2, "Sub-item", ""),
    ]
    assert items[1].parent == items[0]
    assert items[0].pillar.number == 1
    assert list(items[0].sectors.all()) == list(
        held_meeting.agenda_items.get(position=1).sectors.all()
    )
    assert [p.name for p in items[0].presenters.all()] == ["Department of Commerce"]
    copied = [(p.stakeholder_id, p.role, p.order, p.capacity) for p in copy.participations.all()]
    original = [
        (p.stakeholder_id, p.role, p.order, p.capacity) for p in held_meeting.participations.all()
    ]
    assert copied == original
    assert not copy.documents.exists() and held_meeting.documents.count() == 1
    # One version of the copy, with its parts, saying where it came from; the source unchanged.
    version = Version.objects.get_for_object(copy).get()
    assert version.revision.user == editor
    assert "Copied from “Second HLED meeting”" in version.revision.comment
    assert Version.objects.filter(revision=version.revision).count() == 1 + 2 + 2
    held_meeting.refresh_from_db()
    assert held_meeting.is_public and held_meeting.agenda_items.count() == 2
    # The copy opens with the message saying what to do next.
    page = editor_client.get(response.url)
    assert "Set its dates and check its title" in text(page)


def test_duplicating_needs_a_post_and_the_add_permission(
    client, django_user_model, editor_client, held_meeting
):
    from .admin_forms import logged_in

    url = reverse("admin:dialogue_meeting_duplicate", args=[held_meeting.pk])
    assert editor_client.get(url).status_code == 405
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    assert logged_in(viewer).post(url).status_code == 403
    assert Meeting.objects.count() == 1


def test_the_meeting_list_action_duplicates_one_meeting(editor_client, held_meeting):
    response = editor_client.post(
        reverse("admin:dialogue_meeting_changelist"),
        {"action": "duplicate_as_next", "_selected_action": [str(held_meeting.pk)]},
    )
    copy = Meeting.objects.get(edition=3)
    assert response.status_code == 302 and response.url == change_url(copy)


# Spreadsheets

PARTICIPANT_HEADER = ["stakeholder", "role", "side", "capacity_en", "capacity_es", "order"]


def participant_rows(stakeholders, bad_row=None):
    rows = []
    for number, stakeholder in enumerate(stakeholders, start=1):
        role = "Co-chair" if number <= 2 else "delegate"
        rows.append([stakeholder.slug, role, "", f"Office {number}", f"Cargo {number}", number])
    if bad_row is not None:
        rows[bad_row][0] = "no-such-stakeholder"
    return rows


def csv_file(header, rows, name="sheet.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    upload = io.BytesIO(buffer.getvalue().encode())
    upload.name = name
    return upload


def xlsx_file(header, rows, name="sheet.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


def format_index(client, model_name, extension):
    """The value of the import form's format choice for `extension`."""
    page = text(client.get(reverse(f"admin:dialogue_{model_name}_import")))
    import re

    for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page):
        if label.strip().lower() == extension:
            return value
    raise AssertionError(f"no {extension} format offered")


def upload(client, model_name, sheet, extension, **extra):
    url = reverse(f"admin:dialogue_{model_name}_import")
    data = {"import_file": sheet, "format": format_index(client, model_name, extension), **extra}
    return client.post(url, data)


def confirm(client, model_name, preview):
    """Post the preview page's confirmation form, as the "Confirm import" button does."""
    data = {
        name: value
        for name, value in form_fields_of(preview, "process_import").items()
        if name != "confirm"
    }
    return client.post(reverse(f"admin:dialogue_{model_name}_process_import"), data)


def form_fields_of(response, action_part):
    import re

    page = text(response)
    form = re.search(
        rf'<form action="[^"]*{action_part}[^"]*" method="POST">(.*?)</form>', page, re.S
    )
    assert form, "no confirmation form on the page"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_participant_sheet_with_one_bad_row_is_refused_whole_then_the_fixed_one_imports(
    editor, editor_client, extension
):
    meeting = MeetingFactory(draft=True, title="Fourth HLED meeting")
    stakeholders = StakeholderFactory.create_batch(12)
    make = csv_file if extension == "csv" else xlsx_file

    bad = make(PARTICIPANT_HEADER, participant_rows(stakeholders, bad_row=6), f"p.{extension}")
    preview = upload(editor_client, "participation", bad, extension, meeting=meeting.pk)

    assert preview.status_code == 200
    page = text(preview)
    assert "No stakeholder has the slug or name “no-such-stakeholder”" in page
    assert "Confirm import" not in page
    assert not Participation.objects.exists()

    fixed = make(PARTICIPANT_HEADER, participant_rows(stakeholders), f"p.{extension}")
    preview = upload(editor_client, "participation", fixed, extension, meeting=meeting.pk)
    assert "Confirm import" in text(preview)
    assert not Participation.objects.exists()  # the preview saves nothing

    response = confirm(editor_client, "participation", preview)

    assert response.status_code == 302
    parts = list(meeting.participations.order_by("order").select_related("stakeholder"))
    assert [p.stakeholder for p in parts] == stakeholders
    assert [p.role for p in parts[:3]] == ["co-chair", "co-chair", "delegate"]
    assert parts[0].capacity_es == "Cargo 1" and parts[0].side == parts[0].stakeholder.country
    for part in parts:
        # Its own version, then one with each later row (a meeting's version holds its parts).
        version = Version.objects.get_for_object(part).select_related("revision").last()
        assert version.revision.user == editor
        assert "Imported from the spreadsheet" in version.revision.comment
    assert Version.objects.get_for_object(meeting).count() == 1 + 12  # its baseline, each row
    assert LogEntry.objects.filter(user=editor).count() == 12


def test_participants_without_an_order_follow_the_meetings_others(editor_client):
    meeting = MeetingFactory(draft=True)
    ParticipationFactory(meeting=meeting, order=5)
    people = StakeholderFactory.create_batch(2)
    sheet = csv_file(["stakeholder", "role"], [[people[0].name, "observer"], [people[1].slug, ""]])
    preview = upload(editor_client, "participation", sheet, "csv", meeting=meeting.pk)
    confirm(editor_client, "participation", preview)

    assert list(meeting.participations.order_by("order").values_list("order", flat=True)) == [
        5,
        6,
        7,
    ]


def test_an_editor_cannot_import_into_a_published_meeting(editor_client):
    meeting = MeetingFactory(title="Live meeting")
    person = StakeholderFactory()
    sheet = csv_file(["stakeholder", "role"], [[person.slug, "delegate"]])

    preview = upload(editor_client, "participation", sheet, "csv", meeting=meeting.pk)

    assert "“Live meeting” is published" in text(preview)
    assert "Confirm import" not in text(preview)
    assert not Participation.objects.exists()


STAKEHOLDER_HEADER = ["slug", "name_en", "name_es", "kind", "country", "publication_status"]


def test_an_editors_imported_stakeholders_are_drafts_and_cannot_be_published(editor_client):
    rows = [
        [
            "sat",
            "Tax Administration Service",
            "Servicio de Administración Tributaria",
            "agency",
            "MX",
            "",
        ],
        ["cbp", "Customs and Border Protection", "", "Government agency", "US", "published"],
    ]

    preview = upload(editor_client, "stakeholder", csv_file(STAKEHOLDER_HEADER, rows), "csv")

    assert "Only a Publisher can publish, unpublish or schedule stakeholders" in text(preview)
    assert not Stakeholder.objects.exists()

    rows[1][-1] = ""
    preview = upload(editor_client, "stakeholder", csv_file(STAKEHOLDER_HEADER, rows), "csv")
    confirm(editor_client, "stakeholder", preview)

    imported = Stakeholder.objects.order_by("slug")
    assert [(s.slug, s.kind, s.publication_status) for s in imported] == [
        ("cbp", "agency", "draft"),
        ("sat", "agency", "draft"),
    ]
    assert imported.get(slug="sat").name_es == "Servicio de Administración Tributaria"


def test_an_editor_cannot_change_a_published_stakeholder_by_import(editor_client):
    StakeholderFactory(slug="sat", name="SAT", kind="agency", country="MX")
    rows = [["sat", "Renamed", "", "agency", "MX", "published"]]

    preview = upload(editor_client, "stakeholder", csv_file(STAKEHOLDER_HEADER, rows), "csv")

    assert "“SAT” is published: only a Publisher can change it" in text(preview)
    assert Stakeholder.objects.get().name == "SAT"


def test_a_publisher_imports_published_stakeholders(publisher_client):
    rows = [["sat", "Tax Administration Service", "", "agency", "MX", "published"]]
    preview = upload(publisher_client, "stakeholder", csv_file(STAKEHOLDER_HEADER, rows), "csv")
    confirm(publisher_client, "stakeholder", preview)

    assert Stakeholder.objects.get().is_public


def test_a_bad_choice_is_a_row_error_in_words(editor_client):
    rows = [["sat", "Tax Administration Service", "", "ministry", "MX", ""]]

    preview = upload(editor_client, "stakeholder", csv_file(STAKEHOLDER_HEADER, rows), "csv")

    assert "“ministry” is not one of the choices" in text(preview)
    assert not Stakeholder.objects.exists()


def test_agreements_import_with_their_sectors_in_the_version(publisher_client):
    PillarFactory(number=2)
    SectorFactory(slug="energy")
    SectorFactory(slug="transport")
    header = ["slug", "title_en", "kind", "pillar", "sectors", "status", "progress"]
    rows = [
        ["air", "Air transport agreement", "agreement", "2", "energy,transport", "signed", "60"]
    ]

    preview = upload(publisher_client, "agreement", csv_file(header, rows), "csv")
    confirm(publisher_client, "agreement", preview)

    from dialogue.models import Agreement

    agreement = Agreement.objects.get(slug="air")
    assert sorted(agreement.sectors.values_list("slug", flat=True)) == ["energy", "transport"]
    version = Version.objects.get_for_object(agreement).get()
    assert len(version.field_dict["sectors"]) == 2
    assert agreement.publication_status == PublicationStatus.DRAFT


def export(client, model_name, extension, query=""):
    url = reverse(f"admin:dialogue_{model_name}_export") + query
    page = text(client.get(url))
    import re

    value = next(
        v
        for v, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
        if label.strip().lower() == extension
    )
    response = client.post(url, {"format": value})
    assert response.status_code == 200, response.status_code
    return response


def test_exports_are_neutralized_against_formula_injection(editor_client):
    StakeholderFactory(slug="evil", name='=HYPERLINK("http://x.example","click")', acronym="+1")
    StakeholderFactory(slug="plain", name="Department of State", acronym="DOS")

    rows = list(
        csv.reader(io.StringIO(export(editor_client, "stakeholder", "csv").content.decode()))
    )
    header, *body = rows
    by_slug = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert by_slug["evil"]["name_en"] == '\'=HYPERLINK("http://x.example","click")'
    assert by_slug["evil"]["acronym"] == "'+1"
    assert by_slug["plain"]["name_en"] == "Department of State"

    book = openpyxl.load_workbook(io.BytesIO(export(editor_client, "stakeholder", "xlsx").content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert '\'=HYPERLINK("http://x.example","click")' in [cell.value for cell in cells]


def test_an_exported_sheet_imports_again_unchanged(publisher_client):
    StakeholderFactory(slug="evil", name="=1+1", acronym="-", kind="agency", country="MX")
    content = export(publisher_client, "stakeholder", "csv").content

    preview = upload(publisher_client, "stakeholder", io.BytesIO(content), "csv")
    assert "Confirm import" in text(preview)
    confirm(publisher_client, "stakeholder", preview)

    assert Stakeholder.objects.get().name == "=1+1"
    assert Version.objects.get_for_model(Stakeholder).count() == 0  # unchanged rows are skipped


def test_participants_of_one_meeting_are_exported(editor_client):
    meeting = MeetingFactory(slug="second")
    ParticipationFactory(meeting=meeting, stakeholder__slug="doc", role="co-chair")
    ParticipationFactory(stakeholder__slug="elsewhere")

    response = export(editor_client, "participation", "csv", f"?meeting__id__exact={meeting.pk}")

    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:3] == ["meeting", "stakeholder", "role"]
    assert [row[:3] for row in rows] == [["second", "doc", "co-chair"]]


def test_an_editor_without_the_add_permission_cannot_import(django_user_model):
    from django.contrib.auth.models import Permission

    from .admin_forms import logged_in

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_stakeholder"))
    client = logged_in(viewer)

    assert client.get(reverse("admin:dialogue_stakeholder_import")).status_code == 403
    assert client.get(reverse("admin:dialogue_stakeholder_export")).status_code == 200


# Finding things


def test_changelists_show_a_status_badge_and_who_edited_last(editor, editor_client):
    meeting = MeetingFactory(title="Draft meeting", draft=True)
    MeetingFactory(title="Live meeting")
    post_form(editor_client, meeting, {"title_en": "Edited meeting"})

    page = text(editor_client.get(reverse("admin:dialogue_meeting_changelist")))

    assert '<span class="status-badge status-badge--draft">Draft</span>' in page
    assert '<span class="status-badge status-badge--live">Published (live)</span>' in page
    assert f'<span class="last-editor">by {editor.username}</span>' in page


def test_the_changelist_makes_as_many_queries_for_many_records_as_for_few(editor_client):
    from django.db import connection

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert (
                editor_client.get(reverse("admin:dialogue_meeting_changelist")).status_code == 200
            )
        return len(captured)

    MeetingFactory.create_batch(2)
    few = queries()
    MeetingFactory.create_batch(20)
    assert queries() == few


def test_edited_by_me_lists_only_what_i_changed(editor_client):
    mine = MeetingFactory(title="Mine", draft=True)
    MeetingFactory(title="Someone else's", draft=True)
    post_form(editor_client, mine, {"title_en": "Mine, edited"})

    response = editor_client.get(reverse("admin:dialogue_meeting_changelist"), {"edited_by": "me"})

    assert [m.title for m in response.context["cl"].result_list] == ["Mine, edited"]


def test_the_dashboard_links_to_saved_filters_that_work(editor_client):
    MeetingFactory(title="A draft", draft=True, status=Meeting.Status.CONFIRMED)
    MeetingFactory(title="Held and live")

    page = text(editor_client.get(reverse("admin:index")))

    assert 'id="panel-shortcuts"' in page
    links = {
        "drafts": "/admin/dialogue/meeting/?publication=draft",
        "upcoming": "/admin/dialogue/meeting/?status__in=tentative,confirmed",
        "spanish": "/admin/dialogue/meeting/?spanish=missing",
        "mine": "/admin/dialogue/meeting/?edited_by=me",
    }
    for link in links.values():
        assert f'href="{link}"' in page
        assert editor_client.get(link).status_code == 200
    drafts = editor_client.get(links["drafts"]).context["cl"].result_list
    assert [m.title for m in drafts] == ["A draft"]
    upcoming = editor_client.get(links["upcoming"]).context["cl"].result_list
    assert [m.title for m in upcoming] == ["A draft"]


def test_document_list_keeps_its_newest_first_order(editor_client):
    DocumentFactory(title="Old", published_on="2013-01-01")
    DocumentFactory(title="New", published_on="2015-01-01")
    response = editor_client.get(reverse("admin:dialogue_document_changelist"))
    assert [d.title for d in response.context["cl"].result_list] == ["New", "Old"]


def test_agenda_items_of_a_form_post_back_as_the_form_shows_them(editor_client, draft_meeting):
    """The rows template renders every field the browser posts (nothing lost on save)."""
    data = form_fields(editor_client.get(change_url(draft_meeting)), "meeting")
    assert data["agenda_items-0-position"] == "1" and data["agenda_items-2-title_en"] == "Energy"
    assert editor_client.post(change_url(draft_meeting), data).status_code == 302
    assert AgendaItem.objects.filter(meeting=draft_meeting).count() == 3
    assert Document.objects.count() == 0


def test_the_admin_pages_have_no_inline_style_or_script_of_ours(editor_client):
    """Under a strict CSP: no style= or on…= attribute, and no inline script except the rich-text
    editor's import map (the security settings allow it by its hash)."""
    import re

    meeting = MeetingFactory(draft=True)
    AgendaItemFactory(meeting=meeting)
    ParticipationFactory(meeting=meeting)
    DocumentFactory(meeting=meeting)
    urls = [
        change_url(meeting),
        reverse("admin:dialogue_meeting_add"),
        reverse("admin:dialogue_participation_import") + f"?meeting={meeting.pk}",
        reverse("admin:dialogue_stakeholder_export"),
        reverse("admin:dialogue_meeting_changelist"),
        reverse("admin:index"),
    ]
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert not re.findall(r"<[^>]*\s(?:style|on[a-z]+)=[^>]*>", page), url
        inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", page)
        assert all('type="importmap"' in attributes for attributes in inline), (url, inline)
