"""Presentation helpers for the public templates: dates in a meeting's zone, figures, sides."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.encoding import iri_to_uri
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, ngettext, override
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from dialogue.models import Meeting
from dialogue.richtext import render_html

register = template.Library()


@register.filter
def rich(value):
    """Rich text, sanitized again as it is rendered (never `|safe`: see dialogue/richtext.py)."""
    return render_html(value)


def _time(value):
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "TIME_FORMAT")
    )


@register.simple_tag
def meeting_when(meeting):
    """When a meeting happens, as precisely as it is known, in the host city's time."""
    start = meeting.local_start
    precision = meeting.date_precision
    if precision == Meeting.Precision.YEAR:
        return format_html(
            '<time datetime="{}">{}</time> ({})', start.year, start.year, _("date to be confirmed")
        )
    if precision == Meeting.Precision.MONTH:
        return format_html(
            '<time datetime="{}">{}</time> ({})',
            start.strftime("%Y-%m"),
            date_format(start, "YEAR_MONTH_FORMAT"),
            _("day to be confirmed"),
        )
    day = format_html(
        '<time datetime="{}">{}</time>', start.date().isoformat(), date_format(start, "DATE_FORMAT")
    )
    end = meeting.local_end
    if end and end.date() != start.date():
        day = format_html(
            "{} – {}",
            day,
            format_html(
                '<time datetime="{}">{}</time>',
                end.date().isoformat(),
                date_format(end, "DATE_FORMAT"),
            ),
        )
    if precision != Meeting.Precision.TIME:
        return day
    if end and end.date() == start.date():
        return format_html(
            "{}, {}–{} {}",
            day,
            _time(start),
            _time(end),
            meeting.timezone_abbreviation,
        )
    return format_html("{}, {} {}", day, _time(start), meeting.timezone_abbreviation)


@register.simple_tag
def meeting_date(meeting):
    """A short date for lists: the day, or month / year when that is all that is known."""
    start = meeting.local_start
    if meeting.date_precision == Meeting.Precision.YEAR:
        return str(start.year)
    if meeting.date_precision == Meeting.Precision.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    return date_format(start, "DATE_FORMAT")


LARGE_NUMBERS = (
    (10**12, lambda n: ngettext("%(value)s trillion", "%(value)s trillion", n)),
    (10**9, lambda n: ngettext("%(value)s billion", "%(value)s billion", n)),
    (10**6, lambda n: ngettext("%(value)s million", "%(value)s million", n)),
)


def amount_in_words(value):
    """500000000000 -> "500 billion" (short scale, in the active language's words)."""
    for size, phrase in LARGE_NUMBERS:
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if scaled == scaled.to_integral_value():
                shown = number_format(int(scaled), force_grouping=True)
            else:
                shown = number_format(scaled, 1)
            return phrase(int(scaled)) % {"value": shown}
    if value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value, 2, force_grouping=True)


def amount_with_unit(value, unit):
    amount = amount_in_words(value)
    if unit.upper() == "USD":
        return _("US$%(amount)s") % {"amount": amount}
    return f"{amount} {unit}" if unit else amount


@register.simple_tag
def key_figure(figure):
    """A headline figure in words, e.g. "over US$500 billion"."""
    return f"{figure.qualifier} {amount_with_unit(figure.value, figure.unit)}".strip()


@register.simple_tag
def figure_value(figure, point):
    """One value of a key figure's series, in words with the figure's unit."""
    return amount_with_unit(point.value, figure.unit)


def content_language(obj, field):
    """The language `obj.field` is actually shown in: the active one, or its fallback."""
    current = get_language() or settings.LANGUAGE_CODE
    codes = [current] + [code for code, _name in settings.LANGUAGES if code != current]
    for code in codes:
        if getattr(obj, build_localized_fieldname(field, code), None):
            return code
    return current


