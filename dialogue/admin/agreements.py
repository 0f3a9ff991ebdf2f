"""Agreements in the admin: one form with the agreement, its parties and documents; its
implementation updates are reviewed on their own pages, with their evidence."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..models import SIDE_FIELDS, Agreement, AgreementParty, AgreementUpdate, Evidence
from .content import AgreementDocumentInline
from .filters import CurrentStatusFilter, MissingSpanishFilter, PublicationFilter, year_filter
from .rows import RowsInline
from .spreadsheets import AgreementResource, SpreadsheetAdmin
from .workflow import HttpsLinks, PartAdmin, PublishableAdmin, both, search_both


class AgreementPartyInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = [("stakeholder", "role", "side"), both("capacity"), "signed_on"]
    summary_fields = ("stakeholder", "role", "side")


class AgreementUpdateInline(admin.TabularInline):
    """The agreement's updates, listed: each is drafted, reviewed and published on its own
    page (with its evidence), never from the agreement's form."""

    model = AgreementUpdate
    extra = 0
    ordering = ["date", "id"]
    fields = ["date", "title", "status", "progress", "meeting", "publication"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("implementation updates (open one to change it)")

    @admin.display(description=_("publication"))
    def publication(self, obj):
        if obj.is_scheduled:
            return _("Scheduled")
        return obj.get_publication_status_display()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def state_summary(obj):
    """ "Being implemented, 60 % · US: …" for a record annotated with its state."""
    parts = [f"{obj.get_status_display()}, {obj.progress} %"]
    for side, prefix in SIDE_FIELDS:
        status = getattr(obj, f"{prefix}_status")
        if status:
            label = Agreement.Status(status).label
            parts.append(f"{side.label}: {label}, {getattr(obj, f'{prefix}_progress')} %")
    return " · ".join(parts)


@admin.register(Agreement)
class AgreementAdmin(SpreadsheetAdmin, PublishableAdmin):
    resource_classes = [AgreementResource]
    list_display = [
        "title",
        "kind",
        "pillar",
        "current_state",
        "last_report",
        "announced_on",
        "origin_meeting",
        "publication",
    ]
    list_select_related = ["pillar", "origin_meeting"]
    list_filter = [
        PublicationFilter,
        MissingSpanishFilter,
        CurrentStatusFilter,
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
    readonly_fields = ("created_at", "updated_at", "state_and_updates")
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("reference", "kind"), ("pillar", "sectors")]}),
        (_("Current state"), {"fields": ["state_and_updates"]}),
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

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description=_("current state"), ordering="status")
    def current_state(self, obj):
        return state_summary(obj)

    @admin.display(description=_("latest published update"), ordering="last_reported_on")
    def last_report(self, obj):
        return obj.last_reported_on or "—"

    @admin.display(description=_("status and progress"))
    def state_and_updates(self, obj):
        add = reverse("admin:dialogue_agreementupdate_add")
        if obj is None or obj.pk is None:
            return _(
                "An agreement's status and progress come from its latest published "
                "implementation update. Save the agreement, then add its first update."
            )
        return format_html(
            '<p>{}</p><p>{}</p><p><a class="addlink" href="{}?agreement={}">{}</a></p>',
            state_summary(obj),
            _(
                "The status and progress, overall and per side, are those of the latest "
                "published implementation update. To change them, add an update: a Publisher "
                "reviews and publishes it."
            ),
            add,
            obj.pk,
            _("Add an implementation update"),
        )


@admin.register(AgreementParty)
class AgreementPartyAdmin(PartAdmin):
    list_display = ["stakeholder", "agreement", "role", "side", "signed_on"]
    list_select_related = ["stakeholder", "agreement"]
    list_filter = ["role", "side"]
    search_fields = search_both("stakeholder__name", "agreement__title")
    autocomplete_fields = ["agreement", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


class EvidenceInline(RowsInline, HttpsLinks, TranslationStackedInline):
    model = Evidence
    extra = 1
    autocomplete_fields = ["document"]
    fields = [both("title"), ("url", "document"), "order"]
    summary_fields = ("order", "title_en", "url")


@admin.register(AgreementUpdate)
class AgreementUpdateAdmin(PublishableAdmin):
    """An implementation update: the state it leaves the agreement in, overall and per side,
    the meeting where it was reported, its evidence. Editors draft it; a Publisher reviews
    and publishes it (which records who confirmed it)."""

    list_display = [
        "title",
        "agreement",
        "date",
        "status",
        "progress",
        "sides",
        "meeting",
        "publication",
        "confirmed_by",
    ]
    list_select_related = ["agreement", "meeting", "confirmed_by"]
    list_filter = [
        PublicationFilter,
        MissingSpanishFilter,
        "status",
        "us_status",
        "mx_status",
        "joint_status",
        year_filter("date", _("year")),
    ]
    search_fields = search_both("title", "note", "agreement__title")
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "meeting"]
    inlines = [EvidenceInline]
    readonly_fields = ("created_at", "updated_at", "confirmed_by", "confirmed_at")
    fieldsets = [
        (None, {"fields": ["agreement", ("date", "meeting"), both("title"), both("note")]}),
        (
            _("State after this step"),
            {
                "description": _(
                    "Filled in with the agreement's current state: change what this step "
                    "changed. A side without a part of its own stays empty. Marking the "
                    "agreement or a side completed needs evidence below before publication."
                ),
                "fields": [
                    ("status", "progress"),
                    ("us_status", "us_progress"),
                    ("mx_status", "mx_progress"),
                    ("joint_status", "joint_progress"),
                ],
            },
        ),
        PublishableAdmin.publication_fieldset,
        (_("Review"), {"fields": [("confirmed_by", "confirmed_at")]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("sides"))
    def sides(self, obj):
        return (
            format_html_join(
                ", ", "{}: {} %", ((row["label"], row["progress"]) for row in obj.sides)
            )
            or "—"
        )

    def get_changeform_initial_data(self, request):
        """A new update starts from its agreement's current state: only what changed is
        typed."""
        initial = super().get_changeform_initial_data(request)
        agreement_id = request.GET.get("agreement", "")
        if agreement_id.isdigit():
            agreement = Agreement.objects.filter(pk=agreement_id).with_state().first()
            if agreement is not None:
                initial["agreement"] = agreement.pk
                for name in ("status", "progress"):
                    initial[name] = getattr(agreement, name)
                for _side, prefix in SIDE_FIELDS:
                    for name in (f"{prefix}_status", f"{prefix}_progress"):
                        initial[name] = getattr(agreement, name)
        return initial

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request.evidence_formsets = formsets
        return formsets, inline_instances

    def evidence_count(self, request):
        """How many evidence items the update will have once this form's rows are saved."""
        count = 0
        for formset in getattr(request, "evidence_formsets", ()):
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE"):
                    continue
                if form.instance.pk is not None or (data.get("url") or data.get("document")):
                    count += 1
        return count

    def save_model(self, request, obj, form, change):
        request.evidence = self.evidence_count(request)
        super().save_model(request, obj, form, change)
