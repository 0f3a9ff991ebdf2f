"""Open data: the data page, streamed CSV per table, the ZIP of everything, OCD / Popolo JSON,
ETag and Last-Modified, formula-safe cells, both languages, constant queries."""

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from dialogue.opendata import TABLES, neutralize
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    KeyFigureFactory,
    MeetingFactory,
    ParticipationFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def url(route, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"dialogue:{route}", kwargs=kwargs or None)


def download(client, address, **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200, address
    return response, b"".join(response.streaming_content)


def rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def world():
    meeting = MeetingFactory(
        title="=HYPERLINK(\"http://evil\")", title_es="Reunión", slug="first",
        start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC),
    )  # fmt: skip
    AgendaItemFactory(meeting=meeting, position=1, title="Connectivity", title_es="Conectividad")
    AgendaItemFactory(meeting=MeetingFactory(draft=True), position=1, title="Hidden item")
    commerce = StakeholderFactory(name="Department of Commerce", slug="commerce", kind="agency")
    person = StakeholderFactory(name="Penny Pritzker", slug="penny", kind="person", parent=commerce)
    ParticipationFactory(meeting=meeting, stakeholder=person, role="co-chair")
    ParticipationFactory(meeting=meeting, stakeholder=StakeholderFactory(draft=True))
    agreement = AgreementFactory(title="Air transport", slug="air", origin_meeting=meeting)
    AgreementPartyFactory(agreement=agreement, stakeholder=commerce)
    AgreementUpdateFactory(agreement=agreement, title="@SUM(A1)")
    AgreementFactory(title="Draft agreement", draft=True)
    DocumentFactory(meeting=meeting, title="Joint statement")
    KeyFigureFactory(label="Trade")
    return {"meeting": meeting, "agreement": agreement}


def test_data_page_describes_licence_frequency_and_fields(client, world):
    for language in ("en", "es"):
        page = client.get(url("data", language)).content.decode()
        for table in TABLES:
            assert url("data-csv", language, name=table.name) in page
        assert url("data-zip", language) in page
    page = client.get(url("data")).content.decode()
    assert "CC BY 4.0" in page and "How often it changes" in page
    assert "<code>title_es</code>" in page and "Slug of the meeting" in page


@pytest.mark.parametrize("table", [table.name for table in TABLES])
def test_each_table_is_a_csv_of_public_rows_in_both_languages(client, world, table):
    response, content = download(client, url("data-csv", name=table))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="hled-{table}.csv"' in response["Content-Disposition"]
    assert response.streaming
    text = content.decode("utf-8-sig")
    assert "Hidden" not in text and "Draft" not in text
    assert rows(content), table


def test_cells_are_neutralized_against_formulas(client, world):
    _response, content = download(client, url("data-csv", name="meetings"))
    meeting = rows(content)[0]
    assert meeting["title_en"] == '\'=HYPERLINK("http://evil")'
    assert meeting["title_es"] == "Reunión"
    assert meeting["start"] == "2013-09-20T10:00:00-05:00"
    _response, content = download(client, url("data-csv", name="updates"))
    assert rows(content)[0]["title_en"] == "'@SUM(A1)"
    for dangerous in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralize(dangerous).startswith("'")
    assert neutralize(-5) == "-5" and neutralize("safe") == "safe"


def test_etag_and_last_modified_answer_304_until_something_changes(client, world):
    address = url("data-csv", name="agreements")
    response, _content = download(client, address)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(address, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(address, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    world["agreement"].title = "Air transport agreement"
    world["agreement"].save()
    response, _content = download(client, address, HTTP_IF_NONE_MATCH=etag)
    assert response["ETag"] != etag
    spanish, _content = download(client, url("data-csv", "es", name="agreements"))
    assert spanish["ETag"] != response["ETag"]


def test_json_follows_open_civic_data_and_popolo(client, world):
    _response, content = download(client, url("data-json", name="meetings"))
    event = json.loads(content)["events"][0]
    assert event["name"] == {"en": '=HYPERLINK("http://evil")', "es": "Reunión"}
    assert event["start_date"] == "2013-09-20T10:00:00-05:00"
    assert event["timezone"] == "America/Mexico_City" and event["all_day"] is False
    assert event["agenda"][0]["description"] == {"en": "Connectivity", "es": "Conectividad"}
    assert event["documents"][0]["note"]["en"] == "Joint statement"
    _response, content = download(client, url("data-json", name="popolo"))
    items = json.loads(content)["items"]
    by_type = {}
    for item in items:
        by_type.setdefault(item["_type"], []).append(item)
    assert {item["id"] for item in by_type["organization"]} == {"commerce"}
    assert by_type["person"][0]["organization_id"] == "commerce"
    membership = by_type["membership"][0]
    assert membership["person_id"] == "penny" and membership["role"] == "co-chair"
    assert membership["organization_id"] == "meeting:first"
    _response, content = download(client, url("data-json", name="agreements"))
    agreement = json.loads(content)["agreements"][0]
    assert agreement["parties"][0]["stakeholder"] == "commerce"
    assert agreement["updates"][0]["title"]["en"] == "@SUM(A1)"  # JSON is not a spreadsheet
    assert "Draft" not in content.decode()


def test_zip_holds_every_file(client, world):
    response, content = download(client, url("data-zip"))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        meetings = archive.read("hled-meetings.csv")
    assert names == {f"hled-{t.name}.csv" for t in TABLES} | {
        "hled-meetings.json", "hled-popolo.json", "hled-agreements.json"
    }  # fmt: skip
    assert rows(meetings)[0]["slug"] == "first"
    assert client.get(url("data-zip"), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_unknown_files_are_404(client):
    assert client.get(url("data-csv", name="secrets")).status_code == 404
    assert client.get(url("data-json", name="secrets")).status_code == 404


def build(size):
    for _ in range(size):
        meeting = MeetingFactory()
        AgendaItemFactory(meeting=meeting)
        DocumentFactory(meeting=meeting)
        ParticipationFactory(meeting=meeting)
        agreement = AgreementFactory(origin_meeting=meeting)
        AgreementPartyFactory(agreement=agreement)
        AgreementUpdateFactory(agreement=agreement)


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(
    ("route", "kwargs", "expected"),
    [
        ("data-csv", {"name": "meetings"}, 2),
        ("data-csv", {"name": "participations"}, 2),
        ("data-json", {"name": "meetings"}, 6),
        ("data-json", {"name": "popolo"}, 5),
        ("data-json", {"name": "agreements"}, 8),  # + the evidence of the updates
    ],
)
def test_query_count_is_constant(client, django_assert_num_queries, size, route, kwargs, expected):
    build(size)
    with django_assert_num_queries(expected):
        download(client, url(route, **kwargs))
