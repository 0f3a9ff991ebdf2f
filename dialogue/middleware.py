"""A database (or Redis) that does not answer gives visitors a friendly 503, never a 500.

PostgreSQL down, a connection lost mid-request, a statement cut by `statement_timeout`
(psycopg's `QueryCanceled` is an `OperationalError`) or Redis unreachable where a request
needs it (rate limits): the visitor gets "temporarily unavailable" with `Retry-After`, in the
language of the URL, and the operator one log line. The page is rendered without the database
(no context processors) and the API gets JSON.

Django itself drops a broken persistent connection at the end of the request
(`close_if_unusable_or_obsolete` on `request_finished`, with `CONN_HEALTH_CHECKS`), so the
next request connects afresh: no restart is needed once the database is back.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "the service behind the site is unavailable for now" looks like.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_unavailable(error):
    return isinstance(error, UNAVAILABLE_ERRORS)


def unavailable_response(request, error):
    """The 503 for `request` after `error`, logged once (one line, no traceback)."""
    logger.error(
        "Service unavailable (%s: %s) for %s %s",
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        request.method,
        request.get_full_path(),
    )
    language = (
        get_language_from_path(request.path_info)
        or getattr(request, "LANGUAGE_CODE", None)
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        message = _("The site is temporarily unavailable. Please try again in a moment.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            # No request in the context: the context processors would query the database.
            content = loader.render_to_string("503.html", {"home": f"/{language}/"})
            response = HttpResponse(content, status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER)
    add_never_cache_headers(response)
    response._has_been_logged = True  # Django would log it again (with the traceback)
    return response


class ServiceUnavailableMiddleware:
    """Answer an unavailable database or cache with a 503 instead of the 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: the same 503 for an unavailable service raised by a middleware (outside
    any view, where `process_exception` never sees it); Django's 500 page otherwise."""
    from django.views.defaults import server_error as default_server_error

    error = sys.exc_info()[1]
    if is_unavailable(error):
        return unavailable_response(request, error)
    return default_server_error(request, template_name)
