"""Spreadsheet import and export (django-import-export) of stakeholders, meeting participants
and agreements, in CSV and XLSX.

- Import shows a preview first, with each row's errors; nothing is saved when any row fails
  (the whole file runs in one transaction that is rolled back), and the confirmed import is
  all or nothing too.
- Every imported row is written through the publishing service, with its own version in the
  record's history: an Editor's new records are drafts, and a row that would publish, or
  change a published record, is refused with the service's message, like a form.
- Exported cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
  or a carriage return) are prefixed with an apostrophe; importing such a file takes it off.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from .. import publishing
from ..models import Agreement, Meeting, Participation, Pillar, Sector, Stakeholder

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """A cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value):
    """The value `neutralize` was given (for files exported here and imported again)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class NeutralizedExport:
    """An export format whose cells are neutralized against formula injection."""

    def export_data(self, dataset, **kwargs):
        for index, row in enumerate(dataset):
            dataset[index] = [neutralize(value) for value in row]
        return super().export_data(dataset, **kwargs)


class CSV(NeutralizedExport, base_formats.CSV):
    pass


class XLSX(NeutralizedExport, base_formats.XLSX):
    pass


FORMATS = [CSV, XLSX]


class ChoiceWidget(widgets.Widget):
    """A choice given by its code ("co-chair") or its label in either language ("Co-chair",
    "Copresidencia"); exported as the code."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None  # an empty cell keeps the record's value (the default for a new one)
        for code, label in self.choices:
            names = {str(code).lower()}
            for language in ("en", "es"):
                with override(language):
                    names.add(str(label).lower())
            if text.lower() in names:
                return code
        allowed = ", ".join(str(code) for code, _label in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of the choices: %(allowed)s.")
            % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class SlugOrNameWidget(widgets.ForeignKeyWidget):
    """A related record given by its slug or, failing that, its exact English name (or title)."""

    def __init__(self, model, name_field, **kwargs):
        self.name_field = name_field
        super().__init__(model, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        found = list(
            self.model._base_manager.filter(
                Q(slug=text) | Q(**{f"{self.name_field}__iexact": text})
            )[:2]
        )
        exact = [obj for obj in found if obj.slug == text]
        if exact or len(found) == 1:
            return (exact or found)[0]
        if found:
            raise ValueError(
                _("More than one %(thing)s is called “%(value)s”: give its slug.")
                % {"thing": self.model._meta.verbose_name, "value": text}
            )
        raise ValueError(
            _("No %(thing)s has the slug or name “%(value)s”.")
            % {"thing": self.model._meta.verbose_name, "value": text}
        )


def choice_field(name, choices):
    return fields.Field(
        attribute=name, column_name=name, widget=ChoiceWidget(choices), saves_null_values=False
    )


class StyleFreeDiff(resources.Diff):
    """The import preview's field diffs with classes where diff-match-patch writes inline
    styles, which the admin's Content-Security-Policy refuses (admin-forms.css colours them)."""

    STYLES = {
        '<ins style="background:#e6ffe6;">': '<ins class="diff-ins">',
        '<del style="background:#ffe6e6;">': '<del class="diff-del">',
    }

    def as_html(self):
        cells = []
        for html in super().as_html():
            for styled, plain in self.STYLES.items():
                html = html.replace(styled, plain)
            cells.append(mark_safe(html))
        return cells


class PublishingResource(resources.ModelResource):
    """Rows are checked by the model (full_clean) and by the publishing service, then saved
    through it with the parts of the record (many-to-many fields) in the same version."""

    user = None

    def get_diff_class(self):
        return StyleFreeDiff

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """An empty cell leaves an empty text as it is (stored as NULL or as ""), so a sheet
        exported here and imported again changes nothing."""
        if not is_m2m and field.attribute and field.column_name in row:
            current = getattr(instance, field.attribute, None)
            if current in ("", None) and row[field.column_name] in ("", None):
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or ""
        for index, row in enumerate(dataset):
            dataset[index] = [restore(value) for value in row]

    def comment(self):
        return _("Imported from the spreadsheet “%(file)s”.") % {"file": self.file_name}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        message = publishing.refusal(self.user, instance, publishing.service.stored_copy(instance))
        if message:
            raise ValidationError(message)

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        publishing.keep_baselines([publishing.service.stored_copy(instance) or instance])
        with publishing.service.revision(self.user, self.comment()):
            publishing.save(self.user, instance, comment=self.comment())
            super().save_m2m(instance, row, **kwargs)
        self.after_save_instance(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the record, in its version (save_instance)."""


class StakeholderResource(PublishingResource):
    kind = choice_field("kind", Stakeholder.Kind.choices)
    country = choice_field("country", Stakeholder._meta.get_field("country").choices)
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=SlugOrNameWidget(Stakeholder, "name_en")
    )
    publication_status = choice_field(
        "publication_status", Stakeholder._meta.get_field("publication_status").choices
    )

    class Meta:
        model = Stakeholder
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name_en",
            "name_es",
            "acronym",
            "kind",
            "country",
            "parent",
            "position_en",
            "position_es",
            "website",
            "description_en",
            "description_es",
            "publication_status",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class AgreementResource(PublishingResource):
    kind = choice_field("kind", Agreement.Kind.choices)
    # The state comes from the latest published implementation update: exported, never
    # imported (to change it, add an update, which a Publisher reviews).
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    progress = fields.Field(attribute="progress", column_name="progress", readonly=True)
    pillar = fields.Field(
        attribute="pillar", column_name="pillar", widget=widgets.ForeignKeyWidget(Pillar, "number")
    )
    sectors = fields.Field(
        attribute="sectors",
        column_name="sectors",
        widget=widgets.ManyToManyWidget(Sector, separator=",", field="slug"),
    )
    origin_meeting = fields.Field(
        attribute="origin_meeting",
        column_name="origin_meeting",
        widget=SlugOrNameWidget(Meeting, "title_en"),
    )
    publication_status = choice_field(
        "publication_status", Agreement._meta.get_field("publication_status").choices
    )

    class Meta:
        model = Agreement
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title_en",
            "title_es",
            "reference",
            "kind",
            "pillar",
            "sectors",
            "status",
            "progress",
            "announced_on",
            "signed_on",
            "in_force_on",
            "completed_on",
            "origin_meeting",
            "summary_en",
            "summary_es",
            "publication_status",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class ParticipationResource(PublishingResource):
    """Participants of a meeting: the meeting chosen on the import page (or a `meeting` column
    of slugs), the stakeholder by slug or name, role and side by code or label."""

    meeting = fields.Field(
        attribute="meeting", column_name="meeting", widget=SlugOrNameWidget(Meeting, "title_en")
    )
    stakeholder = fields.Field(
        attribute="stakeholder",
        column_name="stakeholder",
        widget=SlugOrNameWidget(Stakeholder, "name_en"),
    )
    role = choice_field("role", Participation.Role.choices)
    side = choice_field("side", Participation._meta.get_field("side").choices)

    class Meta:
        model = Participation
        import_id_fields = ["meeting", "stakeholder"]
        fields = ["meeting", "stakeholder", "role", "side", "capacity_en", "capacity_es", "order"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, meeting=None, **kwargs):
        super().__init__(**kwargs)
        self.meeting = meeting

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if self.meeting is not None:
            if "meeting" in dataset.headers:
                del dataset["meeting"]
            dataset.append_col([self.meeting.slug] * len(dataset), header="meeting")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.order and instance.meeting_id:
            # Not given: after the meeting's other participants (those already imported too).
            top = Participation.objects.filter(meeting_id=instance.meeting_id).aggregate(
                top=Max("order")
            )["top"]
            instance.order = (top or 0) + 1


class MeetingImportForm(ImportForm):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.order_by("-start"),
        required=False,
        label=_("Meeting"),
        help_text=_(
            "The meeting the participants take part in. Leave empty if the sheet has a "
            "“meeting” column (slugs or English titles)."
        ),
    )


class MeetingConfirmImportForm(ConfirmImportForm):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.all(), required=False, widget=forms.HiddenInput
    )


class SpreadsheetAdmin(ImportExportMixin):
    """Import and export buttons on a changelist; imports need the add and change permissions.

    Formats: CSV and XLSX; the export form is the plain one (no inline script or style)."""

    formats = FORMATS
    import_formats = FORMATS
    export_formats = FORMATS
    export_form_class = ExportForm
    # The publishing service writes the admin log entry of each imported row.
    skip_admin_log = True

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # The confirmed import is all or nothing, like its preview.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _(
                    "Nothing was imported: some rows were refused when the import ran. Upload "
                    "the file again to see which."
                ),
            )
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)


class ParticipantSpreadsheetAdmin(SpreadsheetAdmin):
    """Participants are imported into the meeting chosen on the import page."""

    import_form_class = MeetingImportForm
    confirm_form_class = MeetingConfirmImportForm

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        meeting = request.GET.get("meeting", "")
        if meeting.isdigit():
            initial["meeting"] = meeting
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None and import_form.cleaned_data.get("meeting"):
            initial["meeting"] = import_form.cleaned_data["meeting"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        if form is not None and form.is_bound and form.is_valid():
            resource_kwargs["meeting"] = form.cleaned_data.get("meeting")
        return resource_kwargs
