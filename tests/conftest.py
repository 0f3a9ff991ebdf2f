"""Fixtures and helpers shared by the test modules; factories live in tests/factories.py."""

import factory.random
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

# Helpers (import them: `from .conftest import html, change_url`)


def html(response):
    """The body of `response` as text."""
    return response.content.decode()


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def change_url(obj):
    return admin_url(obj, "change", obj.pk)


def changelist_url(model):
    return admin_url(model, "changelist")


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_run(tmp_path_factory):
    """The file cache (the default without Redis) in a directory of this run's own: no run
    reads another's pages, generation or rate-limit counters, nor leaves them in var/cache."""
    from django.test import override_settings

    default = settings.CACHES["default"]
    if default["BACKEND"] != "hled.filecache.FileCache":
        yield
        return
    default = {**default, "LOCATION": str(tmp_path_factory.mktemp("cache"))}
    with override_settings(CACHES={**settings.CACHES, "default": default}):
        yield


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo fixture, loaded once per test module that only reads it.

    It is loaded inside a transaction that is rolled back after the module's last test; each
    test runs in a savepoint within it (as in Django's `TestCase.setUpTestData`), so what one
    test changes is undone for the next. Not for tests that need committed data (live server).
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            call_command("loaddata", "hled_demo", "consultations_demo", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def seeded_randomness():
    """Every test draws the same fake data on every run (factory_boy and Faker share it)."""
    from tests.factories import fake

    factory.random.reseed_random("hled")
    fake.seed_instance("hled")


@pytest.fixture
def staff_user(django_user_model):
    """A staff editor: may use the admin and every dialogue permission, but is no superuser."""
    user = django_user_model.objects.create_user(
        username="editor", email="editor@example.org", password="editor-password", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="dialogue"))
    return user


@pytest.fixture
def staff_client(staff_user):
    """A client logged in as `staff_user`, separate from pytest-django's `client`."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request to /es/… must not leak Spanish into the next test
    (factories write untranslated field names into the active language's column)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Pages render uncached, so the query-count guards measure real rendering;
    tests/test_cache.py turns the page cache on where it tests it, and the fragment cache."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


@pytest.fixture
def fragment_cache_on(settings):
    """The page and fragment caches on, as in production, from an empty cache (and left
    empty): for the tests of what they keep (tests/test_fragments.py, test_page_parts.py)."""
    from django.core.cache import cache

    settings.PAGE_CACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def render_limit_off(settings):
    """Tests make many requests from one address; tests/test_render_limit.py turns the
    per-client render limit on where it tests it."""
    settings.RENDER_BURST = 0


@pytest.fixture
def editor(django_user_model):
    """A staff user with the Editor role only (the group made by the data migration)."""
    from .admin_forms import role_user

    return role_user(django_user_model, "erin-editor", "Editor")


@pytest.fixture
def publisher(django_user_model):
    """A staff user with the Publisher role only."""
    from .admin_forms import role_user

    return role_user(django_user_model, "pat-publisher", "Publisher")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(publisher):
    client = Client()
    client.force_login(publisher)
    return client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a spare loopback port; Django's SMTP backend sends to it."""
    from .smtp import SMTPServer

    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def moderator(django_user_model):
    """A staff user with the Moderator role only."""
    from .admin_forms import role_user

    return role_user(django_user_model, "mo-moderator", "Moderator")


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture(autouse=True)
def quick_proof_of_work(settings):
    """Cheap ALTCHA challenges, so tests that solve them stay fast (the real cost is in
    settings.py; bench/consultations.py measures it)."""
    settings.ALTCHA_CHALLENGE = {**settings.ALTCHA_CHALLENGE, "cost": 2, "key_prefix": "0"}
