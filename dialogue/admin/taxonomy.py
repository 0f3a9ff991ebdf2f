"""Pillars and sectors in the admin (Publishers only change them: they have no drafts)."""

from django.contrib import admin

from ..models import Pillar, Sector
from .workflow import WorkflowAdmin, search_both


@admin.register(Pillar)
class PillarAdmin(WorkflowAdmin):
    list_display = ["number", "name", "slug"]
    list_display_links = ["number", "name"]
    search_fields = search_both("name", "summary")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Sector)
class SectorAdmin(WorkflowAdmin):
    list_display = ["name", "slug"]
    search_fields = search_both("name")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
