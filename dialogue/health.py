"""Health checks for load balancers: /healthz (the process answers) and /readyz (it can serve)."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process runs Django and its middleware; touches neither database nor cache."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("a value written to the cache could not be read back")


@never_cache
@require_safe
def readyz(request):
    """Readiness: the database answers `SELECT 1` and the cache stores and returns a value."""
    checks = {}
    for name, check in (("database", check_database), ("cache", check_cache)):
        try:
            check()
        except Exception as error:
            checks[name] = f"{type(error).__name__}: {error}".strip()
        else:
            checks[name] = "ok"
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
