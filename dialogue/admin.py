"""The staff back office: every record is edited here."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import get_translation_fields

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


def both(*names):
    """Each field name in every language: ("title",) -> ("title_en", "title_es")."""
    return tuple(field for name in names for field in get_translation_fields(name))


def search_both(*names):
    """Search fields covering every language version of translated fields."""
    fields = []
    for name in names:
        *path, last = name.split("__")
        for field in get_translation_fields(last):
            fields.append("__".join([*path, field]))
    return fields


class MissingSpanishFilter(admin.SimpleListFilter):
    """Records whose Spanish text is missing where the English one exists."""

    title = _("Spanish text")
    parameter_name = "spanish"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("complete", _("Complete"))]

    def queryset(self, request, queryset):
        if self.value() not in {"missing", "complete"}:
            return queryset
        try:
            fields = translator.get_options_for_model(queryset.model).fields
        except NotRegistered:
            return queryset
        missing = Q()
        for name in fields:
            has_english = Q(**{f"{name}_en__gt": ""})
            no_spanish = Q(**{f"{name}_es__isnull": True}) | Q(**{f"{name}_es": ""})
            missing |= has_english & no_spanish
        return queryset.filter(missing) if self.value() == "missing" else queryset.exclude(missing)


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


class PublishableAdmin(HttpsLinks, TranslationAdmin):
    """Shared behaviour of publishable models: status column, filter and bulk actions."""

    actions = ["publish", "unpublish"]
    publication_fieldset = (_("Publication"), {"fields": ("publication_status", "publish_at")})
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("publication"), ordering="publication_status")
    def publication(self, obj):
        if obj.is_scheduled:
            when = date_format(timezone.localtime(obj.publish_at), "DATETIME_FORMAT")
            return _("Scheduled for %(when)s UTC") % {"when": when}
        return obj.get_publication_status_display()

    @admin.action(description=_("Publish the selected records now"))
    def publish(self, request, queryset):
        # Records already live keep their publication time; drafts and scheduled ones go live now.
        now = timezone.now()
        live = queryset.published().values("pk")
        count = queryset.exclude(pk__in=live).update(
            publication_status=PublicationStatus.PUBLISHED, publish_at=now, updated_at=now
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


class ParticipationInline(HttpsLinks, TranslationTabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "order"]
    ordering = ["order", "id"]
    verbose_name = _("participant")
    verbose_name_plural = _("co-chairs and participants")


class AgendaItemInline(HttpsLinks, TranslationStackedInline):
    model = AgendaItem
    extra = 0
    fk_name = "meeting"
    ordering = ["position"]
    autocomplete_fields = ["presenters", "sectors"]
    fields = [
        ("position", "duration"),
        both("title"),
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


class MeetingDocumentInline(HttpsLinks, TranslationTabularInline):
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
        MissingSpanishFilter,
        "publication_status",
        "status",
        "kind",
        "host_country",
        year_filter("start", _("year")),
        "agenda_items__pillar",
    ]
    search_fields = [*search_both("title", "city", "venue", "summary"), "slug"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline, AgendaItemInline, MeetingDocumentInline]
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("edition", "kind", "status")]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("start", "end"),
                    ("date_precision", "timezone"),
                    both("city"),
                    "host_country",
                    both("venue"),
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
        return (
            super()
            .get_queryset(request)
            .annotate(
                # distinct: the pillar filter joins agenda items again and would multiply the count.
                agenda_total=Count("agenda_items", distinct=True)
            )
        )

    @admin.display(description=_("agenda items"), ordering="agenda_total")
    def agenda_count(self, obj):
        return obj.agenda_total

    @admin.display(description=_("start (local)"), ordering="start")
    def start_local(self, obj):
        return f"{obj.local_start:%Y-%m-%d %H:%M} {obj.timezone_abbreviation}"


class AgreementPartyInline(HttpsLinks, TranslationTabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "signed_on"]


class AgreementUpdateInline(HttpsLinks, TranslationStackedInline):
    model = AgreementUpdate
    extra = 0
    ordering = ["date"]
    autocomplete_fields = ["meeting"]
    fields = [("date", "status", "progress"), both("title"), "note", "meeting"]


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
        MissingSpanishFilter,
        "publication_status",
        "status",
        "kind",
        "pillar",
        "sectors",
        year_filter("announced_on", _("year announced")),
    ]
    search_fields = [*search_both("title", "summary"), "slug", "reference"]
    date_hierarchy = "announced_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["origin_meeting", "sectors", "agenda_items"]
    inlines = [AgreementPartyInline, AgreementUpdateInline, AgreementDocumentInline]
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("reference", "kind"), ("pillar", "sectors")]}),
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
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status", "kind", "country"]
    search_fields = [*search_both("name", "position"), "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": [both("name"), "slug", "acronym", ("kind", "country"), "parent"]}),
        (None, {"fields": [both("position"), "website", "description"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]


@admin.register(KeyFigure)
class KeyFigureAdmin(PublishableAdmin):
    list_display = ["label", "qualifier", "value", "unit", "year", "source", "order", "publication"]
    list_editable = ["order"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status", "unit", "year"]
    search_fields = search_both("label", "source")
    prepopulated_fields = {"slug": ["label"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    both("label"),
                    "slug",
                    both("qualifier"),
                    ("value", "unit"),
                    "year",
                    "order",
                ]
            },
        ),
        (_("Source"), {"fields": [both("source"), "source_url"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    list_display = ["title", "slug", "menu_order", "publication", "updated_at"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status"]
    search_fields = [*search_both("title", "summary"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": [both("title"), "slug", "menu_order", "summary", "body"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Pillar)
class PillarAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["number", "name", "slug"]
    list_display_links = ["number", "name"]
    search_fields = search_both("name", "summary")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Sector)
class SectorAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = search_both("name")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgendaItem)
class AgendaItemAdmin(HttpsLinks, TranslationAdmin):
    """Agenda items are edited inside their meeting; this list helps find them across meetings."""

    list_display = ["title", "meeting", "position", "pillar", "duration"]
    list_select_related = ["meeting", "pillar"]
    list_filter = [
        MissingSpanishFilter,
        "pillar",
        "sectors",
        "meeting__kind",
        year_filter("meeting__start", _("year")),
    ]
    search_fields = search_both("title", "meeting__title")
    autocomplete_fields = ["meeting", "parent", "sectors", "presenters"]
    readonly_fields = ["created_at", "updated_at"]

    def view_on_site(self, obj):
        return obj.meeting.get_absolute_url()


@admin.register(Participation)
class ParticipationAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["stakeholder", "meeting", "role", "side", "capacity"]
    list_select_related = ["stakeholder", "meeting"]
    list_filter = ["role", "side", "meeting__kind"]
    search_fields = search_both("stakeholder__name", "meeting__title", "capacity")
    autocomplete_fields = ["meeting", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementParty)
class AgreementPartyAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["stakeholder", "agreement", "role", "side", "signed_on"]
    list_select_related = ["stakeholder", "agreement"]
    list_filter = ["role", "side"]
    search_fields = search_both("stakeholder__name", "agreement__title")
    autocomplete_fields = ["agreement", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementUpdate)
class AgreementUpdateAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["title", "agreement", "date", "status", "progress"]
    list_select_related = ["agreement"]
    list_filter = [MissingSpanishFilter, "status", year_filter("date", _("year"))]
    search_fields = search_both("title", "note", "agreement__title")
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "meeting"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Document)
class DocumentAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["title", "kind", "language", "published_on", "meeting", "agreement"]
    list_select_related = ["meeting", "agreement"]
    list_filter = [MissingSpanishFilter, "kind", "language", year_filter("published_on", _("year"))]
    search_fields = [*search_both("title"), "slug", "url"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["meeting", "agreement"]
    readonly_fields = ["created_at", "updated_at"]
