"""The audit log and the CSP violations in the admin: read-only, for superusers only."""

from django.contrib import admin

from .models import AuditEvent, CSPReport


class SuperuserReadOnly(admin.ModelAdmin):
    """Visible to superusers only, whatever permissions a group grants; nobody edits it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserReadOnly):
    list_display = ("at", "action", "username", "address", "object_repr", "detail")
    list_filter = ("action", "at")
    search_fields = ("username", "address", "object_repr", "detail")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(CSPReport)
class CSPReportAdmin(SuperuserReadOnly):
    list_display = ("directive", "blocked", "document", "count", "last_seen")
    list_filter = ("directive",)
    search_fields = ("blocked", "document", "source")
    readonly_fields = [f.name for f in CSPReport._meta.fields]

    def has_delete_permission(self, request, obj=None):
        # Clearing a violation once it is fixed is the one change allowed.
        return request.user.is_active and request.user.is_superuser
