"""The admin's side of the editorial workflow: forms that carry the version they were opened
at, and base classes whose every write goes through the publishing service
(dialogue/publishing/). The rules themselves live there; this module shows them to staff
(read-only fields, notices, friendly messages) and turns refusals into form errors."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import publishing
from ..models import PublicationStatus
from ..publishing import history, roles
from .filters import EditedByMeFilter
from .history import HistoryAdminMixin


def both(*names):
    """Each field name in every language: ("title",) -> ("title_en", "title_es")."""
    return tuple(field for name in names for field in get_translation_fields(name))


def search_both(*names):
    """Search fields covering every language version of translated fields."""
    fields = []
    for name in names:
        *path, last = name.split("__")
        for field in get_translation_fields(last):
            fields.append("__".join([*path, field]))
    return fields


class HttpsLinks:
    """Links typed without a scheme are taken as https:// (Django 6's default)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class WorkflowAdminForm(forms.ModelForm):
    """Carries the version of the record the form was opened at and refuses, as a whole,
    a save that the user's role does not allow."""

    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Set for each request by WorkflowAdmin.get_form.
    user = None
    check_lock = False
    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["lock_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        self.refuse_publication_fields()
        self.refuse_published_owners(cleaned)
        if self.check_lock and self.instance.pk is not None:
            self.refuse_outdated(cleaned.get("lock_version"))
        return cleaned

    def refuse_publication_fields(self):
        """Publication fields are read-only for users who may not publish, so the form never
        sends them: a request that does was forged, and nothing of it is saved."""
        model = self._meta.model
        if not publishing.service.is_publishable(model) or roles.can_publish(self.user, model):
            return
        names = {self.add_prefix(name) for name in publishing.PUBLICATION_FIELDS}
        names |= {f"{self.add_prefix('publish_at')}_{i}" for i in (0, 1)}
        if names & set(self.data):
            raise ValidationError(
                publishing.service.publish_refusal(model), code="publish_permission"
            )

    def refuse_published_owners(self, cleaned):
        """A part (agenda item, document …) may not be added to or moved into a published
        record by a user who may not change it (an implementation update is reviewed on its
        own: an editor drafts one for a published agreement)."""
        model_name = self._meta.model._meta.model_name
        if model_name in roles.SELF_REVIEWED:
            return
        for name in roles.OWNER_FIELDS.get(model_name, ()):
            owner = cleaned.get(name)
            if owner is not None and roles.is_protected(self.user, owner):
                self.add_error(name, publishing.service.protected_refusal(owner))

    def refuse_outdated(self, opened_at):
        """Optimistic locking, as staff see it: refuse the save, keeping the form, if the record
        changed since the form opened. (The write itself is also conditional on that version,
        so a save racing past this check is refused too.)"""
        model = type(self.instance)
        current = model._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        if current is None or opened_at == current:
            return
        if opened_at is None:
            raise ValidationError(
                _(
                    "This form does not say which version of the %(thing)s it was opened at, "
                    "so saving it could overwrite someone else's changes. Your changes were "
                    "not saved: reload the page and make them again."
                ),
                code="conflict",
                params={"thing": model._meta.verbose_name},
            )
        who, when = history.last_change(self.instance)
        self.conflict = {"user": who, "when": when, "version": current}
        # The re-displayed form carries the current version: saving it again, after merging
        # by hand, is a deliberate choice to overwrite.
        self.data = self.data.copy()
        self.data[self.add_prefix("lock_version")] = str(current)
        name = who.get_username() if who else _("someone else")
        raise ValidationError(
            _(
                "This %(thing)s was changed by %(user)s on %(when)s, after you opened it. "
                "Your changes were not saved: they are still in the form below. Compare "
                "them with the current version, then save again to keep yours."
            ),
            code="conflict",
            params={
                "thing": model._meta.verbose_name,
                "user": name,
                "when": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else "?",
            },
        )


def last_editor(model):
    """The username of whoever made the latest recorded version of each row (a subquery)."""
    versions = (
        Version.objects.get_for_model(model)
        .filter(object_id=Cast(models.OuterRef("pk"), models.CharField()))
        .order_by("-pk")
    )
    return models.Subquery(versions.values("revision__user__username")[:1])


class WorkflowAdmin(HttpsLinks, HistoryAdminMixin, TranslationAdmin, VersionAdmin):
    """Base of every dialogue admin: roles, history (versions, compare, restore, recover)
    and conflict detection; saves and deletes go through the publishing service."""

    form = WorkflowAdminForm
    object_history_template = "admin/dialogue/object_history.html"
    history_latest_first = True

    class Media:
        css = {"all": ["dialogue/admin-forms.css"]}
        js = ["dialogue/admin-rows.js", "dialogue/admin-forms.js"]

    # Roles

    @property
    def is_publishable(self):
        return publishing.service.is_publishable(self.model)

    def has_publish_permission(self, request):
        return roles.can_publish(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not roles.is_protected(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not roles.is_protected(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.is_publishable and not self.has_publish_permission(request):
            fields += [name for name in publishing.PUBLICATION_FIELDS if name not in fields]
        return fields

    # Changelists: who changed each record last, and when.

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.url_name or "").endswith("_changelist"):
            queryset = queryset.annotate(last_editor=last_editor(self.model))
        return queryset

    def get_list_display(self, request):
        return [*super().get_list_display(request), "last_edited"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), EditedByMeFilter]

    @admin.display(description=_("last edited"), ordering="updated_at")
    def last_edited(self, obj):
        when = date_format(timezone.localtime(obj.updated_at), "Y-m-d H:i")
        who = getattr(obj, "last_editor", None)
        if not who:
            return format_html('<time datetime="{}">{}</time>', obj.updated_at.isoformat(), when)
        return format_html(
            '<time datetime="{}">{}</time> <span class="last-editor">{}</span>',
            obj.updated_at.isoformat(),
            when,
            _("by %(user)s") % {"user": who},
        )

    def get_fields(self, request, obj=None):
        # The version token is rendered once, as a hidden input (change_form.html).
        return [name for name in super().get_fields(request, obj) if name != "lock_version"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        form.check_lock = change and not getattr(request, "restoring", False)
        return form

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        user = request.user

        class GuardedFormSet(formset):
            """Editable list columns may not change a record the user may not change."""

            def clean(self):
                super().clean()
                for form in self.forms:
                    if form.has_changed():
                        message = publishing.refusal(user, form.instance, form.instance)
                        if message:
                            raise ValidationError(message)

        return GuardedFormSet

    def workflow_notice(self, request, obj):
        """What the change form tells the user about their role on this record."""
        if obj is not None and roles.is_protected(request.user, obj):
            if self.is_publishable:
                return _(
                    "This %(thing)s is published (live or scheduled), so only a Publisher can "
                    "change or delete it. Ask a Publisher to unpublish it so you can edit the "
                    "draft, or to make the change."
                ) % {"thing": self.model._meta.verbose_name}
            owners = ", ".join(f"“{owner}”" for owner in roles.owners(obj))
            return _(
                "This %(thing)s belongs to %(owners)s, which is published, so only a Publisher "
                "can change it."
            ) % {"thing": self.model._meta.verbose_name, "owners": owners}
        if self.is_publishable and not self.has_publish_permission(request):
            return _(
                "You can save this %(thing)s as a draft. A Publisher publishes or schedules it."
            ) % {"thing": self.model._meta.verbose_name}
        return ""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.setdefault("workflow_notice", self.workflow_notice(request, obj))
        if change and obj is not None:
            context.setdefault("history_url", self.admin_url("history", obj.pk))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Writes: through the publishing service.

    def save_model(self, request, obj, form, change):
        # Editable list columns use forms of their own, without a version.
        based_on = form.cleaned_data.get("lock_version") if getattr(form, "check_lock", 0) else None
        # A restore has already written the old version: judge it against the state before.
        over = getattr(request, "restore_over", publishing.STORED)
        # Django's admin writes its own log entries for these three.
        publishing.save(
            request.user,
            obj,
            based_on=based_on,
            over=over,
            log_entry=False,
            restored=getattr(request, "restoring", False),
            evidence=getattr(request, "evidence", None),
        )

    def delete_model(self, request, obj):
        publishing.delete(request.user, obj, log_entry=False)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            publishing.delete(request.user, obj, log_entry=False)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if getattr(request, "restoring", False):
            # Inside django-reversion's restore: any error must propagate so that the
            # reverted version is rolled back (a refusal is a 403).
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except publishing.StaleWrite as error:
            # Another save landed between this form's checks and its write (a race of
            # milliseconds): everything was rolled back.
            self.message_user(
                request,
                _(
                    "This %(thing)s was saved by someone else at the same moment. Your changes "
                    "were not saved: open it again and repeat them."
                )
                % {"thing": error.obj._meta.verbose_name},
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        except publishing.Refused as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # History: keep the state before each change, also of records never edited here.

    def history_targets(self, obj):
        """The records whose history a change to `obj` belongs to."""
        return [obj, *roles.owners(obj)]

    def owners_from_post(self, request):
        names = roles.OWNER_FIELDS.get(self.model._meta.model_name, ())
        found = []
        for name in names:
            value = request.POST.get(name, "")
            related = self.model._meta.get_field(name).related_model
            if value.isdigit():
                found.append(related._base_manager.filter(pk=value).first())
        return found

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "POST":
            publishing.keep_baselines(self.owners_from_post(request))
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                publishing.keep_baselines(
                    self.history_targets(obj) + self.owners_from_post(request)
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_delete_permission(request, obj):
                publishing.keep_baselines(roles.owners(obj))
                history.snapshot([obj], _("State before deletion."))
        with self.create_revision(request):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action:
            objects = list(self.selected(request))
            if action == "delete_selected" and request.POST.get("post"):
                if all(self.has_delete_permission(request, obj) for obj in objects):
                    publishing.keep_baselines([o for obj in objects for o in roles.owners(obj)])
                    history.snapshot(objects, _("State before deletion."))
            else:
                publishing.keep_baselines(objects)
        elif request.method == "POST" and "_save" in request.POST and self.list_editable:
            # Editable list columns: keep the rows' state before their first change here.
            ids = [value for key, value in request.POST.items() if key.endswith("-id")]
            publishing.keep_baselines(
                self.get_queryset(request).filter(pk__in=[i for i in ids if i.isdigit()])
            )
        return super().changelist_view(request, extra_context)

    def selected(self, request):
        """The records a bulk action was asked to run on."""
        queryset = self.get_queryset(request)
        if request.POST.get("select_across") != "1":
            chosen = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            queryset = queryset.filter(pk__in=[pk for pk in chosen if pk.isdigit()])
        return queryset


class PartAdmin(WorkflowAdmin):
    """Admin of a part of a meeting or an agreement (agenda item, participant, party, update,
    document): changing it here also changes the record it belongs to, which gets a new
    version and a new history entry (the publishing service does both), so an editor who has
    that record open is warned."""


class PublishableAdmin(WorkflowAdmin):
    """Shared behaviour of publishable models: status column, filter and bulk actions.

    The Publish and Unpublish actions are only offered to users with the model's publish
    permission, and the publishing service checks it again. Each record is saved on its own,
    so it gets a version in its history and an entry in the admin log.
    """

    actions = ["publish", "unpublish"]
    publication_fieldset = (
        _("Publication"),
        {"classes": ["collapse", "open"], "fields": [("publication_status", "publish_at")]},
    )
    staff_fieldset = (
        _("Staff only"),
        {"classes": ["collapse"], "fields": ["notes", ("created_at", "updated_at")]},
    )
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("publication"), ordering="publication_status")
    def publication(self, obj):
        """A badge in words (and colour): draft, scheduled (with its time) or live."""
        if obj.is_scheduled:
            when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M")
            state, label = "scheduled", _("Scheduled for %(when)s UTC") % {"when": when}
        elif obj.is_public:
            state, label = "live", _("Published (live)")
        else:
            state, label = "draft", obj.get_publication_status_display()
        return format_html('<span class="status-badge status-badge--{}">{}</span>', state, label)

    def run_publication_action(self, request, change, records, message, counted):
        try:
            count = change(request.user, list(records), comment=message)
        except publishing.Refused as refused:
            raise PermissionDenied(refused.message) from refused
        self.message_user(request, counted(count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected records now"), permissions=["publish"])
    def publish(self, request, queryset):
        self.run_publication_action(
            request,
            publishing.publish,
            queryset,
            _("Published with the “Publish” action."),
            lambda n: ngettext("%(count)d record published.", "%(count)d records published.", n),
        )

    @admin.action(
        description=_("Unpublish the selected records (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self.run_publication_action(
            request,
            publishing.unpublish,
            queryset.exclude(publication_status=PublicationStatus.DRAFT),
            _("Unpublished with the “Unpublish” action."),
            lambda n: ngettext(
                "%(count)d record unpublished.", "%(count)d records unpublished.", n
            ),
        )
