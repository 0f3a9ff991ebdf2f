"""Read replicas: anonymous visitors' reads from a streaming replica, the rest from the primary.

`ReplicaMiddleware` decides once per request whether it is a *public read*: a GET or HEAD
without a session cookie (so no logged-in user, staff above all, and never a session read
from a replica), outside /admin/, from a client that has not written in the last
`REPLICA_PIN_SECONDS` (the `hled_primary` cookie, set on the response to any POST, PUT,
PATCH or DELETE and to any request that wrote). A context variable carries the decision to
`ReplicaRouter`, so everything outside a request (management commands, the shell, cron jobs)
reads from the primary, and so does a request that has written, or reads inside
`transaction.atomic`. Writes and migrations always go to the primary.

A public read picks one replica at random on its first query, and only then:

- not while public content has just changed: the page cache starts a new generation when a
  change commits on the primary (dialogue/cache.py), and a page rendered from a replica that
  has not replayed it yet would be stored under that generation. For `REPLICA_PIN_SECONDS`
  after a change every public read uses the primary instead;
- not a replica that does not answer: its connection is checked (Django's own health check
  on a reused connection, or a new connection), and a replica that fails is left aside for
  `REPLICA_RETRY_SECONDS` in this process while its reads go to the other replicas or the
  primary. A replica lost in the middle of a request gives the usual 503
  (dialogue/middleware.py); the next request reads elsewhere.
"""

import logging
import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "hled_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Staff pages (the admin, its two-factor pages, the moderation queue) read from the primary
# even before the login that gives them a session.
STAFF_PREFIXES = ("/admin/",)
# How long a replica that did not answer is left aside by this process.
REPLICA_RETRY_SECONDS = 10


@dataclass
class Routing:
    """What the current request may read from: `public` reads may use a replica."""

    public: bool
    alias: str | None = None
    wrote: bool = False


current = ContextVar("hled_database_routing", default=None)
# Replica alias -> time.monotonic() until which it is left aside (per process).
unavailable_until = {}


def is_public_read(request):
    """May this request read from a replica? Decided from the request line and cookies only."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PIN_COOKIE not in request.COOKIES
        and not request.path_info.startswith(STAFF_PREFIXES)
    )


def usable(alias):
    """Connect to `alias` (or check its reused connection); False, and set aside, if it fails."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        return True
    except DatabaseError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        logger.warning("Replica %s unavailable, reading from the primary (%s)", alias, message)
        unavailable_until[alias] = time.monotonic() + REPLICA_RETRY_SECONDS
        connection.close()
        return False


def choose_replica():
    """A replica that answers, or the primary (content just changed, or no replica answers)."""
    from dialogue.cache import changed_recently

    if changed_recently():
        return PRIMARY
    now = time.monotonic()
    candidates = [
        alias for alias in settings.DATABASE_REPLICAS if unavailable_until.get(alias, 0) <= now
    ]
    random.shuffle(candidates)
    return next((alias for alias in candidates if usable(alias)), PRIMARY)


class ReplicaRouter:
    """Public reads from a replica; everything else, and every write, from the primary."""

    def db_for_read(self, model, **hints):
        routing = current.get()
        if routing is None or not routing.public or routing.wrote:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # reads inside a transaction see its writes
        if routing.alias is None:
            routing.alias = choose_replica()
        return routing.alias

    def db_for_write(self, model, **hints):
        routing = current.get()
        if routing is not None:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    """Decide where the request reads from, and pin a client that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        routing = Routing(public=is_public_read(request))
        token = current.set(routing)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        if routing.wrote or request.method not in SAFE_METHODS:
            # Read your writes: the replicas may not have replayed them yet.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
