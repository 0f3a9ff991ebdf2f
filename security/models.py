"""What the security app stores: the audit log and the CSP violation reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One security-relevant action: who did what, when, from which address."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login-failed", _("Failed login")
        LOCKED_OUT = "locked-out", _("Locked out")
        LOGOUT = "logout", _("Logged out")
        MFA_ENROLLED = "mfa-enrolled", _("Two-factor authentication set up")
        MFA_VERIFIED = "mfa-verified", _("Two-factor code accepted")
        MFA_RECOVERY = "mfa-recovery", _("Recovery code used")
        MFA_FAILED = "mfa-failed", _("Wrong two-factor code")
        MFA_CODES = "mfa-codes", _("New recovery codes")
        MFA_DISABLED = "mfa-disabled", _("Two-factor authentication turned off")
        PASSWORD = "password", _("Password changed")
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Unpublished")
        SCHEDULE = "schedule", _("Scheduled")
        RESTORE = "restore", _("Restored a version")
        DELETE = "delete", _("Deleted")
        ROLE = "role", _("Role or access changed")
        EXPORT = "export", _("Exported personal data")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        help_text=_("The logged-in user who acted (empty for a failed login or a command)."),
    )
    username = models.CharField(
        _("username"),
        max_length=150,
        blank=True,
        help_text=_("The username typed or acted as, kept if the account is deleted."),
    )
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    object_type = models.CharField(_("record type"), max_length=100, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_action_display()} {self.username}".strip()


class CSPReport(models.Model):
    """A distinct Content-Security-Policy violation reported by browsers, with its count."""

    directive = models.CharField(_("directive"), max_length=100)
    blocked = models.CharField(_("blocked"), max_length=300, blank=True)
    document = models.CharField(_("page"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("CSP violation")
        verbose_name_plural = _("CSP violations")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "blocked", "document"], name="csp_report_unique"
            )
        ]

    def __str__(self):
        return f"{self.directive} {self.blocked}".strip()
