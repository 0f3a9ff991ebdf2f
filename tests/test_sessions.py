"""Staff sessions end after 30 minutes without activity and 10 hours after login; changing a
password ends the user's other sessions."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 4, 6, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def is_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_an_idle_session_ends_with_a_message(editor):
    with time_machine.travel(START, tick=False) as clock:
        client = logged_in(editor)
        assert is_in(client)
        clock.shift(dt.timedelta(minutes=29))
        assert is_in(client)
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))
        assert "logged out after 30 minutes without activity" in response.content.decode()
        assert not is_in(client)


def test_activity_keeps_it_open_until_the_absolute_limit(editor):
    with time_machine.travel(START, tick=False) as clock:
        client = logged_in(editor)
        for _ in range(29):  # every 20 minutes for 9 h 40 min
            clock.shift(dt.timedelta(minutes=20))
            assert is_in(client)
        clock.shift(dt.timedelta(minutes=21))  # 10 h 1 min after logging in
        response = client.get(reverse("admin:index"), follow=True)
        assert "10 hours after logging in" in response.content.decode()


def test_the_limits_are_configurable(settings, editor):
    settings.STAFF_IDLE_TIMEOUT = dt.timedelta(minutes=5)
    with time_machine.travel(START, tick=False) as clock:
        client = logged_in(editor)
        clock.shift(dt.timedelta(minutes=6))
        assert not is_in(client)


def test_changing_a_password_ends_the_other_sessions(django_user_model):
    user = django_user_model.objects.create_user("rosa", password="old-password-1", is_staff=True)
    here, elsewhere = logged_in(user), logged_in(user)
    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": "old-password-1",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert is_in(here)  # the session that changed it stays open
    assert not is_in(elsewhere)


def test_a_password_reset_by_a_superuser_ends_the_users_sessions(django_user_model, editor):
    root = django_user_model.objects.create_superuser("root", password="root-password-1")
    victim_session = logged_in(editor)
    admin = logged_in(root)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[editor.pk]),
        {
            "password1": "reset by the admin 1",
            "password2": "reset by the admin 1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:1000]
    assert not is_in(victim_session)
