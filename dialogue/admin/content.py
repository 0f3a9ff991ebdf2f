"""Documents, key figures and pages in the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..models import Document, KeyFigure, Page
from .filters import MissingSpanishFilter, PublicationFilter, year_filter
from .rows import RowsInline
from .workflow import HttpsLinks, PartAdmin, PublishableAdmin, both, search_both


class MeetingDocumentInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = Document
    fk_name = "meeting"
    extra = 0
    ordering = ["position", "id"]
    fields = [
        both("title"),
        ("slug", "kind", "language"),
        ("url", "file"),
        ("published_on", "position"),
    ]
    prepopulated_fields = {"slug": ["title"]}
    summary_fields = ("position", "title_en", "kind", "language")
    position_field = "position"


class AgreementDocumentInline(MeetingDocumentInline):
    fk_name = "agreement"


@admin.register(KeyFigure)
class KeyFigureAdmin(PublishableAdmin):
    list_display = ["label", "qualifier", "value", "unit", "year", "source", "order", "publication"]
    list_editable = ["order"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "unit", "year"]
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
    list_filter = [PublicationFilter, MissingSpanishFilter]
    search_fields = [*search_both("title", "summary"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": [both("title"), "slug", "menu_order", both("summary"), both("body")]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Document)
class DocumentAdmin(PartAdmin):
    list_display = ["title", "kind", "language", "published_on", "meeting", "agreement"]
    ordering = ["-published_on", "title"]
    list_select_related = ["meeting", "agreement"]
    list_filter = [MissingSpanishFilter, "kind", "language", year_filter("published_on", _("year"))]
    search_fields = [*search_both("title"), "slug", "url"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["meeting", "agreement"]
    readonly_fields = ["created_at", "updated_at"]
