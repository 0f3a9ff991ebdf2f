"""Public pages. Thin class-based views reading only through the public read model
(`public()`, `with_public_parts()` in dialogue/models/): what a visitor may see of a record and
of its related records is decided there, never here or in a template."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import cache as page_cache
from . import calendars, charts, factsheet, search, tracking
from .filters import AgreementFilter, MeetingFilter, ProgressFilter, StakeholderFilter
from .models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    KeyFigure,
    Meeting,
    Page,
    Participation,
    PartySide,
    Pillar,
    SlugRedirect,
    Stakeholder,
)


def split_by_side(rows):
    """Group participations or parties into US, Mexico, joint and other columns."""
    order = (PartySide.US, PartySide.MX, PartySide.JOINT, PartySide.OTHER)
    columns = {side: [] for side in order}
    for row in rows:
        columns.get(row.side or row.stakeholder.country, columns[PartySide.OTHER]).append(row)
    return [
        {"side": side, "label": PartySide(side).label, "rows": columns[side]}
        for side in order
        if columns[side]
    ]


class PagePartsMixin:
    """A page whose parts (`{% page_part %}` in templates/base.html: its title, head tags,
    content and structured data) depend on its path and on the query parameters it names
    (`parts_parameters`: a list's filters and page), never on any other: the view sees only
    those (a tracking parameter or a crawler's own addition is dropped from ``request.GET``
    before the page is made, so no link on it carries them on). The parts are kept in the
    fragment cache for the content generation, the path and those parameters, and a new URL
    of the same page renders only the rest of the layout, without reading the records.
    Anonymous public renders only (`cached_value`): staff, previews and redirects render as
    ever, and parts are kept only from a page that rendered whole with status 200.
    """

    PARTS = ("title", "description", "meta", "content", "scripts")
    keeps_parts = True

    def parts_parameters(self):
        """The query parameters the page reads: none on a record's page."""
        return ()

    def get(self, request, *args, **kwargs):
        names = set(self.parts_parameters())
        if any(name not in names for name in request.GET):
            request.GET = request.GET.copy()
            for name in [name for name in request.GET if name not in names]:
                del request.GET[name]
            request.GET._mutable = False
        if not self.keeps_parts:
            return super().get(request, *args, **kwargs)
        query = sorted(request.GET.lists())
        name = ("page-parts", request.scheme, request.get_host(), request.path, query)
        parts, keep = page_cache.cached_value(request, name)
        if parts is not None:
            context = {"view": self, "page_parts": parts}
            return self.response_class(request, [self.template_name], context)
        if keep is None:
            return super().get(request, *args, **kwargs)
        self.page_parts_made = {}
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200 and hasattr(response, "add_post_render_callback"):

            def store(rendered):
                if set(self.page_parts_made) == set(self.PARTS):
                    keep(self.page_parts_made)

            response.add_post_render_callback(store)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        made = getattr(self, "page_parts_made", None)
        if made is not None:
            context["page_parts_made"] = made
        return context


class PreviewMixin:
    """Staff may open drafts and scheduled records (marked as a preview, never stored by a
    cache); visitors get 404. The old slug of a renamed record redirects to its address."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        try:
            response = super().get(request, *args, **kwargs)
        except Http404:
            # Only a miss looks for a former slug: found pages make no extra query.
            visible = self.model._default_manager.visible_to(request.user)
            target = SlugRedirect.objects.target(visible, kwargs.get("slug"))
            if target is None:
                raise
            return HttpResponsePermanentRedirect(target.get_absolute_url())
        if not self.object.is_public:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_public
        return context


class NarrowPaginator(Paginator):
    """Pages whose records are found narrow, then read whole: the page's ids are sorted from
    the sort keys alone (a subquery), and only those rows are read with their joins and
    state. Sorting every matching row whole (its texts, its joined meeting and pillar) cost
    the tracker 0.1 s at 20,000 agreements. Still one query per page."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class PaginatedFilterView(PagePartsMixin, FilterView):
    """A filtered, paginated list; invalid filters show errors and an empty list. It reads
    its filters and its page from the query, nothing else (`PagePartsMixin`)."""

    strict = True

    def parts_parameters(self):
        return (*self.filterset_class.base_filters, self.page_kwarg)

    def get_paginate_by(self, queryset):
        return settings.PAGINATE_BY


class HomeView(PagePartsMixin, TemplateView):
    """The home page: what HLED is, its pillars, figures, meetings and latest agreements."""

    template_name = "dialogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = Meeting.objects.public()
        context.update(
            pillars=Pillar.objects.public(),
            key_figures=KeyFigure.objects.public(),
            next_meeting=meetings.next_upcoming(),
            latest_meeting=meetings.filter(status=Meeting.Status.HELD).order_by("-start").first(),
            latest_agreements=Agreement.objects.public().with_lead_agencies().newest_first()[:6],
            about_page=Page.objects.public().filter(slug="about").first(),
        )
        return context


class MeetingListView(PaginatedFilterView):
    """All published meetings, newest first, filterable."""

    filterset_class = MeetingFilter
    template_name = "dialogue/meeting_list.html"

    def get_queryset(self):
        return Meeting.objects.public().with_counts().order_by("-start")


class MeetingDetailView(PagePartsMixin, PreviewMixin, DetailView):
    """A meeting: when and where, co-chairs, agenda, agreements, participants and documents."""

    model = Meeting
    template_name = "dialogue/meeting_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_public_parts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        participations = list(meeting.participations.all())
        co_chairs = [p for p in participations if p.role == Participation.Role.CO_CHAIR]
        others = [p for p in participations if p.role != Participation.Role.CO_CHAIR]
        items = list(meeting.agenda_items.all())
        top_level = [item for item in items if item.parent_id is None]
        children = {}
        for item in items:
            if item.parent_id:
                children.setdefault(item.parent_id, []).append(item)
        for item in top_level:
            item.sub_items = children.get(item.pk, [])
        # Public input (consultations/): "Input received" and "Shaped by N submissions".
        from consultations.public import meeting_input

        context.update(meeting_input(meeting, items))
        published = Meeting.objects.public().exclude(pk=meeting.pk)
        if meeting.is_public and calendars.has_calendar_date(meeting):
            context["calendar_url"] = reverse("dialogue:meeting-ics", kwargs={"slug": meeting.slug})
        previous_meeting = published.filter(start__lt=meeting.start).order_by("-start").first()
        context.update(
            co_chairs=split_by_side(co_chairs),
            participants=split_by_side(others),
            agenda=top_level,
            previous_meeting=previous_meeting,
            next_meeting=published.filter(start__gt=meeting.start).order_by("start").first(),
            reviewed=reviewed_by_agreement(meeting.agreement_updates.all()),
            since_previous=tracking.since_previous(meeting, previous_meeting),
        )
        return context


def reviewed_by_agreement(updates):
    """The updates reported at a meeting, grouped by agreement: [(agreement, [updates])]."""
    groups = {}
    for update in updates:
        groups.setdefault(update.agreement_id, (update.agreement, []))[1].append(update)
    return list(groups.values())


class AgreementListView(PaginatedFilterView):
    """All published agreements, filterable."""

    filterset_class = AgreementFilter
    template_name = "dialogue/agreement_list.html"
    paginator_class = NarrowPaginator

    def get_queryset(self):
        return Agreement.objects.public().with_lead_agencies().newest_first()


class AgreementDetailView(PagePartsMixin, PreviewMixin, DetailView):
    """An agreement: status, progress, dates, parties, timeline, origin and documents."""

    model = Agreement
    template_name = "dialogue/agreement_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_public_parts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parties"] = split_by_side(self.object.parties.all())
        return context


