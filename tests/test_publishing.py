"""The publishing service and the conditional write: the rules hold for every writer, not
only for the admin's forms."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from dialogue import publishing
from dialogue.models import AgendaItem, Meeting, PublicationStatus, StaleWrite

from .factories import AgendaItemFactory, MeetingFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


class TestConditionalWrite:
    def test_a_stale_copy_is_refused_whoever_saves_it(self):
        meeting = MeetingFactory(title="Original")
        first = Meeting.objects.get(pk=meeting.pk)
        second = Meeting.objects.get(pk=meeting.pk)
        first.title = "First writer"
        first.save()

        second.title = "Second writer, from a stale copy"
        with pytest.raises(StaleWrite), transaction.atomic():
            second.save()

        stored = Meeting.objects.get(pk=meeting.pk)
        assert stored.title == "First writer"
        assert stored.version == meeting.version + 1

    def test_the_update_is_conditional_on_the_version_read(self):
        meeting = MeetingFactory()
        copy = Meeting.objects.get(pk=meeting.pk)
        with CaptureQueriesContext(connection) as queries:
            copy.save()
        update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
        assert f'"version" = {meeting.version}' in update
        assert copy.version == meeting.version + 1

    def test_a_fresh_copy_after_refresh_saves(self):
        meeting = MeetingFactory()
        stale = Meeting.objects.get(pk=meeting.pk)
        Meeting.objects.get(pk=meeting.pk).save()
        stale.refresh_from_db()
        stale.title = "After refresh"
        stale.save()
        assert Meeting.objects.get(pk=meeting.pk).title == "After refresh"

    def test_a_part_is_versioned_the_same_way(self):
        item = AgendaItemFactory(title="Item")
        stale = AgendaItem.objects.get(pk=item.pk)
        AgendaItem.objects.get(pk=item.pk).save()
        with pytest.raises(StaleWrite), transaction.atomic():
            stale.save()

    def test_raw_saves_count_on_from_the_stored_version(self, tmp_path):
        meeting = MeetingFactory(slug="raw-meeting", title="Before the fixture")
        stored = Meeting.objects.get(pk=meeting.pk).version
        fixture = tmp_path / "meeting.json"
        call_command("dumpdata", "dialogue.meeting", "--natural-primary", output=str(fixture))
        call_command("loaddata", str(fixture), verbosity=0)
        assert Meeting.objects.get(pk=meeting.pk).version == stored + 1


class TestService:
    def test_an_editor_saves_a_draft_but_may_not_publish_it(self, editor):
        meeting = MeetingFactory(title="Draft", draft=True)
        meeting.title = "Draft, edited"
        publishing.save(editor, meeting)
        assert Meeting.objects.get(pk=meeting.pk).title == "Draft, edited"

        meeting.publication_status = PublicationStatus.PUBLISHED
        with pytest.raises(publishing.Refused) as refused:
            publishing.save(editor, meeting)
        assert "Only a Publisher can publish" in str(refused.value)
        assert Meeting.objects.get(pk=meeting.pk).publication_status == PublicationStatus.DRAFT

        with pytest.raises(publishing.Refused):
            publishing.publish(editor, [Meeting.objects.get(pk=meeting.pk)])
        assert not Meeting.objects.public().filter(pk=meeting.pk).exists()

    def test_an_editor_may_not_change_a_published_record_or_its_parts(self, editor):
        meeting = MeetingFactory(title="Live")
        item = AgendaItemFactory(meeting=meeting, title="Live item")
        meeting.title = "Changed by an editor"
        with pytest.raises(publishing.Refused) as refused:
            publishing.save(editor, meeting)
        assert "is published" in str(refused.value)
        item.title = "Changed by an editor"
        with pytest.raises(publishing.Refused):
            publishing.save(editor, item)
        with pytest.raises(publishing.Refused):
            publishing.delete(editor, item)
        assert AgendaItem.objects.get(pk=item.pk).title == "Live item"
        assert Meeting.objects.get(pk=meeting.pk).title == "Live"

    def test_publish_and_unpublish_record_who_and_why(self, publisher):
        meetings = [MeetingFactory(draft=True), MeetingFactory(draft=True)]
        assert publishing.publish(publisher, meetings, comment="Ready") == 2
        assert Meeting.objects.public().count() == 2
        for meeting in meetings:
            version = Version.objects.get_for_object(meeting).first()
            assert version.revision.user == publisher
            assert version.revision.comment == "Ready"
        entries = LogEntry.objects.filter(user=publisher, action_flag=CHANGE)
        assert entries.count() == 2

        assert publishing.unpublish(publisher, meetings) == 2
        assert Meeting.objects.public().count() == 0
        # Drafts are not "unpublished" again.
        assert publishing.unpublish(publisher, meetings) == 0

    def test_schedule_makes_a_record_public_at_its_time(self, publisher):
        import datetime as dt

        import time_machine
        from django.utils import timezone

        meeting = MeetingFactory(draft=True)
        at = timezone.now() + dt.timedelta(hours=2)
        publishing.schedule(publisher, [meeting], at)
        assert not Meeting.objects.public().filter(pk=meeting.pk).exists()
        with time_machine.travel(at + dt.timedelta(seconds=1)):
            assert Meeting.objects.public().filter(pk=meeting.pk).exists()
        with pytest.raises(ValueError):
            publishing.schedule(publisher, [meeting], dt.datetime(2030, 1, 1))

    def test_a_part_saved_on_its_own_raises_its_meeting_version(self, publisher):
        meeting = MeetingFactory(draft=True)
        item = AgendaItemFactory(meeting=meeting)
        before = Meeting.objects.get(pk=meeting.pk).version
        item.title = "Changed"
        publishing.save(publisher, item)
        assert Meeting.objects.get(pk=meeting.pk).version == before + 1

    def test_a_save_based_on_an_old_version_is_refused(self, publisher):
        meeting = MeetingFactory(draft=True)
        opened_at = meeting.version
        Meeting.objects.get(pk=meeting.pk).save()  # someone else saves
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.title = "Based on what I opened"
        with pytest.raises(StaleWrite):
            publishing.save(publisher, copy, based_on=opened_at)
        assert Meeting.objects.get(pk=meeting.pk).title != "Based on what I opened"

    def test_restore_brings_back_a_version_with_its_parts(self, publisher):
        meeting = MeetingFactory(title="Version one", draft=True)
        AgendaItemFactory(meeting=meeting, position=1, title="Kept item")
        publishing.keep_baselines([meeting])
        first = Version.objects.get_for_object(meeting).get()
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.title = "Version two"
        publishing.save(publisher, meeting)
        AgendaItemFactory(meeting=meeting, position=2, title="Added later")

        restored = publishing.restore(publisher, first)

        assert restored.title == "Version one"
        assert list(meeting.agenda_items.values_list("title_en", flat=True)) == ["Kept item"]

    def test_an_editor_restores_content_but_not_publication(self, editor, publisher):
        meeting = MeetingFactory(title="Published title")
        publishing.keep_baselines([meeting])
        published_version = Version.objects.get_for_object(meeting).get()
        publishing.unpublish(publisher, [meeting])
        draft = Meeting.objects.get(pk=meeting.pk)
        draft.title = "Edited draft"
        publishing.save(editor, draft)

        publishing.restore(editor, published_version)

        stored = Meeting.objects.get(pk=meeting.pk)
        assert stored.title == "Published title"
        assert stored.publication_status == PublicationStatus.DRAFT

    def test_deleting_keeps_the_last_state_for_recovery(self, publisher):
        stakeholder = StakeholderFactory(name="Short-lived agency", draft=True)
        pk = stakeholder.pk
        publishing.delete(publisher, stakeholder)
        assert not type(stakeholder).objects.filter(pk=pk).exists()
        deleted = Version.objects.get_deleted(type(stakeholder))
        assert [v.field_dict["name_en"] for v in deleted] == ["Short-lived agency"]
