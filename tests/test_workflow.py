"""The editorial workflow: roles and what each may do, scheduled publishing, previews,
redirects from old slugs and the editors' dashboard."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementStatus,
    Meeting,
    Page,
    PublicationStatus,
    SlugRedirect,
    Stakeholder,
)
from dialogue.publishing import roles

from .admin_forms import form_fields, logged_in, open_form
from .conftest import change_url, changelist_url, html
from .factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementUpdateFactory,
    MeetingFactory,
    PageFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "publisher", "superuser"]


@pytest.fixture
def as_role(client, editor_client, publisher_client, admin_client):
    """The client of one role of the permission matrix."""
    clients = {
        "anonymous": client,
        "editor": editor_client,
        "publisher": publisher_client,
        "superuser": admin_client,
    }
    return clients.__getitem__


def delete_url(obj):
    return reverse(f"admin:dialogue_{obj._meta.model_name}_delete", args=[obj.pk])


def status_of(obj):
    return type(obj).objects.get(pk=obj.pk).publication_status


def sent_to_login(response):
    return response.status_code == 302 and "/admin/login/" in response["Location"]


# Roles


def test_roles_are_groups_with_the_publish_permission_for_publishers_only():
    editor = Group.objects.get(name=roles.EDITOR)
    publisher = Group.objects.get(name=roles.PUBLISHER)
    editor_codes = set(editor.permissions.values_list("codename", flat=True))
    publisher_codes = set(publisher.permissions.values_list("codename", flat=True))

    for model in ("meeting", "agreement", "stakeholder", "keyfigure", "page"):
        assert f"publish_{model}" in publisher_codes
        assert f"publish_{model}" not in editor_codes
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= editor_codes
    assert {"add_agendaitem", "change_agendaitem", "delete_agendaitem"} <= editor_codes
    # Pillars and sectors go public as soon as they change: editors only pick them.
    assert "view_pillar" in editor_codes and "change_pillar" not in editor_codes
    assert "change_sector" in publisher_codes
    assert editor_codes < publisher_codes


def test_every_publishable_model_has_its_publish_permission():
    for model in (Meeting, Agreement, Stakeholder, Page):
        codename = f"publish_{model._meta.model_name}"
        assert Permission.objects.filter(
            codename=codename, content_type__app_label="dialogue"
        ).exists()


def test_roles_are_put_back_in_sync_after_migrate():
    editor = Group.objects.get(name=roles.EDITOR)
    publish = Permission.objects.get(codename="publish_meeting")
    change = Permission.objects.get(codename="change_meeting")
    editor.permissions.add(publish)
    editor.permissions.remove(change)
    other_app = Permission.objects.get(codename="view_logentry")
    editor.permissions.add(other_app)

    call_command("migrate", verbosity=0)

    codes = set(editor.permissions.values_list("codename", flat=True))
    assert "publish_meeting" not in codes
    assert "change_meeting" in codes
    assert "view_logentry" in codes  # an administrator's own addition is kept


def test_assign_role_command(django_user_model, capsys):
    user = django_user_model.objects.create_user("lucia", password="x")
    call_command("assign_role", "lucia", "editor")
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Editor"]
    assert not user.has_perm("dialogue.publish_meeting")
    assert user.has_perm("dialogue.change_meeting")

    call_command("assign_role", "lucia", "publisher")
    user = django_user_model.objects.get(pk=user.pk)  # fresh permission cache
    assert list(user.groups.values_list("name", flat=True)) == ["Publisher"]
    assert user.has_perm("dialogue.publish_meeting")


def test_assign_role_refuses_an_unknown_user_and_creates_one_on_request(django_user_model, capsys):
    with pytest.raises(CommandError, match="no user 'ghost'"):
        call_command("assign_role", "ghost", "editor")
    assert not django_user_model.objects.filter(username="ghost").exists()

    call_command("assign_role", "ghost", "publisher", "--create")
    output = capsys.readouterr().out
    user = django_user_model.objects.get(username="ghost")
    password = output.split("Password:")[1].strip()
    assert user.check_password(password)
    assert user.is_staff and user.groups.get().name == "Publisher"


# The permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_matrix_view_a_draft_on_the_public_site(as_role, role):
    meeting = MeetingFactory(title="Draft meeting", draft=True)
    response = as_role(role).get(meeting.get_absolute_url())
    if role == "anonymous":
        assert response.status_code == 404
        assert "Draft meeting" not in html(response)
    else:
        assert response.status_code == 200
        assert "Draft preview" in html(response)
        assert 'name="robots" content="noindex' in html(response)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_publish_through_the_change_form(as_role, publisher_client, role):
    meeting = MeetingFactory(draft=True)
    url = change_url(meeting)
    # What a Publisher's browser sends when publishing; other roles send the same.
    data = open_form(publisher_client, url, "meeting")
    data.update(publication_status="published")
    if role != "anonymous":
        data["lock_version"] = str(Meeting.objects.get(pk=meeting.pk).version)

    response = as_role(role).post(url, data)

    if role == "anonymous":
        assert sent_to_login(response)
        assert status_of(meeting) == "draft"
    elif role == "editor":
        assert response.status_code == 200
        assert "Only a Publisher can publish" in html(response)
        assert status_of(meeting) == "draft"
    else:
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert status_of(meeting) == "published"
        assert Meeting.objects.published().filter(pk=meeting.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_matrix_bulk_publish(as_role, role):
    drafts = MeetingFactory.create_batch(2, draft=True)
    client = as_role(role)
    if role != "anonymous":
        offered = client.get(changelist_url(Meeting)).context["action_form"]
        actions = {name for name, _label in offered.fields["action"].choices}
        assert ("publish" in actions) is (role != "editor")
        assert ("unpublish" in actions) is (role != "editor")

    response = client.post(
        changelist_url(Meeting),
        {"action": "publish", "_selected_action": [str(m.pk) for m in drafts]},
    )

    published = set(Meeting.objects.published())
    if role in {"anonymous", "editor"}:
        assert published == set()
        assert sent_to_login(response) if role == "anonymous" else response.status_code == 302
    else:
        assert published == set(drafts)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_delete_a_published_record(as_role, role):
    meeting = MeetingFactory()
    client = as_role(role)

    page = client.get(delete_url(meeting))
    response = client.post(delete_url(meeting), {"post": "yes"})

    exists = Meeting.objects.filter(pk=meeting.pk).exists()
    if role == "anonymous":
        assert sent_to_login(response) and exists
    elif role == "editor":
        assert page.status_code == 403 and response.status_code == 403
        assert exists
    else:
        assert page.status_code == 200 and response.status_code == 302
        assert not exists


@pytest.mark.parametrize("role", ROLES)
def test_matrix_forged_status_post(as_role, publisher_client, role):
    """A draft's change form posted with a publication status and a new title."""
    meeting = MeetingFactory(title="Original title", draft=True)
    url = change_url(meeting)
    data = open_form(publisher_client, url, "meeting")
    data.update(
        title_en="Forged title",
        publication_status="published",
        publish_at_0="2020-01-01",
        publish_at_1="00:00:00",
    )

    response = as_role(role).post(url, data)
    meeting.refresh_from_db()

    if role in {"anonymous", "editor"}:
        assert (meeting.title_en, meeting.publication_status) == ("Original title", "draft")
        if role == "editor":
            assert response.status_code == 200
            assert "Only a Publisher can publish, unpublish or schedule meetings." in html(response)
            assert "Nothing was saved." in html(response)
        else:
            assert sent_to_login(response)
    else:
        assert response.status_code == 302
        assert (meeting.title_en, meeting.publication_status) == ("Forged title", "published")


