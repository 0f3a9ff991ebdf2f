"""Staff two-factor authentication: who must use it, and the devices behind it.

Each staff member may enrol one authenticator app (a django-otp TOTP device) and gets ten
single-use recovery codes with it (a django-otp static device). With
``STAFF_MFA = "required"`` (``DJANGO_STAFF_MFA``, the production setting) Publishers and
superusers must enrol before they can use the admin; in either mode anyone who enrolled
enters a code after their password. Until then, `StaffTwoFactorMiddleware` sends them to the
enrolment or verification page and the public site treats them as a visitor.
"""

import re

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue.publishing.roles import PUBLISHER

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
TOTP_FORMAT = re.compile(r"^\d{6}$")


def is_required_for(user):
    """Whether `user` must enrol: Publishers and superusers, when the setting says so."""
    if settings.STAFF_MFA != "required" or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=PUBLISHER).exists()


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_verify(user):
    """Whether `user` must enter a code before using the admin (memoized per request)."""
    cached = getattr(user, "_security_must_verify", None)
    if cached is None:
        # Non-staff accounts cannot use the admin and see the public site as visitors anyway.
        cached = user.is_staff and (has_device(user) or is_required_for(user))
        user._security_must_verify = cached
    return cached


def is_satisfied(request):
    user = request.user
    return user.is_verified() or not must_verify(user)


def is_exempt_path(path):
    """Admin paths an unverified user may still open: logging in and out, the two-factor
    pages themselves and the admin's translations for their scripts."""
    exempt = {reverse("admin:login"), reverse("admin:logout"), reverse("admin:jsi18n")}
    return path in exempt or path.startswith(reverse("security:mfa-manage"))


def pending_device(user):
    """The authenticator being enrolled (not confirmed yet), created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    return device


def new_recovery_codes(user):
    """Replace the user's recovery codes with ten new ones and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def confirm(request, device, token):
    """Finish enrolling `device` with a first code from the app. Returns the recovery codes,
    or None when the code is wrong."""
    if not device.verify_token(normalize(token)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return new_recovery_codes(device.user)


def normalize(token):
    return re.sub(r"[\s-]", "", token or "").lower()


def throttled_for(user):
    """Seconds before `user` may try another code (after wrong ones), or 0."""
    waits = []
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user):
            allowed, details = device.verify_is_allowed()
            if not allowed and details and details.get("locked_until"):
                left = (details["locked_until"] - timezone.now()).total_seconds()
                waits.append(max(1, int(left)))
    return min(waits) if waits else 0


@transaction.atomic
def verify(request, token):
    """Check `token` (an app code or a recovery code) for the logged-in user; on success mark
    the session verified. Returns the device that accepted it ("app" or "recovery"), or None."""
    user = request.user
    token = normalize(token)
    if TOTP_FORMAT.match(token):
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        kind = "app"
    else:
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        kind = "recovery"
    for device in devices:
        if device.verify_token(token):
            otp_login(request, device)
            return kind
    return None


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user).count()


def disable(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
