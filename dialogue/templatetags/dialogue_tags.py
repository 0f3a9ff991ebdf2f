"""Presentation helpers for the public templates: dates in a meeting's zone, figures, sides."""

from django import template
from django.contrib.humanize.templatetags.humanize import intword
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dialogue.models import Meeting

register = template.Library()


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


@register.simple_tag
def key_figure(figure):
    """A headline figure in words, e.g. "over US$500 billion"."""
    value = figure.value
    whole = value == value.to_integral_value()
    amount = (
        intword(int(value))
        if whole and value >= 1_000_000
        else number_format(value if not whole else int(value), force_grouping=True)
    )
    if figure.unit.upper() == "USD":
        amount = f"US${amount}"
    elif figure.unit:
        amount = f"{amount} {figure.unit}"
    return f"{figure.qualifier} {amount}".strip()