class StakeholderListView(PaginatedFilterView):
    """The stakeholder directory."""

    filterset_class = StakeholderFilter
    template_name = "dialogue/stakeholder_list.html"

    def get_queryset(self):
        return Stakeholder.objects.public().order_by("name")


class StakeholderDetailView(PagePartsMixin, PreviewMixin, DetailView):
    """A stakeholder, with the meetings it took part in and the agreements it is party to."""

    model = Stakeholder
    template_name = "dialogue/stakeholder_detail.html"
    # A co-chairing department takes part in thousands of meetings: show the latest ones
    # (the agreement list filters by stakeholder for the rest).
    LIMIT = 20

    def get_queryset(self):
        # The latest rows of this stakeholder, chosen by a subquery inside the prefetch query
        # (a sliced Prefetch would need its own attribute, which the template does not read).
        slug = self.kwargs[self.slug_url_kwarg]
        newest_meetings = ("-meeting__start", "-id")
        latest_participations = (
            Participation.objects.in_public_owners()
            .filter(stakeholder__slug=slug)
            .order_by(*newest_meetings)
            .values("pk")[: self.LIMIT]
        )
        participations = (
            Participation.objects.filter(pk__in=latest_participations)
            .select_related("meeting")
            .order_by(*newest_meetings)
        )
        newest_agreements = (F("agreement__announced_on").desc(nulls_last=True), "-id")
        latest_parties = (
            AgreementParty.objects.in_public_owners()
            .filter(stakeholder__slug=slug)
            .order_by(*newest_agreements)
            .values("pk")[: self.LIMIT]
        )
        parties = (
            AgreementParty.objects.filter(pk__in=latest_parties)
            .prefetch_related(Prefetch("agreement", queryset=Agreement.objects.with_state()))
            .order_by(*newest_agreements)
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("participations", queryset=participations),
                Prefetch("agreement_parties", queryset=parties),
                Prefetch("children", queryset=Stakeholder.objects.public()),
            )
        )


