"""The staff back office: every record is edited here."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Page,
    Participation,
    Pillar,
    PublicationStatus,
    Sector,
    Stakeholder,
)


class PublicationFilter(admin.SimpleListFilter):
    """Draft, scheduled or live: what a visitor can see right now."""

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("scheduled", _("Scheduled")),
            ("live", _("Published (live)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.drafts()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "live":
            return queryset.published()
        return queryset


class HttpsLinks:
    """Links typed without a scheme are taken as https:// (Django 6's default)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def year_filter(field_name, title):
    """A list filter offering each year that occurs in `field_name`."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            dates = model_admin.get_queryset(request).order_by().dates(field_name, "year")
            return [(str(d.year), str(d.year)) for d in reversed(dates)]

        def queryset(self, request, queryset):
            if self.value() and self.value().isdigit():
                return queryset.filter(**{f"{field_name}__year": int(self.value())})
            return queryset

    YearFilter.title = title
    return YearFilter


class MeetingAdminForm(forms.ModelForm):
    """Start and end are typed in the host city's local time, whatever the editor's zone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = ZoneInfo(self.instance.timezone)
            for name in ("start", "end"):
                value = getattr(self.instance, name)
                if value and name in self.fields:
                    self.initial[name] = timezone.make_naive(value, zone)

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("timezone")
        if zone_name:
            zone = ZoneInfo(zone_name)
            for name in ("start", "end"):
                value = cleaned.get(name)
                if value:
                    cleaned[name] = timezone.make_aware(timezone.make_naive(value), zone)
                    setattr(self.instance, name, cleaned[name])
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return cleaned


