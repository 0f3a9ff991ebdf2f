"""Staff record a meeting and an agreement in the admin; visitors see them once published."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dialogue.models import Agreement, Meeting, Side, Stakeholder
from tests.factories import MeetingFactory, PillarFactory, StakeholderFactory

from .helpers import field, pick_autocomplete, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, user, password):
    visit_admin(page, reverse("admin:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(user.username)


def visit_admin(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response.status}"


def add_inline(page, prefix):
    """Click the inline's "Add another …" link and return the new row's index."""
    index = int(page.locator(f"#id_{prefix}-TOTAL_FORMS").input_value())
    page.locator(f"#{prefix}-group .add-row a").click()
    expect(page.locator(f"#{prefix}-{index}")).to_be_visible()
    return index


def save(page, button="_save"):
    page.locator(f'input[name="{button}"]').click()
    page.locator(".messagelist .success, .errornote").first.wait_for()
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not errors, "The admin refused the form: " + "; ".join(errors)


def assert_no_browser_errors(page):
    assert page.errors == [], "JavaScript errors in the admin:\n" + "\n".join(page.errors)


def assert_not_found(visitor, path):
    visit(visitor, path, status=404)
    expect(visitor.locator("h1")).to_have_text("Page not found")


@pytest.fixture
def staff_page(new_page, staff_user):
    page = new_page()
    log_in(page, staff_user, "editor-password")
    return page


def test_staff_records_a_meeting_that_visitors_see_once_published(staff_page, new_page):
    page = staff_page
    commerce = StakeholderFactory(
        name="Department of Commerce", slug="department-of-commerce", country=Side.US
    )
    PillarFactory(number=1)

    # A stakeholder, created in the admin and published right away.
    visit_admin(page, reverse("admin:dialogue_stakeholder_add"))
    expect(page.locator(".ProseMirror").filter(visible=True).first).to_be_visible()
    field(page, "name").press_sequentially("Secretaría de Economía")
    expect(page.locator("#id_slug")).to_have_value("secretaria-de-economia")
    page.locator("#id_kind").select_option(Stakeholder.Kind.GOVERNMENT)
    page.locator("#id_country").select_option(Side.MX)
    page.locator("#id_publication_status").select_option("published")
    save(page)
    economy = Stakeholder.objects.get(slug="secretaria-de-economia")

    # A meeting, its two co-chairs and three agenda items in one form, saved as a draft.
    visit_admin(page, reverse("admin:dialogue_meeting_add"))
    expect(page.locator(".ProseMirror").filter(visible=True).first).to_be_visible()
    field(page, "title").press_sequentially("Fourth High-Level Economic Dialogue")
    expect(page.locator("#id_slug")).to_have_value("fourth-high-level-economic-dialogue")
    page.locator("#id_edition").fill("4")
    page.locator("#id_status").select_option(Meeting.Status.CONFIRMED)
    page.locator("#id_start_0").fill("2031-09-22")
    page.locator("#id_start_1").fill("10:00")
    page.locator("#id_timezone").select_option("America/Mexico_City")
    field(page, "city").fill("Mexico City")
    page.locator("#id_host_country").select_option(Side.MX)
    expect(page.locator("#id_publication_status")).to_have_value("draft")

    for stakeholder, search in [(commerce, "Commerce"), (economy, "Econom")]:
        row = add_inline(page, "participations")
        pick_autocomplete(page, f"id_participations-{row}-stakeholder", search, stakeholder.name)
        page.locator(f"#id_participations-{row}-role").select_option("co-chair")
    # Typed out of order, and 10 after 2: the public agenda follows the integer position.
    agenda = [(2, "Border infrastructure"), (10, "Closing statements"), (1, "Opening remarks")]
    for position, title in agenda:
        row = add_inline(page, "agenda_items")
        page.locator(f"#id_agenda_items-{row}-position").fill(str(position))
        field(page, f"agenda_items-{row}-title").fill(title)
    save(page)
    meeting = Meeting.objects.get(slug="fourth-high-level-economic-dialogue")
    assert meeting.agenda_items.count() == 3 and meeting.participations.count() == 2
    assert_no_browser_errors(page)

    visitor = new_page()
    assert_not_found(visitor, meeting.get_absolute_url())
    visit(visitor, reverse("dialogue:meeting-list"))
    expect(visitor.get_by_role("link", name=meeting.title)).to_have_count(0)

    # Published with the list's bulk action.
    visit_admin(page, reverse("admin:dialogue_meeting_changelist"))
    page.locator(f'input[name="_selected_action"][value="{meeting.pk}"]').check()
    page.locator('select[name="action"]').select_option("publish")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 record published")
    assert_no_browser_errors(page)

    # A new visitor: public pages may be kept in a browser's cache for PAGE_CACHE_MAX_AGE.
    visitor = new_page()
    visit(visitor, reverse("dialogue:meeting-list"))
    visitor.get_by_role("link", name=meeting.title).click()
    expect(visitor.locator("h1")).to_have_text(meeting.title)
    assert visitor.url.endswith(meeting.get_absolute_url())
    expect(visitor.locator(".agenda > .agenda__item h3")).to_have_text(
        ["Opening remarks", "Border infrastructure", "Closing statements"]
    )
    co_chairs = visitor.locator('section[aria-labelledby="cochairs-heading"]')
    expect(co_chairs.locator(".side h3")).to_have_text(["United States", "Mexico"])
    expect(co_chairs.locator(".side--us")).to_contain_text("Department of Commerce")
    expect(co_chairs.locator(".side--mx")).to_contain_text("Secretaría de Economía")
    assert_no_browser_errors(visitor)


def test_staff_records_an_agreement_with_an_implementation_update(staff_page, new_page):
    page = staff_page
    meeting = MeetingFactory(title="Second High-Level Economic Dialogue", slug="second-hled")
    pillar = PillarFactory(number=1)

    visit_admin(page, reverse("admin:dialogue_agreement_add"))
    expect(page.locator(".ProseMirror").filter(visible=True).first).to_be_visible()
    field(page, "title").press_sequentially("Air transport agreement")
    expect(page.locator("#id_slug")).to_have_value("air-transport-agreement")
    page.locator("#id_kind").select_option(Agreement.Kind.AGREEMENT)
    page.locator("#id_pillar").select_option(str(pillar.pk))
    page.locator("#id_announced_on").fill("2015-01-06")
    pick_autocomplete(page, "id_origin_meeting", "Second", meeting.title)
    save(page, "_continue")
    agreement = Agreement.objects.get(slug="air-transport-agreement")
    assert not agreement.is_public
    assert_no_browser_errors(page)

    visitor = new_page()
    assert_not_found(visitor, agreement.get_absolute_url())

    # Published from its own form this time.
    page.locator("#id_publication_status").select_option("published")
    save(page, "_continue")
    assert_no_browser_errors(page)

    # Its state comes from an implementation update, added from the agreement's form.
    page.get_by_role("link", name="Add an implementation update").click()
    expect(page.locator("#id_status")).to_have_value("proposed")
    page.locator("#id_date").fill("2016-12-18")
    page.locator("#id_status").select_option("signed")
    page.locator("#id_progress").fill("60")
    field(page, "title").fill("Agreement signed in Washington")
    field(page, "note").fill("Both governments signed the agreement.")
    page.locator("#id_publication_status").select_option("published")
    save(page)
    assert agreement.updates.count() == 1 and agreement.updates.get().is_public
    assert_no_browser_errors(page)

    visitor = new_page()
    visit(visitor, reverse("dialogue:agreement-list"))
    visitor.get_by_role("link", name=agreement.title).click()
    expect(visitor.locator("h1")).to_have_text(agreement.title)
    expect(visitor.locator(".facts")).to_contain_text("Signed")
    expect(visitor.locator(".facts")).to_contain_text(meeting.title)
    timeline = visitor.locator(".timeline > li")
    expect(timeline).to_have_count(1)
    expect(timeline).to_contain_text("Agreement signed in Washington")
    expect(timeline).to_contain_text("60% implemented")
    assert_no_browser_errors(visitor)
