"""IANA time zones, read from the pinned `tzdata` package so the list is the same everywhere."""

from importlib import resources

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TIMEZONE_NAMES = tuple(
    sorted(
        name
        for name in resources.files("tzdata").joinpath("zones").read_text().split()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix", "right"))
    )
)
TIMEZONE_CHOICES = [(name, name.replace("_", " ")) for name in TIMEZONE_NAMES]


def validate_timezone(value):
    if value not in TIMEZONE_NAMES:
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})
