"""The admin site: Django's, with an editor's dashboard on its home page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class HLEDAdminSite(admin.AdminSite):
    """Django's admin site whose index also shows what needs attention
    (dialogue/admin/dashboard.py)."""

    site_header = _("HLED administration")
    site_title = _("HLED admin")
    index_title = _("Content of the High-Level Economic Dialogue")

    def has_permission(self, request):
        """Staff who must use two-factor authentication need a verified session too
        (security/mfa.py; the middleware sends them to enrol or enter a code first)."""
        from security import mfa

        return super().has_permission(request) and mfa.is_satisfied(request)

    def index(self, request, extra_context=None):
        from .admin.dashboard import dashboard

        return super().index(request, {**dashboard(request), **(extra_context or {})})
