"""Lists on phones: the filters sit behind a "Filter" control (a disclosure that works
without JavaScript; dialogue/filters.js folds it on narrow screens), and an empty choice
reads "Any …" instead of dashes."""

import re

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, MeetingFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["meeting-list", "agreement-list", "stakeholder-list", "progress"])
def test_filters_fold_behind_a_filter_control(client, name):
    MeetingFactory()
    AgreementFactory()
    StakeholderFactory()
    page = client.get(reverse(f"dialogue:{name}")).content.decode()
    assert '<details class="filter-disclosure" open data-filter-disclosure>' in page
    assert "<summary>Filter</summary>" in page
    assert re.search(r'<script src="/static/dialogue/filters\.js" defer></script>', page)
    assert "---------" not in page
    options = re.findall(r'<option value=""(?: selected)?>([^<]*)</option>', page)
    assert options and all(option.startswith("Any ") for option in options), options


def test_empty_choices_are_translated(client):
    MeetingFactory()
    page = client.get("/es/reuniones/").content.decode()
    assert "Cualquier estado" in page and "Cualquier año" in page and "Filtrar" in page


def test_the_script_is_a_static_file_without_inline_code(client):
    page = client.get(reverse("dialogue:meeting-list")).content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", page)
    assert inline == []
