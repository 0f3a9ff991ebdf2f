"""Cards kept in the page cache's generation: a list page that misses the page cache (a new
filter combination, the next page) reuses the cards other renders left, and never one from
before a change, nor for staff, nor one showing what the page itself could not."""

import pytest
from django.urls import reverse

from dialogue.models import Agreement, Meeting
from tests.factories import AgreementFactory, MeetingFactory, PageFactory, PillarFactory

from .conftest import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragment_cache_on")]


def meetings_url(query):
    return f"{reverse('dialogue:meeting-list')}?{query}"


def test_a_new_url_reuses_the_cards_of_the_same_generation(client):
    meeting = MeetingFactory(title="Original title")
    assert "Original title" in html(client.get(meetings_url("a=1")))
    # Changed behind the cache's back (no signal, so no new generation): a page of a URL not
    # seen before still shows the card as rendered, proof that it came from the cache.
    Meeting.objects.filter(pk=meeting.pk).update(title="Changed quietly")
    response = client.get(meetings_url("a=2"))
    assert response["X-Page-Cache"] == "miss"
    assert "Original title" in html(response)


def test_a_change_renews_every_card(client):
    meeting = MeetingFactory(title="Original title")
    client.get(meetings_url("a=1"))
    meeting.title = "Renamed"
    meeting.save()  # a new generation
    page = html(client.get(meetings_url("a=2")))
    assert "Renamed" in page and "Original title" not in page


def test_an_unpublished_record_leaves_the_list_at_once(client):
    kept, dropped = AgreementFactory(title="Kept agreement"), AgreementFactory(title="Dropped")
    path = reverse("dialogue:agreement-list")
    assert "Dropped" in html(client.get(f"{path}?a=1"))
    dropped.publication_status = "draft"
    dropped.save()
    page = html(client.get(f"{path}?a=2"))
    assert "Kept agreement" in page and "Dropped" not in page
    assert Agreement.objects.public().get() == kept


def test_staff_never_read_nor_fill_cached_cards(client, staff_client):
    meeting = MeetingFactory(title="Original title")
    client.get(meetings_url("a=1"))
    Meeting.objects.filter(pk=meeting.pk).update(title="Changed quietly")
    assert "Changed quietly" in html(staff_client.get(meetings_url("a=2")))
    # And a staff render left nothing for visitors: a visitor's new URL still shows the card
    # the visitor's first render stored, not the staff one.
    assert "Original title" in html(client.get(meetings_url("a=3")))


def test_cards_differ_by_language(client):
    MeetingFactory(title_en="English title", title_es="Título en español")
    assert "English title" in html(client.get(meetings_url("a=1")))
    spanish = html(client.get("/es/reuniones/?a=1"))
    assert "Título en español" in spanish and "English title" not in spanish


def test_with_the_fragment_cache_off_nothing_is_kept(client, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    meeting = MeetingFactory(title="Original title")
    client.get(meetings_url("a=1"))
    Meeting.objects.filter(pk=meeting.pk).update(title="Changed quietly")
    assert "Changed quietly" in html(client.get(meetings_url("a=2")))


def test_cards_are_kept_without_whole_pages_too(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    meeting = MeetingFactory(title="Original title")
    client.get(meetings_url("a=1"))
    Meeting.objects.filter(pk=meeting.pk).update(title="Changed quietly")
    assert "Original title" in html(client.get(meetings_url("a=2")))


def test_the_menu_and_the_search_choices_are_read_once_per_generation(
    client, django_assert_num_queries
):
    PageFactory(title="About us", menu_order=1)
    PageFactory(title="Hidden draft page", menu_order=2, publication_status="draft")
    PillarFactory(number=1, name="Connectivity", slug="connectivity")
    MeetingFactory(title="Border meeting")
    url = reverse("dialogue:search")
    first = html(client.get(f"{url}?q=nothing-matches-this"))
    assert "About us" in first and "Hidden draft page" not in first
    assert 'value="connectivity"' in first
    # Another search of the same generation: no menu, pillar or year query any more.
    with django_assert_num_queries(0):
        page = html(client.get(f"{url}?q=&a=1"))
    assert "About us" in page and 'value="connectivity"' in page
    # A change starts a new generation: the new pillar and the renamed page are offered at once.
    PillarFactory(number=2, name="Workforce", slug="workforce")
    about = PageFactory(title="Second menu page", menu_order=3)
    page = html(client.get(f"{url}?q=&a=2"))
    assert 'value="workforce"' in page and "Second menu page" in page
    about.publication_status = "draft"
    about.save()
    assert "Second menu page" not in html(client.get(f"{url}?q=&a=3"))


def test_a_chosen_pillar_is_still_read_from_the_database(client):
    pillar = PillarFactory(number=1, name="Connectivity", slug="connectivity")
    url = reverse("dialogue:search")
    client.get(f"{url}?q=border")  # the choices are now in the cache
    # Deleted behind the cache's back (no new generation): choosing it is refused, not searched.
    type(pillar).objects.filter(pk=pillar.pk).delete()
    page = html(client.get(f"{url}?q=border&pillar=connectivity"))
    assert "could not be run" in page and "Select a valid choice" in page


def test_list_filters_offer_the_generations_choices_without_reading_them_again(
    client, django_assert_max_num_queries
):
    PillarFactory(number=1, name="Connectivity", slug="connectivity")
    AgreementFactory(title="Signed agreement")
    path = reverse("dialogue:agreement-list")
    with django_assert_max_num_queries(20) as first:
        page = html(client.get(f"{path}?a=1"))
    assert 'value="connectivity"' in page
    with django_assert_max_num_queries(20) as second:
        page = html(client.get(f"{path}?a=2"))
    assert 'value="connectivity"' in page
    # The pillar, sector and year choices and the menu are not read again.
    assert len(second.captured_queries) <= len(first.captured_queries) - 4
    PillarFactory(number=2, name="Workforce", slug="workforce")
    assert 'value="workforce"' in html(client.get(f"{path}?a=3"))


def test_the_trackers_rows_and_key_figures_are_kept_per_generation(client):
    from dialogue.models import KeyFigure
    from tests.factories import KeyFigureFactory, KeyFigureValueFactory

    agreement = AgreementFactory(title="Original title")
    figure = KeyFigureFactory(label="Bilateral trade")
    KeyFigureValueFactory(figure=figure, year=2015)
    path = reverse("dialogue:progress")
    page = html(client.get(f"{path}?status="))
    assert "Original title" in page and "Bilateral trade" in page
    # Changed behind the cache's back: another filter combination (a new set of rows, so no
    # page parts to reuse) still shows the row and the figures as rendered.
    Agreement.objects.filter(pk=agreement.pk).update(title="Changed quietly")
    KeyFigure.objects.filter(pk=figure.pk).update(label="Relabelled quietly")
    page = html(client.get(f"{path}?side="))
    assert "Original title" in page and "Bilateral trade" in page
    agreement.title = "Renamed"
    agreement.save()  # a new generation: both renewed
    page = html(client.get(f"{path}?pillar="))
    assert "Renamed" in page and "Relabelled quietly" in page
