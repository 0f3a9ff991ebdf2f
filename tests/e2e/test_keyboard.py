"""Keyboard users: a skip link to the content, every control reachable, focus always visible."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.page_types import PAGE_TYPES, expected_status

from .helpers import visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Marks every element a keyboard user should reach, and notes how it looks without focus.
MARK_INTERACTIVE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [tabindex]:not([tabindex="-1"])';
  const visible = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const interactive = [...document.querySelectorAll(selector)]
    .filter(el => !el.disabled && (visible(el) || el.classList.contains('skip-link')));
  interactive.forEach((el, index) => {
    const style = getComputedStyle(el);
    el.dataset.focusIndex = index;
    el.dataset.blurStyle = [style.outlineStyle, style.outlineWidth, style.boxShadow].join('|');
  });
  return interactive.length;
}"""

# Describes the focused element: which one it is, and whether its focus can be seen.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== 'none';
  const focusStyle = [style.outlineStyle, style.outlineWidth, style.boxShadow].join('|');
  return {
    index: el.dataset.focusIndex === undefined ? null : Number(el.dataset.focusIndex),
    html: el.outerHTML.slice(0, 120),
    indicated: (outline || shadow) && focusStyle !== el.dataset.blurStyle,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < innerHeight && rect.left < innerWidth,
  };
}"""


def test_skip_link_moves_focus_to_the_main_content(page, demo_data):
    visit(page, reverse("dialogue:home"))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )
    assert inside_main, "after the skip link, Tab should go on inside the main content"


def test_every_interactive_element_is_reachable_with_a_visible_focus(page, page_paths):
    problems = []
    for page_type in PAGE_TYPES:
        visit(page, page_paths[page_type], status=expected_status(page_type))
        total = page.evaluate(MARK_INTERACTIVE)
        reached = set()
        for _ in range(total + 5):
            page.keyboard.press("Tab")
            focus = page.evaluate(DESCRIBE_FOCUS)
            if focus is None or focus["index"] in reached:
                break  # focus left the document or came round again
            if focus["index"] is None:
                problems.append(f"{page_type}: Tab reached an unmarked element {focus['html']}")
                continue
            reached.add(focus["index"])
            if not focus["indicated"]:
                problems.append(f"{page_type}: no visible focus on {focus['html']}")
            if not focus["onScreen"]:
                problems.append(f"{page_type}: focused element off screen {focus['html']}")
        missed = page.evaluate(
            "reached => [...document.querySelectorAll('[data-focus-index]')]"
            ".filter(el => !reached.includes(Number(el.dataset.focusIndex)))"
            ".map(el => el.outerHTML.slice(0, 120))",
            sorted(reached),
        )
        problems += [f"{page_type}: not reachable with Tab: {html}" for html in missed]
    assert not problems, "\n".join(problems)
