"""Stakeholders in the admin."""

from django.contrib import admin

from ..models import Stakeholder
from .filters import MissingSpanishFilter, PublicationFilter
from .spreadsheets import SpreadsheetAdmin, StakeholderResource
from .workflow import PublishableAdmin, both, search_both


@admin.register(Stakeholder)
class StakeholderAdmin(SpreadsheetAdmin, PublishableAdmin):
    resource_classes = [StakeholderResource]
    list_display = ["name", "acronym", "kind", "country", "parent", "position", "publication"]
    list_select_related = ["parent"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "kind", "country"]
    search_fields = [*search_both("name", "position"), "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": [both("name"), ("slug", "acronym"), ("kind", "country"), "parent"]}),
        (None, {"fields": [both("position"), "website", both("description")]}),
        PublishableAdmin.publication_fieldset,
        PublishableAdmin.staff_fieldset,
    ]
