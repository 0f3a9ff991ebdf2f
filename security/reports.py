"""The Content-Security-Policy report endpoint: bounded and rate-limited.

Browsers POST a violation report (``application/csp-report``, from ``report-uri``) or a batch
(``application/reports+json``, from the Reporting API). Each distinct violation (directive,
blocked resource, page) is one row with a count, and at most ``CSP_REPORTS_KEPT`` rows are
kept, so a flood of made-up reports cannot fill the database: a new kind beyond the cap is
only logged. Each client address may send ``CSP_REPORTS_PER_MINUTE`` reports a minute; more
get HTTP 429. Addresses and query strings (which may carry personal data) are not stored.
"""

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .client import client_ip
from .models import CSPReport

logger = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
MAX_REPORTS_PER_REQUEST = 10


def without_query(url):
    """A URL without its query and fragment; keywords such as "inline" stay as they are."""
    url = str(url or "")[:2000]
    if "://" not in url:
        return url[:300]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]


def violations(payload):
    """The violation bodies in a report-uri or Reporting API payload."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        report = payload["csp-report"]
        yield {
            "directive": report.get("effective-directive") or report.get("violated-directive"),
            "blocked": report.get("blocked-uri"),
            "document": report.get("document-uri"),
            "source": report.get("source-file"),
        }
    elif isinstance(payload, list):
        for item in payload[:MAX_REPORTS_PER_REQUEST]:
            body = item.get("body") if isinstance(item, dict) else None
            if isinstance(body, dict) and item.get("type") == "csp-violation":
                yield {
                    "directive": body.get("effectiveDirective"),
                    "blocked": body.get("blockedURL"),
                    "document": body.get("documentURL"),
                    "source": body.get("sourceFile"),
                }


def over_limit(request):
    key = f"csp-report:{client_ip(request)}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > settings.CSP_REPORTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        return False


def store(violation):
    fields = {
        "directive": str(violation.get("directive") or "")[:100],
        "blocked": without_query(violation.get("blocked")),
        "document": without_query(violation.get("document")),
    }
    if not fields["directive"]:
        return
    updated = CSPReport.objects.filter(**fields).update(count=F("count") + 1)
    if updated:
        return
    if CSPReport.objects.count() >= settings.CSP_REPORTS_KEPT:
        logger.warning("CSP report not stored (the table is full): %s", fields)
        return
    try:
        with transaction.atomic():
            CSPReport.objects.create(source=without_query(violation.get("source")), **fields)
    except IntegrityError:  # the same violation, stored by a concurrent request
        CSPReport.objects.filter(**fields).update(count=F("count") + 1)


@csrf_exempt
@require_POST
def csp_report(request):
    """Record the violations a browser reports; 204 when accepted."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return HttpResponse(status=413)
    if over_limit(request):
        return HttpResponse(status=429)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    for violation in violations(payload):
        store(violation)
    return HttpResponse(status=204)
