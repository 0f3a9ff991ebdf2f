"""A per-client limit on public pages rendered afresh, against crawlers and floods.

A page-cache hit costs next to nothing, but every distinct URL (each filter combination, each
page of a list) is a full render with its database queries. A client, as `client_network`
reads it, may cause at most ``RENDER_BURST`` renders of public pages per ``RENDER_WINDOW``
seconds (``DJANGO_RENDER_BURST``, ``DJANGO_RENDER_WINDOW``; a burst of 0 turns the limit off);
beyond that it gets HTTP 429 with ``Retry-After`` until the window ends. Hits and logged-in
users are never counted: the page cache decides what is a public render
(`dialogue.cache.PageCacheMiddleware` marks it ``request.page_cache = "public"``).

Each window is a fixed slot whose counter is created with `add` and raised with `incr` in the
default cache (atomic in Redis and in the file cache); if the cache fails, pages render.
"""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .client import client_network

logger = logging.getLogger(__name__)

RENDER_KEY = "render-limit:{address}:{slot}"


def _window(request, now):
    """(counter key, seconds left) of the request's client in the current window."""
    window = settings.RENDER_WINDOW
    slot = int(now // window)
    address = hashlib.sha256((client_network(request) or "unknown").encode()).hexdigest()[:32]
    return RENDER_KEY.format(address=address, slot=slot), (slot + 1) * window - now


def already_refused(request, now=None):
    """The seconds to wait when the client has used up its window already, else None.

    Read before the rest of the middleware runs (sessions, URL resolution …), for a request
    the page cache could not answer: a crawler past its limit costs one cache read.
    """
    burst, window = settings.RENDER_BURST, settings.RENDER_WINDOW
    if burst <= 0 or window <= 0:
        return None
    key, left = _window(request, time.time() if now is None else now)
    try:
        count = cache.get(key)
    except Exception:
        return None
    if count is None or count <= burst:
        return None
    return max(1, math.ceil(left))


def seconds_to_wait(request, now=None):
    """Count one render for the request's client: None while it is within the limit, else
    the whole seconds until its window ends."""
    burst, window = settings.RENDER_BURST, settings.RENDER_WINDOW
    if burst <= 0 or window <= 0:
        return None
    key, left = _window(request, time.time() if now is None else now)
    try:
        cache.add(key, 0, timeout=math.ceil(left) + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=math.ceil(left) + 1)
            count = 1
    except Exception:
        logger.warning("Render limit unavailable; rendering without it", exc_info=True)
        return None
    if count <= burst:
        return None
    return max(1, math.ceil(left))


def too_many_renders(seconds, language=None):
    """The 429 answer: a small page in the active language (or `language`), made without a
    database query."""
    with translation.override(language or translation.get_language()):
        content = render_to_string("429.html", {"seconds": seconds})
    response = HttpResponse(content, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
