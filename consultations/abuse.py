"""Abuse control for the public form, with no outside service.

- a honeypot field people never see, and a signed timestamp of when the form was shown: a
  form sent sooner than a person could, or long after, is refused;
- a per-address limit on stored submissions (an hour and a day), counted in the cache;
- a self-hosted proof of work (ALTCHA, verified by altcha-django); without JavaScript the
  form still works and the submission is flagged for a closer look;
- text checks: control and direction-override characters refused, NFC normalization,
  the same text twice in one consultation refused, many links flagged.

Every refusal is a translated message shown with the visitor's input; nothing is stored.
"""

import hashlib
import re
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from security.client import client_network

TIMESTAMP_SALT = "consultations.form-shown"
RATE_KEY = "consultations:rate:{window}:{address}:{slot}"
WINDOWS = (("hour", 3600), ("day", 86400))

# Allowed in multi-line text; every other control character is refused.
LINE_CONTROLS = frozenset("\n\t")
# Invisible characters that reorder or hide text ("Trojan Source"): never in input.
DIRECTION_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def client_address(request):
    """The sender's address as the rate limit counts it: the client's address as every other
    limit reads it (security/client.py, behind the configured number of trusted proxies),
    with an IPv6 address reduced to its /64 network, which one household or device usually
    holds whole."""
    return client_network(request) or "unknown"


def limits():
    return {
        "hour": settings.CONSULTATIONS_RATE_PER_HOUR,
        "day": settings.CONSULTATIONS_RATE_PER_DAY,
    }


def take_slot(request, now=None):
    """Count one stored submission for the request's address; False when over a limit.

    Each window is a fixed slot (this hour, this day) whose counter is created with `add` and
    raised with `incr`, both atomic in Redis and in the file cache (hled/filecache.py), so
    parallel requests cannot all slip under the limit.
    """
    now = now if now is not None else time.time()
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    allowed = True
    for window, seconds in WINDOWS:
        key = RATE_KEY.format(window=window, address=address, slot=int(now // seconds))
        cache.add(key, 0, timeout=seconds + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted in between
            cache.add(key, 1, timeout=seconds + 60)
            count = 1
        if count > limits()[window]:
            allowed = False
    return allowed


def form_timestamp(now=None):
    """A signed token saying when the form was shown."""
    return signing.dumps(int(now if now is not None else time.time()), salt=TIMESTAMP_SALT)


def timestamp_refusal(token, now=None):
    """Why a form shown at `token` may not be accepted now, or None."""
    now = now if now is not None else time.time()
    try:
        shown = int(signing.loads(token or "", salt=TIMESTAMP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return _("This form could not be checked. Please send it again.")
    age = now - shown
    if age < settings.CONSULTATIONS_FORM_MIN_SECONDS:
        return _(
            "The form was sent too quickly after it was shown. Please check your submission "
            "and send it again."
        )
    if age > settings.CONSULTATIONS_FORM_MAX_SECONDS:
        return _("The form was open for too long. Please check your submission and send it again.")
    return None


def has_forbidden_characters(value, multiline=False):
    """Whether `value` holds control or direction-override characters."""
    allowed = LINE_CONTROLS if multiline else frozenset()
    return any(
        (unicodedata.category(char) == "Cc" and char not in allowed) or char in DIRECTION_CONTROLS
        for char in value
    )


def normalized(value, multiline=False):
    """`value` in NFC, with Windows and old Mac line ends as newlines, trimmed."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def count_links(*texts):
    return sum(len(LINK.findall(text)) for text in texts)


def fingerprint(text):
    """The same text, whatever its case, spacing or Unicode form, gives the same fingerprint."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()
