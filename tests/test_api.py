"""The read-only API: every endpoint, both languages per record, slugs as ids, the pages'
filters, 400 on bad parameters, CORS for GET only, an anonymous throttle, ETag, an OpenAPI 3
schema, docs from our static files, and a constant number of queries per endpoint."""

import datetime as dt

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.settings import api_settings

from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    KeyFigureFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    pillar = PillarFactory(slug="connectivity", name="Connectivity", name_es="Conectividad")
    sector = SectorFactory(slug="transport")
    meeting = MeetingFactory(
        title="Second meeting", title_es="Segunda reunión", slug="second", status="held",
        timezone="America/New_York", start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC),
    )  # fmt: skip
    MeetingFactory(slug="draft-meeting", draft=True)
    AgendaItemFactory(meeting=meeting, position=1, pillar=pillar, title="Connectivity item")
    commerce = StakeholderFactory(name="Department of Commerce", slug="commerce")
    ParticipationFactory(meeting=meeting, stakeholder=commerce, role="co-chair")
    agreement = AgreementFactory(
        title="Air transport", title_es="Transporte aéreo", slug="air", status="in-force",
        pillar=pillar, origin_meeting=meeting, sectors=[sector],
    )  # fmt: skip
    AgreementFactory(slug="draft-agreement", draft=True)
    AgreementPartyFactory(agreement=agreement, stakeholder=commerce)
    AgreementUpdateFactory(agreement=agreement, title="Signed")
    DocumentFactory(meeting=meeting, slug="statement")
    KeyFigureFactory(slug="trade")
    return {"meeting": meeting, "agreement": agreement}


ENDPOINTS = [
    "meetings", "agenda-items", "agreements", "updates", "stakeholders", "pillars", "sectors",
    "documents", "key-figures",
]  # fmt: skip


def get(client, path, expect=200, **params):
    response = client.get(path, params)
    assert response.status_code == expect, (path, response.content[:300])
    return response.json() if response.content else None


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_lists_public_records(client, world, endpoint):
    data = get(client, f"/api/v1/{endpoint}/")
    results = data["results"] if isinstance(data, dict) else data
    assert results, endpoint
    text = str(results)
    assert "draft" not in text
    first = results[0]
    detail = get(client, first["url"].replace("http://testserver", ""))
    assert detail["id"] == first["id"]


def test_records_carry_both_languages_slugs_and_page_links(client, world):
    meeting = get(client, "/api/v1/meetings/second/")
    assert meeting["id"] == "second"
    assert meeting["title"] == {"en": "Second meeting", "es": "Segunda reunión"}
    assert meeting["html_url"] == {
        "en": "http://testserver/en/meetings/second/",
        "es": "http://testserver/es/reuniones/second/",
    }
    assert meeting["start"] == "2015-01-06T10:00:00-05:00"
    assert meeting["calendar_url"] == "http://testserver/en/meetings/second/meeting.ics"
    assert meeting["agenda"][0]["pillar"] == "connectivity"
    assert meeting["participants"][0]["stakeholder"] == "commerce"
    assert meeting["agreements"] == ["air"]
    agreement = get(client, "/api/v1/agreements/air/")
    assert agreement["title"]["es"] == "Transporte aéreo"
    assert agreement["sectors"] == ["transport"] and agreement["parties"][0]["role"]
    assert agreement["updates"][0]["title"]["en"] == "Signed"
    assert get(client, "/api/v1/pillars/connectivity/")["name"]["es"] == "Conectividad"


def test_hidden_records_are_404(client, world):
    for path in ("/api/v1/meetings/draft-meeting/", "/api/v1/agreements/draft-agreement/"):
        assert "detail" in get(client, path, expect=404)


def test_filters_are_the_pages_filters(client, world):
    AgreementFactory(slug="completed-one", status="completed")
    found = get(client, "/api/v1/agreements/", status="in-force")
    assert [row["id"] for row in found["results"]] == ["air"]
    found = get(client, "/api/v1/agreements/", q="air", pillar="connectivity", sector="transport")
    assert [row["id"] for row in found["results"]] == ["air"]
    found = get(client, "/api/v1/meetings/", stakeholder="commerce")
    assert [row["id"] for row in found["results"]] == ["second"]


