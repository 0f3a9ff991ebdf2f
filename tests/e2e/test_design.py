"""Responsive from 320 px to 1440 px, screenshots for review, and a print stylesheet."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.page_types import PAGE_TYPES, expected_status

from .helpers import ARTIFACTS, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 375, 768, 1280, 1440]
# Comfortable reading: at most about 90 characters a line (WCAG 1.4.8 asks for 80 at AAA).
MAX_CHARACTERS_PER_LINE = 90

LAYOUT_PROBLEMS = """maxPerLine => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`scrolls sideways: ${root.scrollWidth}px of content in ${root.clientWidth}px`);
  }
  for (const el of document.querySelectorAll('body *')) {
    const rect = el.getBoundingClientRect();
    if (rect.width && rect.right > root.clientWidth + 1
        && getComputedStyle(el).position !== 'absolute' && !el.closest('.prose table')
        && !el.closest('.table-scroll')) {
      problems.push(`overflows the viewport: ${el.outerHTML.slice(0, 100)}`);
      break;
    }
  }
  // Running text: paragraphs, items and values holding only inline content (not flex rows).
  const inline = el => getComputedStyle(el).display.startsWith('inline');
  for (const p of document.querySelectorAll('main p, main li, main dd')) {
    const style = getComputedStyle(p);
    if (style.display === 'flex' || ![...p.children].every(inline)) continue;
    const text = p.innerText.trim();
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const lines = Math.round(p.getBoundingClientRect().height / lineHeight);
    if (lines >= 2 && text.length / lines > maxPerLine) {
      problems.push(`${Math.round(text.length / lines)} characters a line: ${text.slice(0, 60)}…`);
    }
  }
  return problems;
}"""


def test_pages_fit_every_width_from_phone_to_desktop(page, page_paths):
    problems = []
    for page_type in PAGE_TYPES:
        visit(page, page_paths[page_type], status=expected_status(page_type))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            problems += [
                f"{page_type} at {width}px: {p}"
                for p in page.evaluate(LAYOUT_PROBLEMS, MAX_CHARACTERS_PER_LINE)
            ]
    assert not problems, "\n".join(problems)


def test_tables_reflow_on_a_small_screen(page, page_paths):
    page.set_viewport_size({"width": 320, "height": 700})
    visit(page, page_paths["pillar"])
    table = page.locator("table.breakdown")
    expect(table).to_be_visible()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, f"the table overflows: {box}"


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_for_review(new_page, page_paths, width):
    """Full-page screenshots of the home and a meeting page, kept as CI artefacts.

    At 1280 px the first screenful of each is also saved for the README (`make screenshots`).
    """
    page = new_page(viewport={"width": width, "height": 900})
    folder = ARTIFACTS / "screenshots"
    for page_type, readme_name in [("home", "home"), ("meeting-detail", "meeting")]:
        visit(page, page_paths[page_type])
        path = folder / f"{page_type}-{width}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 10_000
        if width == 1280:
            page.screenshot(path=folder / "readme" / f"{readme_name}.png")
    assert page.errors == []


def test_a_meeting_prints_as_a_fact_sheet(page, page_paths):
    visit(page, page_paths["meeting-detail"])
    page.emulate_media(media="print")

    for chrome in [".site-header", ".site-footer", ".skip-link", ".breadcrumbs", ".prev-next"]:
        for element in page.locator(chrome).all():
            expect(element).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".agenda").first).to_be_visible()
    # The page's own address heads the sheet, and every link shows where it leads.
    expect(page.locator(".print-source")).to_be_visible()
    expect(page.locator(".print-source")).to_contain_text(page.url)
    link = page.locator("main .people a").first
    after = link.evaluate("el => getComputedStyle(el, '::after').content")
    assert link.get_attribute("href") in after, f"link URL not printed: {after}"
    colour = page.locator("body").evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(0, 0, 0)"

    # For review: the PDF, and a picture of the sheet at A4's printable width.
    folder = ARTIFACTS / "print"
    folder.mkdir(parents=True, exist_ok=True)
    page.pdf(path=folder / "meeting.pdf", format="A4")
    page.set_viewport_size({"width": 660, "height": 900})
    page.screenshot(path=folder / "meeting.png", full_page=True)


def test_home_page_prints_without_navigation(page, demo_data):
    visit(page, reverse("dialogue:home"))
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()


def test_filters_fold_behind_a_control_on_phones(page, page_paths):
    for width, folded in ((375, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, page_paths["agreement-list"])
        status = page.locator("#id_status")
        if folded:
            expect(status).to_be_hidden()
            page.locator(".filter-disclosure > summary").click()
            expect(status).to_be_visible()
        else:
            expect(page.locator(".filter-disclosure > summary")).to_be_hidden()
            expect(status).to_be_visible()


TRACKING_PAGES = ["progress", "fact-sheet", "follow", "agreement-detail", "meeting-detail"]


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_of_the_tracking_pages(new_page, demo_data, width):
    """Full-page screenshots of the tracker, a fact sheet, the follow form, and an agreement
    and a meeting with their tracking, in both languages, kept as artefacts for review."""
    from django.utils import translation

    from tests.page_types import demo_page_paths

    page = new_page(viewport={"width": width, "height": 900})
    folder = ARTIFACTS / "screenshots" / "tracking"
    for language in ("en", "es"):
        with translation.override(language):
            paths = demo_page_paths()
        for page_type in TRACKING_PAGES:
            visit(page, paths[page_type])
            width_now = page.evaluate("document.documentElement.scrollWidth")
            assert width_now <= width, f"{page_type} scrolls sideways at {width} px"
            path = folder / f"{page_type}.{language}-{width}.png"
            page.screenshot(path=path, full_page=True)
            assert path.stat().st_size > 10_000
    assert page.errors == []
