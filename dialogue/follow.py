"""Follow commitments by email, without an account.

1. A visitor asks to follow an agreement, a pillar or every commitment (`FollowView`). A
   confirmation email carries a signed link (`django.core.signing`, valid seven days); nothing
   else is sent until it is used (double opt-in).
2. `python manage.py send_follow_emails` (run every few minutes by cron or a systemd timer)
   sends each confirmed subscription the updates published since it was confirmed: one email
   per update ("immediate") or, once a week, a digest. A delivery row is written, and
   committed, before each email leaves, so an update is never sent twice to the same address,
   even by two runs at once; if the mail server refuses, the rows are removed and the next
   run tries again.
3. Every email has a one-click unsubscribe link (RFC 8058: ``List-Unsubscribe`` and
   ``List-Unsubscribe-Post``), signed and without expiry; unsubscribing deletes the
   subscription and what was recorded about it.
"""

import datetime
import json
import logging

from django import forms
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .models import Agreement, Delivery, Pillar, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "dialogue.follow.confirm"
UNSUBSCRIBE_SALT = "dialogue.follow.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
# A pending request is not mailed again for this long (no mail bombing through the form).
RESEND_AFTER = datetime.timedelta(minutes=15)
DIGEST_EVERY = datetime.timedelta(days=7)


def token_for(subscription, salt):
    """A signed token naming `subscription`: it carries only its number, and the signature
    covers the address too, so the token is void once the subscription is gone (and the
    address never appears in a link or a server log)."""
    return signing.dumps(subscription.pk, salt=f"{salt}:{subscription.email}", compress=False)


def confirm_token(subscription):
    return token_for(subscription, CONFIRM_SALT)


def unsubscribe_token(subscription):
    return token_for(subscription, UNSUBSCRIBE_SALT)


def subscription_from(token, salt, max_age=None):
    """The subscription a signed token names, or None (bad, expired or already gone)."""
    try:
        pk = json.loads(signing.b64_decode(token.split(":", 1)[0].encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription is None:
        return None
    try:
        signing.loads(token, salt=f"{salt}:{subscription.email}", max_age=max_age)
    except signing.BadSignature:
        return None
    return subscription


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def link(name, subscription, token):
    with translation.override(subscription.language):
        return absolute(reverse(name, kwargs={"token": token}))


class FollowForm(forms.Form):
    """What to follow, how often, and where to."""

    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=254)
    scope = forms.ChoiceField(
        label=gettext_lazy("Follow"),
        choices=Subscription.Scope.choices,
        initial=Subscription.Scope.ALL,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One agreement is followed from the link on its page, never picked here.
        self.fields["scope"].choices = [
            choice for choice in Subscription.Scope.choices if choice[0] != "agreement"
        ] + ([("agreement", Subscription.Scope.AGREEMENT.label)] if self.agreement_chosen() else [])

    def agreement_chosen(self):
        return bool(self.data.get("agreement") or self.initial.get("agreement"))

    pillar = forms.ModelChoiceField(
        label=gettext_lazy("Pillar"),
        queryset=Pillar.objects.public(),
        to_field_name="slug",
        required=False,
        help_text=gettext_lazy("When you follow a pillar."),
    )
    agreement = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"),
        queryset=Agreement.objects.published(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.IMMEDIATE,
    )

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == Subscription.Scope.PILLAR and not cleaned.get("pillar"):
            self.add_error("pillar", _("Choose the pillar to follow."))
        if scope == Subscription.Scope.AGREEMENT and not cleaned.get("agreement"):
            self.add_error(
                "scope", _("To follow one agreement, use the link on the agreement's page.")
            )
        return cleaned


def send(subscription, subject, template, context, *, connection=None, unsubscribe=True):
    """Send one email to `subscription` in its language, with the unsubscribe headers."""
    with translation.override(subscription.language):
        headers = {}
        context = {**context, "subscription": subscription, "site_url": settings.SITE_URL}
        if unsubscribe:
            url = link("dialogue:follow-unsubscribe", subscription, unsubscribe_token(subscription))
            headers = {
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
            context["unsubscribe_url"] = url
        message = EmailMultiAlternatives(
            subject=str(subject),
            body=render_to_string(template, context),
            to=[subscription.email],
            headers=headers,
            connection=connection,
        )
        message.send()


def send_confirmation(subscription):
    url = link("dialogue:follow-confirm", subscription, confirm_token(subscription))
    with translation.override(subscription.language):
        subject = _("Confirm that you want to follow HLED commitments")
    send(
        subscription,
        subject,
        "dialogue/email/confirm.txt",
        {"confirm_url": url, "days": CONFIRM_MAX_AGE.days},
        unsubscribe=False,
    )


@method_decorator(never_cache, name="dispatch")
class FollowView(View):
    """Ask to follow an agreement, a pillar or every commitment by email."""

    template_name = "dialogue/follow.html"

    def initial(self, request):
        initial = {}
        agreement = request.GET.get("agreement")
        pillar = request.GET.get("pillar")
        if agreement:
            found = Agreement.objects.published().filter(slug=agreement).first()
            if found is None:
                raise Http404
            initial.update(scope=Subscription.Scope.AGREEMENT, agreement=found.slug)
            initial["agreement_object"] = found
        elif pillar:
            found = Pillar.objects.public().filter(slug=pillar).first()
            if found is None:
                raise Http404
            initial.update(scope=Subscription.Scope.PILLAR, pillar=found.slug)
        return initial

    def get(self, request):
        initial = self.initial(request)
        agreement = initial.pop("agreement_object", None)
        form = FollowForm(initial=initial)
        return render(request, self.template_name, {"form": form, "agreement": agreement})

    def post(self, request):
        form = FollowForm(request.POST)
        if not form.is_valid():
            agreement = None
            if form.data.get("agreement"):
                agreement = (
                    Agreement.objects.published().filter(slug=form.data["agreement"]).first()
                )
            return render(
                request, self.template_name, {"form": form, "agreement": agreement}, status=400
            )
        data = form.cleaned_data
        scope = data["scope"]
        target = {
            "pillar": data["pillar"] if scope == Subscription.Scope.PILLAR else None,
            "agreement": data["agreement"] if scope == Subscription.Scope.AGREEMENT else None,
        }
        email = data["email"].strip().lower()
        subscription = Subscription.objects.filter(email=email, scope=scope, **target).first()
        send_now = False
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=email,
                        scope=scope,
                        frequency=data["frequency"],
                        language=translation.get_language() or settings.LANGUAGE_CODE,
                        **target,
                    )
                send_now = True
            except IntegrityError:  # the same request, twice at once
                subscription = Subscription.objects.get(email=email, scope=scope, **target)
        elif subscription.confirmed_at is None:
            # Ask again, but not more often than every RESEND_AFTER.
            send_now = subscription.created_at <= timezone.now() - RESEND_AFTER
            if send_now:
                subscription.created_at = timezone.now()
                subscription.frequency = data["frequency"]
                subscription.save(update_fields=["created_at", "frequency"])
        if send_now:
            try:
                send_confirmation(subscription)
            except OSError:
                logger.exception("Could not send a confirmation email")
                subscription.delete()
                form.add_error(None, _("The email could not be sent. Please try again later."))
                return render(request, self.template_name, {"form": form}, status=503)
        # The same answer whether the address was new, pending or already confirmed: the
        # page never tells who follows what.
        return render(request, "dialogue/follow_sent.html", {"email": email})


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """The signed link of the confirmation email: a button that confirms the subscription
    (a button, so that mail scanners opening links confirm nothing)."""

    def get(self, request, token):
        subscription = subscription_from(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
        return render(
            request,
            "dialogue/follow_confirm.html",
            {"subscription": subscription, "done": False},
            status=200 if subscription else 404,
        )

    def post(self, request, token):
        subscription = subscription_from(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
        if subscription is not None:
            subscription.confirm()
        return render(
            request,
            "dialogue/follow_confirm.html",
            {"subscription": subscription, "done": subscription is not None},
            status=200 if subscription else 404,
        )


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    """Unsubscribe in one click (RFC 8058: mail clients POST to the link without a form), or
    from the page the link opens. The signed token is the only authority needed."""

    def get(self, request, token):
        subscription = subscription_from(token, UNSUBSCRIBE_SALT)
        return render(
            request,
            "dialogue/follow_unsubscribe.html",
            {"subscription": subscription, "done": False, "token": token},
            status=200 if subscription else 404,
        )

    def post(self, request, token):
        subscription = subscription_from(token, UNSUBSCRIBE_SALT)
        found = subscription is not None
        if found:
            subscription.delete()
        return render(
            request,
            "dialogue/follow_unsubscribe.html",
            {"subscription": None, "done": True, "token": token},
            status=200,
        )


def claim(subscription, updates):
    """Record `updates` as sent to `subscription` (committed at once); returns those this run
    claimed, leaving any that another run claimed first."""
    claimed = []
    for update in updates:
        try:
            with transaction.atomic():
                Delivery.objects.create(subscription=subscription, update=update)
        except IntegrityError:
            continue
        claimed.append(update)
    return claimed


def deliver(subscription, updates, connection):
    """Send `updates` to `subscription`; on a mail-server error, forget the claim so the next
    run tries again, and re-raise."""
    claimed = claim(subscription, updates)
    if not claimed:
        return 0
    try:
        with translation.override(subscription.language):
            if subscription.frequency == Subscription.Frequency.WEEKLY:
                subject = _("HLED commitments: %(count)s new update(s) this week") % {
                    "count": len(claimed)
                }
            else:
                update = claimed[0]
                subject = _("HLED commitment update: %(agreement)s") % {
                    "agreement": update.agreement.title
                }
            context = {
                "updates": [
                    {
                        "update": update,
                        "agreement": update.agreement,
                        "url": absolute(update.agreement.get_absolute_url()),
                    }
                    for update in claimed
                ],
            }
            send(
                subscription, subject, "dialogue/email/updates.txt", context, connection=connection
            )
    except Exception:
        Delivery.objects.filter(subscription=subscription, update__in=claimed).delete()
        raise
    return len(claimed)


def send_due(now=None, connection=None):
    """Send every email that is due; returns {"emails": n, "updates": n, "purged": n}."""
    now = now or timezone.now()
    purged, _rows = (
        Subscription.objects.pending().filter(created_at__lt=now - CONFIRM_MAX_AGE).delete()
    )
    sent = {"emails": 0, "updates": 0, "purged": purged}
    connection = connection or get_connection()
    for subscription in Subscription.objects.confirmed().select_related("agreement", "pillar"):
        updates = list(subscription.updates())
        if not updates:
            continue
        if subscription.frequency == Subscription.Frequency.WEEKLY:
            last = subscription.last_digest_at or subscription.confirmed_at
            if last > now - DIGEST_EVERY:
                continue
            count = deliver(subscription, updates, connection)
            if count:
                sent["emails"] += 1
                sent["updates"] += count
                subscription.last_digest_at = now
                subscription.save(update_fields=["last_digest_at"])
        else:
            for update in updates:
                count = deliver(subscription, [update], connection)
                sent["emails"] += bool(count)
                sent["updates"] += count
    return sent
