"""Under the site's Content-Security-Policy nothing is blocked: every public page kind in both
languages, and the admin's rich-text editor, select2 autocomplete and language chooser.
(`new_page` fails a test on any CSP violation or console error.)"""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import StakeholderFactory
from tests.page_types import PAGE_TYPES, demo_page_paths, expected_status

from .helpers import languages, pick_autocomplete, visit
from .test_staff_journey import log_in, visit_admin

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_every_public_page_kind_runs_without_a_violation(new_page, demo_data):
    page = new_page()
    for language in languages():
        with translation.override(language):
            paths = demo_page_paths()
        for kind in PAGE_TYPES:
            response = visit(page, paths[kind], status=expected_status(kind))
            policy = response.header_value("content-security-policy")
            assert "default-src 'none'" in policy and "nonce" not in policy
    assert page.errors == []


def test_the_admin_works_under_the_policy(new_page, staff_user):
    StakeholderFactory(name="Department of State", slug="department-of-state")
    page = new_page()
    log_in(page, staff_user, "editor-password")
    visit_admin(page, reverse("admin:dialogue_meeting_add"))
    # The rich-text editor (its import map is allowed by hash) starts and takes text.
    editor = page.locator(".ProseMirror").filter(visible=True).first
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("Typed under a strict policy")
    expect(editor).to_contain_text("Typed under a strict policy")
    # Its injected stylesheet (allowed by hash) applies: spaces are kept as typed.
    white_space = editor.evaluate("el => getComputedStyle(el).whiteSpace")
    assert white_space in {"break-spaces", "pre-wrap"}, white_space
    # select2 autocomplete (admin's own scripts and styles, all files).
    page.locator("#participations-group .add-row a").click()
    pick_autocomplete(page, "id_participations-0-stakeholder", "State", "Department of State")
    expect(page.locator("#id_participations-0-stakeholder")).to_have_value(
        str(StakeholderFactory._meta.model.objects.get(slug="department-of-state").pk)
    )
    # The language chooser in the header: a plain form, allowed by form-action 'self'.
    page.locator("#admin-language").select_option("es")
    page.locator(".admin-language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("#admin-language").select_option("en")
    page.locator(".admin-language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The two-factor pages (an inline SVG QR code, a stylesheet file).
    visit_admin(page, reverse("security:mfa-setup"))
    expect(page.locator("svg.mfa-qr")).to_be_visible()
    assert page.errors == [], "\n".join(page.errors)
