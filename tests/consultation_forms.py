"""Helpers for the tests of the public submission form."""

import base64
import json
import re
import time
from html import unescape

import altcha

from consultations import abuse


def challenge_in(page):
    """The ALTCHA challenge embedded in a rendered form page."""
    found = re.search(r'data-pow-challenge="([^"]+)"', page)
    return json.loads(unescape(found.group(1))) if found else None


def solve(challenge):
    """What the page's script does: solve the challenge and build the payload."""
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge))
    payload = {"challenge": challenge, "solution": solution.to_dict()}
    return base64.b64encode(json.dumps(payload).encode()).decode()


def form_data(consultation, chosen_pillar, *, shown_seconds_ago=30, **overrides):
    """A valid POST of the submission form, as a person sends it (no proof of work)."""
    data = {
        "title": "Shorter waits at the Laredo crossing",
        "text": "Trucks wait for hours at the border; a shared inspection would save a day.",
        "pillar": str(chosen_pillar.pk),
        "sender_kind": "association",
        "organization": "Border Freight Association",
        "country": "MX",
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "display": "name",
        "consent": "on",
        "website": "",
        "shown": abuse.form_timestamp(time.time() - shown_seconds_ago),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
