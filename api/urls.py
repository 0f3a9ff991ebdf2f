from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agendaitem")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("updates", views.UpdateViewSet, basename="update")
router.register("stakeholders", views.StakeholderViewSet, basename="stakeholder")
router.register("pillars", views.PillarViewSet, basename="pillar")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("key-figures", views.KeyFigureViewSet, basename="keyfigure")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files (drf-spectacular-sidecar); its start-up script is a
    # separate response, not an inline block.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
