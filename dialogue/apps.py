from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    """The HLED content app: meetings, agendas, stakeholders and agreements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dialogue"
    verbose_name = _("High-Level Economic Dialogue")

    def ready(self):
        from . import cache

        cache.connect_signals()
