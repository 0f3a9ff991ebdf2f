"""The audit log: logins and failures, publish / unpublish / schedule, restores, deletions, role
changes and exports of personal data — who, what, when, from which address — whoever the
writer (admin, publishing service, management command); visible to superusers only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue import publishing
from dialogue.models import Meeting
from security import audit
from security.models import AuditEvent
from tests.admin_forms import open_form
from tests.factories import MeetingFactory, StakeholderFactory
from tests.test_history import restore, versions_of

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
ADDRESS = "198.51.100.23"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def client_for(user, address=ADDRESS):
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def test_logins_and_failures_with_address(django_user_model):
    django_user_model.objects.create_user("ana", password="secret-secret", is_staff=True)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(reverse("admin:login"), {"username": "ana", "password": "wrong"})
    client.post(reverse("admin:login"), {"username": "ana", "password": "secret-secret"})
    client.post(reverse("admin:logout"))
    failed, login, logout = (
        events(Action.LOGIN_FAILED),
        events(Action.LOGIN),
        events(Action.LOGOUT),
    )
    assert [(e.username, e.address, e.user) for e in failed] == [("ana", ADDRESS, None)]
    assert [(e.username, e.address) for e in login] == [("ana", ADDRESS)]
    assert login[0].user.username == "ana" and login[0].at <= timezone.now()
    assert [e.username for e in logout] == ["ana"]


def test_bulk_publish_and_unpublish_in_the_admin(publisher):
    meetings = [MeetingFactory(draft=True), MeetingFactory(draft=True)]
    client = client_for(publisher)
    changelist = reverse("admin:dialogue_meeting_changelist")
    ids = [m.pk for m in meetings]
    client.post(changelist, {"action": "publish", "_selected_action": ids})
    published = events(Action.PUBLISH)
    assert sorted(int(e.object_id) for e in published) == sorted(ids)
    assert {(e.username, e.address, e.object_type) for e in published} == {
        ("pat-publisher", ADDRESS, "dialogue.Meeting")
    }
    client.post(changelist, {"action": "unpublish", "_selected_action": ids[:1]})
    assert [int(e.object_id) for e in events(Action.UNPUBLISH)] == ids[:1]


def test_scheduling_in_the_change_form(publisher):
    meeting = MeetingFactory(draft=True)
    client = client_for(publisher)
    url = reverse("admin:dialogue_meeting_change", args=[meeting.pk])
    go_live = timezone.now() + dt.timedelta(days=3)
    data = open_form(client, url, "meeting")
    data.update(
        publication_status="published",
        publish_at_0=f"{go_live:%Y-%m-%d}",
        publish_at_1=f"{go_live:%H:%M:%S}",
    )
    assert client.post(url, data).status_code == 302
    (event,) = events(Action.SCHEDULE)
    assert event.object_repr == str(meeting) and event.address == ADDRESS
    assert "publish_at=" in event.detail
    assert not events(Action.PUBLISH)


def test_every_writer_is_audited_through_the_service(publisher):
    """A writer other than the admin (an import, a command) calls the service: audited too,
    without an address outside a request."""
    stakeholder = StakeholderFactory(draft=True)
    publishing.publish(publisher, [stakeholder])
    publishing.schedule(publisher, [stakeholder], timezone.now() + dt.timedelta(hours=1))
    publishing.unpublish(publisher, [stakeholder])
    publishing.delete(publisher, stakeholder)
    actions = list(
        AuditEvent.objects.exclude(action=Action.ROLE)  # the fixture's own role
        .order_by("id")
        .values_list("action", "username", "address")
    )
    assert actions == [
        (Action.PUBLISH, "pat-publisher", None),
        (Action.SCHEDULE, "pat-publisher", None),
        (Action.UNPUBLISH, "pat-publisher", None),
        (Action.DELETE, "pat-publisher", None),
    ]


def test_a_refused_write_leaves_no_trace(editor):
    meeting = MeetingFactory(draft=True)
    with pytest.raises(publishing.Refused):
        publishing.publish(editor, [meeting])
    assert not AuditEvent.objects.exclude(action=Action.ROLE).exists()


def test_restores_are_audited(publisher):
    meeting = MeetingFactory(title="Before", draft=True)
    client = client_for(publisher)
    url = reverse("admin:dialogue_meeting_change", args=[meeting.pk])
    data = open_form(client, url, "meeting")
    data["title_en"] = "After"
    client.post(url, data)
    assert restore(client, meeting, versions_of(meeting)[0]).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title_en == "Before"
    (event,) = events(Action.RESTORE)
    assert (event.object_id, event.username, event.address) == (
        str(meeting.pk),
        "pat-publisher",
        ADDRESS,
    )
    publishing.restore(publisher, versions_of(meeting)[0])
    assert len(events(Action.RESTORE)) == 2


def test_role_and_access_changes_in_the_admin(django_user_model, editor):
    root = django_user_model.objects.create_superuser("root", password="root-password-1")
    client = client_for(root)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    data = open_form(client, url, "user")
    data["groups"] = [str(Group.objects.get(name="Publisher").pk)]
    data["is_superuser"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    details = [(e.object_repr, e.detail, e.username, e.address) for e in events(Action.ROLE)]
    assert ("erin-editor", "is_superuser: False → True", "root", ADDRESS) in details
    assert ("erin-editor", "added: Publisher", "root", ADDRESS) in details
    assert ("erin-editor", "removed: Editor", "root", ADDRESS) in details


def test_role_changes_by_command_and_password_changes(django_user_model, capsys):
    user = django_user_model.objects.create_user("luis", password="luis-password-1")
    call_command("assign_role", "luis", "publisher")
    details = [e.detail for e in events(Action.ROLE)]
    assert "is_staff: False → True" in details and "added: Publisher" in details
    user.refresh_from_db()
    user.set_password("another-password-2")
    user.save()
    assert [e.object_repr for e in events(Action.PASSWORD)] == ["luis"]


def test_exports_of_personal_data(publisher, rf):
    request = rf.get("/admin/", REMOTE_ADDR=ADDRESS)
    request.user = publisher
    audit.record_export(publisher, "consultation submissions", 42, request=request)
    audit.personal_data_exported.send(sender=None, user=publisher, what="subscribers", count=3)
    details = [(e.username, e.detail, e.address) for e in events(Action.EXPORT)]
    assert details == [
        ("pat-publisher", "consultation submissions: 42", ADDRESS),
        ("pat-publisher", "subscribers: 3", None),
    ]


def test_only_superusers_see_the_audit_log(django_user_model, publisher):
    event = audit.record(Action.LOGIN, user=publisher, address=ADDRESS)
    root = django_user_model.objects.create_superuser("root", password="root-password-1")
    url = reverse("admin:security_auditevent_changelist")
    page = client_for(root).get(url)
    assert page.status_code == 200 and ADDRESS.encode() in page.content
    # Even a staff user given every permission of the app may not read it.
    publisher.user_permissions.add(*Permission.objects.filter(content_type__app_label="security"))
    assert client_for(publisher).get(url).status_code == 403
    index = client_for(publisher).get(reverse("admin:index"))
    assert b"security/auditevent" not in index.content
    # Nobody edits or deletes it.
    change = client_for(root).post(
        reverse("admin:security_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert change.status_code == 403 and AuditEvent.objects.filter(pk=event.pk).exists()
