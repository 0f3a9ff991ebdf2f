from django.urls import path

from . import views

app_name = "dialogue"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("stakeholders/", views.StakeholderListView.as_view(), name="stakeholder-list"),
    path(
        "stakeholders/<slug:slug>/",
        views.StakeholderDetailView.as_view(),
        name="stakeholder-detail",
    ),
    path("pillars/<slug:slug>/", views.PillarDetailView.as_view(), name="pillar-detail"),
    path("pages/<slug:slug>/", views.PageDetailView.as_view(), name="page-detail"),
]
