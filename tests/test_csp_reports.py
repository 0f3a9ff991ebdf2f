"""The CSP report endpoint: records violations (report-uri and Reporting API formats), counts
repeats, keeps a bounded number, limits each address, refuses bad input."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from security.models import CSPReport

pytestmark = pytest.mark.django_db

URL = "/csp-report/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def report(directive="script-src-elem", blocked="inline", page="https://hled.example/en/?q=x"):
    return {
        "csp-report": {
            "document-uri": page,
            "violated-directive": directive,
            "effective-directive": directive,
            "blocked-uri": blocked,
            "source-file": "https://hled.example/static/x.js?v=1",
        }
    }


def post(body, address="203.0.113.5", content_type="application/csp-report"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return Client(REMOTE_ADDR=address).post(URL, data, content_type=content_type)


def test_a_violation_is_recorded_once_and_counted():
    assert post(report()).status_code == 204
    assert post(report()).status_code == 204
    (row,) = CSPReport.objects.all()
    assert (row.directive, row.blocked, row.count) == ("script-src-elem", "inline", 2)
    assert row.document == "https://hled.example/en/"  # no query string kept
    assert row.source == "https://hled.example/static/x.js"


def test_reporting_api_batches_are_accepted():
    batch = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "https://hled.example/admin/",
                "effectiveDirective": "style-src-attr",
                "blockedURL": "inline",
            },
        },
        {"type": "deprecation", "body": {}},
    ]
    assert post(batch, content_type="application/reports+json").status_code == 204
    assert list(CSPReport.objects.values_list("directive", flat=True)) == ["style-src-attr"]


def test_bad_or_oversized_reports_change_nothing():
    assert post(b"not json").status_code == 400
    assert post(b"{" + b" " * 20000 + b"}").status_code == 413
    assert post({"unexpected": "shape"}).status_code == 204
    assert Client().get(URL).status_code == 405
    assert not CSPReport.objects.exists()


def test_each_address_is_rate_limited(settings):
    settings.CSP_REPORTS_PER_MINUTE = 3
    assert [post(report()).status_code for _ in range(5)] == [204, 204, 204, 429, 429]
    assert post(report(), address="198.51.100.1").status_code == 204
    assert CSPReport.objects.get().count == 4


def test_the_table_is_bounded(settings):
    settings.CSP_REPORTS_KEPT = 3
    settings.CSP_REPORTS_PER_MINUTE = 100
    for number in range(6):
        post(report(blocked=f"https://evil{number}.example/x.js"))
    assert CSPReport.objects.count() == 3
    post(report(blocked="https://evil0.example/x.js"))  # a known one is still counted
    assert CSPReport.objects.get(blocked="https://evil0.example/x.js").count == 2


def test_reports_need_no_csrf_token_and_set_no_cookie():
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, json.dumps(report()), content_type="application/csp-report")
    assert response.status_code == 204 and not response.cookies
