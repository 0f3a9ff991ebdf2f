"""The address a request came from, read safely behind a known number of reverse proxies.

Each proxy in front of the site appends the address it was reached from to
``X-Forwarded-For``; whatever a client sends in that header itself comes first. With
``TRUSTED_PROXIES = N`` (``DJANGO_TRUSTED_PROXIES``) the client's address is therefore the
N-th entry from the right, the one the outermost trusted proxy wrote; entries further left
are the client's to forge and are never read. With 0 (the default: no proxy, or a proxy that
is not trusted) it is ``REMOTE_ADDR``.

django-axes, the audit log and the CSP report limit all call `client_ip`, so they agree; the
rate limits of public input and of page renders count per `client_network` (an IPv6 address
reduced to its /64, which one household or device usually holds whole).
"""

import ipaddress

from django.conf import settings


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address as a string, or None when the request carries none."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    entries = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(entries) < proxies:
        # Fewer entries than proxies: the request did not come through all of them (or a proxy
        # is misconfigured). The direct peer is the only address nobody could forge.
        return remote
    return _valid(entries[-proxies]) or remote


def client_network(request):
    """What a per-client limit counts: the client's IPv4 address, or its IPv6 /64 network (an
    IPv4-mapped IPv6 address counts as the IPv4 one); None when the request carries none."""
    raw = client_ip(request)
    if raw is None:
        return None
    address = ipaddress.ip_address(raw)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
