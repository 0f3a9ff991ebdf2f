from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

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
    path(
        pgettext_lazy("URL path", "pages/<slug:slug>/"),
        views.PageDetailView.as_view(),
        name="page-detail",
    ),
]
