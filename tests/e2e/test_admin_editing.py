"""Editors at work in the admin, in a real browser: a meeting of 8 agenda items and 12
participants typed and clicked in, its agenda reordered by dragging and by the keyboard, the
meeting duplicated as its next edition, a participant sheet imported (refused whole with one
bad row, then imported once fixed); every change form fits 1280 and 390 px; axe-core finds
no violation on the forms."""

import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from dialogue.models import Agreement, Meeting, Participation
from tests.factories import MeetingFactory, PillarFactory, StakeholderFactory

from .helpers import ARTIFACTS
from .test_accessibility import axe_violations
from .test_staff_journey import add_inline, assert_no_browser_errors, log_in, save, visit_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
AGENDA = [
    "Opening remarks",
    "Border infrastructure",
    "Trusted trader programs",
    "Air transport",
    "Telecommunications",
    "Higher education and research",
    "Entrepreneurship and innovation",
    "Joint statement",
]


@pytest.fixture
def editor_user(django_user_model):
    user = django_user_model.objects.create_user(
        username="maria", password="maria-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def editor_page(new_page, editor_user):
    page = new_page()
    log_in(page, editor_user, "maria-password")
    return page


def agenda_titles(page):
    return page.locator("#agenda_items-group .rows-row:not(.empty-form) .rows-toggle__summary")


def test_an_editor_builds_a_meeting_reorders_its_agenda_and_duplicates_it(editor_page):
    page = editor_page
    pillar = PillarFactory(number=1, name="Promoting competitiveness and connectivity")
    words = [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
        "Echo",
        "Foxtrot",
        "Golf",
        "Hotel",
        "India",
        "Juliett",
        "Kilo",
        "Lima",
    ]
    agencies = [
        StakeholderFactory(name=f"Agency {word}", slug=f"agency-{word.lower()}") for word in words
    ]

    visit_admin(page, reverse("admin:dialogue_meeting_add"))
    # Typed with the keyboard: English title, Tab, Spanish title (side by side).
    page.locator("#id_title_en").click()
    page.keyboard.type("Fourth High-Level Economic Dialogue")
    page.keyboard.press("Tab")
    expect(page.locator("#id_title_es")).to_be_focused()
    page.keyboard.type("Cuarto Diálogo Económico de Alto Nivel")
    page.locator("#id_edition").fill("4")
    page.locator("#id_start_0").fill("2031-09-22")
    page.locator("#id_start_1").fill("10:00")
    page.locator("#id_city_en").fill("Mexico City")

    for number, title in enumerate(AGENDA, start=1):
        row = add_inline(page, "agenda_items")  # a click on "Add another agenda item"
        # The new row opens, already numbered after the others.
        expect(page.locator(f"#id_agenda_items-{row}-position")).to_have_value(str(number))
        page.locator(f"#id_agenda_items-{row}-title_en").click()
        page.keyboard.type(title)
        page.locator(f"#id_agenda_items-{row}-pillar").select_option(str(pillar.pk))

    for number, agency in enumerate(agencies, start=1):
        row = add_inline(page, "participations")
        page.locator(f"#id_participations-{row}-stakeholder + .select2 .select2-selection").click()
        page.keyboard.type(agency.name)
        # Once the search has answered, only the one match is offered: Enter picks it.
        expect(page.locator(".select2-results__option")).to_have_text([agency.name])
        page.keyboard.press("Enter")
        if number <= 2:
            page.locator(f"#id_participations-{row}-role").select_option("co-chair")
        expect(page.locator(f"#id_participations-{row}-order")).to_have_value(str(number))

    save(page, "_continue")
    meeting = Meeting.objects.get(edition=4)
    assert list(meeting.agenda_items.order_by("position").values_list("title_en", flat=True)) == (
        AGENDA
    )
    assert [p.stakeholder for p in meeting.participations.order_by("order")] == agencies
    assert meeting.publication_status == "draft"

    # Opened again, every row is folded to its summary line.
    expect(page.locator("#agenda_items-0-fields")).to_be_hidden()
    expect(agenda_titles(page).first).to_have_text(
        "1 · Opening remarks · 1. Promoting competitiveness and connectivity"
    )
    expect(page.locator("#participations-0 .rows-toggle__summary")).to_contain_text(
        "1 · Agency Alpha · Co-chair"
    )
    page.locator("#agenda_items-0 .rows-toggle").click()
    expect(page.locator("#agenda_items-0-fields")).to_be_visible()
    page.locator("#agenda_items-0 .rows-toggle").click()

    # Drag the second item above the first with the mouse.
    handle = page.locator("#agenda_items-1 .rows-handle").bounding_box()
    target = page.locator("#agenda_items-0 .rows-head").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 40, target["y"] + 2, steps=8)
    page.mouse.up()
    expect(page.locator("#id_agenda_items-1-position")).to_have_value("1")
    expect(page.locator("#id_agenda_items-0-position")).to_have_value("2")
    expect(page.locator("#agenda_items-group .rows-status")).to_have_text(
        "“1 · Border infrastructure · 1. Promoting competitiveness and connectivity” moved to "
        "position 1 of 8."
    )

    # And one item down with the keyboard: its handle, then the down arrow.
    page.locator("#agenda_items-5 .rows-handle").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#agenda_items-5 .rows-handle")).to_be_focused()
    expect(page.locator("#id_agenda_items-5-position")).to_have_value("7")
    expect(page.locator("#id_agenda_items-6-position")).to_have_value("6")

    save(page, "_continue")
    reordered = [AGENDA[1], AGENDA[0], *AGENDA[2:5], AGENDA[6], AGENDA[5], AGENDA[7]]
    assert list(meeting.agenda_items.order_by("position").values_list("title_en", flat=True)) == (
        reordered
    )
    assert sorted(meeting.agenda_items.values_list("position", flat=True)) == list(range(1, 9))
    expect(agenda_titles(page)).to_have_count(8)
    expect(agenda_titles(page).nth(0)).to_contain_text("1 · Border infrastructure")

    # Duplicate as next meeting: a new draft opens with the same agenda and participants.
    page.get_by_role("button", name="Duplicate as next meeting").click()
    expect(page.locator(".messagelist .success")).to_contain_text("is a new draft copied from")
    copy = Meeting.objects.get(edition=5)
    assert page.url.endswith(reverse("admin:dialogue_meeting_change", args=[copy.pk]))
    expect(page.locator("#id_title_en")).to_have_value(
        "Fourth High-Level Economic Dialogue (next edition)"
    )
    expect(agenda_titles(page)).to_have_count(8)
    expect(page.locator("#participations-group .rows-row:not(.empty-form)")).to_have_count(12)
    assert list(copy.agenda_items.order_by("position").values_list("title_en", flat=True)) == (
        reordered
    )
    assert copy.participations.count() == 12 and not copy.is_public
    assert_no_browser_errors(page)