class PublishableAdmin(HttpsLinks, admin.ModelAdmin):
    """Shared behaviour of publishable models: status column, filter and bulk actions."""

    actions = ["publish", "unpublish"]
    publication_fieldset = (_("Publication"), {"fields": ("publication_status", "publish_at")})
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("publication"), ordering="publication_status")
    def publication(self, obj):
        if obj.is_scheduled:
            when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M")
            return _("Scheduled for %(when)s UTC") % {"when": when}
        return obj.get_publication_status_display()

    @admin.action(description=_("Publish the selected records now"))
    def publish(self, request, queryset):
        count = queryset.update(
            publication_status=PublicationStatus.PUBLISHED,
            publish_at=timezone.now(),
            updated_at=timezone.now(),
        )
        self.message_user(
            request,
            ngettext("%(count)d record published.", "%(count)d records published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected records (back to draft)"))
    def unpublish(self, request, queryset):
        count = queryset.update(
            publication_status=PublicationStatus.DRAFT, updated_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d record unpublished.", "%(count)d records unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ParticipationInline(HttpsLinks, admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "order"]
    ordering = ["order", "id"]
    verbose_name = _("participant")
    verbose_name_plural = _("co-chairs and participants")


class AgendaItemInline(HttpsLinks, admin.StackedInline):
    model = AgendaItem
    extra = 0
    fk_name = "meeting"
    ordering = ["position"]
    autocomplete_fields = ["presenters", "sectors"]
    fields = [
        ("position", "duration"),
        "title",
        ("pillar", "parent"),
        "sectors",
        "presenters",
        "description",
        "outcome",
    ]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            meeting_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingDocumentInline(HttpsLinks, admin.TabularInline):
    model = Document
    fk_name = "meeting"
    extra = 0
    fields = ["title", "slug", "kind", "url", "file", "language", "published_on"]
    prepopulated_fields = {"slug": ["title"]}


class AgreementDocumentInline(MeetingDocumentInline):
    fk_name = "agreement"


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    form = MeetingAdminForm
    list_display = [
        "title",
        "edition",
        "start_local",
        "city",
        "host_country",
        "status",
        "kind",
        "publication",
        "agenda_count",
    ]
    list_filter = [
        PublicationFilter,
        "publication_status",
        "status",
        "kind",
        "host_country",
        year_filter("start", _("year")),
        "agenda_items__pillar",
    ]
    search_fields = ["title", "slug", "city", "venue", "summary"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline, AgendaItemInline, MeetingDocumentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("edition", "kind", "status")]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("start", "end"),
                    ("date_precision", "timezone"),
                    ("city", "host_country"),
                    "venue",
                ],
                "description": _(
                    "Enter times as they are in the host city's time zone; "
                    "visitors see them with the zone's abbreviation."
                ),
            },
        ),
        (None, {"fields": ["summary", "body"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            # distinct: the pillar filter joins agenda items again and would multiply the count.
            agenda_total=Count("agenda_items", distinct=True)
        )

    @admin.display(description=_("agenda items"), ordering="agenda_total")
    def agenda_count(self, obj):
        return obj.agenda_total

    @admin.display(description=_("start (local)"), ordering="start")
    def start_local(self, obj):
        return f"{obj.local_start:%Y-%m-%d %H:%M} {obj.timezone_abbreviation}"


class AgreementPartyInline(HttpsLinks, admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "signed_on"]


class AgreementUpdateInline(HttpsLinks, admin.StackedInline):
    model = AgreementUpdate
    extra = 0
    ordering = ["date"]
    autocomplete_fields = ["meeting"]
    fields = [("date", "status", "progress"), "title", "note", "meeting"]


@admin.register(Agreement)
class AgreementAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "pillar",
        "status",
        "progress_percent",
        "announced_on",
        "origin_meeting",
        "publication",
    ]
    list_select_related = ["pillar", "origin_meeting"]
    list_filter = [
        PublicationFilter,
        "publication_status",
        "status",
        "kind",
        "pillar",
        "sectors",
        year_filter("announced_on", _("year announced")),
    ]
    search_fields = ["title", "slug", "reference", "summary"]
    date_hierarchy = "announced_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["origin_meeting", "sectors", "agenda_items"]
    inlines = [AgreementPartyInline, AgreementUpdateInline, AgreementDocumentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("reference", "kind"), ("pillar", "sectors")]}),
        (_("Status"), {"fields": [("status", "progress")]}),
        (
            _("Key dates"),
            {"fields": [("announced_on", "signed_on"), ("in_force_on", "completed_on")]},
        ),
        (_("Origin"), {"fields": ["origin_meeting", "agenda_items"]}),
        (None, {"fields": ["summary", "body", "impact"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("progress"), ordering="progress")
    def progress_percent(self, obj):
        return f"{obj.progress} %"


@admin.register(Stakeholder)
class StakeholderAdmin(PublishableAdmin):
    list_display = ["name", "acronym", "kind", "country", "parent", "position", "publication"]
    list_select_related = ["parent"]
    list_filter = [PublicationFilter, "publication_status", "kind", "country"]
    search_fields = ["name", "acronym", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "acronym", ("kind", "country"), "parent"]}),
        (None, {"fields": ["position", "website", "description"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]


@admin.register(KeyFigure)
class KeyFigureAdmin(PublishableAdmin):
    list_display = ["label", "qualifier", "value", "unit", "year", "source", "order", "publication"]
    list_editable = ["order"]
    list_filter = [PublicationFilter, "publication_status", "unit", "year"]
    search_fields = ["label", "source"]
    prepopulated_fields = {"slug": ["label"]}
    fieldsets = [
        (None, {"fields": ["label", "slug", ("qualifier", "value", "unit"), "year", "order"]}),
        (_("Source"), {"fields": ["source", "source_url"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    list_display = ["title", "slug", "menu_order", "publication", "updated_at"]
    list_filter = [PublicationFilter, "publication_status"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "menu_order", "summary", "body"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Pillar)
class PillarAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["number", "name", "slug"]
    list_display_links = ["number", "name"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Sector)
class SectorAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgendaItem)
class AgendaItemAdmin(HttpsLinks, admin.ModelAdmin):
    """Agenda items are edited inside their meeting; this list helps find them across meetings."""

    list_display = ["title", "meeting", "position", "pillar", "duration"]
    list_select_related = ["meeting", "pillar"]
    list_filter = ["pillar", "sectors", "meeting__kind", year_filter("meeting__start", _("year"))]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting", "parent", "sectors", "presenters"]
    readonly_fields = ["created_at", "updated_at"]

    def view_on_site(self, obj):
        return obj.meeting.get_absolute_url()


@admin.register(Participation)
class ParticipationAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["stakeholder", "meeting", "role", "side", "capacity"]
    list_select_related = ["stakeholder", "meeting"]
    list_filter = ["role", "side", "meeting__kind"]
    search_fields = ["stakeholder__name", "meeting__title", "capacity"]
    autocomplete_fields = ["meeting", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementParty)
class AgreementPartyAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["stakeholder", "agreement", "role", "side", "signed_on"]
    list_select_related = ["stakeholder", "agreement"]
    list_filter = ["role", "side"]
    search_fields = ["stakeholder__name", "agreement__title"]
    autocomplete_fields = ["agreement", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementUpdate)
class AgreementUpdateAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["title", "agreement", "date", "status", "progress"]
    list_select_related = ["agreement"]
    list_filter = ["status", year_filter("date", _("year"))]
    search_fields = ["title", "note", "agreement__title"]
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "meeting"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Document)
class DocumentAdmin(HttpsLinks, admin.ModelAdmin):
    list_display = ["title", "kind", "language", "published_on", "meeting", "agreement"]
    list_select_related = ["meeting", "agreement"]
    list_filter = ["kind", "language", year_filter("published_on", _("year"))]
    search_fields = ["title", "slug", "url"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["meeting", "agreement"]
    readonly_fields = ["created_at", "updated_at"]