# What editors may and may not do


def test_editor_saves_a_draft_whose_publication_fields_are_read_only(editor_client):
    meeting = MeetingFactory(title="Draft", draft=True)
    url = change_url(meeting)
    response = editor_client.get(url)
    form = response.context["adminform"].form
    assert "publication_status" not in form.fields and "publish_at" not in form.fields
    assert "A Publisher publishes or schedules it." in html(response)

    data = form_fields(response, "meeting")
    data["title_en"] = "Draft, edited"
    saved = editor_client.post(url, data)

    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title_en, meeting.publication_status) == ("Draft, edited", "draft")


def test_editor_creates_drafts_only(editor_client):
    response = editor_client.get(reverse("admin:dialogue_page_add"))
    assert "publication_status" not in response.context["adminform"].form.fields
    data = form_fields(response, "page")
    data.update(title_en="How the agenda is set", slug="agenda")

    assert editor_client.post(reverse("admin:dialogue_page_add"), data).status_code == 302
    assert Page.objects.get(slug="agenda").publication_status == "draft"


@pytest.mark.parametrize("scheduled", [False, True], ids=["live", "scheduled"])
def test_editor_sees_a_published_record_read_only(editor_client, publisher_client, scheduled):
    meeting = MeetingFactory(title="Live meeting", scheduled=scheduled)
    url = change_url(meeting)
    data = open_form(publisher_client, url, "meeting")
    data.pop("publication_status")
    data.pop("publish_at_0")
    data.pop("publish_at_1")
    data["title_en"] = "Changed by an editor"

    page = editor_client.get(url)
    response = editor_client.post(url, data)

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "only a Publisher can change or delete it" in html(page)
    assert 'name="_save"' not in html(page)
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.title_en == "Live meeting"


