"""A visitor finds their way by links and forms only."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from dialogue.models import AgreementStatus
from tests.factories import AgreementFactory, PillarFactory

from .helpers import languages, visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The switcher the bilingual site puts in its header: links to the same page in each language,
# marked with hreflang (or Django's set_language form).
SWITCHER = (
    '[data-language-switcher] a[hreflang="{code}"], header a[hreflang="{code}"], '
    'header a[lang="{code}"]'
)


def follow(page, link):
    """Click `link` and check that the page it leads to is titled with the link's text."""
    name = " ".join(link.inner_text().split()).rstrip(" →")
    link.click()
    expect(page.locator("h1")).to_contain_text(name)
    return name


def test_visitor_reaches_a_meeting_an_agreement_and_a_stakeholder_by_links(page, demo_data):
    visit(page, reverse("dialogue:home"))
    follow(page, page.locator('section[aria-labelledby="agreements-heading"] .card__title a').first)
    assert "/agreements/" in page.url

    # The meeting where it was announced, then one of that meeting's co-chairs.
    follow(page, page.locator(".facts a[href*='/meetings/']"))
    assert "/meetings/" in page.url

    follow(page, page.locator('section[aria-labelledby="cochairs-heading"] .people a').first)
    assert "/stakeholders/" in page.url

    # And back to the home page through the header.
    page.locator(".site-header .brand").click()
    expect(page.locator("h1")).to_have_text("US–Mexico High-Level Economic Dialogue")
    assert page.errors == []


def test_visitor_filters_agreements_and_pages_through_the_results(page):
    per_page = settings.PAGINATE_BY
    pillar = PillarFactory(number=1)
    AgreementFactory.create_batch(per_page + 5, status=AgreementStatus.IMPLEMENTING, pillar=pillar)
    AgreementFactory.create_batch(3, status=AgreementStatus.COMPLETED, pillar=pillar)

    visit(page, reverse("dialogue:agreement-list"))
    filters = page.get_by_role("search", name="Filter agreements")
    filters.get_by_label("Status").select_option(AgreementStatus.IMPLEMENTING)
    filters.get_by_label("Pillar").select_option(pillar.slug)
    filters.get_by_role("button", name="Apply filters").click()

    expect(page.locator("#results-heading")).to_have_text(f"{per_page + 5} agreements")
    cards = page.locator("main .card")
    expect(cards).to_have_count(per_page)
    expect(page.locator(".pagination__current")).to_have_text("Page 1 of 2")

    pages = page.get_by_role("navigation", name="Pages")
    pages.get_by_role("link", name="Next").click()
    expect(page.locator(".pagination__current")).to_have_text("Page 2 of 2")
    assert "status=implementing" in page.url and "page=2" in page.url
    expect(cards).to_have_count(5)
    expect(page.locator("main .card .card__foot .badge--implementing")).to_have_text(
        ["Being implemented"] * 5
    )
    expect(filters.get_by_label("Status")).to_have_value(AgreementStatus.IMPLEMENTING)

    pages.get_by_role("link", name="Previous").click()
    expect(page.locator(".pagination__current")).to_have_text("Page 1 of 2")
    assert "status=implementing" in page.url
    assert page.errors == []


def test_visitor_switches_language(page, demo_data):
    codes = languages()
    if len(codes) < 2:
        pytest.skip("one language in settings.LANGUAGES: no language switcher yet (issue 3)")
    meeting_list = reverse("dialogue:meeting-list")
    visit(page, meeting_list)
    other = codes[1]
    switcher = page.locator(SWITCHER.format(code=other))
    assert switcher.count(), f"settings.LANGUAGES has {codes} but the header has no link to {other}"
    switcher.first.click()
    expect(page.locator("html")).to_have_attribute("lang", other)
    with translation.override(other):
        assert page.url.endswith(reverse("dialogue:meeting-list")), page.url
    # And back to the same page in the first language.
    page.locator(SWITCHER.format(code=codes[0])).first.click()
    expect(page.locator("html")).to_have_attribute("lang", codes[0])
    assert page.url.endswith(meeting_list), page.url
    expect(page.locator("h1")).to_have_text("Meetings")
    assert page.errors == []
