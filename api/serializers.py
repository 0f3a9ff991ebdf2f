"""How each record looks in the API: both languages of every text, slugs as identifiers,
and links to the record in the API and to its page on the site (in each language)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Participation,
    Pillar,
    Sector,
    Stakeholder,
)
from dialogue.search import plain

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = {"type": "object", "properties": {code: {"type": "string"} for code in LANGUAGES}}


@extend_schema_field(TRANSLATED)
class TranslatedField(serializers.Field):
    """A translated field in every language: {"en": "…", "es": "…"} (rich text as plain)."""

    def __init__(self, *, rich=False, **kwargs):
        self.rich = rich
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, record):
        values = {}
        for code in LANGUAGES:
            value = getattr(record, f"{self.field_name}_{code}", None) or ""
            values[code] = plain(value) if self.rich else value
        return values


@extend_schema_field(TRANSLATED)
class PageLinksField(serializers.Field):
    """The record's page on the site, in each language."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, record):
        request = self.context.get("request")
        links = {}
        for code in LANGUAGES:
            with translation.override(code):
                path = record.get_absolute_url()
            links[code] = request.build_absolute_uri(path) if request else path
        return links


def api_link(name, **kwargs):
    @extend_schema_field(OpenApiTypes.URI)
    class Link(serializers.Field):
        def __init__(self, **field_kwargs):
            field_kwargs["source"] = "*"
            field_kwargs["read_only"] = True
            super().__init__(**field_kwargs)

        def to_representation(self, record):
            values = {key: getattr(record, attribute) for key, attribute in kwargs.items()}
            path = reverse(f"api:{name}", kwargs=values)
            request = self.context.get("request")
            return request.build_absolute_uri(path) if request else path

    return Link()


def slug_of(**kwargs):
    """A related record by its slug."""
    return serializers.SlugRelatedField(slug_field="slug", read_only=True, **kwargs)


class PillarSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("pillar-detail", slug="slug")
    html_url = PageLinksField()
    name = TranslatedField()
    summary = TranslatedField()
    description = TranslatedField(rich=True)

    class Meta:
        model = Pillar
        fields = ["id", "url", "html_url", "number", "name", "summary", "description"]


class SectorSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("sector-detail", slug="slug")
    name = TranslatedField()
    description = TranslatedField(rich=True)

    class Meta:
        model = Sector
        fields = ["id", "url", "name", "description"]


class StakeholderSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("stakeholder-detail", slug="slug")
    html_url = PageLinksField()
    name = TranslatedField()
    position = TranslatedField()
    description = TranslatedField(rich=True)
    parent = slug_of(allow_null=True)

    class Meta:
        model = Stakeholder
        fields = ["id", "url", "html_url", "name", "acronym", "kind", "country", "parent",
                  "position", "website", "description", "updated_at"]  # fmt: skip


class ParticipationSerializer(serializers.ModelSerializer):
    stakeholder = slug_of()
    capacity = TranslatedField()

    class Meta:
        model = Participation
        fields = ["stakeholder", "role", "side", "capacity"]


class MeetingSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("meeting-detail", slug="slug")
    html_url = PageLinksField()
    calendar_url = serializers.SerializerMethodField()
    title = TranslatedField()
    city = TranslatedField()
    venue = TranslatedField()
    summary = TranslatedField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "url", "html_url", "calendar_url", "edition", "kind", "title", "status",
                  "start", "end", "date_precision", "timezone", "city", "venue", "host_country",
                  "summary", "updated_at"]  # fmt: skip

    def get_start(self, meeting) -> str:
        return meeting.local_start.isoformat()

    def get_end(self, meeting) -> str | None:
        return meeting.local_end.isoformat() if meeting.end else None

    def get_calendar_url(self, meeting) -> str | None:
        from dialogue.calendars import has_calendar_date

        if not has_calendar_date(meeting):
            return None
        request = self.context.get("request")
        path = reverse("dialogue:meeting-ics", kwargs={"slug": meeting.slug})
        return request.build_absolute_uri(path) if request else path


class AgendaItemSerializer(serializers.ModelSerializer):
    url = api_link("agendaitem-detail", pk="pk")
    meeting = slug_of()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    pillar = slug_of(allow_null=True)
    title = TranslatedField()
    description = TranslatedField(rich=True)
    outcome = TranslatedField()

    class Meta:
        model = AgendaItem
        fields = ["id", "url", "meeting", "position", "parent", "title", "description",
                  "pillar", "duration", "outcome"]  # fmt: skip


class MeetingDetailSerializer(MeetingSerializer):
    body = TranslatedField(rich=True)
    participants = ParticipationSerializer(source="participations", many=True, read_only=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    agreements = slug_of(many=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "body", "participants", "agenda", "agreements"]


class PartySerializer(serializers.ModelSerializer):
    stakeholder = slug_of()
    capacity = TranslatedField()

    class Meta:
        model = AgreementParty
        fields = ["stakeholder", "role", "side", "capacity", "signed_on"]


class UpdateSerializer(serializers.ModelSerializer):
    url = api_link("update-detail", pk="pk")
    agreement = slug_of()
    meeting = slug_of(allow_null=True)
    title = TranslatedField()
    note = TranslatedField()

    class Meta:
        model = AgreementUpdate
        fields = [
            "id",
            "url",
            "agreement",
            "date",
            "title",
            "note",
            "status",
            "progress",
            "meeting",
        ]


class AgreementSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("agreement-detail", slug="slug")
    html_url = PageLinksField()
    title = TranslatedField()
    summary = TranslatedField()
    pillar = slug_of(allow_null=True)
    origin_meeting = slug_of(allow_null=True)
    # The current state, overall and per side: that of the latest published update.
    status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    progress = serializers.IntegerField(read_only=True, allow_null=True)
    us_status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    us_progress = serializers.IntegerField(read_only=True, allow_null=True)
    mx_status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    mx_progress = serializers.IntegerField(read_only=True, allow_null=True)
    joint_status = serializers.ChoiceField(choices=AgreementStatus.choices, read_only=True)
    joint_progress = serializers.IntegerField(read_only=True, allow_null=True)
    last_reported_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = ["id", "url", "html_url", "reference", "kind", "title", "status", "progress",
                  "us_status", "us_progress", "mx_status", "mx_progress", "joint_status",
                  "joint_progress", "last_reported_on", "pillar", "announced_on", "signed_on",
                  "in_force_on", "completed_on", "origin_meeting", "summary",
                  "updated_at"]  # fmt: skip


class AgreementDetailSerializer(AgreementSerializer):
    body = TranslatedField(rich=True)
    impact = TranslatedField(rich=True)
    sectors = slug_of(many=True)
    parties = PartySerializer(many=True, read_only=True)
    updates = UpdateSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "body", "impact", "sectors", "parties",
                  "updates"]  # fmt: skip


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("document-detail", slug="slug")
    title = TranslatedField()
    link = serializers.CharField(source="href")
    meeting = slug_of(allow_null=True)
    agreement = slug_of(allow_null=True)

    class Meta:
        model = Document
        fields = ["id", "url", "title", "kind", "language", "published_on", "link", "meeting",
                  "agreement"]  # fmt: skip


class KeyFigureSerializer(serializers.ModelSerializer):
    id = serializers.SlugField(source="slug")
    url = api_link("keyfigure-detail", slug="slug")
    label = TranslatedField()
    qualifier = TranslatedField()
    source = TranslatedField()

    class Meta:
        model = KeyFigure
        fields = ["id", "url", "label", "qualifier", "value", "unit", "year", "source",
                  "source_url"]  # fmt: skip
