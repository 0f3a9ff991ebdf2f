"""Checks modelled on Wagtail's security advisories: previews and history refuse users without
the permission, the compare view escapes stored HTML, the sanitizer drops `javascript:` and
`data:` links, help texts hold no markup, `?next=` stays on the site, every POST needs CSRF."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from dialogue import publishing
from dialogue.richtext import sanitize_html
from tests.admin_forms import open_form
from tests.factories import MeetingFactory
from tests.test_history import versions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_staff(django_user_model):
    """Staff, but without any permission on dialogue content."""
    user = django_user_model.objects.create_user("bare", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_previews_and_history_refuse_users_without_the_permission(bare_staff, publisher):
    meeting = MeetingFactory(draft=True)
    publishing.save(publisher, meeting, comment="one")
    meeting.title_en = "Two"
    publishing.save(publisher, meeting, comment="two")
    older, newer = versions_of(meeting)[-2:]
    assert bare_staff.get(meeting.get_absolute_url()).status_code == 404
    for url in (
        reverse("admin:dialogue_meeting_history", args=[meeting.pk]),
        reverse("admin:dialogue_meeting_compare", args=[meeting.pk])
        + f"?from={older.pk}&to={newer.pk}",
        reverse("admin:dialogue_meeting_revision", args=[meeting.pk, older.pk]),
        reverse("admin:dialogue_meeting_recover", args=[older.pk]),
    ):
        assert bare_staff.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url  # anonymous: to the login page


def test_the_compare_view_escapes_stored_html(publisher_client, publisher):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    meeting = MeetingFactory(title="Plain title", draft=True)
    publishing.save(publisher, meeting, comment="one")
    meeting.title_en = payload
    meeting.city = payload
    publishing.save(publisher, meeting, comment="two")
    older, newer = versions_of(meeting)[-2:]
    url = reverse("admin:dialogue_meeting_compare", args=[meeting.pk])
    page = publisher_client.get(url + f"?from={older.pk}&to={newer.pk}").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page or escape("<script>") in page


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_the_sanitizer_drops_dangerous_links(link):
    cleaned = sanitize_html(f'<p><a href="{link}">click</a></p>')
    assert "href" not in cleaned and "click" in cleaned


def test_rich_text_is_cleaned_on_every_save(publisher):
    meeting = MeetingFactory(draft=True)
    meeting.body = '<p onclick="x()">Hi<a href="data:text/html,x">y</a><script>z()</script></p>'
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.body == '<p>Hi<a rel="noopener noreferrer">y</a></p>'


def test_help_texts_hold_no_markup_in_any_language():
    """Django's admin prints help texts unescaped (as developers' own HTML): so ours, and
    their translations, must not contain any."""
    problems = []
    for language in ("en", "es"):
        with translation.override(language):
            for model in apps.get_models():
                for field in model._meta.get_fields():
                    text = str(getattr(field, "help_text", "") or "")
                    if text != escape(text).replace("&#x27;", "'").replace("&quot;", '"'):
                        problems.append(f"{language} {model._meta.label}.{field.name}: {text}")
    assert not problems, problems


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(target, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_user("nina", password="nina-password", is_staff=True)
    client = Client()
    login = client.post(
        reverse("admin:login") + f"?next={target}",
        {"username": "nina", "password": "nina-password", "next": target},
    )
    assert login.status_code == 302 and login["Location"].startswith("/")
    assert not login["Location"].startswith(("//", "/\\"))
    language = client.post(reverse("set_language"), {"language": "es", "next": target})
    assert language["Location"] in ("/", "/es/")
    logout = client.post(reverse("admin:logout") + f"?next={target}")
    assert "evil" not in logout.get("Location", "")


def test_every_post_needs_a_csrf_token(django_user_model, publisher):
    """Every URL that accepts a POST refuses one without the token (the CSP report endpoint,
    which browsers call without cookies, is the one exception)."""
    root = django_user_model.objects.create_superuser("root", password="x")
    meeting = MeetingFactory(draft=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(root)
    urls = [
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:password_change"),
        reverse("admin:dialogue_meeting_add"),
        reverse("admin:dialogue_meeting_change", args=[meeting.pk]),
        reverse("admin:dialogue_meeting_delete", args=[meeting.pk]),
        reverse("admin:dialogue_meeting_changelist"),
        reverse("admin:auth_user_change", args=[root.pk]),
        reverse("set_language"),
        reverse("security:mfa-setup"),
        reverse("security:mfa-verify"),
        reverse("security:mfa-recovery-codes"),
        reverse("security:mfa-disable"),
        reverse("dialogue:meeting-list"),
    ]
    for url in urls:
        assert client.post(url, {"x": "1"}).status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("admin:login"), {"username": "root"}).status_code == 403
    assert anonymous.post("/csp-report/", "{}", content_type="application/json").status_code == 204


def test_a_forged_publication_post_is_still_refused(editor_client):
    meeting = MeetingFactory(draft=True)
    url = reverse("admin:dialogue_meeting_change", args=[meeting.pk])
    data = open_form(editor_client, url, "meeting")
    data["publication_status"] = "published"
    response = editor_client.post(url, data)
    assert response.status_code in (200, 403)
    meeting.refresh_from_db()
    assert meeting.publication_status == "draft"
