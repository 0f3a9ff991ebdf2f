from django.urls import path, register_converter
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from . import calendars, feeds, follow, opendata, views


class FeedFormat:
    regex = "rss|atom"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FeedFormat, "feed")


def under(translated, suffix):
    """A path below a translated one, e.g. meetings/feed.rss and reuniones/feed.rss."""
    return format_lazy("{}{}", pgettext_lazy("URL path", translated), suffix)


app_name = "dialogue"

# URL paths are translated per language: /en/meetings/… and /es/reuniones/…; slugs are not.


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        pgettext_lazy("URL path", "meetings/"), views.MeetingListView.as_view(), name="meeting-list"
    ),
    path(
        pgettext_lazy("URL path", "meetings/<slug:slug>/"),
        views.MeetingDetailView.as_view(),
        name="meeting-detail",
    ),
    path(
        pgettext_lazy("URL path", "meetings/<slug:slug>/fact-sheet/"),
        views.FactSheetView.as_view(),
        name="meeting-factsheet",
    ),
    path(
        pgettext_lazy("URL path", "meetings/<slug:slug>/fact-sheet.pdf"),
        views.FactSheetPDFView.as_view(),
        name="meeting-factsheet-pdf",
    ),
    path(pgettext_lazy("URL path", "progress/"), views.ProgressView.as_view(), name="progress"),
    path(pgettext_lazy("URL path", "follow/"), follow.FollowView.as_view(), name="follow"),
    path(
        pgettext_lazy("URL path", "follow/confirm/<str:token>/"),
        follow.ConfirmView.as_view(),
        name="follow-confirm",
    ),
    path(
        pgettext_lazy("URL path", "follow/unsubscribe/<str:token>/"),
        follow.UnsubscribeView.as_view(),
        name="follow-unsubscribe",
    ),
    path(
        pgettext_lazy("URL path", "agreements/"),
        views.AgreementListView.as_view(),
        name="agreement-list",
    ),
    path(
        pgettext_lazy("URL path", "agreements/<slug:slug>/"),
        views.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path(
        pgettext_lazy("URL path", "stakeholders/"),
        views.StakeholderListView.as_view(),
        name="stakeholder-list",
    ),
    path(
        pgettext_lazy("URL path", "stakeholders/<slug:slug>/"),
        views.StakeholderDetailView.as_view(),
        name="stakeholder-detail",
    ),
    path(
        pgettext_lazy("URL path", "pillars/<slug:slug>/"),
        views.PillarDetailView.as_view(),
        name="pillar-detail",
    ),
    path(pgettext_lazy("URL path", "search/"), views.SearchView.as_view(), name="search"),
    # Open data: dialogue/opendata.py.
    path(pgettext_lazy("URL path", "data/"), views.DataView.as_view(), name="data"),
    path(
        under(pgettext_lazy("URL path", "data/"), "hled-<slug:name>.csv"),
        opendata.download_csv,
        name="data-csv",
    ),
    path(
        under(pgettext_lazy("URL path", "data/"), "hled-<slug:name>.json"),
        opendata.download_json,
        name="data-json",
    ),
    path(
        under(pgettext_lazy("URL path", "data/"), "hled-open-data.zip"),
        opendata.download_zip,
        name="data-zip",
    ),
    # Feeds (RSS and Atom) and calendars: dialogue/feeds.py, dialogue/calendars.py.
    path(
        under(pgettext_lazy("URL path", "meetings/"), "feed.<feed:format>"),
        feeds.MeetingFeed.as_view(),
        name="meeting-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "agreements/"), "feed.<feed:format>"),
        feeds.AgreementFeed.as_view(),
        name="agreement-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "agreements/<slug:slug>/"), "feed.<feed:format>"),
        feeds.AgreementUpdateFeed.as_view(),
        name="agreement-updates-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "updates/"), "feed.<feed:format>"),
        feeds.UpdateFeed.as_view(),
        name="update-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "pillars/<slug:slug>/"), "feed.<feed:format>"),
        feeds.PillarFeed.as_view(),
        name="pillar-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "stakeholders/<slug:slug>/"), "feed.<feed:format>"),
        feeds.StakeholderFeed.as_view(),
        name="stakeholder-feed",
    ),
    path(
        under(pgettext_lazy("URL path", "meetings/"), "meetings.ics"),
        calendars.meetings_calendar,
        name="meetings-ics",
    ),
    path(
        under(pgettext_lazy("URL path", "meetings/<slug:slug>/"), "meeting.ics"),
        calendars.meeting_calendar,
        name="meeting-ics",
    ),
    path(
        under(pgettext_lazy("URL path", "pillars/<slug:slug>/"), "meetings.ics"),
        calendars.pillar_calendar,
        name="pillar-ics",
    ),
    path(
        pgettext_lazy("URL path", "pages/<slug:slug>/"),
        views.PageDetailView.as_view(),
        name="page-detail",
    ),
]
