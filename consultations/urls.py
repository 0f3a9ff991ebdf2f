from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "consultations"

# Translated paths, like dialogue's: /en/consultations/… and /es/consultas/…; slugs, references
# and signed tokens are the same in both languages.
urlpatterns = [
    path(
        pgettext_lazy("URL path", "consultations/"),
        views.ConsultationListView.as_view(),
        name="consultation-list",
    ),
    path(
        pgettext_lazy("URL path", "consultations/confirm/<str:token>/"),
        views.ConfirmView.as_view(),
        name="confirm",
    ),
    path(
        pgettext_lazy("URL path", "consultations/sent/<str:token>/"),
        views.SentView.as_view(),
        name="sent",
    ),
    path(
        pgettext_lazy("URL path", "consultations/my-submission/<str:token>/"),
        views.ManageView.as_view(),
        name="manage",
    ),
    path(
        pgettext_lazy("URL path", "consultations/<slug:slug>/"),
        views.ConsultationDetailView.as_view(),
        name="consultation-detail",
    ),
    path(
        pgettext_lazy("URL path", "submissions/"),
        views.SubmissionListView.as_view(),
        name="submission-list",
    ),
    path(
        pgettext_lazy("URL path", "submissions/<str:reference>/"),
        views.SubmissionDetailView.as_view(),
        name="submission-detail",
    ),
    path(pgettext_lazy("URL path", "privacy/"), views.PrivacyView.as_view(), name="privacy"),
    path(
        pgettext_lazy("URL path", "privacy/<str:version>/"),
        views.PrivacyView.as_view(),
        name="privacy-version",
    ),
]