@register.simple_tag
def lang_attr(obj, field):
    """` lang="en"` on an element whose text falls back to another language, else nothing."""
    code = content_language(obj, field)
    if code == (get_language() or settings.LANGUAGE_CODE):
        return ""
    return format_html(' lang="{}"', code)


@register.simple_tag
def fallback_notice(obj, *fields):
    """A visible note when any of `fields` is shown in another language than the page's."""
    current = get_language() or settings.LANGUAGE_CODE
    shown = {content_language(obj, field) for field in fields} - {current}
    if not shown:
        return ""
    original = shown.pop()
    return format_html(
        '<p class="fallback-notice" role="note">{}</p>',
        _("This text is not available in %(language)s yet; it is shown in %(original)s.")
        % {
            "language": get_language_info(current)["name_translated"].lower(),
            "original": get_language_info(original)["name_translated"].lower(),
        },
    )


def language_paths(request):
    """{language code: the current page's path in it}, same record and filters: what
    `translate_url` gives, from the request's own URL match instead of resolving the path again,
    computed once per request (the header's language switcher and the head's alternate links
    both show it)."""
    paths = getattr(request, "language_paths", None)
    if paths is None:
        full_path = request.get_full_path()
        current = get_language()
        match = getattr(request, "resolver_match", None)
        paths = {}
        for code, _name in settings.LANGUAGES:
            if code == current or match is None:
                paths[code] = full_path if code == current else translate_url(full_path, code)
                continue
            try:
                with override(code):
                    path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:  # as translate_url: the page as it is
                paths[code] = full_path
                continue
            query = request.META.get("QUERY_STRING", "")
            paths[code] = f"{path}?{iri_to_uri(query)}" if query else path
        request.language_paths = paths
    return paths


@register.simple_tag(takes_context=True)
def translated_path(context, code):
    """The current page in language `code`: same record, same filters."""
    return language_paths(context["request"])[code]


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """`<link rel="alternate" hreflang>` for each language version of the current page."""
    request = context.get("request")
    if request is None or not getattr(request, "resolver_match", None):
        return ""
    links = [
        format_html(
            '<link rel="alternate" hreflang="{}" href="{}">',
            code,
            request.build_absolute_uri(path),
        )
        for code, path in language_paths(request).items()
    ]
    return format_html_join("\n  ", "{}", ((link,) for link in links))


def _page_record(context):
    """The record a detail page shows, or None."""
    record = context.get("object")
    return record if hasattr(record, "get_absolute_url") else None


@register.simple_tag(takes_context=True)
def sharing_meta(context):
    """Canonical link, Open Graph and Twitter tags for the current page."""
    from dialogue.search import plain
    from dialogue.structured_data import sharing_tags

    request = context.get("request")
    if request is None or not getattr(request, "resolver_match", None):
        return ""
    record = _page_record(context)
    site = _("US–Mexico High-Level Economic Dialogue")
    if record is None:
        return sharing_tags(
            request,
            site,
            _("Meetings, agenda and agreements of the US–Mexico High-Level Economic Dialogue."),
        )
    title = str(getattr(record, "title", None) or getattr(record, "name", ""))
    text = getattr(record, "summary", "") or plain(getattr(record, "description", ""))
    return sharing_tags(request, title, (text or site)[:300], kind="article")


