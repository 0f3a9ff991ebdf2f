from django.urls import path
from django.utils.translation import pgettext_lazy

from . import follow, views

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
    path(
        pgettext_lazy("URL path", "pages/<slug:slug>/"),
        views.PageDetailView.as_view(),
        name="page-detail",
    ),
]
