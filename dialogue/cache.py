"""Whole-page cache for anonymous visitors that can never serve stale or draft content.

How it stays fresh:

- Every cached page is stored under the current *content generation*, a number kept in the
  cache. Any change to a dialogue record (save, delete, many-to-many change, so admin inlines
  and the publishing service's bulk actions too, which save each record) bumps the
  generation, so the next request misses and renders afresh. Nothing else does: a staff
  member's POST that changes no record (a refused form, a search) keeps every cached page.
  The bump happens again once the transaction commits, so a page rendered from data read
  before the commit can only land under the old generation, which nobody reads any more.
- Time also changes what visitors see: a scheduled record reaches its ``publish_at``, an
  upcoming meeting's ``start`` passes. Each entry records the earliest such moment after it was
  rendered (computed once per generation) and is not served from then on.
- Only anonymous GET / HEAD requests to the public pages (the ``dialogue`` and ``consultations``
  URL namespaces) are
  served from or stored in the cache; a request carrying a session cookie of a logged-in user
  bypasses it and gets ``Cache-Control: private, no-store``. The session is only looked at when
  its cookie is present, so anonymous responses set no cookie and vary only on ``Cookie``.

Settings (read per request, never at import): ``PAGE_CACHE_ENABLED`` (server-side storage),
``PAGE_CACHE_MAX_AGE`` (``Cache-Control`` max-age for browsers),
``PAGE_CACHE_SHARED_MAX_AGE`` (s-maxage: how long a shared cache in front, the reverse proxy or
a CDN, may serve a page before revalidating it by its ETag),
``PAGE_CACHE_TIMEOUT`` (longest life of an entry in the cache), ``PAGE_CACHE_RELEASE``
(part of every key: a deployment that sets a new one never serves the old code's pages),
``PAGE_CACHE_LOCAL_ENTRIES`` (pages kept in each process, 0 for none) and
``PAGE_CACHE_LOCAL_TRUST``.
"""

import hashlib
import logging
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import DatabaseError, transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_from_path

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
CHANGED_KEY = "page-cache:changed"
NEXT_CHANGE_KEY = "page-cache:next-change:{generation}"
PAGE_KEY = "page-cache:page:{generation}:{variant}"
FRAGMENT_KEY = "page-cache:fragment:{generation}:{digest}"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# The URL namespaces of public pages, and the apps whose records they show.
PUBLIC_NAMESPACES = frozenset({"dialogue", "consultations"})
CONTENT_APPS = ("dialogue", "consultations")


def _new_generation():
    # Microseconds since the epoch: a generation that was lost (evicted, cache flushed) is never
    # handed out again, so no old entry can come back to life.
    return time.time_ns() // 1000