@register.simple_tag(takes_context=True)
def structured_data(context):
    """The page's schema.org JSON-LD: the site on the home page, an Event for a meeting, an
    organization or person for a stakeholder, and breadcrumbs on detail pages."""
    from django.urls import reverse

    from dialogue import structured_data as ld
    from dialogue.models import Agreement, Page, Pillar, Stakeholder

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if request is None or match is None:
        return ""
    if match.url_name == "home":
        return ld.json_ld(ld.website(request))
    record = _page_record(context)
    if record is None or context.get("is_preview"):
        return ""
    blocks = []
    if isinstance(record, Meeting):
        chairs = [p for column in context.get("co_chairs", []) for p in column["rows"]]
        blocks.append(ld.event(record, request, chairs))
        trail = (_("Meetings"), reverse("dialogue:meeting-list"))
    elif isinstance(record, Stakeholder):
        blocks.append(ld.stakeholder(record, request))
        trail = (_("Stakeholders"), reverse("dialogue:stakeholder-list"))
    elif isinstance(record, Agreement):
        trail = (_("Agreements"), reverse("dialogue:agreement-list"))
    elif isinstance(record, (Pillar, Page)):
        trail = None
    else:
        return ""
    title = str(getattr(record, "title", None) or getattr(record, "name", ""))
    steps = [trail] if trail else []
    blocks.append(ld.breadcrumbs(request, *steps, (title, record.get_absolute_url())))
    return format_html_join("\n  ", "{}", ((ld.json_ld(block),) for block in blocks))


@register.simple_tag(takes_context=True)
def list_query(context):
    """The current list's query string (its filters) without the page: "?…" or ""."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return f"?{query}" if query else ""


@register.inclusion_tag("includes/_subscribe.html", takes_context=True)
def subscribe_links(context, feed, slug=None, calendar=None, filtered=False, head=False):
    """Feed (RSS, Atom) and calendar links, as `<link rel="alternate">` for feed readers
    (`head`) or as visible links; `filtered` keeps the list's filters in them."""
    from django.urls import reverse

    kwargs = {"slug": slug} if slug else {}
    query = list_query(context) if filtered else ""
    calendar_url = ""
    if calendar:
        calendar_url = reverse(calendar, kwargs=kwargs) + query
    return {
        "head": head,
        "rss": reverse(feed, kwargs={**kwargs, "format": "rss"}) + query,
        "atom": reverse(feed, kwargs={**kwargs, "format": "atom"}) + query,
        "calendar": calendar_url,
        "filtered": bool(query),
    }


@register.simple_tag(takes_context=True)
def cards(context, records, template_name, as_name, **extra):
    """Each of `records` rendered by `template_name` (the record named `as_name` in it), as
    `{% for %}{% include %}` would, with each card's HTML kept in the page cache's generation
    (dialogue.cache.render_fragments): a list page that misses the page cache (a new filter
    combination, the next page) reuses the cards other pages rendered. A card is named by the
    page's template (pages may annotate their records differently), its own, the record, its
    version and `extra`; what else it shows is covered by the generation, which any change to
    any record renews.
    """
    from dialogue.cache import render_fragments

    template = context.template.engine.get_template(template_name)
    request = context.get("request")
    page = context.template.name
    suffix = repr(sorted(extra.items()))

    def render(record):
        with context.push(**{as_name: record}, **extra):
            return template.render(context)

    parts = [
        (
            f"{page}|{template_name}|{record._meta.label}|{record.pk}|"
            f"{getattr(record, 'version', '')}|{suffix}",
            record,
        )
        for record in records
    ]
    return mark_safe("".join(render_fragments(request, parts, render)))


class PagePartNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        stored = context.get("page_parts")
        if stored is not None:
            return mark_safe(stored[self.name])
        html = self.nodelist.render(context)
        made = context.get("page_parts_made")
        if made is not None:
            made[self.name] = str(html)
        return html


@register.tag
def page_part(parser, token):
    """`{% page_part "name" %}…{% endpage_part %}`: a part of the layout that shows what the
    page's record shows (its title, its head tags, its content, its structured data), as
    opposed to what depends on the URL (the language switcher, the alternate links).

    A page whose view keeps its parts (`PagePartsMixin` in dialogue/views.py) renders them
    once per content generation and path: `page_parts_made` collects them as they render, and
    a later request for the same path under another URL (a tracking parameter, a crawler's
    variant) gets them back as `page_parts`, rendering only the rest of the layout. On every
    other page the tag just renders what it encloses.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("page_part takes one quoted name")
    nodelist = parser.parse(("endpage_part",))
    parser.delete_first_token()
    return PagePartNode(bits[1][1:-1], nodelist)