def test_editor_deletes_a_draft_but_not_a_published_record(editor_client):
    draft = MeetingFactory(draft=True)
    live = MeetingFactory()
    response = editor_client.post(
        changelist_url(Meeting),
        {"action": "delete_selected", "_selected_action": [draft.pk, live.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Meeting.objects.count() == 2

    response = editor_client.post(delete_url(draft), {"post": "yes"})
    assert response.status_code == 302
    assert list(Meeting.objects.all()) == [live]


def test_editor_cannot_change_the_parts_of_a_published_meeting(editor_client):
    live = MeetingFactory()
    draft = MeetingFactory(draft=True)
    item = AgendaItemFactory(meeting=live, title="Border", position=1)
    url = change_url(item)

    assert editor_client.post(url, {"title_en": "Changed"}).status_code == 403
    assert editor_client.post(delete_url(item), {"post": "yes"}).status_code == 403

    # Adding an item to the live meeting, or moving one into it, is refused with a message.
    draft_item = AgendaItemFactory(meeting=draft, position=1)
    data = open_form(editor_client, change_url(draft_item), "agendaitem")
    data["meeting"] = str(live.pk)
    data["position"] = "7"
    response = editor_client.post(change_url(draft_item), data)
    assert response.status_code == 200
    assert "is published: only a Publisher can change it" in html(response)
    draft_item.refresh_from_db()
    assert draft_item.meeting == draft


def test_publisher_may_edit_and_unpublish_a_live_record(publisher_client):
    meeting = MeetingFactory(title="Live")
    url = change_url(meeting)
    data = open_form(publisher_client, url, "meeting")
    data.update(title_en="Live, corrected", publication_status="draft")

    assert publisher_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title_en, meeting.publication_status) == ("Live, corrected", "draft")


def test_editable_list_columns_cannot_change_published_records_for_editors(editor_client):
    from .factories import KeyFigureFactory

    live = KeyFigureFactory(order=1)
    url = changelist_url(live)
    response = editor_client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(live.pk),
            "form-0-order": "9",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "only a Publisher can change it" in html(response)
    live.refresh_from_db()
    assert live.order == 1


# Scheduled publishing


def test_a_publisher_schedules_a_record_that_appears_at_its_time(client, publisher_client):
    # Close to now: the test client's session must still be valid (30 minutes idle at most).
    go_live = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=20)
    with time_machine.travel(go_live - dt.timedelta(minutes=10), tick=False):
        meeting = MeetingFactory(title="Scheduled meeting", draft=True)
        url = change_url(meeting)
        data = open_form(publisher_client, url, "meeting")
        data.update(
            publication_status="published",
            publish_at_0=f"{go_live:%Y-%m-%d}",
            publish_at_1=f"{go_live:%H:%M:%S}",
        )
        assert publisher_client.post(url, data).status_code == 302
        meeting.refresh_from_db()
        assert meeting.is_scheduled and meeting.publish_at == go_live

    list_url = reverse("dialogue:meeting-list")
    with time_machine.travel(go_live - dt.timedelta(seconds=1), tick=False):
        assert client.get(meeting.get_absolute_url()).status_code == 404
        listing = client.get(list_url)
        assert listing.status_code == 200
        assert "0 meetings" in html(listing)
        assert "Scheduled meeting" not in html(listing)
        assert not Meeting.objects.published().filter(pk=meeting.pk).exists()
    with time_machine.travel(go_live, tick=False):
        assert client.get(meeting.get_absolute_url()).status_code == 200
        assert "Scheduled meeting" in html(client.get(list_url))
        assert Meeting.objects.published().filter(pk=meeting.pk).exists()


@pytest.mark.parametrize(
    ("factory_class", "list_name"),
    [(AgreementFactory, "agreement-list"), (StakeholderFactory, "stakeholder-list")],
    ids=["agreement", "stakeholder"],
)
def test_scheduled_records_are_invisible_until_their_time(client, factory_class, list_name):
    go_live = timezone.now() + dt.timedelta(hours=3)
    record = factory_class(publish_at=go_live)
    label = str(record.title if hasattr(record, "title") else record.name)
    with time_machine.travel(go_live - dt.timedelta(minutes=1), tick=False):
        assert client.get(record.get_absolute_url()).status_code == 404
        listing = client.get(reverse(f"dialogue:{list_name}"))
        assert listing.status_code == 200
        assert label not in html(listing)
    with time_machine.travel(go_live + dt.timedelta(minutes=1), tick=False):
        assert client.get(record.get_absolute_url()).status_code == 200
        assert label in html(client.get(reverse(f"dialogue:{list_name}")))


# Draft preview


@pytest.mark.parametrize("scheduled", [False, True], ids=["draft", "scheduled"])
def test_preview_is_marked_private_and_never_stored(client, staff_client, scheduled, settings):
    # The view itself says so, whatever caching middleware is installed in front of it.
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if "PageCache" not in name]
    meeting = MeetingFactory(title="Preview me", draft=not scheduled, scheduled=scheduled)
    response = staff_client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert "Draft preview" in html(response)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_published_pages_are_not_marked_as_previews(client, staff_client):
    meeting = MeetingFactory()
    response = staff_client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    assert meeting.title in html(response)
    assert "Draft preview" not in html(response)
    assert client.get(meeting.get_absolute_url()).status_code == 200


