"""Moderation in the admin: the Moderator role, the queue, states, bulk actions, answers, the
CSV export, email addresses behind their own permission, versions; and the retention command."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from consultations.admin import safe_cell
from consultations.models import Submission
from dialogue import publishing
from tests import factories as f

from .admin_forms import logged_in, role_user
from .conftest import change_url, changelist_url, html

pytestmark = pytest.mark.django_db


def stored(submission):
    return Submission.objects.get(pk=submission.pk)


def action(client, name, submissions, **extra):
    data = {
        "action": name,
        "_selected_action": [str(s.pk) for s in submissions],
        **extra,
    }
    return client.post(changelist_url(Submission), data)


def change_data(submission, **changes):
    data = {
        "lock_version": submission.version,
        "state": submission.state,
        "decline_reason": submission.decline_reason,
        "merged_into": submission.merged_into_id or "",
        "staff_notes": submission.staff_notes,
        "answer_en": submission.answer_en or "",
        "answer_es": submission.answer_es or "",
        "agenda_items": [item.pk for item in submission.agenda_items.all()],
    }
    if submission.answered_at:
        data["publish_answer"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestRole:
    def test_the_moderator_role_is_a_group_with_the_moderation_permissions(self):
        codes = set(
            Group.objects.get(name="Moderator").permissions.values_list("codename", flat=True)
        )
        assert {"view_submission", "change_submission", "moderate_submission"} <= codes
        assert "view_sender_email" not in codes
        assert "publish_consultation" not in codes
        publisher = set(
            Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True)
        )
        assert "publish_consultation" in publisher and "view_submission" not in publisher

    def test_an_editor_cannot_moderate_through_the_service(self, editor):
        submission = f.SubmissionFactory(state="received")
        with pytest.raises(publishing.Refused):
            publishing.moderate(editor, [submission], "accepted")
        assert stored(submission).state == "received"

    def test_an_editor_does_not_see_the_queue(self, editor_client):
        f.SubmissionFactory(state="received")
        assert editor_client.get(changelist_url(Submission)).status_code == 403


class TestQueue:
    def test_the_queue_shows_confirmed_input_only_with_its_flags(self, moderator_client):
        f.SubmissionFactory(state="unconfirmed", title="Unconfirmed one")
        f.SubmissionFactory(state="received", title="Fresh one", proof_of_work=False)
        f.SubmissionFactory(state="in-review", title="Linky one", many_links=True)
        page = html(moderator_client.get(changelist_url(Submission)))
        assert "Fresh one" in page and "Linky one" in page
        assert "Unconfirmed one" not in page
        assert "no proof of work" in page and "many links" in page
        flagged = html(moderator_client.get(changelist_url(Submission) + "?flag=links"))
        assert "Linky one" in flagged and "Fresh one" not in flagged

    @pytest.mark.parametrize(
        ("query", "shown", "hidden"),
        [
            ("?state__exact=received", "Received one", "Spam one"),
            ("?country__exact=MX", "Received one", "Spam one"),
            ("?language__exact=es", "Spam one", "Received one"),
            ("?sender_kind__exact=company", "Spam one", "Received one"),
        ],
    )
    def test_filters(self, moderator_client, query, shown, hidden):
        f.SubmissionFactory(state="received", title="Received one", country="MX",
                            language="en", sender_kind="university")  # fmt: skip
        f.SubmissionFactory(state="spam", title="Spam one", country="US", language="es",
                            sender_kind="company")  # fmt: skip
        page = html(moderator_client.get(changelist_url(Submission) + query))
        assert shown in page and hidden not in page

    def test_email_addresses_need_their_own_permission(self, moderator, moderator_client):
        submission = f.SubmissionFactory(state="received", email="private.sender@example.org")
        page = html(moderator_client.get(change_url(submission)))
        assert submission.name in page
        assert "private.sender@example.org" not in page
        found = html(moderator_client.get(changelist_url(Submission) + "?q=private.sender"))
        assert submission.reference not in found  # not searchable either
        moderator.user_permissions.add(Permission.objects.get(codename="view_sender_email"))
        client = logged_in(moderator)
        assert "private.sender@example.org" in html(client.get(change_url(submission)))

    def test_the_queue_query_count_does_not_grow(
        self, moderator_client, django_assert_max_num_queries
    ):
        f.SubmissionFactory.create_batch(3, state="received")
        with django_assert_max_num_queries(20) as small:
            moderator_client.get(changelist_url(Submission))
        f.SubmissionFactory.create_batch(40, state="received")
        with django_assert_max_num_queries(len(small)):
            moderator_client.get(changelist_url(Submission))


class TestStates:
    def test_bulk_actions_move_submissions_and_keep_versions(
        self, moderator_client, django_capture_on_commit_callbacks
    ):
        submissions = f.SubmissionFactory.create_batch(2, state="received")
        action(moderator_client, "mark_in_review", submissions)
        assert {stored(s).state for s in submissions} == {"in-review"}
        with django_capture_on_commit_callbacks(execute=True):
            action(moderator_client, "accept", submissions)
        for submission in submissions:
            assert stored(submission).state == "accepted"
            assert stored(submission).state_changed_at is not None
            comments = [v.revision.comment for v in Version.objects.get_for_object(submission)]
            assert "Moved to “Accepted”." in comments and "Moved to “In review”." in comments
        assert len(mail.outbox) == 2  # "your submission is published"
        assert "published" in mail.outbox[0].subject

    def test_declining_asks_for_a_reason_and_sends_it(
        self, moderator_client, django_capture_on_commit_callbacks
    ):
        submission = f.SubmissionFactory(state="in-review", email="s@example.org")
        page = action(moderator_client, "decline", [submission])
        assert "Reason, sent to the senders" in html(page)
        assert stored(submission).state == "in-review"
        with django_capture_on_commit_callbacks(execute=True):
            action(moderator_client, "decline", [submission], apply="1",
                   reason="It is about a topic outside the dialogue.")  # fmt: skip
        submission = stored(submission)
        assert submission.state == "declined"
        assert submission.decline_reason == "It is about a topic outside the dialogue."
        (message,) = mail.outbox
        assert "It is about a topic outside the dialogue." in message.body

    def test_merging_into_another_of_the_same_consultation(self, moderator_client):
        target = f.SubmissionFactory(state="accepted")
        duplicate = f.SubmissionFactory(state="received", consultation=target.consultation)
        elsewhere = f.SubmissionFactory(state="received")
        action(moderator_client, "merge", [duplicate], apply="1", target=target.reference)
        assert stored(duplicate).state == "merged" and stored(duplicate).merged_into == target
        response = action(moderator_client, "merge", [elsewhere], apply="1",
                          target=target.reference)  # fmt: skip
        assert response.status_code == 302
        assert stored(elsewhere).state == "received"  # refused: another consultation

    def test_a_refused_bulk_action_changes_none(self, moderator):
        fine = f.SubmissionFactory(state="received")
        withdrawn = f.SubmissionFactory(state="withdrawn")
        with pytest.raises(publishing.Refused):
            publishing.moderate(moderator, [fine, withdrawn], "spam")
        assert stored(fine).state == "received"

    def test_declining_without_a_reason_is_refused(self, moderator):
        submission = f.SubmissionFactory(state="received")
        with pytest.raises(publishing.Refused):
            publishing.moderate(moderator, [submission], "declined", reason="  ")


class TestAnswer:
    def test_a_moderator_answers_in_both_languages_and_links_agenda_items(
        self, moderator_client, django_capture_on_commit_callbacks
    ):
        item = f.AgendaItemFactory(title="Modern borders")
        submission = f.SubmissionFactory(state="accepted")
        data = change_data(
            submission,
            answer_en="The co-chairs put border waits on the agenda.",
            answer_es="Los copresidentes incluyeron las esperas en la frontera.",
            publish_answer="on",
            agenda_items=[item.pk],
            staff_notes="Discussed with the border working group.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = moderator_client.post(change_url(submission), data)
        assert response.status_code == 302, html(response)[:3000]
        submission = stored(submission)
        assert submission.answered_at is not None
        assert list(submission.agenda_items.all()) == [item]
        (message,) = mail.outbox
        assert "official answer" in message.subject
        assert "The co-chairs put border waits on the agenda." in message.body
        public = html(self_client().get(submission.get_absolute_url()))
        assert "The co-chairs put border waits on the agenda." in public
        assert "Modern borders" in public
        assert "Discussed with the border working group." not in public

    def test_only_an_accepted_submission_can_be_answered(self, moderator_client):
        submission = f.SubmissionFactory(state="in-review")
        data = change_data(submission, answer_en="An answer", publish_answer="on")
        response = moderator_client.post(change_url(submission), data)
        assert response.status_code == 200
        assert "Only an accepted submission can be answered." in html(response)
        assert stored(submission).answered_at is None

    def test_an_outdated_form_is_refused(self, moderator_client, moderator):
        submission = f.SubmissionFactory(state="received")
        data = change_data(submission, state="accepted")
        publishing.moderate(moderator, [stored(submission)], "in-review")
        response = moderator_client.post(change_url(submission), data)
        assert response.status_code == 200
        assert "after you opened it" in html(response)
        assert stored(submission).state == "in-review"


def self_client():
    from django.test import Client

    return Client()


class TestExport:
    def test_csv_is_formula_safe_and_has_emails_only_with_the_permission(
        self, moderator, moderator_client
    ):
        submission = f.SubmissionFactory(
            state="received", title="=HYPERLINK(\"http://evil\")", text="+1 call now",
            email="x@example.org", organization="@org",
        )  # fmt: skip
        response = action(moderator_client, "export_csv", [submission])
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        header, row = rows
        record = dict(zip(header, row, strict=True))
        assert record["title"] == '\'=HYPERLINK("http://evil")'
        assert record["text"] == "'+1 call now" and record["organization"] == "'@org"
        assert "email" not in header and "x@example.org" not in row
        moderator.user_permissions.add(Permission.objects.get(codename="view_sender_email"))
        response = action(logged_in(moderator), "export_csv", [submission])
        assert "x@example.org" in b"".join(response.streaming_content).decode()

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain")],
    )
    def test_safe_cell(self, value, expected):
        assert safe_cell(value) == expected


class TestRetention:
    def test_names_and_emails_are_erased_after_the_retention_period(self, capsys):
        consultation = f.ConsultationFactory(answered=True)
        old = f.SubmissionFactory(consultation=consultation, name="Ana", email="a@example.org")
        recent = f.SubmissionFactory(consultation=f.ConsultationFactory(closed=True))
        with time_machine.travel(dt.timedelta(days=181)):
            call_command("erase_personal_data")
        assert "Erased the names and email addresses of 1 submission" in capsys.readouterr().out
        old, recent = stored(old), stored(recent)
        assert (old.name, old.email) == ("", "") and old.erased_at is not None
        assert old.title and old.state == "accepted"  # the submission itself stays public
        assert recent.name and recent.email

    def test_expired_unconfirmed_submissions_are_deleted(self):
        f.SubmissionFactory(state="unconfirmed")
        kept = f.SubmissionFactory(state="received")
        with time_machine.travel(dt.timedelta(hours=49)):
            call_command("erase_personal_data", verbosity=0)
        assert list(Submission.objects.all()) == [kept]

    def test_dry_run_changes_nothing(self, capsys):
        submission = f.SubmissionFactory(consultation=f.ConsultationFactory(answered=True))
        call_command("erase_personal_data", "--days", "0", "--dry-run")
        assert "Would erase" in capsys.readouterr().out
        assert stored(submission).email


def test_a_consultation_is_drafted_by_an_editor_and_published_by_a_publisher(
    editor_client, publisher
):
    consultation = f.ConsultationFactory(draft=True)
    response = editor_client.get(change_url(consultation))
    assert response.status_code == 200
    assert "A Publisher publishes or schedules it" in html(response)
    publishing.publish(publisher, [consultation])
    assert consultation.is_public


def test_the_moderator_account_reaches_the_queue(django_user_model):
    user = role_user(django_user_model, "mod2", "Moderator")
    client = logged_in(user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(changelist_url(Submission)).status_code == 200
