"""Agreements in the admin: one form with the agreement, its parties, updates and documents."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..models import Agreement, AgreementParty, AgreementUpdate
from .content import AgreementDocumentInline
from .filters import MissingSpanishFilter, PublicationFilter, year_filter
from .rows import RowsInline
from .spreadsheets import AgreementResource, SpreadsheetAdmin
from .workflow import HttpsLinks, PartAdmin, PublishableAdmin, both, search_both


class AgreementPartyInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = [("stakeholder", "role", "side"), both("capacity"), "signed_on"]
    summary_fields = ("stakeholder", "role", "side")


class AgreementUpdateInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = AgreementUpdate
    extra = 0
    ordering = ["date"]
    autocomplete_fields = ["meeting"]
    fields = [("date", "status", "progress"), both("title"), both("note"), "meeting"]
    summary_fields = ("date", "title_en", "status", "progress")


@admin.register(Agreement)
class AgreementAdmin(SpreadsheetAdmin, PublishableAdmin):
    resource_classes = [AgreementResource]
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
            {
                "classes": ["collapse", "open"],
                "fields": [("announced_on", "signed_on"), ("in_force_on", "completed_on")],
            },
        ),
        (_("Origin"), {"fields": [("origin_meeting", "agenda_items")]}),
        (None, {"fields": [both("summary"), both("body"), both("impact")]}),
        PublishableAdmin.publication_fieldset,
        PublishableAdmin.staff_fieldset,
    ]

    @admin.display(description=_("progress"), ordering="progress")
    def progress_percent(self, obj):
        return f"{obj.progress} %"


@admin.register(AgreementParty)
class AgreementPartyAdmin(PartAdmin):
    list_display = ["stakeholder", "agreement", "role", "side", "signed_on"]
    list_select_related = ["stakeholder", "agreement"]
    list_filter = ["role", "side"]
    search_fields = search_both("stakeholder__name", "agreement__title")
    autocomplete_fields = ["agreement", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementUpdate)
class AgreementUpdateAdmin(PartAdmin):
    list_display = ["title", "agreement", "date", "status", "progress"]
    list_select_related = ["agreement"]
    list_filter = [MissingSpanishFilter, "status", year_filter("date", _("year"))]
    search_fields = search_both("title", "note", "agreement__title")
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "meeting"]
    readonly_fields = ["created_at", "updated_at"]
