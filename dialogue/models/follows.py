"""Following commitments by email, without an account: subscriptions and what was sent.

A visitor follows one agreement, one pillar's agreements or every commitment. The address is
confirmed by a signed link (double opt-in) before anything is sent; unsubscribing deletes the
subscription. These rows are personal data, not content: they have no history, no publication
and never change a public page (dialogue/cache.py leaves them out).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreements import Agreement, AgreementUpdate
from .taxonomy import Pillar


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class Subscription(models.Model):
    """One address following one agreement, one pillar, or every commitment."""

    is_content = False  # never invalidates the page cache

    class Scope(models.TextChoices):
        ALL = "all", _("All commitments")
        PILLAR = "pillar", _("A pillar")
        AGREEMENT = "agreement", _("An agreement")

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once, one email per update")
        WEEKLY = "weekly", _("A weekly digest")

    email = models.EmailField(_("email address"), max_length=254)
    scope = models.CharField(_("follows"), max_length=10, choices=Scope.choices)
    pillar = models.ForeignKey(
        Pillar,
        verbose_name=_("pillar"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    language = models.CharField(_("language"), max_length=5, default="en")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(
        _("confirmed"), null=True, blank=True, help_text=_("Empty until the address is confirmed.")
    )
    last_digest_at = models.DateTimeField(
        _("last digest"), null=True, blank=True, help_text=_("When the last weekly digest left.")
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email subscription")
        verbose_name_plural = _("email subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="all") & Q(pillar__isnull=True) & Q(agreement__isnull=True))
                | (Q(scope="pillar") & Q(pillar__isnull=False) & Q(agreement__isnull=True))
                | (Q(scope="agreement") & Q(pillar__isnull=True) & Q(agreement__isnull=False)),
                name="subscription_scope_matches_target",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(scope="all"), name="subscription_unique_all"
            ),
            models.UniqueConstraint(fields=["email", "pillar"], name="subscription_unique_pillar"),
            models.UniqueConstraint(
                fields=["email", "agreement"], name="subscription_unique_agreement"
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.target_label}"

    @property
    def target_label(self):
        if self.scope == self.Scope.AGREEMENT:
            return str(self.agreement)
        if self.scope == self.Scope.PILLAR:
            return str(self.pillar)
        return str(self.Scope.ALL.label)

    def updates(self):
        """The public updates this subscription follows (without the sent ones)."""
        updates = AgreementUpdate.objects.public().filter(first_published_at__gte=self.confirmed_at)
        if self.scope == self.Scope.AGREEMENT:
            updates = updates.filter(agreement_id=self.agreement_id)
        elif self.scope == self.Scope.PILLAR:
            updates = updates.filter(agreement__pillar_id=self.pillar_id)
        return updates.exclude(deliveries__subscription=self).order_by("first_published_at", "id")

    def confirm(self):
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.save(update_fields=["confirmed_at"])


class Delivery(models.Model):
    """An update sent (or being sent) to a subscription: never sent twice."""

    is_content = False

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    update = models.ForeignKey(
        AgreementUpdate,
        verbose_name=_("update"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "update"], name="delivery_once_per_update"
            )
        ]

    def __str__(self):
        return f"{self.update} → {self.subscription.email}"
