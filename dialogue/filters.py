"""FilterSets behind the public lists."""

import datetime

import django_filters
from django import forms
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import get_translation_fields

from .cache import memo
from .models import (
    SIDE_FIELDS,
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    Meeting,
    Pillar,
    Sector,
    Side,
    Stakeholder,
    TrackSide,
)

SIDE_PREFIX = {side.value: prefix for side, prefix in SIDE_FIELDS}


def year_choices(dates):
    """Newest year first, after an empty choice ("Any year")."""
    # TypedChoiceFilter adds no empty choice itself: without one, a browser would send the
    # newest year with every submission of the form.
    years = [(d.year, str(d.year)) for d in dates][::-1]
    return [("", _("Any year")), *years]


def distinct_years(queryset, field):
    """The years in which `queryset` has a `field` value, as dates (1 January), oldest first.

    On PostgreSQL, a loose index scan: a recursive query that takes the smallest value, then
    the smallest from the next 1 January on, and so on, so the database makes one index probe
    per year instead of reading every row (10,000 meetings: 7 ms down to well under 1 ms).
    Elsewhere `QuerySet.dates()`. Both read years in the current time zone.
    """
    return distinct_years_of((queryset, field))


def distinct_years_of(*pairs):
    """`distinct_years` of several (queryset, field) pairs at once, merged: one query on
    PostgreSQL (each pair's loose index scan, in a UNION)."""
    queryset = pairs[0][0]
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return sorted({day for qs, field in pairs for day in qs.dates(field, "year")})
    parts, all_params = [], []
    for queryset, field in pairs:
        sql, params = _years_sql(connection, queryset, field)
        parts.append(f"({sql})")
        all_params += params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), all_params)
        return sorted({datetime.date(int(row[0]), 1, 1) for row in cursor.fetchall()})


def _years_sql(connection, queryset, field):
    """The loose index scan of `distinct_years` for one queryset: (sql, params)."""
    rows, params = queryset.order_by().values(field).query.sql_with_params()
    column = connection.ops.quote_name(field)
    if isinstance(queryset.model._meta.get_field(field), models.DateTimeField):
        zone = timezone.get_current_timezone_name()
        local = "(years.value AT TIME ZONE %s)"
        next_year = f"((date_trunc('year', {local}) + interval '1 year') AT TIME ZONE %s)"
        year, year_params = f"extract(year FROM {local})", [zone, zone, zone]
    else:
        next_year = "(date_trunc('year', years.value) + interval '1 year')"
        year, year_params = "extract(year FROM years.value)", []
    sql = f"""
        WITH RECURSIVE years(value) AS (
            SELECT MIN(rows.{column}) FROM ({rows}) rows
            UNION ALL
            SELECT (
                SELECT MIN(rows.{column}) FROM ({rows}) rows
                WHERE rows.{column} >= {next_year}
            )
            FROM years WHERE years.value IS NOT NULL
        )
        SELECT {year} FROM years WHERE value IS NOT NULL
    """
    # The zone parameters: two for the next year, then one for the year selected.
    return sql, [*params, *params, *year_params]


def meeting_years():
    return year_choices(distinct_years(Meeting.objects.public(), "start"))


def agreement_years():
    return year_choices(distinct_years(Agreement.objects.public(), "announced_on"))


def public_meetings(request):
    return Meeting.objects.public()


def public_stakeholders(request):
    return Stakeholder.objects.public()