class PillarDetailView(PagePartsMixin, DetailView):
    """A pillar: its agenda items and agreements, with a breakdown of agreement statuses."""

    queryset = Pillar.objects.public()
    template_name = "dialogue/pillar_detail.html"
    LIMIT = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pillar = self.object
        agreements = Agreement.objects.public().filter(pillar=pillar)
        breakdown = agreements.order_by().values("status").annotate(count=Count("*"))
        labels = dict(Agreement.Status.choices)
        status_breakdown = [
            {"status": row["status"], "label": labels[row["status"]], "count": row["count"]}
            for row in sorted(breakdown, key=lambda r: list(labels).index(r["status"]))
        ]
        context.update(
            agreements=agreements.with_lead_agencies().newest_first()[: self.LIMIT],
            agreement_total=sum(row["count"] for row in status_breakdown),
            agenda_items=AgendaItem.objects.public()
            .filter(pillar=pillar)
            .order_by("-meeting__start", "position")[: self.LIMIT],
            status_breakdown=status_breakdown,
            limit=self.LIMIT,
        )
        return context


class SearchView(TemplateView):
    """Site search over every public kind of record (dialogue/search.py)."""

    template_name = "dialogue/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = search.run(
            self.request.GET, self.request.GET.get("page"), settings.PAGINATE_BY, self.request
        )
        context.update(
            search=found,
            form=found.form,
            page_obj=found.page,
            paginator=found.paginator,
            is_paginated=bool(found.paginator and found.paginator.num_pages > 1),
        )
        return context


class DataView(TemplateView):
    """Open data: what can be downloaded, under which licence, how often it changes, and
    what each field means (dialogue/opendata.py)."""

    template_name = "dialogue/data.html"

    def get_context_data(self, **kwargs):
        from . import opendata

        context = super().get_context_data(**kwargs)
        context.update(tables=opendata.TABLES, json_files=opendata.JSON_FILES.items())
        return context


class PageDetailView(PagePartsMixin, PreviewMixin, DetailView):
    """An editable content page."""

    model = Page
    template_name = "dialogue/page_detail.html"


