"""IANA time zones, from the standard library's view of the pinned `tzdata` package.

The list is read when it is needed, never frozen into a migration: a tzdata release that adds a
zone needs no schema change.
"""

from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def timezone_names():
    """The zones a host city can be in, sorted (no legacy aliases such as "US/Eastern")."""
    return tuple(
        sorted(
            name
            for name in available_timezones()
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix", "right"))
        )
    )


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in timezone_names()]


def validate_timezone(value):
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})