def current_generation(cache=default_cache):
    """The content generation, created on first use."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = _new_generation()
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY, value)
    return value


def invalidate():
    """Start a new content generation: every cached page becomes unreachable at once.

    With read replicas, public reads use the primary for a while first (`changed_recently`).
    """
    try:
        if settings.DATABASE_REPLICAS:
            # Before the new generation, so whoever sees it sees this key too.
            default_cache.set(CHANGED_KEY, 1, timeout=settings.REPLICA_PIN_SECONDS)
        try:
            default_cache.incr(GENERATION_KEY)  # atomic: Redis's INCR, or under a lock file
        except ValueError:
            default_cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    except Exception:
        logger.exception("Could not invalidate the page cache")


def changed_recently():
    """Did public content change in the last REPLICA_PIN_SECONDS (or is the cache unreadable)?

    Until the replicas have replayed a change, a page rendered from one of them would be stale
    yet stored under the new generation; hled/routers.py reads from the primary meanwhile.
    """
    try:
        return default_cache.get(CHANGED_KEY) is not None
    except Exception:
        return True


def content_changed(sender, **kwargs):
    """Receiver of every change to a dialogue model (m2m: only once the change is made)."""
    if kwargs.get("action", "post_").startswith("post_"):
        invalidate()
        transaction.on_commit(invalidate, using=kwargs.get("using"))


def _content_models(include_auto_created=True):
    """The models whose rows visitors may see (not subscriptions, which are personal data)."""
    for label in CONTENT_APPS:
        if apps.is_installed(label):
            models = apps.get_app_config(label).get_models(
                include_auto_created=include_auto_created
            )
            yield from (model for model in models if getattr(model, "is_content", True))


def migrated(**kwargs):
    invalidate()


def connect_signals():
    """Connect `content_changed` to each dialogue model (and its many-to-many tables).

    A migration (every deployment runs them) starts a new generation too.
    """
    post_migrate.connect(migrated, dispatch_uid="page-cache:migrate")
    for model in _content_models():
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(
                content_changed, sender=model, dispatch_uid=f"page-cache:{model._meta.label}"
            )


def disconnect_signals():
    post_migrate.disconnect(dispatch_uid="page-cache:migrate")
    for model in _content_models():
        for signal in (post_save, post_delete, m2m_changed):
            signal.disconnect(sender=model, dispatch_uid=f"page-cache:{model._meta.label}")


@contextmanager
def bulk_changes():
    """For bulk loads and deletes: no per-row signal (so deletes stay fast), one bump at the end.

    The receivers are disconnected process-wide, which is meant for management commands.
    """
    disconnect_signals()
    try:
        yield
    finally:
        connect_signals()
        invalidate()
        transaction.on_commit(invalidate)


def next_change_at(now=None):
    """The earliest future moment at which time alone changes a public page, or None.

    That is the next `publish_at` of a scheduled record of any publishable model (implementation
    updates included), the next meeting `start` or end of a planned period (a meeting leaves
    "upcoming" then), or the next opening, closing or answer of a consultation (its page
    changes state, and shows or drops its form).
    """
    from dialogue.models import Meeting, PublicationStatus, Publishable

    now = now or timezone.now()
    moments = [
        Meeting.objects.filter(start__gt=now).aggregate(at=Min("start"))["at"],
        Meeting.objects.filter(period_end__gt=now).aggregate(at=Min("period_end"))["at"],
    ]
    if apps.is_installed("consultations"):
        from consultations.models import Consultation

        for field in ("opens_at", "closes_at", "answered_at"):
            later = Consultation.objects.filter(**{f"{field}__gt": now})
            moments.append(later.aggregate(at=Min(field))["at"])
    for model in _content_models(include_auto_created=False):
        if issubclass(model, Publishable):
            moments.append(
                model._default_manager.filter(
                    publication_status=PublicationStatus.PUBLISHED, publish_at__gt=now
                ).aggregate(at=Min("publish_at"))["at"]
            )
    moments = [moment for moment in moments if moment is not None]
    return min(moments) if moments else None


def cached_next_change(cache, generation):
    """`next_change_at()` as a timestamp (0 for none), computed once per generation."""
    key = NEXT_CHANGE_KEY.format(generation=generation)
    now = time.time()
    value = cache.get(key)
    if value is None or (value and value <= now):
        moment = next_change_at()
        value = moment.timestamp() if moment else 0
        timeout = settings.PAGE_CACHE_TIMEOUT
        if value:
            timeout = min(timeout, max(1, int(value - now)))
        cache.set(key, value, timeout=timeout)
    return value


def fragment_store(request):
    """(generation, until) under which this render may read and store fragments, or None.

    Only an anonymous visitor's render of a public page qualifies (``request.page_cache`` is
    "public": set by `PageCacheMiddleware.process_view` whether or not whole pages are
    stored), with ``FRAGMENT_CACHE_ENABLED``. Fragments live under the content generation,
    read once per request (the page cache's own reading when it is about to store the page),
    and expire at the next moment time alone changes what visitors see, as pages do; so a
    fragment can never show what the page itself could not. Staff (previews, drafts), the
    setting off, or the cache unreachable: None, and everything renders.
    """
    if request is None or not settings.FRAGMENT_CACHE_ENABLED:
        return None
    if getattr(request, "page_cache", None) != "public":
        return None
    if hasattr(request, "fragment_store"):
        return request.fragment_store
    store = None
    try:
        miss = getattr(request, "page_cache_miss", None)
        entry = getattr(request, "page_cache_entry", None)
        if miss is not None and entry is not None:
            generation, until = miss[1], entry[1]
        else:
            generation = current_generation()
            # Computed before rendering, so a record that becomes public meanwhile expires it.
            until = cached_next_change(default_cache, generation)
        if not until or until > time.time():
            store = (generation, until)
    except DatabaseError:
        raise  # the view cannot render either: the 503 of dialogue/middleware.py
    except Exception:
        logger.exception("Fragment cache unavailable; rendering without it")
    request.fragment_store = store
    return store


def _fragment_key(generation, name):
    variant = repr((settings.PAGE_CACHE_RELEASE, get_language(), name))
    digest = hashlib.md5(variant.encode(), usedforsecurity=False).hexdigest()
    return FRAGMENT_KEY.format(generation=generation, digest=digest)


def _keep(values, until):
    """Store {key: value} until the next moment time alone changes a page (`fragment_store`)."""
    timeout = settings.PAGE_CACHE_TIMEOUT
    if until:
        timeout = min(timeout, int(until - time.time()))
    if timeout > 0:
        try:
            default_cache.set_many(values, timeout=timeout)
        except Exception:
            logger.exception("Could not store fragments in the cache")


def cached_values(request, parts, compute):
    """The value of each part of a page, from the cache where this generation holds it.

    `parts` are (name, part) pairs, each name naming everything its value depends on besides
    the content (the template, the record and its version, the filters chosen …; the language
    and the release are added); `compute(parts)` makes the values of the parts it is given, in
    their order (anything the cache can store), so that what is missing is made in one go
    (one query per kind of record, say). One read (get_many) for all of them, one write
    (set_many) for those computed here. Outside a fragment store (`fragment_store`: staff,
    previews, the setting off, the cache unreachable) everything is computed.
    """
    store = fragment_store(request)
    if store is None:
        return list(compute([part for _, part in parts]))
    generation, until = store
    keys = [_fragment_key(generation, name) for name, _ in parts]
    try:
        found = default_cache.get_many(keys)
    except Exception:
        logger.exception("Fragment cache unavailable; rendering without it")
        return list(compute([part for _, part in parts]))
    missing = [i for i, cache_key in enumerate(keys) if cache_key not in found]
    computed = {}
    if missing:
        values = compute([parts[i][1] for i in missing])
        computed = {keys[i]: value for i, value in zip(missing, values, strict=True)}
        _keep(computed, until)
    return [found[cache_key] if cache_key in found else computed[cache_key] for cache_key in keys]


def cached_value(request, name):
    """(value, keep) for a value that is only known once a whole response is made (a page's
    parts, `PagePartsMixin`): the value kept under `name` in this generation, or None, and
    `keep(value)` to store one. Outside a fragment store (as `cached_values`): (None, None)."""
    store = fragment_store(request)
    if store is None:
        return None, None
    generation, until = store
    key = _fragment_key(generation, name)
    try:
        value = default_cache.get(key)
    except Exception:
        logger.exception("Fragment cache unavailable; rendering without it")
        return None, None
    return value, lambda value: _keep({key: value}, until)


def render_fragments(request, parts, render):
    """The HTML of each part of a page (`cached_values`), `render(part)` making a part's HTML.

    Used for what costs the most and repeats across a page type's URLs (its cards, the
    tracker's figures), so that a page-cache miss (a new filter combination, the next page)
    renders only the rest.
    """
    html = cached_values(request, parts, lambda missing: [str(render(part)) for part in missing])
    return [mark_safe(value) for value in html]


def fragment(request, name, parts, render):
    """One part of a page (`render_fragments`): the HTML `render()` returns, kept under `name`
    and `parts` (what it depends on besides the content)."""
    return render_fragments(request, [(repr((name, parts)), None)], lambda _: render())[0]


def memo(request, name, compute):
    """A value every public page of this generation shares (the menu, a form's choices), read
    from the cache instead of the database: `compute()` runs once per generation and language.
    The value must be public content only, as a fragment is."""
    return cached_values(request, [(repr(("memo", name)), None)], lambda _: [compute()])[0]


def url_language(request):
    """The language named by the URL's prefix (/en/…, /es/…), or None."""
    return get_language_from_path(request.path_info)


def page_variant(request):
    """What a cached page is keyed by: its full URL (scheme, host, path, query).

    Public pages live under a language prefix, so the URL names the language too; a page is
    only stored when the language it was rendered in is the one its URL names.
    """
    url = request.build_absolute_uri()
    digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
    # A new release (new templates, new code) never serves pages rendered by the old one.
    return f"{settings.PAGE_CACHE_RELEASE}:{digest}"


def page_key(request, generation):
    return PAGE_KEY.format(generation=generation, variant=page_variant(request))


def is_logged_in(request):
    """True for a logged-in user; the session is only read when its cookie is present."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def is_shareable(request, response):
    """May `response`, on its way out of every inner middleware, be stored and shared?"""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False  # no session, CSRF or messages cookie was set
    if getattr(request, "LANGUAGE_CODE", None) != url_language(request):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


class PageCacheMiddleware(MiddlewareMixin):
    """Serve and store anonymous public pages whole; mark staff responses private.

    Place it early, right after WhiteNoise and before the session middleware: a hit is
    answered at once, and a page is stored as it leaves every inner middleware (with their
    headers; any cookie they set makes it unshareable). Requests without a session cookie are
    looked up before the URL is even resolved (an entry only exists for a public page); the
    others wait for the user to be known, in `process_view`.
    """

    # The generation this process saw last: a hint that lets one round trip (MGET) fetch the
    # current generation and the page stored under the hinted one together. The page is used
    # only when the two match, so the hint can never make a stale page look fresh.
    generation_hint = None

    def lookup(self, key_for):
        """(generation, entry or None) for the key `key_for(generation)` names: one round trip
        (MGET) when the hint is right."""
        hint = self.generation_hint
        if hint is None:
            generation = current_generation()
        else:
            hinted_key = key_for(hint)
            found = default_cache.get_many([GENERATION_KEY, hinted_key])
            generation = found.get(GENERATION_KEY)
            if generation == hint:
                return generation, found.get(hinted_key)
            if generation is None:
                generation = current_generation()
        self.generation_hint = generation
        return generation, default_cache.get(key_for(generation))

    def fetch(self, request):
        """The cached response for `request`, or None after noting where to store it."""
        try:
            variant = page_variant(request)

            def key_for(generation):
                return PAGE_KEY.format(generation=generation, variant=variant)

            generation, entry = self.lookup(key_for)
        except Exception:
            logger.exception("Page cache unavailable; rendering without it")
            return None
        if entry is not None and (not entry["until"] or entry["until"] > time.time()):
            response = HttpResponse(entry["content"], status=entry["status"])
            for name, value in entry["headers"]:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return get_conditional_response(
                request,
                etag=entry["etag"],
                last_modified=entry["last_modified"],
                response=response,
            )
        request.page_cache_miss = (key_for(generation), generation)
        return None

    def process_request(self, request):
        request.page_cache = None
        if request.method not in SAFE_METHODS or not settings.PAGE_CACHE_ENABLED:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # perhaps a logged-in user: see process_view
        if url_language(request) is None:
            return None  # not a public page (admin, health checks …): no lookup at all
        response = self.fetch(request)
        if response is not None:
            request.page_cache = "hit"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method not in SAFE_METHODS or match is None:
            return None
        if not PUBLIC_NAMESPACES.intersection(match.namespaces):
            return None
        if is_logged_in(request):
            request.page_cache = "private"
            return None
        request.page_cache = "public"
        if not settings.PAGE_CACHE_ENABLED:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # A session cookie, but no logged-in user (an expired session, say).
            response = self.fetch(request)
            if response is not None:
                request.page_cache = "hit"
                return response
        if not hasattr(request, "page_cache_miss"):
            return None  # the cache could not be read
        key, generation = request.page_cache_miss
        try:
            # Computed before rendering, so a record that becomes public meanwhile expires it.
            request.page_cache_entry = (key, cached_next_change(default_cache, generation))
        except DatabaseError:
            raise  # the view cannot render either: the 503 of dialogue/middleware.py
        except Exception:
            logger.exception("Page cache unavailable; rendering without it")
        return None

    def process_response(self, request, response):
        mode = getattr(request, "page_cache", None)
        if mode == "private":
            add_never_cache_headers(response)
        elif mode == "public" and is_shareable(request, response):
            return self.share(request, response)
        return response

    def share(self, request, response):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_MAX_AGE,
            s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
        )
        patch_vary_headers(response, ("Cookie",))
        if not response.has_header("ETag"):
            set_response_etag(response)
        last_modified = int(time.time())
        response.headers["Last-Modified"] = http_date(last_modified)
        entry = getattr(request, "page_cache_entry", None)
        if entry is not None:
            key, until = entry
            timeout = settings.PAGE_CACHE_TIMEOUT
            if until:
                timeout = min(timeout, int(until - time.time()))
            if timeout > 0:
                stored = {
                    "content": response.content,
                    "status": response.status_code,
                    "headers": list(response.headers.items()),
                    "etag": response["ETag"],
                    "last_modified": last_modified,
                    "until": until,
                }
                try:
                    default_cache.set(key, stored, timeout=timeout)
                except Exception:
                    logger.exception("Could not store a page in the cache")
            response.headers["X-Page-Cache"] = "miss"
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )
