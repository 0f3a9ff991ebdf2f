"""The staff two-factor pages (under /admin/two-factor/) and the lockout answer."""

import segno
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from . import audit, mfa
from .models import AuditEvent

Action = AuditEvent.Action


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=gettext_lazy(
            "The six digits your authenticator app shows, or one of your recovery codes."
        ),
    )


def admin_context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, **extra}


def safe_next(request, default=None):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("admin:index")


def staff_only(view):
    """The two-factor pages are for logged-in staff; others go to the admin login."""

    def wrapped(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect(f"{reverse('admin:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def qr_code(url):
    """The enrolment link as an inline SVG (no script, no style: fits the CSP)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, border=4, svgclass="mfa-qr", lineclass=None, title=_("QR code to scan")
    )
    return mark_safe(svg)


@staff_only
def manage(request):
    """Two-factor status of the logged-in user: set it up, new recovery codes, turn it off."""
    user = request.user
    return render(
        request,
        "security/mfa_manage.html",
        admin_context(
            request,
            _("Two-factor authentication"),
            enrolled=mfa.has_device(user),
            verified=user.is_verified(),
            required=mfa.is_required_for(user),
            remaining=mfa.remaining_recovery_codes(user),
        ),
    )


@staff_only
@sensitive_post_parameters("code")
@sensitive_variables("codes")
def setup(request):
    """Enrol an authenticator app: scan, type the first code, receive the recovery codes."""
    user = request.user
    if mfa.has_device(user) and not user.is_verified():
        # Replacing a device takes a code from the current one first.
        return redirect(f"{reverse('security:mfa-verify')}?next={request.path}")
    device = mfa.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            audit.record(Action.MFA_ENROLLED, request=request)
            return render(
                request,
                "security/mfa_codes.html",
                admin_context(
                    request, _("Your recovery codes"), codes=codes, next=safe_next(request)
                ),
            )
        audit.record(Action.MFA_FAILED, request=request, detail="enrolment")
        form.add_error("code", _("That code is not right. Check the time on your phone."))
    return render(
        request,
        "security/mfa_setup.html",
        admin_context(
            request,
            _("Set up two-factor authentication"),
            form=form,
            qr=qr_code(device.config_url),
            secret=_grouped(device),
            required=mfa.is_required_for(user),
            next=safe_next(request),
        ),
    )


def _grouped(device):
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@staff_only
@sensitive_post_parameters("code")
def verify(request):
    """Second step of logging in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified() or not mfa.has_device(user):
        return redirect(safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = mfa.throttled_for(user)
        kind = None if wait else mfa.verify(request, form.cleaned_data["code"])
        if kind is not None:
            audit.record(
                Action.MFA_RECOVERY if kind == "recovery" else Action.MFA_VERIFIED, request=request
            )
            if kind == "recovery":
                left = mfa.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left. Make new ones if you run low.")
                    % {"left": left},
                )
            return redirect(safe_next(request))
        audit.record(Action.MFA_FAILED, request=request)
        if wait:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
                % {"seconds": wait},
            )
        else:
            form.add_error(
                "code",
                _("That code is not right, or was used already. Try the newest code."),
            )
    return render(
        request,
        "security/mfa_verify.html",
        admin_context(request, _("Enter your code"), form=form, next=safe_next(request)),
    )


@staff_only
@sensitive_variables("codes")
def recovery_codes(request):
    """Replace the recovery codes (POST) with ten new ones, shown once."""
    user = request.user
    if request.method != "POST" or not mfa.has_device(user) or not user.is_verified():
        return redirect("security:mfa-manage")
    codes = mfa.new_recovery_codes(user)
    audit.record(Action.MFA_CODES, request=request)
    return render(
        request,
        "security/mfa_codes.html",
        admin_context(
            request, _("Your recovery codes"), codes=codes, next=reverse("security:mfa-manage")
        ),
    )


@staff_only
def disable(request):
    """Turn two-factor authentication off (POST), where it is not required."""
    user = request.user
    if request.method == "POST" and user.is_verified() and not mfa.is_required_for(user):
        mfa.disable(user)
        audit.record(Action.MFA_DISABLED, request=request)
        messages.success(request, _("Two-factor authentication is off for your account."))
    elif request.method == "POST":
        messages.error(request, _("Two-factor authentication is required for your role."))
    return redirect("security:mfa-manage")


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes' answer to a locked-out login: HTTP 429 with a clear message."""
    from django.conf import settings

    username = ""
    if credentials:
        username = str(credentials.get("username", "") or "")
    elif request.method == "POST":
        username = request.POST.get("username", "")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = admin_context(
        request,
        _("Too many failed logins"),
        username=username[:150],
        minutes=minutes,
        limit=settings.AXES_FAILURE_LIMIT,
    )
    return render(request, "security/locked_out.html", context, status=429)
