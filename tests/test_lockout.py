"""Admin brute force: django-axes locks a (username, address) pair after 5 failures for 30
minutes, answers HTTP 429 with a translated message, resets on success, shows lockouts to
superusers; the address is read safely behind the configured number of proxies."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from security.client import client_ip
from security.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def maria(django_user_model):
    return django_user_model.objects.create_user("maria", password=PASSWORD, is_staff=True)


def attempt(password, username="maria", address="203.0.113.7", **extra):
    client = Client(REMOTE_ADDR=address, **extra)
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def fail(times, **kwargs):
    for _ in range(times):
        response = attempt("wrong password", **kwargs)
        assert response.status_code == 200  # the login form again, with its error
        assert b"Please enter the correct username and password" in response.content


def lock(**kwargs):
    """Four failures get the form back; the fifth locks the pair out at once."""
    fail(4, **kwargs)
    assert attempt("wrong password", **kwargs).status_code == 429


def test_five_failures_lock_the_pair_for_30_minutes(maria):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock()
        response = attempt(PASSWORD)  # the right password, refused
        assert response.status_code == 429
        text = response.content.decode()
        assert "blocked for 30 minutes" in text and "“maria”" in text
        assert "_auth_user_id" not in response.client.session
        # Another address, or another account from this address, is not locked.
        assert attempt(PASSWORD, address="198.51.100.9").status_code == 302
        assert attempt("x", username="nobody").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert attempt(PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert attempt(PASSWORD).status_code == 302


def test_the_lockout_message_is_translated(maria):
    lock()
    response = attempt(PASSWORD, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert "bloqueado durante 30 minutos" in response.content.decode()


def test_a_success_resets_the_count(maria):
    fail(4)
    assert attempt(PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="maria").exists()
    fail(4)
    assert attempt(PASSWORD).status_code == 302


def test_lockouts_are_listed_for_superusers_only(maria, django_user_model):
    lock()
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    publisher = django_user_model.objects.create_user("pub", password=PASSWORD, is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publisher"))
    url = reverse("admin:axes_accessattempt_changelist")
    superuser = Client()
    superuser.force_login(root)
    page = superuser.get(url)
    assert page.status_code == 200 and b"maria" in page.content and b"203.0.113.7" in page.content
    staff = Client()
    staff.force_login(publisher)
    assert staff.get(url).status_code == 403


def test_failures_and_lockouts_are_audited(maria):
    lock()
    attempt(PASSWORD)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert failures.count() == 6  # five wrong passwords, then the refused right one
    assert {(e.username, e.address) for e in failures} == {("maria", "203.0.113.7")}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT, username="maria").exists()


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_client_address_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"  # header ignored
    settings.TRUSTED_PROXIES = 1
    # nginx appends the peer's address: the client's own header is to its left.
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"  # not through the proxy
    assert client_ip(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 2  # CDN + nginx
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 203.0.113.7, 192.0.2.1")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2", "203.0.113.7")) == "10.0.0.2"


def test_a_forged_forwarded_header_does_not_escape_the_lock(settings, maria):
    settings.TRUSTED_PROXIES = 1
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]:
        fail(1, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7")
    fifth = attempt("wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR="5.5.5.5, 203.0.113.7")
    assert fifth.status_code == 429
    response = attempt(PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="maria").ip_address == "203.0.113.7"