def sheet(rows, kind):
    header = ["stakeholder", "role", "capacity_en", "order"]
    if kind == "csv":
        text = "\n".join(",".join(map(str, row)) for row in [header, *rows]) + "\n"
        return {"name": "participants.csv", "mimeType": "text/csv", "buffer": text.encode()}
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {
        "name": "participants.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": buffer.getvalue(),
    }


def test_an_editor_imports_a_participant_sheet_refused_whole_then_fixed(editor_page):
    page = editor_page
    meeting = MeetingFactory(title="Fourth HLED meeting", draft=True)
    people = [StakeholderFactory(slug=f"person-{n}") for n in range(1, 13)]
    rows = [
        [p.slug, "co-chair" if n < 2 else "delegate", f"Office {n}", n + 1]
        for n, p in enumerate(people)
    ]
    bad = [list(row) for row in rows]
    bad[7][1] = "minister"  # not a role

    visit_admin(page, reverse("admin:dialogue_meeting_change", args=[meeting.pk]))
    page.get_by_role("link", name="Import participants").click()
    expect(page.locator("#id_meeting")).to_have_value(str(meeting.pk))
    page.locator("#id_import_file").set_input_files(sheet(bad, "csv"))
    page.locator("#id_format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Some rows failed to validate")).to_be_visible()
    expect(page.locator(".import-preview")).to_contain_text("“minister” is not one of the choices")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert not Participation.objects.exists()

    page.locator("#id_import_file").set_input_files(sheet(rows, "xlsx"))
    page.locator("#id_format").select_option(label="xlsx")
    page.locator("#id_meeting").select_option(str(meeting.pk))
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".import-preview tr.new")).to_have_count(12)
    assert not Participation.objects.exists()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist .success")).to_contain_text("12 new")
    assert [p.stakeholder for p in meeting.participations.order_by("order")] == people
    assert_no_browser_errors(page)


