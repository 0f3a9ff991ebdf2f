"""Template filters of the admin's own templates."""

from django import template

register = template.Library()


@register.filter
def opens_by_default(fieldset):
    """Whether a collapsible section of a form starts open (it has the class "open")."""
    return "open" in fieldset.classes.split()
