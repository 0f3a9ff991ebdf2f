from typing import NamedTuple

from django.utils.functional import SimpleLazyObject

from .cache import memo
from .models import Page


class MenuPage(NamedTuple):
    """A main-menu entry: what the header and the footer show of a page."""

    title: str
    slug: str
    url: str


def menu_pages():
    return [
        MenuPage(str(page.title), page.slug, page.get_absolute_url())
        for page in Page.objects.public().filter(menu_order__isnull=False)
    ]


def site(request):
    """The main-menu pages: read when a template first shows them, and on public pages from
    the content generation's cache (`memo`) rather than the database."""
    return {"menu_pages": SimpleLazyObject(lambda: memo(request, "menu-pages", menu_pages))}
