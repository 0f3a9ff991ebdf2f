"""History: every change is versioned with who and when; versions are compared field by
field, restored with their parts, and deleted records are recovered."""

import pytest
from django.urls import reverse
from reversion.models import Version

from dialogue.models import AgendaItem, Agreement, Meeting, PublicationStatus

from .admin_forms import open_form
from .conftest import change_url, html
from .factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def history_url(obj):
    return reverse(f"admin:dialogue_{obj._meta.model_name}_history", args=[obj.pk])


def revision_url(obj, version):
    return reverse(f"admin:dialogue_{obj._meta.model_name}_revision", args=[obj.pk, version.pk])


def versions_of(obj):
    """Oldest first."""
    return list(Version.objects.get_for_object(obj).select_related("revision").order_by("pk"))


def agenda(meeting):
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", "title_en")
    )


@pytest.fixture
def meeting_with_agenda():
    meeting = MeetingFactory(title="Second HLED meeting", city="Washington", draft=True)
    AgendaItemFactory(meeting=meeting, position=1, title="Trade facilitation")
    AgendaItemFactory(meeting=meeting, position=2, title="Energy cooperation")
    return meeting


def edit_meeting_and_agenda(client, meeting):
    """Rename the meeting and its first item, remove the second item, add a third."""
    data = open_form(client, change_url(meeting), "meeting")
    data.update(
        {
            "title_en": "Second HLED meeting in Washington",
            "agenda_items-0-title_en": "Trade facilitation and border crossings",
            "agenda_items-1-DELETE": "on",
            "agenda_items-TOTAL_FORMS": "3",
            "agenda_items-2-position": "3",
            "agenda_items-2-title_en": "Higher education",
        }
    )
    response = client.post(change_url(meeting), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def restore(client, obj, version, **extra):
    url = revision_url(obj, version)
    data = open_form(client, url, obj._meta.model_name)
    return client.post(url, data, **extra)


# Every change is recorded


def test_a_change_records_who_when_and_the_state_before(publisher_client, publisher):
    meeting = MeetingFactory(title="Loaded from the fixture", draft=True)
    data = open_form(publisher_client, change_url(meeting), "meeting")
    data["title_en"] = "Edited in the admin"
    publisher_client.post(change_url(meeting), data)

    before, after = versions_of(meeting)
    # The state the record had before its first change in the admin is kept too.
    assert before.field_dict["title_en"] == "Loaded from the fixture"
    assert after.field_dict["title_en"] == "Edited in the admin"
    assert after.revision.user == publisher
    assert "Title [en]" in after.revision.get_comment()

    page = html(publisher_client.get(history_url(meeting)))
    assert "pat-publisher" in page
    assert page.index("Edited") < page.index("before the first change")  # newest first


def test_inline_changes_are_part_of_the_meeting_history(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    edit_meeting_and_agenda(publisher_client, meeting)

    latest = versions_of(meeting)[-1]
    items = {
        version.field_dict["title_en"]
        for version in latest.revision.version_set.all()
        if version.content_type.model == "agendaitem"
    }
    assert items == {"Trade facilitation and border crossings", "Higher education"}


def test_a_part_changed_on_its_own_page_is_recorded_on_its_meeting(
    editor_client, meeting_with_agenda
):
    meeting = meeting_with_agenda
    item = meeting.agenda_items.get(position=2)
    data = open_form(editor_client, change_url(item), "agendaitem")
    data["title_en"] = "Energy and climate"
    assert editor_client.post(change_url(item), data).status_code == 302

    latest = versions_of(meeting)[-1]
    assert latest.revision.user.username == "erin-editor"
    titles = {
        version.field_dict["title_en"]
        for version in latest.revision.version_set.all()
        if version.content_type.model == "agendaitem"
    }
    assert "Energy and climate" in titles


def test_bulk_publication_is_recorded_for_each_record(publisher_client, publisher):
    drafts = MeetingFactory.create_batch(2, draft=True)
    publisher_client.post(
        reverse("admin:dialogue_meeting_changelist"),
        {"action": "publish", "_selected_action": [m.pk for m in drafts]},
    )
    for meeting in drafts:
        before, after = versions_of(meeting)
        assert before.field_dict["publication_status"] == "draft"
        assert after.field_dict["publication_status"] == "published"
        assert after.revision.user == publisher
        assert "Publish" in after.revision.get_comment()


# Compare two versions


def test_compare_shows_every_changed_field_old_and_new(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    edit_meeting_and_agenda(publisher_client, meeting)
    before, after = versions_of(meeting)

    history = html(publisher_client.get(history_url(meeting)))
    assert f'name="from" value="{before.pk}"' in history
    assert f'name="to" value="{after.pk}"' in history

    url = reverse("admin:dialogue_meeting_compare", args=[meeting.pk])
    response = publisher_client.get(url, {"from": after.pk, "to": before.pk})
    assert response.status_code == 200
    changes = response.context["changes"]

    fields = {row["label"]: (str(row["old"]), str(row["new"])) for row in changes["fields"]}
    assert list(fields) == ["Title [en]"]  # nothing else changed
    old, new = fields["Title [en]"]
    assert old == "Second HLED meeting"
    assert new == "Second HLED meeting<ins> in Washington</ins>"

    (agenda_part,) = changes["parts"]
    assert agenda_part["label"] == "Agenda items"
    rows = {(row["change"], row["label"]) for row in agenda_part["rows"]}
    assert ("removed", "2. Energy cooperation") in rows
    assert ("added", "3. Higher education") in rows
    (changed,) = [row for row in agenda_part["rows"] if row["change"] == "changed"]
    assert [field["label"] for field in changed["fields"]] == ["Title [en]"]

    page = html(response)
    assert "<del>removed</del>" in page and "<ins>added</ins>" in page
    assert "border crossings" in page


def test_compare_needs_two_different_versions(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    edit_meeting_and_agenda(publisher_client, meeting)
    (version, *_) = versions_of(meeting)
    url = reverse("admin:dialogue_meeting_compare", args=[meeting.pk])
    response = publisher_client.get(url, {"from": version.pk, "to": version.pk})
    assert response.status_code == 302
    assert response["Location"] == history_url(meeting)
    # A version of another record is no version of this one.
    other = AgreementFactory(draft=True)
    publisher_client.post(
        change_url(other), open_form(publisher_client, change_url(other), "agreement")
    )
    foreign = versions_of(other)[0]
    response = publisher_client.get(url, {"from": version.pk, "to": foreign.pk})
    assert response.status_code == 302


def test_compare_shows_agreement_parties_and_translations(publisher_client):
    agreement = AgreementFactory(title="Air transport agreement", draft=True)
    AgreementPartyFactory(agreement=agreement, capacity="Secretary")
    data = open_form(publisher_client, change_url(agreement), "agreement")
    data.update({"title_es": "Acuerdo de transporte aéreo", "parties-0-capacity_en": "Minister"})
    assert publisher_client.post(change_url(agreement), data).status_code == 302
    before, after = versions_of(agreement)

    url = reverse("admin:dialogue_agreement_compare", args=[agreement.pk])
    changes = publisher_client.get(url, {"from": before.pk, "to": after.pk}).context["changes"]

    fields = {row["label"]: row for row in changes["fields"]}
    assert fields["Title [es]"]["old"] == "" and fields["Title [es]"]["new"] == (
        "Acuerdo de transporte aéreo"
    )
    parties = next(part for part in changes["parts"] if part["rows"])
    (row,) = parties["rows"]
    capacity = next(f for f in row["fields"] if "Minister" in str(f["new"]))
    assert "Secretary" in str(capacity["old"])


def test_an_update_has_its_own_history_with_its_evidence(publisher_client):
    update = AgreementUpdateFactory(title="Signed", progress=40, draft=True)
    data = open_form(publisher_client, change_url(update), "agreementupdate")
    data.update(
        {"progress": "60", "evidence-0-title_en": "Text", "evidence-0-url": "https://example.org/t"}
    )
    assert publisher_client.post(change_url(update), data).status_code == 302
    before, after = versions_of(update)
    url = reverse("admin:dialogue_agreementupdate_compare", args=[update.pk])
    changes = publisher_client.get(url, {"from": before.pk, "to": after.pk}).context["changes"]
    fields = {row["label"]: row for row in changes["fields"]}
    assert (fields["Overall progress"]["old"], fields["Overall progress"]["new"]) == ("40", "60")
    (evidence,) = changes["parts"]
    assert evidence["rows"], "the evidence added is part of the update's version"


# Restore


def test_restoring_a_version_restores_its_agenda_items(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    edit_meeting_and_agenda(publisher_client, meeting)
    assert agenda(meeting) == [
        (1, "Trade facilitation and border crossings"),
        (3, "Higher education"),
    ]
    original = versions_of(meeting)[0]

    response = restore(publisher_client, meeting, original)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title_en == "Second HLED meeting"
    assert agenda(meeting) == [(1, "Trade facilitation"), (2, "Energy cooperation")]
    latest = versions_of(meeting)[-1]
    assert "Reverted to previous version" in latest.revision.get_comment()


def test_restoring_in_the_spanish_admin_keeps_both_languages(publisher_client):
    meeting = MeetingFactory(title="First meeting", draft=True)
    meeting.title_es = "Primera reunión"
    meeting.save()
    data = open_form(publisher_client, change_url(meeting), "meeting")
    data.update(title_en="Changed", title_es="Cambiado")
    publisher_client.post(change_url(meeting), data)

    response = restore(
        publisher_client, meeting, versions_of(meeting)[0], HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.title_en, meeting.title_es) == ("First meeting", "Primera reunión")


def test_an_editor_restores_content_but_not_publication(editor_client, publisher_client):
    meeting = MeetingFactory(title="Published title")  # live
    data = open_form(publisher_client, change_url(meeting), "meeting")
    data.update(publication_status="draft", title_en="Unpublished for edits")
    publisher_client.post(change_url(meeting), data)
    published_version = versions_of(meeting)[0]
    assert published_version.field_dict["publication_status"] == "published"

    page = editor_client.get(revision_url(meeting, published_version))
    assert "publication settings are not restored" in html(page)
    response = restore(editor_client, meeting, published_version)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title_en == "Published title"
    assert meeting.publication_status == PublicationStatus.DRAFT


def test_an_editor_cannot_restore_over_a_live_record(editor_client, publisher_client):
    meeting = MeetingFactory(title="Live title")
    data = open_form(publisher_client, change_url(meeting), "meeting")
    data["title_en"] = "Live title, corrected"
    publisher_client.post(change_url(meeting), data)
    url = revision_url(meeting, versions_of(meeting)[0])

    page = editor_client.get(url)
    response = editor_client.post(url, open_form(publisher_client, url, "meeting"))

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.title_en == "Live title, corrected"


def test_restore_moves_the_version_counter_forward(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    edit_meeting_and_agenda(publisher_client, meeting)
    before = Meeting.objects.get(pk=meeting.pk).version
    restore(publisher_client, meeting, versions_of(meeting)[0])
    assert Meeting.objects.get(pk=meeting.pk).version > before


# Recover deleted records


def test_a_deleted_meeting_is_recovered_with_its_agenda(publisher_client, meeting_with_agenda):
    meeting = meeting_with_agenda
    meeting_id = meeting.pk
    response = publisher_client.post(
        reverse("admin:dialogue_meeting_delete", args=[meeting.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting_id).exists()
    assert not AgendaItem.objects.exists()

    recover_list = publisher_client.get(reverse("admin:dialogue_meeting_recoverlist"))
    assert "Second HLED meeting" in html(recover_list)
    deleted = Version.objects.get_deleted(Meeting).get()
    url = reverse("admin:dialogue_meeting_recover", args=[deleted.pk])
    data = open_form(publisher_client, url, "meeting")
    response = publisher_client.post(url, data)

    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=meeting_id)
    assert meeting.title_en == "Second HLED meeting"
    assert agenda(meeting) == [(1, "Trade facilitation"), (2, "Energy cooperation")]


def test_a_deleted_record_with_sub_items_is_recovered(publisher_client):
    meeting = MeetingFactory(draft=True)
    parent = AgendaItemFactory(meeting=meeting, position=1, title="Border")
    AgendaItem.objects.create(meeting=meeting, position=2, title="Crossings", parent=parent)
    publisher_client.post(
        reverse("admin:dialogue_meeting_delete", args=[meeting.pk]), {"post": "yes"}
    )
    deleted = Version.objects.get_deleted(Meeting).get()
    url = reverse("admin:dialogue_meeting_recover", args=[deleted.pk])

    response = publisher_client.post(url, open_form(publisher_client, url, "meeting"))

    assert response.status_code == 302
    child = AgendaItem.objects.get(position=2)
    assert child.parent.title_en == "Border"


def test_an_editor_recovers_a_published_record_as_a_draft(editor_client, publisher_client, client):
    agreement = AgreementFactory(title="Trusted trader programs")
    publisher_client.post(
        reverse("admin:dialogue_agreement_delete", args=[agreement.pk]), {"post": "yes"}
    )
    deleted = Version.objects.get_deleted(Agreement).get()
    url = reverse("admin:dialogue_agreement_recover", args=[deleted.pk])

    assert "comes back as a draft" in html(editor_client.get(url))
    response = editor_client.post(url, open_form(editor_client, url, "agreement"))

    assert response.status_code == 302
    recovered = Agreement.objects.get(pk=agreement.pk)
    assert recovered.publication_status == PublicationStatus.DRAFT
    assert client.get(recovered.get_absolute_url()).status_code == 404


def test_a_deleted_part_comes_back_when_its_meeting_is_restored(
    publisher_client, meeting_with_agenda
):
    meeting = meeting_with_agenda
    item = meeting.agenda_items.get(position=2)
    response = publisher_client.post(
        reverse("admin:dialogue_agendaitem_delete", args=[item.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert agenda(meeting) == [(1, "Trade facilitation")]

    before_deletion = versions_of(meeting)[0]
    assert restore(publisher_client, meeting, before_deletion).status_code == 302
    assert agenda(meeting) == [(1, "Trade facilitation"), (2, "Energy cooperation")]


def test_an_editable_list_column_change_is_recorded(publisher_client, publisher):
    from .factories import KeyFigureFactory

    figure = KeyFigureFactory(order=1)
    response = publisher_client.post(
        reverse("admin:dialogue_keyfigure_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(figure.pk),
            "form-0-order": "5",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    before, after = versions_of(figure)
    assert (before.field_dict["order"], after.field_dict["order"]) == (1, 5)
    assert after.revision.user == publisher
