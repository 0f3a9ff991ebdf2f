"""The admin site: Django's, with an editor's dashboard on its home page."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class HLEDAdminSite(admin.AdminSite):
    """Django's admin site whose index also shows what needs attention (dialogue/dashboard.py)."""

    def index(self, request, extra_context=None):
        from .dashboard import dashboard

        return super().index(request, {**dashboard(request), **(extra_context or {})})


class HLEDAdminConfig(AdminConfig):
    """Installs `HLEDAdminSite` as `django.contrib.admin.site`."""

    default_site = "dialogue.admin_site.HLEDAdminSite"
