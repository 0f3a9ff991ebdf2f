from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created
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

        from .search import register_fold

        connection_created.connect(register_fold, dispatch_uid="dialogue:hled_fold")

        from .publishing import history, roles, signals

        signals.connect()
        history.register_models()
        # Permissions only exist after post_migrate on a fresh database: sync the roles then.
        post_migrate.connect(
            roles.sync_roles_after_migrate, sender=self, dispatch_uid="dialogue:sync-roles"
        )


class HLEDAdminConfig(admin_apps.AdminConfig):
    """Django's admin, installing the admin site with the editors' dashboard as
    `django.contrib.admin.site`. The site lives in dialogue/admin_site.py, outside the admin
    package: importing that package registers the models on this very site."""

    default = False  # named in INSTALLED_APPS; "dialogue" itself means DialogueConfig
    default_site = "dialogue.admin_site.HLEDAdminSite"