# Old slugs


DETAIL_FACTORIES = [
    (MeetingFactory, "meeting-detail"),
    (AgreementFactory, "agreement-detail"),
    (StakeholderFactory, "stakeholder-detail"),
    (PageFactory, "page-detail"),
]


def detail_url(name, slug, language):
    with translation.override(language):
        return reverse(f"dialogue:{name}", kwargs={"slug": slug})


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("factory_class", "name"), DETAIL_FACTORIES, ids=["meeting", "agreement", "stakeholder", "page"]
)
def test_an_old_slug_redirects_permanently_in_each_language(client, factory_class, name, language):
    record = factory_class(slug="old-address")
    record.slug = "new-address"
    record.save()

    response = client.get(detail_url(name, "old-address", language))

    assert response.status_code == 301
    assert response["Location"] == detail_url(name, "new-address", language)
    assert response["Location"].startswith(f"/{language}/")
    assert client.get(response["Location"]).status_code == 200


def test_a_slug_changed_in_the_admin_redirects(client, publisher_client):
    meeting = MeetingFactory(slug="first-meeting")
    data = open_form(publisher_client, change_url(meeting), "meeting")
    data["slug"] = "first-hled-meeting-2013"
    assert publisher_client.post(change_url(meeting), data).status_code == 302

    old = detail_url("meeting-detail", "first-meeting", "en")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == detail_url("meeting-detail", "first-hled-meeting-2013", "en")


def test_renaming_twice_and_back_keeps_every_old_link_working(client):
    meeting = MeetingFactory(slug="a")
    for slug in ("b", "c", "a"):
        meeting.slug = slug
        meeting.save()
    assert client.get(detail_url("meeting-detail", "a", "en")).status_code == 200
    for old in ("b", "c"):
        response = client.get(detail_url("meeting-detail", old, "en"))
        assert response["Location"] == detail_url("meeting-detail", "a", "en")
    assert not SlugRedirect.objects.filter(old_slug="a").exists()


def test_a_draft_never_seen_by_visitors_leaves_no_redirect(client):
    meeting = MeetingFactory(slug="working-title", draft=True)
    meeting.slug = "final-title"
    meeting.save()
    assert not SlugRedirect.objects.exists()
    assert client.get(detail_url("meeting-detail", "working-title", "en")).status_code == 404


def test_a_record_unpublished_then_renamed_redirects_once_live_again(client, staff_client):
    meeting = MeetingFactory(slug="first")
    meeting.publication_status = PublicationStatus.DRAFT
    meeting.save()
    meeting.slug = "renamed"
    meeting.save()
    old = detail_url("meeting-detail", "first", "en")

    # While it is a draft, the old address tells visitors nothing about the new one.
    assert client.get(old).status_code == 404
    assert staff_client.get(old).status_code == 301

    meeting.publication_status = PublicationStatus.PUBLISHED
    meeting.save()
    assert client.get(old)["Location"] == detail_url("meeting-detail", "renamed", "en")


def test_a_new_record_may_take_an_old_slug(client):
    old = MeetingFactory(slug="annual-meeting")
    old.slug = "annual-meeting-2013"
    old.save()
    new = MeetingFactory(slug="annual-meeting", title="The new one")
    response = client.get(new.get_absolute_url())
    assert response.status_code == 200
    assert "The new one" in html(response)


def test_unknown_slugs_are_still_404(client):
    assert client.get(detail_url("meeting-detail", "nothing-here", "en")).status_code == 404


