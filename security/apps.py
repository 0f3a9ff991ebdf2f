from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Audit log, CSP reports, staff two-factor authentication and upload checks."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = _("Security")

    def ready(self):
        from . import audit

        audit.connect()