class SearchFilter(django_filters.CharFilter):
    """Case-insensitive text search over several fields."""

    def __init__(self, *args, fields=(), **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        query = Q()
        for field in self.search_fields:
            # Translated fields are searched in every language, so a visitor finds a record
            # whichever language they type in.
            for column in self.columns(qs.model, field):
                query |= Q(**{f"{column}__icontains": value})
        return qs.filter(query)

    @staticmethod
    def columns(model, field):
        try:
            translated = translator.get_options_for_model(model).fields
        except NotRegistered:
            translated = ()
        return get_translation_fields(field) if field in translated else [field]


class RelatedFilter(django_filters.ModelChoiceFilter):
    """Keep records with at least one related row pointing at the chosen object.

    A semi-join (`pk IN (subquery)`) rather than a join: a join repeats a record once per
    matching row and needs DISTINCT over whole rows, which is slow at thousands of records.
    """

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        matching = qs.model._base_manager.filter(**{self.field_name: value}).values("pk")
        return qs.filter(pk__in=matching)


class ChoicesPerGeneration:
    """A filter form's choices read once per content generation, not on every render.

    Public renders read them from the generation's cache (dialogue.cache.memo): the years of a
    callable `choices` (read once per request elsewhere: Django runs it on every pass, to
    render the select and again to validate), and what each drop-down of public records
    offers. A chosen record is still looked up in its queryset when the form is validated,
    so nothing but what the drop-down shows comes from the cache. Fields named in
    `own_choices` set their drop-down themselves.
    """

    own_choices = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, filter_ in self.filters.items():
            choices = filter_.extra.get("choices")
            if callable(choices):
                filter_.extra["choices"] = memo(
                    self.request,
                    (type(self).__name__, name),
                    lambda choices=choices: [(value, str(label)) for value, label in choices()],
                )

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, field in form.fields.items():
                if name in self.own_choices or field.widget.is_hidden:
                    continue
                if isinstance(field, forms.ModelChoiceField):
                    field.widget.choices = GenerationChoices(
                        self.request, (type(self).__name__, name), field
                    )
        return self._form


class GenerationChoices(BaseChoiceIterator):
    """What a drop-down of public records offers, read from `memo()` when the drop-down is
    rendered (a form only validated, as the API's, reads nothing for it)."""

    def __init__(self, request, name, field):
        self.request, self.name, self.field = request, name, field
        self.values = None

    def __iter__(self):
        if self.values is None:
            self.values = memo(
                self.request,
                self.name,
                lambda: [(str(value), str(label)) for value, label in self.field.choices],
            )
        return iter(self.values)


class MeetingFilter(ChoicesPerGeneration, django_filters.FilterSet):
    """Filters of the meeting list."""

    year = django_filters.TypedChoiceFilter(
        field_name="start__year", label=_("Year"), choices=meeting_years, coerce=int
    )
    status = django_filters.ChoiceFilter(
        choices=Meeting.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        choices=Meeting.Kind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    host_country = django_filters.ChoiceFilter(
        choices=Side.choices, label=_("Host country"), empty_label=_("Any country")
    )
    pillar = RelatedFilter(
        field_name="agenda_items__pillar",
        to_field_name="slug",
        queryset=Pillar.objects.public(),
        label=_("Pillar"),
        empty_label=_("Any pillar"),
    )
    # Reached from a stakeholder's page (which shows its latest meetings), like the agreement
    # list's: a hidden field, not a drop-down of thousands.
    stakeholder = RelatedFilter(
        field_name="participations__stakeholder",
        to_field_name="slug",
        queryset=public_stakeholders,
        label=_("Stakeholder"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Meeting
        fields = ["year", "status", "kind", "host_country", "pillar", "stakeholder"]


class AgreementFilter(ChoicesPerGeneration, django_filters.FilterSet):
    """Filters of the agreement list."""

    q = SearchFilter(fields=("title", "summary", "reference"))
    pillar = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=Pillar.objects.public(),
        label=_("Pillar"),
        empty_label=_("Any pillar"),
    )
    sector = RelatedFilter(
        field_name="sectors",
        to_field_name="slug",
        queryset=Sector.objects.public(),
        label=_("Sector"),
        empty_label=_("Any sector"),
    )
    status = django_filters.ChoiceFilter(
        choices=AgreementStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        choices=Agreement.Kind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    year = django_filters.TypedChoiceFilter(
        field_name="announced_on__year",
        label=_("Year announced"),
        choices=agreement_years,
        coerce=int,
    )
    # Meetings and stakeholders number in the thousands: they are reached by links from their
    # own pages, so these two travel as hidden fields rather than huge drop-downs.
    meeting = django_filters.ModelChoiceFilter(
        field_name="origin_meeting",
        to_field_name="slug",
        queryset=public_meetings,
        label=_("Meeting"),
        widget=forms.HiddenInput,
    )
    stakeholder = RelatedFilter(
        field_name="parties__stakeholder",
        to_field_name="slug",
        queryset=public_stakeholders,
        label=_("Stakeholder"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Agreement
        fields = ["q", "pillar", "sector", "status", "kind", "year", "meeting", "stakeholder"]


class StakeholderFilter(ChoicesPerGeneration, django_filters.FilterSet):
    """Filters of the stakeholder directory."""

    q = SearchFilter(fields=("name", "acronym", "position"))
    kind = django_filters.ChoiceFilter(
        choices=Stakeholder.Kind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    country = django_filters.ChoiceFilter(
        choices=Side.choices, label=_("Country"), empty_label=_("Any country")
    )

    class Meta:
        model = Stakeholder
        fields = ["q", "kind", "country"]


class TrackedSideFilter(django_filters.ChoiceFilter):
    """A side: the commitments in which that side has a part of its own (a status)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.exclude(**{f"{SIDE_PREFIX[value]}_status": ""}).exclude(
            **{f"{SIDE_PREFIX[value]}_status__isnull": True}
        )


class TrackerStatusFilter(django_filters.ChoiceFilter):
    """A status: overall, or that of the side chosen in the same form."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        side = self.parent.form.cleaned_data.get("side")
        field = f"{SIDE_PREFIX[side]}_status" if side else "status"
        return qs.filter(**{field: value})


class MeetingRelatedFilter(django_filters.ModelChoiceFilter):
    """Commitments announced at the meeting, or whose progress was reported there."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        reported = AgreementUpdate.objects.published().filter(meeting=value).values("agreement")
        return qs.filter(Q(origin_meeting=value) | Q(pk__in=reported))


def annual_meetings():
    return Meeting.objects.public().filter(kind=Meeting.Kind.ANNUAL).order_by("start")


class ProgressFilter(ChoicesPerGeneration, django_filters.FilterSet):
    """Filters of the commitment tracker."""

    pillar = django_filters.ModelChoiceFilter(
        to_field_name="slug",
        queryset=Pillar.objects.public(),
        label=_("Pillar"),
        empty_label=_("Any pillar"),
    )
    sector = RelatedFilter(
        field_name="sectors",
        to_field_name="slug",
        queryset=Sector.objects.public(),
        label=_("Sector"),
        empty_label=_("Any sector"),
    )
    # Any public meeting is accepted (meeting pages link here); the drop-down offers the
    # annual meetings, which are few.
    meeting = MeetingRelatedFilter(
        to_field_name="slug", queryset=public_meetings, label=_("Meeting")
    )
    side = TrackedSideFilter(choices=TrackSide.choices, label=_("Side"), empty_label=_("Any side"))
    status = TrackerStatusFilter(
        choices=AgreementStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    own_choices = ("meeting",)

    class Meta:
        model = Agreement
        fields = ["pillar", "sector", "meeting", "side", "status"]

    @property
    def form(self):
        form = super().form
        field = form.fields["meeting"]
        if not getattr(field, "annual_choices", False):
            choices = list(
                memo(
                    self.request,
                    "progress-annual-meetings",
                    lambda: [(m.slug, str(m.title)) for m in annual_meetings()],
                )
            )
            chosen = form.data.get("meeting")
            if chosen and chosen not in {slug for slug, _title in choices} and form.is_valid():
                meeting = form.cleaned_data.get("meeting")
                if meeting is not None:
                    choices.append((meeting.slug, meeting.title))
            field.widget.choices = [("", _("Any meeting")), *choices]
            field.annual_choices = True
        return form