# The dashboard


def make_dashboard_data(publisher_client):
    today = timezone.localdate()
    draft = MeetingFactory(title="Fourth meeting (draft)", draft=True)
    scheduled = AgreementFactory(
        title="Scheduled agreement", publish_at=timezone.now() + dt.timedelta(days=5)
    )
    long_ago = dt.date(2014, 1, 1)
    stale = AgreementFactory(
        title="Stale agreement", status=AgreementStatus.IMPLEMENTING, announced_on=long_ago
    )
    AgreementUpdateFactory(agreement=stale, date=today - dt.timedelta(days=400))
    # A draft update is no report: visitors still see the agreement as stale.
    AgreementUpdateFactory(agreement=stale, date=today - dt.timedelta(days=3), draft=True)
    never = AgreementFactory(title="Never updated agreement")
    fresh = AgreementFactory(
        title="Fresh agreement", status=AgreementStatus.IMPLEMENTING, announced_on=long_ago
    )
    AgreementUpdateFactory(agreement=fresh, date=today - dt.timedelta(days=400))
    AgreementUpdateFactory(agreement=fresh, date=today - dt.timedelta(days=30))
    done = AgreementFactory(title="Completed agreement", announced_on=long_ago)
    AgreementUpdateFactory(
        agreement=done, date=today - dt.timedelta(days=900), status="completed", progress=100
    )
    MeetingFactory(
        title="Overdue tentative meeting",
        status="tentative",
        start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC),
        date_precision="year",
    )
    changed = StakeholderFactory(name="Secretariat of Economy")
    data = open_form(publisher_client, change_url(changed), "stakeholder")
    data["acronym"] = "SE"
    assert publisher_client.post(change_url(changed), data).status_code == 302
    return {"draft": draft, "scheduled": scheduled, "stale": stale, "never": never}


def panel(html, panel_id):
    start = html.index(f'id="{panel_id}"')
    return html[start : html.index("</table>", start)]


def test_dashboard_shows_what_needs_attention(editor_client, publisher_client):
    records = make_dashboard_data(publisher_client)
    page = html(editor_client.get(reverse("admin:index")))

    drafts = panel(page, "panel-drafts")
    assert "Fourth meeting (draft)" in drafts
    assert change_url(records["draft"]) in drafts
    assert "Scheduled agreement" not in drafts

    scheduled = panel(page, "panel-scheduled")
    assert "Scheduled agreement" in scheduled
    assert timezone.localtime(records["scheduled"].publish_at).strftime("%Y-%m-%d %H:%M") in (
        scheduled
    )

    changes = panel(page, "panel-changes")
    assert "pat-publisher" in changes
    assert "Secretariat of Economy" in changes
    assert "Changed" in changes and "Acronym" in changes

    overdue = panel(page, "panel-overdue")
    assert "Overdue tentative meeting" in overdue and "2017-01-01" in overdue

    stale = panel(page, "panel-stale")
    assert "Stale agreement" in stale and "Never updated agreement" in stale
    assert "none yet" in stale
    assert "Fresh agreement" not in stale
    assert "Completed agreement" not in stale


def test_dashboard_query_count_does_not_grow_with_the_data(publisher_client):
    make_dashboard_data(publisher_client)
    url = reverse("admin:index")
    publisher_client.get(url)

    with CaptureQueriesContext(connection) as small:
        publisher_client.get(url)
    for _ in range(3):
        make_dashboard_data(publisher_client)
        MeetingFactory.create_batch(5, draft=True)
        AgreementFactory.create_batch(5, scheduled=True)
    with CaptureQueriesContext(connection) as large:
        response = publisher_client.get(url)

    assert len(large) == len(small)
    assert len(response.context["drafts"]["rows"]) == 10


def test_dashboard_is_not_shown_to_anonymous_visitors(client):
    assert sent_to_login(client.get(reverse("admin:index")))


def test_agenda_items_stay_editable_inside_a_draft_meeting(editor_client):
    meeting = MeetingFactory(draft=True)
    AgendaItemFactory(meeting=meeting, position=1, title="Old item")
    url = change_url(meeting)
    data = open_form(editor_client, url, "meeting")
    data["agenda_items-0-title_en"] = "Renamed item"
    assert editor_client.post(url, data).status_code == 302
    assert AgendaItem.objects.get(meeting=meeting).title_en == "Renamed item"


def test_superuser_is_not_limited_by_roles(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    client = logged_in(root)
    live = MeetingFactory()
    assert client.get(change_url(live)).context["has_change_permission"]
