"""Presentation helpers of the consultation pages."""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

register = template.Library()


def _moment(value):
    return format_html(
        '<time datetime="{}">{} {}</time>',
        value.isoformat(),
        date_format(value, "DATETIME_FORMAT"),
        value.tzname(),
    )


@register.simple_tag
def consultation_window(consultation):
    """When a consultation opens and closes, in the time of each country's capital."""
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
        (
            (country, _moment(opens), _moment(closes))
            for country, _zone, opens, closes in consultation.window_in_zones()
        ),
    )
    return rows


@register.simple_tag
def state_badge(consultation):
    state = consultation.state
    return format_html(
        '<span class="badge badge--{}">{}</span>', state, consultation.get_state_display()
    )
