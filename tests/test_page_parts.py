"""A page's parts kept per path (`PagePartsMixin`, `{% page_part %}`): a new URL of a record's
page or of the home page (a tracking parameter, a crawler's variant) renders only the layout
around the parts the first render left, and never parts from before a change, from a staff
render, from a redirect or from an error."""

import datetime as dt

import pytest
from django.urls import reverse

from dialogue.models import Meeting
from tests.factories import (
    AgreementFactory,
    MeetingFactory,
    PageFactory,
    ParticipationFactory,
    PillarFactory,
    StakeholderFactory,
)

from .conftest import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragment_cache_on")]


def records():
    meeting = MeetingFactory(title="Original title")
    ParticipationFactory(meeting=meeting, stakeholder=StakeholderFactory(name="Commerce"))
    agreement = AgreementFactory(title="Air transport", origin_meeting=meeting)
    return {
        "home": reverse("dialogue:home"),
        "meeting": meeting.get_absolute_url(),
        "fact sheet": reverse("dialogue:meeting-factsheet", kwargs={"slug": meeting.slug}),
        "agreement": agreement.get_absolute_url(),
        "stakeholder": meeting.participations.get().stakeholder.get_absolute_url(),
        "pillar": PillarFactory().get_absolute_url(),
        "page": PageFactory(title="About").get_absolute_url(),
    }


@pytest.mark.parametrize(
    "kind", ["home", "meeting", "fact sheet", "agreement", "stakeholder", "pillar", "page"]
)
def test_a_new_url_of_a_page_renders_the_same_html_without_reading_the_record(
    client, settings, django_assert_max_num_queries, kind
):
    url = records()[kind]
    first = client.get(f"{url}?utm_source=a")
    assert first.status_code == 200
    with django_assert_max_num_queries(1) as reads:  # at most the session-free menu's memo
        again = client.get(f"{url}?utm_source=b")
    assert again["X-Page-Cache"] == "miss"
    assert not [q for q in reads.captured_queries if "dialogue_" in q["sql"]]
    settings.PAGE_CACHE_ENABLED = settings.FRAGMENT_CACHE_ENABLED = False
    assert again.content == client.get(f"{url}?utm_source=b").content


def test_a_change_renews_the_parts(client):
    meeting = MeetingFactory(title="Original title")
    url = meeting.get_absolute_url()
    assert "Original title" in html(client.get(f"{url}?a=1"))
    # Behind the cache's back (no new generation): the parts are the ones kept …
    Meeting.objects.filter(pk=meeting.pk).update(title="Changed quietly")
    assert "Original title" in html(client.get(f"{url}?a=2"))
    # … and a change through the models renews them at once.
    meeting.title = "Renamed"
    meeting.save()
    page = html(client.get(f"{url}?a=3"))
    assert "Renamed" in page and "Original title" not in page


def test_an_unpublished_record_is_gone_from_every_url_at_once(client):
    meeting = MeetingFactory(title="Original title")
    url = meeting.get_absolute_url()
    assert client.get(f"{url}?a=1").status_code == 200
    meeting.publication_status = "draft"
    meeting.save()
    assert client.get(f"{url}?a=2").status_code == 404


def test_staff_previews_leave_nothing_for_visitors(client, staff_client):
    draft = MeetingFactory(title="Secret draft", publication_status="draft")
    url = draft.get_absolute_url()
    assert "Secret draft" in html(staff_client.get(f"{url}?a=1"))
    assert client.get(f"{url}?a=2").status_code == 404
    # Nor do staff read what visitors' renders kept.
    public = MeetingFactory(title="Public title")
    client.get(f"{public.get_absolute_url()}?a=1")
    Meeting.objects.filter(pk=public.pk).update(title="Changed quietly")
    assert "Changed quietly" in html(staff_client.get(f"{public.get_absolute_url()}?a=2"))


