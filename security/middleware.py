"""Security middleware: response headers, the request context, staff session lifetime and the
two-factor gate. The order in settings.MIDDLEWARE matters and is explained there."""

import hashlib
import re
import time
from base64 import b64encode
from functools import cache
from urllib.parse import urlencode, urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

from . import context, mfa, renders

IMPORTMAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.S)


@cache
def admin_prefix():
    return reverse("admin:index")


def is_admin(request):
    return request.path_info.startswith(admin_prefix())


def script_hash(text):
    digest = b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def admin_script_hashes():
    """The hashes of the inline scripts the admin renders: the rich-text editor's import map
    (django-prose-editor writes it inline; its URLs depend on the static files storage)."""
    from django_prose_editor.widgets import prose_editor_base_media

    rendered = "\n".join(prose_editor_base_media.render_importmap())
    return [script_hash(body) for body in IMPORTMAP.findall(rendered)]


# Tiptap (inside django-prose-editor's editor.js) adds its base stylesheet as an inline
# <style> element when an editor starts; the text is a constant of the bundled version.
TIPTAP_CSS = re.compile(r"`(\.ProseMirror \{\n  position: relative;\n\}[^`]*)`")


@cache
def admin_style_hashes():
    """The hash of the stylesheet the rich-text editor injects, read from the editor's own
    script (so an upgrade of django-prose-editor brings its new hash along)."""
    from django.contrib.staticfiles import finders

    path = finders.find("django_prose_editor/editor.js")
    if not path:
        return ()
    with open(path, encoding="utf-8") as script:
        return tuple(script_hash(css) for css in TIPTAP_CSS.findall(script.read()))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, allowing on /admin/ only the rich-text editor's inline import
    map and injected stylesheet by their hashes. Public pages are cached whole, so they never
    carry a per-request nonce; they need neither."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin(request):
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), *admin_script_hashes()]
            update["style-src"] = [*update.get("style-src", []), *admin_style_hashes()]
            parts.update = update
        return parts


class CrossOriginResourcePolicyMiddleware:
    """``Cross-Origin-Resource-Policy`` on every response: no other site may embed our pages
    or files. Static files served to a CDN on another origin are the exception."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cross-Origin-Resource-Policy" not in response:
            policy = settings.CROSS_ORIGIN_RESOURCE_POLICY
            static = settings.STATIC_URL
            if "//" in static and request.path_info.startswith(urlsplit(static).path):
                policy = "cross-origin"
            response["Cross-Origin-Resource-Policy"] = policy
        return response


class RequestContextMiddleware:
    """Make the request known to signal receivers (the audit log) while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_request(request)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


STARTED = "security:session-started"
SEEN = "security:session-seen"
# Record activity at most once a minute: one session write a minute, not one per request.
SEEN_GRANULARITY = 60


def start_session(request):
    """Called at login: the session's absolute and idle clocks start now."""
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now


class StaffSessionMiddleware:
    """End a logged-in session after `STAFF_IDLE_TIMEOUT` without a request, and
    `STAFF_SESSION_LIFETIME` after login in any case; the person logs in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        session = request.session
        now = time.time()
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None or seen is None:
            start_session(request)  # a session from before these clocks existed
            return
        idle = settings.STAFF_IDLE_TIMEOUT.total_seconds()
        lifetime = settings.STAFF_SESSION_LIFETIME.total_seconds()
        if now - seen > idle:
            message = _(
                "You were logged out after %(minutes)d minutes without activity. "
                "Please log in again."
            ) % {"minutes": idle // 60}
        elif now - started > lifetime:
            message = _(
                "You were logged out %(hours)d hours after logging in. Please log in again."
            ) % {"hours": lifetime // 3600}
        else:
            if now - seen >= SEEN_GRANULARITY:
                session[SEEN] = now
            return
        logout(request)
        messages.warning(request, message)


class StaffTwoFactorMiddleware:
    """Staff who must use two-factor authentication (mfa.must_verify) are sent to enrol or to
    enter a code before any admin page; until then the public site treats them as visitors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        pending = user is not None and user.is_authenticated and not user.is_verified()
        if pending and mfa.must_verify(user):
            if not is_admin(request):
                request.user = AnonymousUser()
            elif not mfa.is_exempt_path(request.path_info):
                return self.gate(request, user)
        return self.get_response(request)

    def gate(self, request, user):
        name = "security:mfa-verify" if mfa.has_device(user) else "security:mfa-setup"
        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


class RenderLimitMiddleware:
    """Refuse a client's public page renders beyond its limit (security/renders.py).

    Right after `dialogue.cache.PageCacheMiddleware`: its `process_view` runs first and marks
    a public page it will render (not a hit, not a logged-in user) as ``"public"``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A public page the page cache could not answer, from a client already past its
        # limit: refused at once, before sessions, URL resolution and the view.
        if hasattr(request, "page_cache_miss"):
            seconds = renders.already_refused(request)
            if seconds is not None:
                return renders.too_many_renders(seconds, get_language_from_path(request.path_info))
        response = self.get_response(request)
        started = getattr(request, "render_started", None)
        if started is not None:
            renders.spent(request, time.perf_counter() - started)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "page_cache", None) != "public":
            return None
        seconds = renders.seconds_to_wait(request)
        if seconds is None:
            # Timed from here to the response: the view, its queries and its template.
            request.render_started = time.perf_counter()
            return None
        return renders.too_many_renders(seconds)
