"""Staff two-factor authentication: enrolment from the admin, a wrong code, recovery codes
(each works once), required for Publishers and superusers with DJANGO_STAFF_MFA=required,
optional in the demo."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import AuditEvent
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def required(settings):
    settings.STAFF_MFA = "required"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_user(django_user_model, username, role=None, superuser=False):
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def publisher(django_user_model):
    return make_user(django_user_model, "paula", "Publisher")


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "eddie", "Editor")


def log_in(user):
    """Password step only, through the admin's login form."""
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302, response.content[:300]
    return client


def code_for(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(client, user):
    """Enrol through the pages; returns the recovery codes shown."""
    page = client.get(reverse("security:mfa-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = client.post(reverse("security:mfa-setup"), {"code": code_for(device)})
    assert shown.status_code == 200, shown.content[:500]
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())


def test_the_demo_logs_in_with_the_password_alone(django_user_model):
    root = make_user(django_user_model, "admin", superuser=True)
    client = log_in(root)
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    # Enrolment is offered from the admin's user links.
    assert reverse("security:mfa-manage").encode() in page.content


def test_a_publisher_must_enrol_when_required_and_then_gets_in(required, clock, publisher):
    client = log_in(publisher)
    response = client.get(reverse("admin:dialogue_meeting_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:mfa-setup"))
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert b'<svg width="' in setup.content and b'class="mfa-qr"' in setup.content
    device = TOTPDevice.objects.get(user=publisher, confirmed=False)

    wrong = client.post(reverse("security:mfa-setup"), {"code": "000000"})
    assert wrong.status_code == 200 and b"That code is not right" in wrong.content
    assert not TOTPDevice.objects.filter(user=publisher, confirmed=True).exists()

    clock.shift(dt.timedelta(seconds=5))  # past the wait after a wrong code
    codes = enrol(client, publisher)
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:dialogue_meeting_changelist")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ENROLLED, user=publisher).exists()


def test_superusers_must_enrol_when_required_and_editors_need_not(
    required, django_user_model, editor
):
    root = make_user(django_user_model, "root", superuser=True)
    assert log_in(root).get(reverse("admin:index")).status_code == 302
    assert log_in(editor).get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_keeps_the_admin_closed(clock, publisher):
    enrol(log_in(publisher), publisher)
    clock.shift(dt.timedelta(minutes=1))
    client = log_in(publisher)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("security:mfa-verify"))
    wrong = client.post(reverse("security:mfa-verify"), {"code": "123456"})
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    assert client.get(reverse("admin:index")).status_code == 302
    # Straight away, even the right code waits: wrong codes are throttled.
    device = TOTPDevice.objects.get(user=publisher)
    hurried = client.post(reverse("security:mfa-verify"), {"code": code_for(device)})
    assert b"Too many wrong codes" in hurried.content
    clock.shift(dt.timedelta(seconds=31))
    right = client.post(
        reverse("security:mfa-verify"), {"code": code_for(device), "next": "/admin/dialogue/"}
    )
    assert right.status_code == 302 and right["Location"] == "/admin/dialogue/"
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_FAILED).count() == 2


def test_a_recovery_code_works_once(clock, publisher):
    codes = enrol(log_in(publisher), publisher)
    first = log_in(publisher)
    used = first.post(reverse("security:mfa-verify"), {"code": codes[0].upper()})
    assert used.status_code == 302
    assert first.get(reverse("admin:index")).status_code == 200
    second = log_in(publisher)
    again = second.post(reverse("security:mfa-verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert b"That code is not right, or was used already" in again.content
    assert second.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_RECOVERY).count() == 1
    clock.shift(dt.timedelta(seconds=5))
    assert second.post(reverse("security:mfa-verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(clock, publisher):
    client = log_in(publisher)
    old = enrol(client, publisher)
    page = client.post(reverse("security:mfa-recovery-codes"))
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = log_in(publisher)
    assert other.post(reverse("security:mfa-verify"), {"code": old[0]}).status_code == 200
    clock.shift(dt.timedelta(seconds=5))
    assert other.post(reverse("security:mfa-verify"), {"code": new[0]}).status_code == 302


def test_an_unverified_session_cannot_replace_the_device(clock, publisher):
    enrol(log_in(publisher), publisher)
    client = log_in(publisher)
    response = client.get(reverse("security:mfa-setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:mfa-verify"))
    assert client.post(reverse("security:mfa-recovery-codes")).status_code == 302
    assert TOTPDevice.objects.filter(user=publisher).count() == 1


def test_an_unverified_session_sees_the_public_site_as_a_visitor(clock, publisher):
    draft = MeetingFactory(draft=True)
    enrol(log_in(publisher), publisher)
    client = log_in(publisher)
    assert client.get(draft.get_absolute_url()).status_code == 404
    clock.shift(dt.timedelta(seconds=31))  # the enrolment's code cannot be used again
    client.post(reverse("security:mfa-verify"), {"code": code_for(publisher.totpdevice_set.get())})
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_turning_it_off_only_where_it_is_optional(clock, settings, editor, publisher):
    client = log_in(editor)
    enrol(client, editor)
    client.post(reverse("security:mfa-disable"))
    assert not TOTPDevice.objects.filter(user=editor).exists()
    settings.STAFF_MFA = "required"
    client = log_in(publisher)
    enrol(client, publisher)
    response = client.post(reverse("security:mfa-disable"), follow=True)
    assert b"required for your role" in response.content
    assert TOTPDevice.objects.filter(user=publisher).exists()


def test_superusers_see_and_reset_devices_in_the_admin(clock, django_user_model, publisher):
    enrol(log_in(publisher), publisher)
    root = make_user(django_user_model, "root", superuser=True)
    client = Client()
    client.force_login(root)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert listing.status_code == 200 and b"paula" in listing.content
    staff = Client()
    staff.force_login(publisher)
    # A Publisher has no permission on devices (and must verify first anyway).
    assert staff.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code in (302, 403)


def test_next_never_leaves_the_site(clock, publisher):
    enrol(log_in(publisher), publisher)
    clock.shift(dt.timedelta(minutes=1))
    client = log_in(publisher)
    device = TOTPDevice.objects.get(user=publisher)
    response = client.post(
        reverse("security:mfa-verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_the_session_clock_starts_at_login(publisher):
    client = log_in(publisher)
    assert client.session["security:session-started"] <= timezone.now().timestamp()
