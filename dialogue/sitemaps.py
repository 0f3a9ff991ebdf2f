"""sitemap.xml (django.contrib.sitemaps) and robots.txt.

Every public page in both languages, each URL with its `hreflang` alternates and an
`x-default` (the English page), and `lastmod` where the record has one. The sitemap is an
index of sections, each in pages of `limit` records, so every request makes a fixed number of
queries. robots.txt points to it and keeps crawlers off the filter combinations of the lists
(any URL under a list with a query string; the links to them say `rel="nofollow"`) and off
search results.
"""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from .models import Agreement, Meeting, Page, Pillar, Stakeholder

LIST_PAGES = ["dialogue:meeting-list", "dialogue:agreement-list", "dialogue:stakeholder-list"]
# Lists whose filters and page numbers make endless URL combinations (each one a fresh render):
# crawlers may read the plain list, and reach every record through the sitemap, but no URL
# under the list with a query string (its filtered feeds and calendars included).
FILTERED_PAGES = [
    *LIST_PAGES,
    "dialogue:progress",
    "consultations:consultation-list",
    "consultations:submission-list",
]


class DialogueSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    limit = 5000


class StaticSitemap(DialogueSitemap):
    """The home page, the lists and the open-data page."""

    priority = 0.8
    changefreq = "weekly"

    def items(self):
        return ["dialogue:home", *LIST_PAGES, "dialogue:data"]

    def location(self, item):
        return reverse(item)


class RecordSitemap(DialogueSitemap):
    """The public records of one model, oldest first (stable pages), with their last change."""

    model = None

    def items(self):
        return (
            self.model.objects.public()
            .only("pk", "slug", "updated_at")
            .order_by("pk")
            .select_related(None)
        )

    def lastmod(self, item):
        return item.updated_at


def record_sitemap(model_class):
    return type(f"{model_class.__name__}Sitemap", (RecordSitemap,), {"model": model_class})


SITEMAPS = {
    "pages": StaticSitemap,
    "meetings": record_sitemap(Meeting),
    "agreements": record_sitemap(Agreement),
    "stakeholders": record_sitemap(Stakeholder),
    "pillars": record_sitemap(Pillar),
    "content": record_sitemap(Page),
}


@require_GET
def robots_txt(request):
    """robots.txt: the sitemap's address; no filter combinations, searches or admin."""
    lines = ["User-agent: *", "Disallow: /admin/"]
    for code in ("en", "es"):
        with translation.override(code):
            lines += [f"Disallow: {reverse(name)}*?" for name in FILTERED_PAGES]
            lines.append(f"Disallow: {reverse('dialogue:search')}")
    lines += ["Allow: /", "", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
