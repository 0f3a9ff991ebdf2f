"""A per-client limit on public pages rendered afresh, against crawlers and floods.

A page-cache hit costs next to nothing, but every distinct URL (each filter combination, each
page of a list) is a full render with its database queries. A client, as `client_network`
reads it, may cause at most ``RENDER_BURST`` renders of public pages per ``RENDER_WINDOW``
seconds (``DJANGO_RENDER_BURST``, ``DJANGO_RENDER_WINDOW``; a burst of 0 turns the limit off),
and at most ``RENDER_SECONDS`` seconds of rendering in all (``DJANGO_RENDER_SECONDS``; 0: no
time budget), since one tracker page at volume costs as much as forty meeting pages; beyond
either it gets HTTP 429 with ``Retry-After`` until the window ends. Hits and logged-in users
are never counted: the page cache decides what is a public render
(`dialogue.cache.PageCacheMiddleware` marks it ``request.page_cache = "public"``).

Each window is a fixed slot with two counters (renders, and milliseconds of rendering), created
with `add` and raised with `incr` in the default cache (atomic in Redis and in the file cache);
if the cache fails, pages render.
"""

import functools
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
RENDER_TIME_KEY = "render-time:{address}:{slot}"


def _window(request, now):
    """(renders key, milliseconds key, seconds left) of the request's client in the current
    window."""
    window = settings.RENDER_WINDOW
    slot = int(now // window)
    address = hashlib.sha256((client_network(request) or "unknown").encode()).hexdigest()[:32]
    left = (slot + 1) * window - now
    return (
        RENDER_KEY.format(address=address, slot=slot),
        RENDER_TIME_KEY.format(address=address, slot=slot),
        left,
    )


def _limited():
    return settings.RENDER_BURST > 0 and settings.RENDER_WINDOW > 0


def _over(count, milliseconds):
    """Whether a client that has had `count` renders taking `milliseconds` may have no more."""
    if count is not None and count > settings.RENDER_BURST:
        return True
    budget = settings.RENDER_SECONDS * 1000
    return budget > 0 and milliseconds is not None and milliseconds >= budget


def already_refused(request, now=None):
    """The seconds to wait when the client has used up its window already, else None.

    Read before the rest of the middleware runs (sessions, URL resolution …), for a request
    the page cache could not answer: a crawler past its limit costs one cache read.
    """
    if not _limited():
        return None
    count_key, time_key, left = _window(request, time.time() if now is None else now)
    try:
        used = cache.get_many([count_key, time_key])
    except Exception:
        return None
    if not _over(used.get(count_key), used.get(time_key)):
        return None
    return max(1, math.ceil(left))


def _raise(key, delta, left):
    cache.add(key, 0, timeout=math.ceil(left) + 1)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.add(key, delta, timeout=math.ceil(left) + 1)
        return delta


def seconds_to_wait(request, now=None):
    """Count one render for the request's client: None while it is within the limit, else
    the whole seconds until its window ends."""
    if not _limited():
        return None
    count_key, time_key, left = _window(request, time.time() if now is None else now)
    try:
        count = _raise(count_key, 1, left)
        milliseconds = cache.get(time_key) if settings.RENDER_SECONDS > 0 else None
    except Exception:
        logger.warning("Render limit unavailable; rendering without it", exc_info=True)
        return None
    if not _over(count, milliseconds):
        return None
    if count == settings.RENDER_BURST + 1:
        # Once per client and window (the counter passes the burst once), not per refusal.
        logger.warning(
            "Render limit: a client had %s renders in %s s; refused for %s s",
            settings.RENDER_BURST,
            settings.RENDER_WINDOW,
            math.ceil(left),
        )
    return max(1, math.ceil(left))


def spent(request, seconds, now=None):
    """Add the time one counted render took to its client's budget for the window."""
    if not _limited() or settings.RENDER_SECONDS <= 0:
        return
    _, time_key, left = _window(request, time.time() if now is None else now)
    added = max(1, round(seconds * 1000))
    try:
        total = _raise(time_key, added, left)
    except Exception:
        logger.warning("Render limit unavailable; time not counted", exc_info=True)
        return
    budget = settings.RENDER_SECONDS * 1000
    if total - added < budget <= total:
        logger.warning(
            "Render limit: a client's renders took %.1f s in %s s; refused for %s s",
            total / 1000,
            settings.RENDER_WINDOW,
            math.ceil(left),
        )


@functools.lru_cache(maxsize=256)
def _refusal_page(language, seconds):
    with translation.override(language):
        return render_to_string("429.html", {"seconds": seconds})


def too_many_renders(seconds, language=None):
    """The 429 answer: a small page in the active language (or `language`), made without a
    database query, and rendered once per language and wait (a flood gets thousands)."""
    content = _refusal_page(language or translation.get_language(), seconds)
    response = HttpResponse(content, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
