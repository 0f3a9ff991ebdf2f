"""The form renderer: Django's TemplatesSetting, with the select widget written in Python.

A filter form's selects were the costliest part of a list page's render after its cards:
Django renders a select through three templates (select.html, then select_option.html and
attrs.html for each option), about 0.2 ms per option. `FormRenderer` makes the same HTML from
the same widget context in Python (tests/test_forms.py compares it with Django's). Options
with a template of their own, and every other widget, still render through the templates
(TEMPLATES, so templates/django/forms/ can override one).
"""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def attrs_html(attrs):
    """What django/forms/widgets/attrs.html makes of `attrs`."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = self.select(context["widget"])
            if html is not None:
                return mark_safe(html)
        return super().render(template_name, context, request=request)

    def select(self, widget):
        """select.html for `widget` (a Select's context), or None when an option has a
        template of its own."""
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>'
        ]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                if option["template_name"] != OPTION:
                    return None
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # Django strips what its templates render
        return "".join(parts)
