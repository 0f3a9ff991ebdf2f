"""Read-only endpoints. Each reads through dialogue's public read model (`public()`,
`with_public_parts()`) and filters with the very FilterSets of the site's lists, so a filter
means the same thing on a page, in its feed and here."""

from django.utils.cache import get_conditional_response, set_response_etag
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from dialogue.filters import AgreementFilter, MeetingFilter, StakeholderFilter
from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Pillar,
    Sector,
    Stakeholder,
)

from . import serializers


class Pagination(PageNumberPagination):
    """?page=N (and ?page_size= up to 100); a page that is not a number is a 400."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if number not in self.last_page_strings and not str(number).isdigit():
            raise ValidationError({"page": ["A page number is a positive whole number."]})
        return number


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    """What every endpoint shares: pagination, the site's filters, an ETag on every answer."""

    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    lookup_field = "slug"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            conditional = get_conditional_response(
                request, etag=response["ETag"], response=response
            )
            if conditional is not response:
                return conditional
        return response


class MeetingViewSet(ReadOnly):
    """Public meetings, newest first; the meeting list's filters (year, status, kind,
    host_country, pillar, stakeholder). A meeting's detail adds its account, participants,
    agenda and agreements."""

    filterset_class = MeetingFilter

    def get_queryset(self):
        meetings = Meeting.objects.public().order_by("-start", "-pk")
        return meetings.with_public_parts() if self.action == "retrieve" else meetings

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.MeetingDetailSerializer
        return serializers.MeetingSerializer


class AgreementViewSet(ReadOnly):
    """Public agreements, newest first; the agreement list's filters (q, pillar, sector,
    status, kind, year, meeting, stakeholder). An agreement's detail adds its texts, sectors,
    parties and implementation updates."""

    filterset_class = AgreementFilter

    def get_queryset(self):
        agreements = Agreement.objects.public().newest_first()
        return agreements.with_public_parts() if self.action == "retrieve" else agreements

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.AgreementDetailSerializer
        return serializers.AgreementSerializer


class StakeholderViewSet(ReadOnly):
    """Public stakeholders by name; the directory's filters (q, kind, country)."""

    filterset_class = StakeholderFilter
    serializer_class = serializers.StakeholderSerializer

    def get_queryset(self):
        return Stakeholder.objects.public().order_by("name", "pk")


class AgendaItemViewSet(ReadOnly):
    """Agenda items of public meetings, by meeting and position (identified by number)."""

    serializer_class = serializers.AgendaItemSerializer
    lookup_field = "pk"
    filterset_fields = {"meeting__slug": ["exact"], "pillar__slug": ["exact"]}

    def get_queryset(self):
        return (
            AgendaItem.objects.public()
            .select_related("pillar")
            .order_by("-meeting__start", "meeting_id", "position")
        )


class UpdateViewSet(ReadOnly):
    """Implementation updates of public agreements, newest first (identified by number)."""

    serializer_class = serializers.UpdateSerializer
    lookup_field = "pk"
    filterset_fields = {"agreement__slug": ["exact"], "date": ["gte", "lte"]}

    def get_queryset(self):
        return AgreementUpdate.objects.public().order_by("-date", "-pk")


class PillarViewSet(ReadOnly):
    """The dialogue's three pillars."""

    serializer_class = serializers.PillarSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Pillar.objects.public()


class SectorViewSet(ReadOnly):
    """The economic sectors."""

    serializer_class = serializers.SectorSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Sector.objects.public()


class DocumentViewSet(ReadOnly):
    """Documents of public meetings and agreements."""

    serializer_class = serializers.DocumentSerializer
    filterset_fields = {"meeting__slug": ["exact"], "agreement__slug": ["exact"], "kind": ["exact"]}

    def get_queryset(self):
        return Document.objects.public().select_related("meeting", "agreement").order_by("-pk")


class KeyFigureViewSet(ReadOnly):
    """The headline figures, with their sources."""

    serializer_class = serializers.KeyFigureSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return KeyFigure.objects.public()
