"""Every public page type is valid HTML5: no parse error, no duplicate id, no dangling reference."""

import html5lib
import pytest
from django.conf import settings
from django.utils import translation

from dialogue.models import Agreement
from tests.page_types import PAGE_TYPES, demo_page_paths, expected_status

pytestmark = pytest.mark.django_db

# Attributes whose value names other elements by id.
ID_REFERENCES = {
    "for": False,
    "aria-labelledby": True,
    "aria-describedby": True,
    "aria-controls": True,
    "headers": True,
}


def html_problems(content):
    """Parse errors (html5lib, the WHATWG algorithm), duplicate ids and references to no id."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    document = parser.parse(content)
    problems = []
    lines = content.decode().splitlines()
    for (line, column), code, data in parser.errors:
        source = lines[line - 1].strip()[:120] if 0 < line <= len(lines) else ""
        problems.append(f"line {line}, column {column}: {code} {data or ''}\n    {source}")

    ids = [element.get("id") for element in document.iter() if element.get("id") is not None]
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    problems += [f"duplicate id {value!r}" for value in duplicates]
    problems += ["empty id"] if "" in ids else []

    known = set(ids)
    for element in document.iter():
        for attribute, many in ID_REFERENCES.items():
            value = element.get(attribute)
            if value is None:
                continue
            for target in value.split() if many else [value]:
                if target not in known:
                    problems.append(f"<{element.tag} {attribute}={value!r}> names no element")
        href = element.get("href", "")
        if element.tag == "a" and href.startswith("#") and href[1:] and href[1:] not in known:
            problems.append(f"<a href={href!r}> points to no element")
    return problems


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_is_valid_html(client, demo_data, page_type, language):
    with translation.override(language):
        path = demo_page_paths()[page_type]
    response = client.get(path)
    assert response.status_code == expected_status(page_type)
    problems = html_problems(response.content)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_filtered_list_with_errors_is_valid_html(client, demo_data):
    with translation.override(settings.LANGUAGE_CODE):
        path = demo_page_paths()["agreement-list"]
    response = client.get(path, {"status": "nonsense", "year": "abc", "page": "1"})
    assert response.status_code == 200
    assert not html_problems(response.content)


def test_draft_preview_is_valid_html(staff_client, demo_data):
    draft = Agreement.objects.drafts().first()
    assert draft is not None, "the demo data should include a draft"
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert b"preview-banner" in response.content
    assert not html_problems(response.content)


def test_the_checker_finds_problems():
    broken = (
        b'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        b'<p id="a"><div id="a">x</div></p><label for="b">b</label>'
        b'<span aria-labelledby="c"></span>'
        b"<ul><li><a>x</li></ul></body></html>"
    )
    problems = "\n".join(html_problems(broken))
    assert "unexpected-end-tag" in problems
    assert "duplicate id 'a'" in problems
    assert "for='b'" in problems and "aria-labelledby='c'" in problems
