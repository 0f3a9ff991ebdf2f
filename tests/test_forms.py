"""The project's select widget template renders exactly what Django's own does."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

pytestmark = pytest.mark.django_db


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("b", '"Quoted"')])
    grouped = forms.ChoiceField(
        choices=[("Americas", [("us", "United States"), ("mx", "México")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])


@pytest.mark.parametrize("name", ["plain", "grouped", "many"])
def test_select_renders_as_djangos(name):
    data = {"plain": "a", "grouped": "mx", "many": ["1", "3"]}
    ours = Choices(data, renderer=TemplatesSetting())[name].as_widget()
    djangos = Choices(data, renderer=DjangoTemplates())[name].as_widget()
    assert "<option" in ours
    assert ours.split() == djangos.split()
