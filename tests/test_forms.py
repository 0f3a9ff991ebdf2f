"""The project's form renderer makes exactly the select HTML Django's own templates make."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from hled.renderers import FormRenderer

pytestmark = pytest.mark.django_db


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("b", '"Quoted"')])
    described = forms.ChoiceField(
        choices=[("x", "<b>X</b>")],
        widget=forms.Select(attrs={"aria-describedby": 'id_x_error"', "required": True}),
    )
    grouped = forms.ChoiceField(
        choices=[("Americas", [("us", "United States"), ("mx", "México")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])


@pytest.mark.parametrize("name", ["plain", "grouped", "many", "described"])
@pytest.mark.parametrize("bound", [True, False])
def test_select_renders_as_djangos(name, bound):
    data = {"plain": "a", "grouped": "mx", "many": ["1", "3"]} if bound else None
    ours = Choices(data, renderer=FormRenderer())[name].as_widget()
    djangos = Choices(data, renderer=DjangoTemplates())[name].as_widget()
    assert "<option" in ours
    assert ours == djangos


def test_an_option_with_its_own_template_renders_through_it(settings, tmp_path):
    class Starred(forms.Select):
        option_template_name = "starred_option.html"

    (tmp_path / "starred_option.html").write_text("<option>* {{ widget.label }}</option>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    field = forms.ChoiceField(choices=[("a", "A")], widget=Starred)
    html = field.widget.render("f", "a", renderer=FormRenderer())
    assert html.startswith('<select name="f">') and "<option>* A</option>" in html
