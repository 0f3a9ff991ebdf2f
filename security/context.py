"""The request being served, for code that has no request argument (signal receivers).

`RequestContextMiddleware` sets it for the duration of each request; the audit log reads who
made a change and from which address through `current_actor()`. Outside a request (management
commands, the shell) there is none, and changes are recorded without an address.
"""

from contextvars import ContextVar

from .client import client_ip

_request = ContextVar("security_request", default=None)


def set_request(request):
    return _request.set(request)


def reset(token):
    _request.reset(token)


def current_request():
    return _request.get()


def current_actor():
    """(user or None, address or None) of the request being served."""
    request = _request.get()
    if request is None:
        return None, None
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    return user, client_ip(request)