def test_errors_and_redirects_keep_no_parts(client):
    meeting = MeetingFactory(slug="old-slug")
    meeting.slug = "new-slug"
    meeting.save()  # the old slug redirects
    old = reverse("dialogue:meeting-detail", kwargs={"slug": "old-slug"})
    for query in ("a=1", "a=2"):
        response = client.get(f"{old}?{query}")
        assert response.status_code == 301 and response["Location"].endswith("/new-slug/")
    missing = reverse("dialogue:meeting-detail", kwargs={"slug": "no-such-meeting"})
    assert client.get(f"{missing}?a=1").status_code == 404
    assert client.get(f"{missing}?a=2").status_code == 404
    MeetingFactory(slug="no-such-meeting", title="Now it exists")
    assert "Now it exists" in html(client.get(f"{missing}?a=3"))


def test_parts_differ_by_language(client):
    meeting = MeetingFactory(title_en="English title", title_es="Título en español")
    client.get(f"{meeting.get_absolute_url()}?a=1")
    with_language = "/es/reuniones/" + meeting.slug + "/"
    page = html(client.get(f"{with_language}?a=1"))
    assert "Título en español" in page and "English title" not in page
    page = html(client.get(f"{with_language}?a=2"))
    assert "Título en español" in page and "English title" not in page


def test_the_url_dependent_layout_follows_each_url(client):
    meeting = MeetingFactory()
    url = meeting.get_absolute_url()
    client.get(f"{url}?a=1")
    page = html(client.get(f"{url}?a=2"))
    # The language switcher keeps this URL's own query; the canonical link drops it.
    assert f'/es/reuniones/{meeting.slug}/?a=2"' in page
    assert f'rel="canonical" href="http://testserver{url}"' in page


def test_the_pdf_fact_sheet_is_never_served_as_html(client):
    meeting = MeetingFactory()
    pdf = reverse("dialogue:meeting-factsheet-pdf", kwargs={"slug": meeting.slug})
    for query in ("a=1", "a=2"):
        response = client.get(f"{pdf}?{query}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def main(page):
    """The page's content (the header's language links keep each URL's own query)."""
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_a_list_keeps_its_parts_per_filters_and_page(client, settings, django_assert_num_queries):
    settings.PAGINATE_BY = 2
    for year in (2019, 2019, 2019, 2020):
        MeetingFactory(title=f"Meeting of {year}", start=dt.datetime(year, 5, 1, 15, tzinfo=dt.UTC))
    path = reverse("dialogue:meeting-list")
    first = html(client.get(f"{path}?year=2019&utm_source=a"))
    assert first.count("Meeting of 2019") == 2 and "Meeting of 2020" not in first
    with django_assert_num_queries(0):
        again = client.get(f"{path}?year=2019&utm_source=b")
    assert again["X-Page-Cache"] == "miss" and main(html(again)) == main(first)
    # Other filters, another page: parts of their own.
    other_year = html(client.get(f"{path}?year=2020&utm_source=b"))
    assert "Meeting of 2020" in other_year and "Meeting of 2019" not in other_year
    second_page = html(client.get(f"{path}?year=2019&page=2&utm_source=b"))
    assert second_page.count("Meeting of 2019") == 1


def test_a_list_drops_parameters_that_are_no_filter_from_its_links(client, settings):
    settings.PAGINATE_BY = 1
    MeetingFactory(start=dt.datetime(2019, 5, 1, 15, tzinfo=dt.UTC))
    MeetingFactory(start=dt.datetime(2019, 6, 1, 15, tzinfo=dt.UTC))
    page = html(client.get(f"{reverse('dialogue:meeting-list')}?year=2019&utm_source=mail"))
    assert 'href="?year=2019&amp;page=2"' in page  # the next page keeps the filter alone
    assert "feed.rss?year=2019" in main(page) and "utm_source" not in main(page)
    head = page.split("</head>", 1)[0]
    assert 'feed.rss?year=2019"' in head and "feed.rss?year=2019&amp;utm" not in head


def test_the_tracker_keeps_its_parts_per_filters(client):
    AgreementFactory(title="Air transport")
    path = reverse("dialogue:progress")
    first = main(html(client.get(f"{path}?status=implementing&a=1")))
    assert main(html(client.get(f"{path}?status=implementing&a=2"))) == first
    assert "Air transport" in html(client.get(f"{path}?a=3"))
