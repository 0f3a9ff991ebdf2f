"""List filters of the admin's changelists."""

from django.contrib import admin
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from reversion.models import Version


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


class EditedByMeFilter(admin.SimpleListFilter):
    """Records the user changed (any version of theirs in the history)."""

    title = _("edited by")
    parameter_name = "edited_by"

    def lookups(self, request, model_admin):
        return [("me", _("Me"))]

    def queryset(self, request, queryset):
        if self.value() != "me":
            return queryset
        mine = (
            Version.objects.get_for_model(queryset.model)
            .filter(revision__user=request.user)
            .annotate(record=Cast("object_id", BigIntegerField()))
            .values("record")
        )
        return queryset.filter(pk__in=mine)


class CurrentStatusFilter(admin.SimpleListFilter):
    """An agreement's current status: the one its latest published update records."""

    title = _("current status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        from ..models import AgreementStatus

        return AgreementStatus.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset
