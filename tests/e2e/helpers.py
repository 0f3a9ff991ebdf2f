"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import os
from pathlib import Path

from django.conf import settings

# Screenshots and reports the tests leave behind (CI keeps them); test-artifacts/ is gitignored.
ARTIFACTS = Path(
    os.environ.get("HLED_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
)


def visit(page, path, status=200):
    """Open `path` on the live server; check the HTTP status and that site.css was applied."""
    response = page.goto(path)
    assert response is not None, f"{path}: no response"
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    if status >= 400:  # the browser logs the page's own, expected, error status
        expected = f"({response.url})"
        page.errors[:] = [error for error in page.errors if not error.endswith(expected)]
    # Without the stylesheet the skip link would sit in the flow of the page.
    position = page.locator(".skip-link").evaluate("el => getComputedStyle(el).position")
    assert position == "absolute", f"{path}: site.css was not applied"
    return response


def field(page, name):
    """A form field by name; translated fields may be called `<name>_en`."""
    return page.locator(f'[name="{name}"], [name="{name}_en"]').first


def pick_autocomplete(page, select_id, search, option):
    """Choose `option` in one of the admin's select2 autocomplete widgets."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.keyboard.type(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def languages():
    return [code for code, _name in settings.LANGUAGES]
