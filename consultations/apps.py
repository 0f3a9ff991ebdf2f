from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    """Public input to set each year's agenda: consultations, submissions, moderation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"
    verbose_name = _("Public input")

    def ready(self):
        from dialogue.publishing import history, roles, signals

        from . import notify

        # The same rules as dialogue's records: versions, first publication, old slugs.
        signals.connect(self.label)
        history.register_models(self.label)
        notify.connect()
        # The Moderator role needs this app's permissions, which exist only after its own
        # post_migrate on a fresh database.
        post_migrate.connect(
            roles.sync_roles_after_migrate, sender=self, dispatch_uid="consultations:sync-roles"
        )
