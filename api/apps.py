from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only JSON API (/api/v1/): Django REST Framework over dialogue's public reads."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    def ready(self):
        from . import schema

        schema.annotate_filters()
