"""The demo accounts command behind `make demo`."""

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def authenticate(**credentials):
    """Log in as the admin's login form does (django-axes needs the request)."""
    return django_authenticate(RequestFactory().post("/admin/login/"), **credentials)


def test_demo_accounts_are_created_once_and_print_their_login(capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "demo-password-1")
    call_command("ensure_demo_superuser", "--roles")
    out = capsys.readouterr().out
    assert "Username: admin" in out and "Password: demo-password-1" in out

    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    editor = authenticate(username="editor", password="demo-password-1")
    publisher = authenticate(username="publisher", password="demo-password-1")
    assert [g.name for g in editor.groups.all()] == ["Editor"] and not editor.is_superuser
    assert [g.name for g in publisher.groups.all()] == ["Publisher"]
    assert publisher.has_perm("dialogue.publish_meeting")
    assert not editor.has_perm("dialogue.publish_meeting")
    moderator = authenticate(username="moderator", password="demo-password-1")
    assert [g.name for g in moderator.groups.all()] == ["Moderator"]
    assert moderator.has_perm("consultations.moderate_submission")
    assert not moderator.has_perm("consultations.view_sender_email")

    call_command("ensure_demo_superuser", "--roles")  # a second run duplicates nothing
    assert users.count() == 4


def test_random_password_when_none_is_given(capsys, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    call_command("ensure_demo_superuser")
    password = capsys.readouterr().out.split("Password: ")[1].split()[0]
    assert len(password) >= 12
    assert authenticate(username="admin", password=password) is not None


def test_a_demo_run_unlocks_the_demo_accounts(capsys, monkeypatch, settings):
    from axes.models import AccessAttempt

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "demo-password-1")
    call_command("ensure_demo_superuser", "--roles")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert authenticate(username="admin", password="wrong") is None
    assert AccessAttempt.objects.filter(username="admin").exists()
    assert authenticate(username="admin", password="demo-password-1") is None  # locked out

    call_command("ensure_demo_superuser", "--roles")
    assert not AccessAttempt.objects.filter(username="admin").exists()
    assert authenticate(username="admin", password="demo-password-1") is not None
