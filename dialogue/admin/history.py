"""History in the admin: every version of a record, a field-by-field compare, restore and
recover. What a restore may bring back is the publishing service's rule
(`publishing.publication_to_keep`); this mixin shows it and applies it to the form."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .. import publishing
from ..models import PublicationStatus
from . import compare


class HistoryAdminMixin:
    """History, compare, restore and recover views of a model admin."""

    def admin_url(self, view, *args):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(a) for a in args]
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        keep = getattr(request, "keep_publication", None)
        if obj is not None and keep:
            for name, value in keep.items():
                setattr(obj, name, value)
        return obj

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore a version. Its publication settings are only restored by a Publisher:
        for anyone else the record keeps its current ones."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        request.restoring = True
        request.restore_over = obj
        context = dict(extra_context or {})
        request.keep_publication = publishing.publication_to_keep(request.user, obj)
        if request.keep_publication and not publishing.is_protected(request.user, obj):
            context["workflow_notice"] = _(
                "Saving restores this version's content. Its publication settings are not "
                "restored: the %(thing)s stays a draft until a Publisher publishes it."
            ) % {"thing": self.model._meta.verbose_name}
        if request.method == "POST":
            publishing.keep_baselines(self.history_targets(obj))
        return super().revision_view(request, object_id, version_id, context)

    def recover_view(self, request, version_id, extra_context=None):
        """Recover a deleted record: as a draft, unless a Publisher recovers it."""
        request.restoring = True
        request.restore_over = None
        context = dict(extra_context or {})
        if self.is_publishable and not self.has_publish_permission(request):
            request.keep_publication = {"publication_status": PublicationStatus.DRAFT}
            context["workflow_notice"] = _(
                "The %(thing)s comes back as a draft; a Publisher publishes it again."
            ) % {"thing": self.model._meta.verbose_name}
        return super().recover_view(request, version_id, context)

    def get_urls(self):
        opts = self.model._meta
        compare_url = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare_url, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        """Every version of the record, newest first, to compare or restore."""
        obj = self.get_object(request, unquote(object_id))
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision", "revision__user")
            .order_by("-pk")
        )
        context = {
            "action_list": [
                {
                    "version": version,
                    "revision": version.revision,
                    "url": self.admin_url("revision", version.object_id, version.pk),
                }
                for version in versions
            ],
            "compare_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_compare",
                args=[object_id],
            ),
            "can_restore": obj is not None and self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        # Django's own view (permission check, breadcrumbs) with this list of versions.
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def compare_view(self, request, object_id):
        """Two versions of a record side by side, field by field, parts included."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        history_url = self.admin_url("history", obj.pk)
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        picked = compare.pick_versions(versions, request.GET.get("from"), request.GET.get("to"))
        if picked is None:
            messages.warning(request, _("Choose two different versions to compare."))
            return redirect(history_url)
        older, newer = picked
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare versions of %(record)s") % {"record": obj},
            "subtitle": None,
            "opts": self.model._meta,
            "object": obj,
            "older": older,
            "newer": newer,
            "changes": compare.compare_versions(self.model, older, newer),
            "history_url": history_url,
            "restore_url": self.admin_url("revision", obj.pk, older.pk),
            "can_restore": self.has_change_permission(request, obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/dialogue/compare.html", context)
