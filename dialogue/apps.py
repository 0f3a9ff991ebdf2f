from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    """The HLED content app: meetings, agendas, stakeholders and agreements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dialogue"
    verbose_name = _("High-Level Economic Dialogue")

    def ready(self):
        from . import cache

        cache.connect_signals()

        from . import signals, versioning, workflow

        signals.connect()
        versioning.register_models()
        # Permissions only exist after post_migrate on a fresh database: sync the roles then.
        post_migrate.connect(
            workflow.sync_roles_after_migrate, sender=self, dispatch_uid="dialogue:sync-roles"
        )