@pytest.mark.parametrize(
    "params",
    [{"status": "nonsense"}, {"year": "abc"}, {"pillar": "nope"}, {"page": "abc"},
     {"stakeholder": "draft-x"}, {"page_size": "x"}],
)  # fmt: skip
def test_bad_parameters_are_a_400_with_a_json_message(client, world, params):
    response = client.get("/api/v1/meetings/" if "stakeholder" in params or "year" in params
                          else "/api/v1/agreements/", params)  # fmt: skip
    if "page_size" in params:
        assert response.status_code == 200  # an unreadable page size falls back to the default
        return
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_pagination(client, world):
    for number in range(25):
        StakeholderFactory(slug=f"extra-{number:02d}")
    first = get(client, "/api/v1/stakeholders/")
    assert first["count"] == 26 and len(first["results"]) == 20
    second = get(client, first["next"].replace("http://testserver", ""))
    assert len(second["results"]) == 6 and second["next"] is None
    assert get(client, "/api/v1/stakeholders/", expect=404, page="9")


def test_cors_allows_get_only(client, world):
    response = client.get("/api/v1/meetings/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/meetings/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {
        "GET", "HEAD", "OPTIONS"
    }  # fmt: skip
    assert client.post("/api/v1/meetings/", {}).status_code == 405
    assert client.delete("/api/v1/meetings/second/").status_code == 405
    page = client.get("/en/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_etag_answers_304(client, world):
    response = client.get("/api/v1/agreements/air/")
    etag = response["ETag"]
    assert client.get("/api/v1/agreements/air/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    world["agreement"].progress = 99
    world["agreement"].save()
    assert client.get("/api/v1/agreements/air/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_anonymous_clients_are_throttled(client, world, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/pillars/").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    assert "detail" in client.get("/api/v1/pillars/").json()
    assert api_settings.DEFAULT_THROTTLE_CLASSES


def test_the_api_answers_while_the_throttles_cache_is_down(client, world, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis does not answer")

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    statuses = [client.get("/api/v1/pillars/").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert "connectivity" in client.get("/api/v1/pillars/").content.decode()


def test_openapi_schema_is_valid_and_docs_use_our_static_files(client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/meetings/{slug}/" in schema["paths"]
    meeting_params = {p["name"] for p in schema["paths"]["/api/v1/meetings/"]["get"]["parameters"]}
    assert {"year", "status", "pillar", "stakeholder", "page"} <= meeting_params
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    # No inline code (a strict CSP allows the page): the start-up script and styles are files.
    assert "<script>" not in docs.replace(" ", "") and "<style" not in docs
    assert "/static/api/docs.css" in docs


def build(size):
    pillar = PillarFactory(slug="big")
    for _ in range(size):
        meeting = MeetingFactory()
        stakeholder = StakeholderFactory(parent=StakeholderFactory())
        ParticipationFactory(meeting=meeting, stakeholder=stakeholder)
        AgendaItemFactory(meeting=meeting, pillar=pillar)
        agreement = AgreementFactory(origin_meeting=meeting, pillar=pillar, slug=f"a-{meeting.pk}")
        AgreementPartyFactory(agreement=agreement, stakeholder=stakeholder)
        AgreementUpdateFactory(agreement=agreement, meeting=meeting)
        DocumentFactory(meeting=meeting)
        KeyFigureFactory()
        SectorFactory()
    MeetingFactory(slug="big")
    AgreementFactory(slug="big")


QUERY_GUARDS = [
    ("/api/v1/meetings/", 3),
    ("/api/v1/meetings/?pillar=big&status=held", 4),
    ("/api/v1/meetings/big/", 7),  # + the evidence of the updates
    ("/api/v1/agreements/", 3),
    ("/api/v1/agreements/?pillar=big&q=a", 4),
    ("/api/v1/agreements/big/", 6),
    ("/api/v1/agenda-items/", 2),
    ("/api/v1/updates/", 3),
    ("/api/v1/stakeholders/", 2),
    ("/api/v1/documents/", 2),
    ("/api/v1/pillars/", 1),
    ("/api/v1/sectors/", 1),
    ("/api/v1/key-figures/", 1),
]


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize(("path", "expected"), QUERY_GUARDS)
def test_query_count_is_constant(client, django_assert_num_queries, size, path, expected):
    build(size)
    with django_assert_num_queries(expected):
        response = client.get(path)
    assert response.status_code == 200
