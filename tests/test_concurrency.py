"""Two people editing one record: the second save is refused, with who and when, and the
second person's input is kept so they can merge by hand."""

import pytest
from django.urls import reverse

from dialogue.models import AgendaItem, Meeting

from .admin_forms import form_fields, open_form
from .conftest import change_url, html
from .factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    meeting = MeetingFactory(title="Second HLED meeting", draft=True)
    AgendaItemFactory(meeting=meeting, position=1, title="Trade facilitation")
    return meeting


def assert_refused(response, by):
    assert response.status_code == 200
    page = html(response)
    assert "Someone else changed this record since you opened it" in page
    assert f"This meeting was changed by {by} on" in page
    assert "Your changes were not saved" in page
    form = response.context["adminform"].form
    assert form.conflict["user"].username == by


def test_the_second_save_is_refused_and_keeps_its_input(publisher_client, editor_client, meeting):
    alice = open_form(publisher_client, change_url(meeting), "meeting")
    bob = open_form(editor_client, change_url(meeting), "meeting")

    alice["title_en"] = "Alice's title"
    assert publisher_client.post(change_url(meeting), alice).status_code == 302

    bob["title_en"] = "Bob's title"
    bob["agenda_items-0-title_en"] = "Bob's agenda item"
    response = editor_client.post(change_url(meeting), bob)

    assert_refused(response, by="pat-publisher")
    # Nothing of Bob's was saved …
    meeting.refresh_from_db()
    assert meeting.title_en == "Alice's title"
    assert AgendaItem.objects.get(meeting=meeting).title_en == "Trade facilitation"
    # … and all of it, inline input included, is still in the form.
    kept = form_fields(response, "meeting")
    assert kept["title_en"] == "Bob's title"
    assert kept["agenda_items-0-title_en"] == "Bob's agenda item"

    # After merging by hand, saving again is a deliberate overwrite and goes through.
    kept["title_en"] = "Alice's and Bob's title"
    assert editor_client.post(change_url(meeting), kept).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title_en == "Alice's and Bob's title"
    assert AgendaItem.objects.get(meeting=meeting).title_en == "Bob's agenda item"


def test_an_inline_only_change_counts_as_a_change(publisher_client, editor_client, meeting):
    alice = open_form(publisher_client, change_url(meeting), "meeting")
    bob = open_form(editor_client, change_url(meeting), "meeting")

    alice["agenda_items-0-title_en"] = "Border crossings"
    assert publisher_client.post(change_url(meeting), alice).status_code == 302

    bob["summary_en"] = "Bob's summary"
    assert_refused(editor_client.post(change_url(meeting), bob), by="pat-publisher")
    meeting.refresh_from_db()
    assert meeting.summary_en != "Bob's summary"


def test_a_part_changed_on_its_own_page_counts_too(publisher_client, editor_client, meeting):
    bob = open_form(editor_client, change_url(meeting), "meeting")
    item = meeting.agenda_items.get()
    alice = open_form(publisher_client, change_url(item), "agendaitem")
    alice["title_en"] = "Changed on the agenda item's own page"
    assert publisher_client.post(change_url(item), alice).status_code == 302

    bob["title_en"] = "Bob's title"
    assert_refused(editor_client.post(change_url(meeting), bob), by="pat-publisher")
    assert AgendaItem.objects.get().title_en == "Changed on the agenda item's own page"


def test_a_bulk_action_since_opening_counts_too(publisher_client, editor_client, meeting):
    bob = open_form(editor_client, change_url(meeting), "meeting")
    publisher_client.post(
        reverse("admin:dialogue_meeting_changelist"),
        {"action": "publish", "_selected_action": [meeting.pk]},
    )
    publisher_client.post(
        reverse("admin:dialogue_meeting_changelist"),
        {"action": "unpublish", "_selected_action": [meeting.pk]},
    )

    bob["title_en"] = "Bob's title"
    assert_refused(editor_client.post(change_url(meeting), bob), by="pat-publisher")


def test_the_same_person_in_two_tabs_is_warned_too(publisher_client, meeting):
    first_tab = open_form(publisher_client, change_url(meeting), "meeting")
    second_tab = open_form(publisher_client, change_url(meeting), "meeting")
    first_tab["title_en"] = "First tab"
    assert publisher_client.post(change_url(meeting), first_tab).status_code == 302
    second_tab["title_en"] = "Second tab"
    assert_refused(publisher_client.post(change_url(meeting), second_tab), by="pat-publisher")


def test_a_save_without_the_version_it_was_opened_at_is_refused(publisher_client, meeting):
    data = open_form(publisher_client, change_url(meeting), "meeting")
    del data["lock_version"]
    data["title_en"] = "From a form of unknown age"
    response = publisher_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "Your changes were not saved" in html(response)
    assert Meeting.objects.get(pk=meeting.pk).title_en == "Second HLED meeting"


def test_saves_one_after_the_other_are_not_conflicts(publisher_client, meeting):
    for title in ("One", "Two", "Three"):
        data = open_form(publisher_client, change_url(meeting), "meeting")
        data["title_en"] = title
        assert publisher_client.post(change_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title_en == "Three"


def test_every_save_raises_the_version(meeting):
    start = meeting.version
    meeting.save()
    meeting.save()
    assert Meeting.objects.get(pk=meeting.pk).version == start + 2
    # Whatever the saving code carries, the count goes on from the stored one.
    meeting.version = 1
    meeting.save()
    assert Meeting.objects.get(pk=meeting.pk).version == start + 3


def test_the_change_form_carries_the_version_once(publisher_client, meeting):
    page = html(publisher_client.get(change_url(meeting)))
    version = Meeting.objects.get(pk=meeting.pk).version
    assert page.count('name="lock_version"') == 1
    assert f'name="lock_version" value="{version}"' in page