@pytest.fixture
def admin_page(new_page, django_user_model, demo_data):
    django_user_model.objects.create_superuser("chief", password="chief-password")
    user = django_user_model.objects.get(username="chief")

    def open_at(viewport):
        page = new_page(viewport=viewport)
        log_in(page, user, "chief-password")
        return page

    return open_at


def change_forms():
    """The add form of a meeting and the change form of one record of every kind."""
    from django.contrib import admin

    paths = [reverse("admin:dialogue_meeting_add")]
    second = Meeting.objects.get(title_en="Second HLED meeting")
    paths.append(reverse("admin:dialogue_meeting_change", args=[second.pk]))
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        if model._meta.app_label != "dialogue" or model is Meeting:
            continue
        record = model._base_manager.order_by("pk").first()
        if record is not None:
            name = model._meta.model_name
            paths.append(reverse(f"admin:dialogue_{name}_change", args=[record.pk]))
    return paths


def size(page):
    return page.evaluate(
        "() => ({width: document.documentElement.scrollWidth,"
        " viewport: document.documentElement.clientWidth,"
        " height: document.documentElement.scrollHeight})"
    )


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "390"])
def test_every_change_form_fits_the_screen(admin_page, viewport):
    page = admin_page(viewport)
    figures = {}
    for path in change_forms():
        visit_admin(page, path)
        # Open every row and section: the widest state of the form.
        for button in page.get_by_role("button", name="Open all").all():
            button.click()
        for summary in page.locator("details:not([open]) > summary").all():
            summary.click()
        measured = size(page)
        assert measured["width"] <= measured["viewport"], f"{path} scrolls sideways: {measured}"
        figures[path] = measured
    assert_no_browser_errors(page)

    second = Meeting.objects.get(title_en="Second HLED meeting")
    visit_admin(page, reverse("admin:dialogue_meeting_change", args=[second.pk]))
    folded = size(page)
    assert folded["width"] <= folded["viewport"]
    if viewport["width"] == 1280:
        # Before: 2,476 px wide and 13,967 px tall (bench/admin_form.py on the old form).
        assert folded["height"] < 5000, folded
    folder = ARTIFACTS / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    report = {"second_meeting_as_opened": folded, "every_form_opened": figures}
    (folder / f"form-sizes-{viewport['width']}.json").write_text(json.dumps(report, indent=2))


def test_the_admin_forms_are_accessible(admin_page):
    page = admin_page({"width": 1280, "height": 900})
    second = Meeting.objects.get(title_en="Second HLED meeting")
    paths = [
        reverse("admin:index"),
        reverse("admin:dialogue_meeting_changelist"),
        reverse("admin:dialogue_meeting_add"),
        reverse("admin:dialogue_meeting_change", args=[second.pk]),
        reverse("admin:dialogue_agreement_change", args=[Agreement.objects.order_by("pk")[0].pk]),
        reverse("admin:dialogue_stakeholder_add"),
        reverse("admin:dialogue_participation_import") + f"?meeting={second.pk}",
    ]
    for path in paths:
        visit_admin(page, path)
        for button in page.get_by_role("button", name="Open all").all():
            button.click()
        name = path.strip("/").replace("/", "-").split("?")[0]
        violations = axe_violations(page, report=ARTIFACTS / "axe" / f"{name}.json")
        assert not violations, f"axe-core on {path}:\n" + "\n".join(violations)
    assert_no_browser_errors(page)
