"""Meetings in the admin: one form with the meeting, its participants, agenda and documents."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline
from reversion.models import Version

from .. import publishing
from ..models import AgendaItem, Meeting, Participation
from ..timezones import timezone_choices
from .content import MeetingDocumentInline
from .filters import MissingSpanishFilter, PublicationFilter, year_filter
from .rows import RowsInline
from .spreadsheets import ParticipantSpreadsheetAdmin, ParticipationResource
from .workflow import HttpsLinks, PartAdmin, PublishableAdmin, WorkflowAdminForm, both, search_both


def edited_object_id(request):
    """The id of the record whose form `request` shows: on its change page, on the page
    restoring one of its versions, or on the page recovering it after deletion."""
    match = request.resolver_match
    if "object_id" in match.kwargs:
        return match.kwargs["object_id"]
    url_name = match.url_name or ""
    if url_name.endswith("_revision"):
        return unquote(match.args[0])
    if url_name.endswith("_recover"):
        return Version.objects.filter(pk=match.args[0]).values_list("object_id", flat=True).first()
    return None


class MeetingAdminForm(WorkflowAdminForm):
    """Start and end are typed in the host city's local time, whatever the editor's zone."""

    # The zones come from the standard library when the form is built (no frozen list).
    timezone = forms.ChoiceField(
        label=Meeting._meta.get_field("timezone").verbose_name,
        choices=timezone_choices,
        initial=Meeting._meta.get_field("timezone").default,
        help_text=Meeting._meta.get_field("timezone").help_text,
    )

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


class ParticipationInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = [("stakeholder", "role", "side"), both("capacity"), "order"]
    ordering = ["order", "id"]
    verbose_name = _("participant")
    verbose_name_plural = _("co-chairs and participants")
    summary_fields = ("order", "stakeholder", "role", "side")
    position_field = "order"


class AgendaItemInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = AgendaItem
    extra = 0
    fk_name = "meeting"
    ordering = ["position"]
    autocomplete_fields = ["presenters", "sectors"]
    fields = [
        ("position", "duration"),
        both("title"),
        ("pillar", "parent"),
        ("sectors", "presenters"),
        both("description"),
        both("outcome"),
    ]
    show_change_link = True
    summary_fields = ("position", "title_en", "pillar")
    position_field = "position"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            meeting_id = edited_object_id(request)
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    form = MeetingAdminForm
    change_form_template = "admin/dialogue/meeting/change_form.html"
    actions = [*PublishableAdmin.actions, "duplicate_as_next"]
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
                "classes": ["collapse", "open"],
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
        (None, {"fields": [both("summary"), both("body")]}),
        PublishableAdmin.publication_fieldset,
        PublishableAdmin.staff_fieldset,
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

    def get_urls(self):
        duplicate = path(
            "<path:object_id>/duplicate/",
            self.admin_site.admin_view(self.duplicate_view),
            name="dialogue_meeting_duplicate",
        )
        return [duplicate, *super().get_urls()]

    def duplicate_view(self, request, object_id):
        """POST: copy the meeting as the draft of its next edition, then open the copy."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self.get_object(request, unquote(object_id))
        if meeting is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_view_or_change_permission(request, meeting)):
            raise PermissionDenied
        return self.open_copy(request, meeting)

    def open_copy(self, request, meeting):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            copy = publishing.next_meeting(request.user, meeting)
        except publishing.Refused as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(self.admin_url("change", meeting.pk))
        self.message_user(
            request,
            _(
                "“%(copy)s” is a new draft copied from “%(meeting)s”: its agenda, co-chairs "
                "and participants, without dates or outcomes. Set its dates and check its title."
            )
            % {"copy": copy, "meeting": meeting},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.admin_url("change", copy.pk))

    @admin.action(description=_("Duplicate as next meeting (one meeting)"), permissions=["add"])
    def duplicate_as_next(self, request, queryset):
        meetings = list(queryset[:2])
        if len(meetings) != 1:
            self.message_user(
                request, _("Select exactly one meeting to duplicate."), messages.WARNING
            )
            return None
        return self.open_copy(request, meetings[0])

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and self.has_add_permission(request):
            context.setdefault("duplicate_url", self.admin_url("duplicate", obj.pk))
        if change and obj is not None:
            participants = reverse("admin:dialogue_participation_changelist")
            context.setdefault("participants_url", f"{participants}?meeting__id__exact={obj.pk}")
            if self.admin_site._registry[Participation].has_import_permission(request):
                context.setdefault(
                    "participants_import_url",
                    reverse("admin:dialogue_participation_import") + f"?meeting={obj.pk}",
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("agenda items"), ordering="agenda_total")
    def agenda_count(self, obj):
        return obj.agenda_total

    @admin.display(description=_("start (local)"), ordering="start")
    def start_local(self, obj):
        return f"{obj.local_start:%Y-%m-%d %H:%M} {obj.timezone_abbreviation}"


@admin.register(AgendaItem)
class AgendaItemAdmin(PartAdmin):
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
class ParticipationAdmin(ParticipantSpreadsheetAdmin, PartAdmin):
    resource_classes = [ParticipationResource]
    list_display = ["stakeholder", "meeting", "role", "side", "capacity"]
    list_select_related = ["stakeholder", "meeting"]
    list_filter = ["role", "side", "meeting__kind"]
    search_fields = search_both("stakeholder__name", "meeting__title", "capacity")
    autocomplete_fields = ["meeting", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]
