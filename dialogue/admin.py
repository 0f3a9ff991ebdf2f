"""The staff back office: every record is edited here.

The editorial workflow (dialogue/workflow.py) is enforced here: Editors save drafts,
Publishers publish; every change is versioned (django-reversion) and a save based on an
out-of-date form is refused (optimistic locking on ``version``).
"""

from zoneinfo import ZoneInfo

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import get_translation_fields
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import compare, versioning, workflow
from .models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Page,
    Participation,
    Pillar,
    PublicationStatus,
    Sector,
    Stakeholder,
)

# Before the VersionAdmin classes below register models their own way.
versioning.register_models()

PUBLICATION_FIELDS = ("publication_status", "publish_at")


class PublicationFilter(admin.SimpleListFilter):
    """Draft, scheduled or live: what a visitor can see right now."""

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("scheduled", _("Scheduled")),
            ("live", _("Published (live)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.drafts()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "live":
            return queryset.published()
        return queryset


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


class MissingSpanishFilter(admin.SimpleListFilter):
    """Records whose Spanish text is missing where the English one exists."""

    title = _("Spanish text")
    parameter_name = "spanish"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("complete", _("Complete"))]

    def queryset(self, request, queryset):
        if self.value() not in {"missing", "complete"}:
            return queryset
        try:
            fields = translator.get_options_for_model(queryset.model).fields
        except NotRegistered:
            return queryset
        missing = Q()
        for name in fields:
            has_english = Q(**{f"{name}_en__gt": ""})
            no_spanish = Q(**{f"{name}_es__isnull": True}) | Q(**{f"{name}_es": ""})
            missing |= has_english & no_spanish
        return queryset.filter(missing) if self.value() == "missing" else queryset.exclude(missing)


class HttpsLinks:
    """Links typed without a scheme are taken as https:// (Django 6's default)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def last_change(obj):
    """(who, when) of the latest recorded change to `obj`: its newest version, else the log."""
    version = (
        Version.objects.get_for_object(obj).select_related("revision", "revision__user").first()
    )
    if version is not None:
        return version.revision.user, version.revision.date_created
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )
        .select_related("user")
        .order_by("-action_time")
        .first()
    )
    if entry is not None:
        return entry.user, entry.action_time
    return None, None


def snapshot(objects, comment, date_created=None):
    """Record the current state of `objects` (with their parts) as a revision of its own."""
    objects = [obj for obj in objects if obj is not None and obj.pk is not None]
    if not objects or reversion.is_active():
        return
    with reversion.create_revision():
        reversion.set_comment(str(comment))
        if date_created is not None:
            reversion.set_date_created(date_created)
        for obj in objects:
            reversion.add_to_revision(obj)


def ensure_baseline(objects):
    """Keep the state of records never changed in the admin (loaded from the demo fixture,
    imported, created in a shell) before the first change, so it can be restored."""
    by_model = {}
    for obj in objects:
        if obj is not None and obj.pk is not None:
            by_model.setdefault(type(obj), {})[str(obj.pk)] = obj
    missing = []
    for model, found in by_model.items():
        versioned = set(
            Version.objects.get_for_model(model)
            .filter(object_id__in=list(found))
            .values_list("object_id", flat=True)
        )
        missing += [obj for pk, obj in found.items() if pk not in versioned]
    # Dated when the record last changed, as far as it knows.
    last_changed = max((obj.updated_at for obj in missing), default=None)
    snapshot(missing, _("State before the first change recorded in the admin."), last_changed)


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
        if model._meta.model_name not in workflow.PUBLISHABLE_MODELS:
            return
        if workflow.can_publish(self.user, model):
            return
        names = {self.add_prefix(name) for name in PUBLICATION_FIELDS}
        names |= {f"{self.add_prefix('publish_at')}_{i}" for i in (0, 1)}
        if names & set(self.data):
            raise ValidationError(
                _(
                    "Only a Publisher can publish, unpublish or schedule %(things)s. "
                    "Nothing was saved."
                ),
                code="publish_permission",
                params={"things": model._meta.verbose_name_plural},
            )

    def refuse_published_owners(self, cleaned):
        """A part (agenda item, document …) may not be added to or moved into a published
        record by a user who may not change it."""
        for name in workflow.OWNER_FIELDS.get(self._meta.model._meta.model_name, ()):
            owner = cleaned.get(name)
            if owner is not None and workflow.is_protected(self.user, owner):
                self.add_error(
                    name,
                    _(
                        "“%(owner)s” is published: only a Publisher can change it or its "
                        "parts. Ask a Publisher to unpublish it first."
                    )
                    % {"owner": owner},
                )

    def refuse_outdated(self, opened_at):
        """Optimistic locking: refuse the save if the record changed since the form opened.

        The stored version is read with a row lock (PostgreSQL), so of two saves racing
        from the same version, the second waits for the first and is then refused.
        """
        model = type(self.instance)
        current = (
            model._base_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
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
        who, when = last_change(self.instance)
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


class WorkflowAdmin(HttpsLinks, TranslationAdmin, VersionAdmin):
    """Base of every dialogue admin: roles, history (versions, compare, restore, recover)
    and conflict detection."""

    form = WorkflowAdminForm
    object_history_template = "admin/dialogue/object_history.html"
    history_latest_first = True

    # Roles

    @property
    def is_publishable(self):
        return self.model._meta.model_name in workflow.PUBLISHABLE_MODELS

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not workflow.is_protected(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not workflow.is_protected(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.is_publishable and not self.has_publish_permission(request):
            fields += [name for name in PUBLICATION_FIELDS if name not in fields]
        return fields

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
                    if form.has_changed() and workflow.is_protected(user, form.instance):
                        raise ValidationError(
                            _("“%(record)s” is published: only a Publisher can change it.")
                            % {"record": form.instance}
                        )

        return GuardedFormSet

    def workflow_notice(self, request, obj):
        """What the change form tells the user about their role on this record."""
        if obj is not None and workflow.is_protected(request.user, obj):
            if self.is_publishable:
                return _(
                    "This %(thing)s is published (live or scheduled), so only a Publisher can "
                    "change or delete it. Ask a Publisher to unpublish it so you can edit the "
                    "draft, or to make the change."
                ) % {"thing": self.model._meta.verbose_name}
            owners = ", ".join(f"“{owner}”" for owner in workflow.owners(obj))
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
            opts = self.model._meta
            context.setdefault(
                "history_url",
                reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[quote(obj.pk)]),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # History: keep the state before each change, also of records never edited here.

    def history_targets(self, obj):
        """The records whose history a change to `obj` belongs to."""
        return [obj, *workflow.owners(obj)]

    def owners_from_post(self, request):
        names = workflow.OWNER_FIELDS.get(self.model._meta.model_name, ())
        found = []
        for name in names:
            value = request.POST.get(name, "")
            related = self.model._meta.get_field(name).related_model
            if value.isdigit():
                found.append(related._base_manager.filter(pk=value).first())
        return found

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "POST":
            ensure_baseline(self.owners_from_post(request))
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                ensure_baseline(self.history_targets(obj) + self.owners_from_post(request))
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_delete_permission(request, obj):
                ensure_baseline(workflow.owners(obj))
                snapshot([obj], _("State before deletion."))
        with self.create_revision(request):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        if action:
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            queryset = self.get_queryset(request)
            if request.POST.get("select_across") != "1":
                queryset = queryset.filter(pk__in=[pk for pk in selected if pk.isdigit()])
            objects = list(queryset)
            if action == "delete_selected" and request.POST.get("post"):
                if all(self.has_delete_permission(request, obj) for obj in objects):
                    owners = [owner for obj in objects for owner in workflow.owners(obj)]
                    ensure_baseline(owners)
                    snapshot(objects, _("State before deletion."))
            else:
                ensure_baseline(objects)
        elif request.method == "POST" and "_save" in request.POST and self.list_editable:
            # Editable list columns: keep the rows' state before their first change here.
            ids = [value for key, value in request.POST.items() if key.endswith("-id")]
            ensure_baseline(
                self.get_queryset(request).filter(pk__in=[i for i in ids if i.isdigit()])
            )
        return super().changelist_view(request, extra_context)

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
        context = dict(extra_context or {})
        if self.is_publishable and not self.has_publish_permission(request):
            request.keep_publication = {name: getattr(obj, name) for name in PUBLICATION_FIELDS}
            if not workflow.is_protected(request.user, obj):
                context["workflow_notice"] = _(
                    "Saving restores this version's content. Its publication settings are not "
                    "restored: the %(thing)s stays a draft until a Publisher publishes it."
                ) % {"thing": self.model._meta.verbose_name}
        if request.method == "POST":
            ensure_baseline(self.history_targets(obj))
        return super().revision_view(request, object_id, version_id, context)

    def recover_view(self, request, version_id, extra_context=None):
        """Recover a deleted record: as a draft, unless a Publisher recovers it."""
        request.restoring = True
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
        opts = self.model._meta
        obj = self.get_object(request, unquote(object_id))
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision", "revision__user")
            .order_by("-pk")
        )
        revision_url = f"admin:{opts.app_label}_{opts.model_name}_revision"
        context = {
            "action_list": [
                {
                    "version": version,
                    "revision": version.revision,
                    "url": reverse(revision_url, args=[quote(version.object_id), version.pk]),
                }
                for version in versions
            ],
            "compare_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_compare", args=[object_id]
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
        opts = self.model._meta
        history_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_history", args=[quote(obj.pk)]
        )
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
            "opts": opts,
            "object": obj,
            "older": older,
            "newer": newer,
            "changes": compare.compare_versions(self.model, older, newer),
            "history_url": history_url,
            "restore_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_revision",
                args=[quote(obj.pk), older.pk],
            ),
            "can_restore": self.has_change_permission(request, obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/dialogue/compare.html", context)


class PartAdmin(WorkflowAdmin):
    """Admin of a part of a meeting or an agreement (agenda item, participant, party, update,
    document): changing it here also changes the record it belongs to, which gets a new
    version and a new history entry, so an editor who has that record open is warned."""

    def touch_owners(self, owners):
        seen = set()
        for owner in owners:
            key = (type(owner), owner.pk)
            if owner.pk is None or key in seen:
                continue
            seen.add(key)
            owner.save(update_fields=["updated_at", "version"])

    def save_model(self, request, obj, form, change):
        previous = []
        if change:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            previous = workflow.owners(stored) if stored else []
        super().save_model(request, obj, form, change)
        self.touch_owners([*previous, *workflow.owners(obj)])

    def delete_model(self, request, obj):
        owners = workflow.owners(obj)
        super().delete_model(request, obj)
        self.touch_owners(owners)

    def delete_queryset(self, request, queryset):
        owners = [owner for obj in queryset for owner in workflow.owners(obj)]
        super().delete_queryset(request, queryset)
        self.touch_owners(owners)


def edited_object_id(request):
    """The id of the record whose form `request` shows: on its change page, on the page
    restoring one of its versions, or on the page recovering it after deletion."""
    match = request.resolver_match
    if "object_id" in match.kwargs:
        return match.kwargs["object_id"]
    url_name = match.url_name or ""
    if url_name.endswith("_revision"):
        return unquote(match.args[0])
    if url_name.endswith("_recover"):
        return Version.objects.filter(pk=match.args[0]).values_list("object_id", flat=True).first()
    return None


def year_filter(field_name, title):
    """A list filter offering each year that occurs in `field_name`."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            dates = model_admin.get_queryset(request).order_by().dates(field_name, "year")
            return [(str(d.year), str(d.year)) for d in reversed(dates)]

        def queryset(self, request, queryset):
            if self.value() and self.value().isdigit():
                return queryset.filter(**{f"{field_name}__year": int(self.value())})
            return queryset

    YearFilter.title = title
    return YearFilter


class MeetingAdminForm(WorkflowAdminForm):
    """Start and end are typed in the host city's local time, whatever the editor's zone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = ZoneInfo(self.instance.timezone)
            for name in ("start", "end"):
                value = getattr(self.instance, name)
                if value and name in self.fields:
                    self.initial[name] = timezone.make_naive(value, zone)

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("timezone")
        if zone_name:
            zone = ZoneInfo(zone_name)
            for name in ("start", "end"):
                value = cleaned.get(name)
                if value:
                    cleaned[name] = timezone.make_aware(timezone.make_naive(value), zone)
                    setattr(self.instance, name, cleaned[name])
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return cleaned


class PublishableAdmin(WorkflowAdmin):
    """Shared behaviour of publishable models: status column, filter and bulk actions.

    The Publish and Unpublish actions are only offered to, and only run for, users with the
    model's publish permission. Each record is saved on its own, so it gets a version in its
    history and an entry in the admin log.
    """

    actions = ["publish", "unpublish"]
    publication_fieldset = (_("Publication"), {"fields": ("publication_status", "publish_at")})
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("publication"), ordering="publication_status")
    def publication(self, obj):
        if obj.is_scheduled:
            when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M")
            return _("Scheduled for %(when)s UTC") % {"when": when}
        return obj.get_publication_status_display()

    def change_publication(self, request, records, message, **values):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        if reversion.is_active():
            reversion.set_comment(str(message))
        for obj in records:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save(update_fields=[*values, "first_published_at", "updated_at", "version"])
            self.log_change(request, obj, str(message))
        return len(records)

    @admin.action(description=_("Publish the selected records now"), permissions=["publish"])
    def publish(self, request, queryset):
        # Records already live keep their publication time; drafts and scheduled ones go live now.
        live = queryset.published().values("pk")
        count = self.change_publication(
            request,
            list(queryset.exclude(pk__in=live)),
            _("Published with the “Publish” action."),
            publication_status=PublicationStatus.PUBLISHED,
            publish_at=timezone.now(),
        )
        self.message_user(
            request,
            ngettext("%(count)d record published.", "%(count)d records published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish the selected records (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = self.change_publication(
            request,
            list(queryset.exclude(publication_status=PublicationStatus.DRAFT)),
            _("Unpublished with the “Unpublish” action."),
            publication_status=PublicationStatus.DRAFT,
        )
        self.message_user(
            request,
            ngettext("%(count)d record unpublished.", "%(count)d records unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ParticipationInline(HttpsLinks, TranslationTabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "order"]
    ordering = ["order", "id"]
    verbose_name = _("participant")
    verbose_name_plural = _("co-chairs and participants")


class AgendaItemInline(HttpsLinks, TranslationStackedInline):
    model = AgendaItem
    extra = 0
    fk_name = "meeting"
    ordering = ["position"]
    autocomplete_fields = ["presenters", "sectors"]
    fields = [
        ("position", "duration"),
        both("title"),
        ("pillar", "parent"),
        "sectors",
        "presenters",
        "description",
        "outcome",
    ]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            meeting_id = edited_object_id(request)
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingDocumentInline(HttpsLinks, TranslationTabularInline):
    model = Document
    fk_name = "meeting"
    extra = 0
    fields = ["title", "slug", "kind", "url", "file", "language", "published_on"]
    prepopulated_fields = {"slug": ["title"]}


class AgreementDocumentInline(MeetingDocumentInline):
    fk_name = "agreement"


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    form = MeetingAdminForm
    list_display = [
        "title",
        "edition",
        "start_local",
        "city",
        "host_country",
        "status",
        "kind",
        "publication",
        "agenda_count",
    ]
    list_filter = [
        PublicationFilter,
        MissingSpanishFilter,
        "publication_status",
        "status",
        "kind",
        "host_country",
        year_filter("start", _("year")),
        "agenda_items__pillar",
    ]
    search_fields = [*search_both("title", "city", "venue", "summary"), "slug"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline, AgendaItemInline, MeetingDocumentInline]
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("edition", "kind", "status")]}),
        (
            _("When and where"),
            {
                "fields": [
                    ("start", "end"),
                    ("date_precision", "timezone"),
                    both("city"),
                    "host_country",
                    both("venue"),
                ],
                "description": _(
                    "Enter times as they are in the host city's time zone; "
                    "visitors see them with the zone's abbreviation."
                ),
            },
        ),
        (None, {"fields": ["summary", "body"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                # distinct: the pillar filter joins agenda items again and would multiply the count.
                agenda_total=Count("agenda_items", distinct=True)
            )
        )

    @admin.display(description=_("agenda items"), ordering="agenda_total")
    def agenda_count(self, obj):
        return obj.agenda_total

    @admin.display(description=_("start (local)"), ordering="start")
    def start_local(self, obj):
        return f"{obj.local_start:%Y-%m-%d %H:%M} {obj.timezone_abbreviation}"


class AgreementPartyInline(HttpsLinks, TranslationTabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["stakeholder"]
    fields = ["stakeholder", "role", "side", "capacity", "signed_on"]


class AgreementUpdateInline(HttpsLinks, TranslationStackedInline):
    model = AgreementUpdate
    extra = 0
    ordering = ["date"]
    autocomplete_fields = ["meeting"]
    fields = [("date", "status", "progress"), both("title"), "note", "meeting"]


@admin.register(Agreement)
class AgreementAdmin(PublishableAdmin):
    list_display = [
        "title",
        "kind",
        "pillar",
        "status",
        "progress_percent",
        "announced_on",
        "origin_meeting",
        "publication",
    ]
    list_select_related = ["pillar", "origin_meeting"]
    list_filter = [
        PublicationFilter,
        MissingSpanishFilter,
        "publication_status",
        "status",
        "kind",
        "pillar",
        "sectors",
        year_filter("announced_on", _("year announced")),
    ]
    search_fields = [*search_both("title", "summary"), "slug", "reference"]
    date_hierarchy = "announced_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["origin_meeting", "sectors", "agenda_items"]
    inlines = [AgreementPartyInline, AgreementUpdateInline, AgreementDocumentInline]
    fieldsets = [
        (None, {"fields": [both("title"), "slug", ("reference", "kind"), ("pillar", "sectors")]}),
        (_("Status"), {"fields": [("status", "progress")]}),
        (
            _("Key dates"),
            {"fields": [("announced_on", "signed_on"), ("in_force_on", "completed_on")]},
        ),
        (_("Origin"), {"fields": ["origin_meeting", "agenda_items"]}),
        (None, {"fields": ["summary", "body", "impact"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("progress"), ordering="progress")
    def progress_percent(self, obj):
        return f"{obj.progress} %"


@admin.register(Stakeholder)
class StakeholderAdmin(PublishableAdmin):
    list_display = ["name", "acronym", "kind", "country", "parent", "position", "publication"]
    list_select_related = ["parent"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status", "kind", "country"]
    search_fields = [*search_both("name", "position"), "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": [both("name"), "slug", "acronym", ("kind", "country"), "parent"]}),
        (None, {"fields": [both("position"), "website", "description"]}),
        PublishableAdmin.publication_fieldset,
        (_("Staff only"), {"fields": ["notes", "created_at", "updated_at"]}),
    ]


@admin.register(KeyFigure)
class KeyFigureAdmin(PublishableAdmin):
    list_display = ["label", "qualifier", "value", "unit", "year", "source", "order", "publication"]
    list_editable = ["order"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status", "unit", "year"]
    search_fields = search_both("label", "source")
    prepopulated_fields = {"slug": ["label"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    both("label"),
                    "slug",
                    both("qualifier"),
                    ("value", "unit"),
                    "year",
                    "order",
                ]
            },
        ),
        (_("Source"), {"fields": [both("source"), "source_url"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Page)
class PageAdmin(PublishableAdmin):
    list_display = ["title", "slug", "menu_order", "publication", "updated_at"]
    list_filter = [PublicationFilter, MissingSpanishFilter, "publication_status"]
    search_fields = [*search_both("title", "summary"), "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": [both("title"), "slug", "menu_order", "summary", "body"]}),
        PublishableAdmin.publication_fieldset,
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Pillar)
class PillarAdmin(WorkflowAdmin):
    list_display = ["number", "name", "slug"]
    list_display_links = ["number", "name"]
    search_fields = search_both("name", "summary")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Sector)
class SectorAdmin(WorkflowAdmin):
    list_display = ["name", "slug"]
    search_fields = search_both("name")
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgendaItem)
class AgendaItemAdmin(PartAdmin):
    """Agenda items are edited inside their meeting; this list helps find them across meetings."""

    list_display = ["title", "meeting", "position", "pillar", "duration"]
    list_select_related = ["meeting", "pillar"]
    list_filter = [
        MissingSpanishFilter,
        "pillar",
        "sectors",
        "meeting__kind",
        year_filter("meeting__start", _("year")),
    ]
    search_fields = search_both("title", "meeting__title")
    autocomplete_fields = ["meeting", "parent", "sectors", "presenters"]
    readonly_fields = ["created_at", "updated_at"]

    def view_on_site(self, obj):
        return obj.meeting.get_absolute_url()


@admin.register(Participation)
class ParticipationAdmin(PartAdmin):
    list_display = ["stakeholder", "meeting", "role", "side", "capacity"]
    list_select_related = ["stakeholder", "meeting"]
    list_filter = ["role", "side", "meeting__kind"]
    search_fields = search_both("stakeholder__name", "meeting__title", "capacity")
    autocomplete_fields = ["meeting", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementParty)
class AgreementPartyAdmin(PartAdmin):
    list_display = ["stakeholder", "agreement", "role", "side", "signed_on"]
    list_select_related = ["stakeholder", "agreement"]
    list_filter = ["role", "side"]
    search_fields = search_both("stakeholder__name", "agreement__title")
    autocomplete_fields = ["agreement", "stakeholder"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(AgreementUpdate)
class AgreementUpdateAdmin(PartAdmin):
    list_display = ["title", "agreement", "date", "status", "progress"]
    list_select_related = ["agreement"]
    list_filter = [MissingSpanishFilter, "status", year_filter("date", _("year"))]
    search_fields = search_both("title", "note", "agreement__title")
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "meeting"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Document)
class DocumentAdmin(PartAdmin):
    list_display = ["title", "kind", "language", "published_on", "meeting", "agreement"]
    list_select_related = ["meeting", "agreement"]
    list_filter = [MissingSpanishFilter, "kind", "language", year_filter("published_on", _("year"))]
    search_fields = [*search_both("title"), "slug", "url"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["meeting", "agreement"]
    readonly_fields = ["created_at", "updated_at"]