class ProgressView(PaginatedFilterView):
    """The commitment tracker: every commitment with its status per side, filterable, with
    counts by status per pillar, per side and per meeting, and progress over time."""

    filterset_class = ProgressFilter
    template_name = "dialogue/progress.html"
    paginator_class = NarrowPaginator

    def get_paginate_by(self, queryset):
        return 50

    def get_queryset(self):
        return Agreement.objects.public().with_lead_agencies().order_by("pillar__number", "title")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        valid = self.filterset.is_bound is False or self.filterset.is_valid()
        agreements = self.filterset.qs if valid else self.get_queryset().none()
        context.update(
            figures=(
                page_cache.fragment(
                    self.request,
                    "tracker-figures",
                    self.chosen_filters(),
                    lambda: self.render_figures(agreements),
                )
                if valid
                else self.render_figures(agreements)
            ),
            key_figures=page_cache.fragment(
                self.request, "tracker-key-figures", (), self.render_key_figures
            ),
        )
        return context

    def render_key_figures(self):
        """The key figures by year, with their charts, as HTML (the same for every filter)."""
        figures = list(KeyFigure.objects.public().with_public_parts())
        for figure in figures:
            series = [{"year": v.year, "value": float(v.value)} for v in figure.values.all()]
            figure.series = list(figure.values.all())
            figure.chart = charts.sparkline(series, value="value") if len(series) > 1 else None
        return render_to_string("dialogue/_key_figures_by_year.html", {"key_figures": figures})

    def chosen_filters(self):
        """The filters as chosen (records by their slug): the figures do not depend on the
        page, nor on parameters that are no filter."""
        if not self.filterset.is_bound:
            return ()
        chosen = sorted(self.filterset.form.cleaned_data.items())
        return tuple((name, str(getattr(value, "slug", value) or "")) for name, value in chosen)

    def render_figures(self, agreements):
        """The figures over every commitment the filters keep (counts by status, pillar, side
        and meeting, progress over time), as HTML."""
        summary = tracking.breakdown(agreements)
        meetings = tracking.by_meeting(agreements)
        over_time = tracking.progress_over_time(agreements)
        context = {
            "summary": summary,
            "pillar_chart": charts.paired_bars(
                [{"label": str(row["pillar"] or "—"), **row} for row in summary["pillars"]],
                label="label",
                first="total",
                second="delivered",
            ),
            "status_chart": charts.bars(summary["overall"], label="label", value="count"),
            "meetings": meetings,
            "meeting_chart": charts.paired_bars(
                [{"label": row["meeting"].title, **row} for row in meetings],
                label="label",
                first="announced",
                second="delivered",
            ),
            "over_time": over_time,
            "over_time_chart": charts.line(
                over_time, label="year", value="average", maximum=100, unit="%"
            ),
        }
        # No request: the part reads nothing of it, and context processors would cost queries.
        return render_to_string("dialogue/_progress_figures.html", context)


class FactSheetView(PagePartsMixin, PreviewMixin, DetailView):
    """A meeting's fact sheet, to print: when and where, co-chairs, agenda, commitments
    announced with their status today, key figures."""

    model = Meeting
    template_name = "dialogue/factsheet.html"

    def get_queryset(self):
        return super().get_queryset().with_public_parts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(factsheet.facts(self.object, split_by_side))
        return context


class FactSheetPDFView(FactSheetView):
    """The fact sheet as a PDF, in the page's language."""

    keeps_parts = False  # not an HTML page

    def render_to_response(self, context, **response_kwargs):
        url = self.request.build_absolute_uri(
            reverse("dialogue:meeting-factsheet", kwargs={"slug": self.object.slug})
        )
        response = HttpResponse(factsheet.render_pdf(context, url), content_type="application/pdf")
        name = factsheet.filename(self.object, get_language())
        response["Content-Disposition"] = f'inline; filename="{name}"'
        if context["is_preview"]:
            patch_cache_control(response, private=True, no_store=True)
        return response
