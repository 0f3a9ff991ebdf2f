"""Inline rows that fit the screen: each part of a record (agenda item, participant, document,
party, update) is one row that shows a one-line summary and opens on demand; rows with an
integer position can be dragged, or moved with the arrow keys, into place.

The browser side is a progressive enhancement (dialogue/static/dialogue/admin-rows.js): without
JavaScript every row is open and positions are typed. Either way the server keeps positions
unique: two rows of one record may not share one, and rows may swap places in one save.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, Max
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _


class PositionedForm(forms.ModelForm):
    """A row whose position is checked against the other rows of the form, not against the
    stored rows, which may be moving too (see PositionedFormSet)."""

    position_field = None

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.position_field:
            exclude.add(self.position_field)
        return exclude


class PositionedFormSet(BaseInlineFormSet):
    """Rows of one record, each with a unique integer position.

    - A row left without a position (or at 0) goes after the others.
    - Two rows kept at one position are refused, as Django refuses other duplicates.
    - Saving first moves the rows whose position changes out of the way, so rows may swap
      places although the database keeps positions unique at every moment.
    """

    position_field = None

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.position_field = self.position_field
        if self.position_field in form.fields:
            form.fields[self.position_field].required = False
        return form

    def kept_forms(self):
        deleted = self.deleted_forms if self.can_delete else []
        return [
            form
            for form in self.forms
            if form.is_valid()
            and form not in deleted
            and (form.instance.pk is not None or form.has_changed())
        ]

    def clean(self):
        if self.position_field and not any(self.errors):
            self.place_unplaced()
        super().clean()

    def place_unplaced(self):
        """Rows without a position go at the end, in the order of the form."""
        field = self.position_field
        kept = self.kept_forms()
        taken = [form.cleaned_data.get(field) or 0 for form in kept]
        last = max(taken, default=0)
        for form in kept:
            if not form.cleaned_data.get(field):
                last += 1
                form.cleaned_data[field] = last
                setattr(form.instance, field, last)

    def validate_unique(self):
        super().validate_unique()
        if not self.position_field:
            return
        seen, duplicate = set(), False
        for form in self.kept_forms():
            value = form.cleaned_data.get(self.position_field)
            if value in seen:
                duplicate = True
                form._errors[NON_FIELD_ERRORS] = self.error_class(
                    [self.get_form_error()], renderer=self.renderer
                )
            seen.add(value)
        if duplicate:
            raise ValidationError(self.get_unique_error_message([self.position_field]))

    def save(self, commit=True):
        if commit and self.position_field and self.instance.pk is not None:
            self.make_room()
        return super().save(commit)

    def make_room(self):
        """Move the stored rows that change position (or go) above every stored position, in
        one statement: their new positions are then free when each row is saved."""
        field = self.position_field
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk is not None
            and (form in self.deleted_forms or field in form.changed_data)
        ]
        if not moving:
            return
        rows = self.model._base_manager.filter(**{self.fk.name: self.instance})
        top = rows.aggregate(top=Max(field))["top"] or 0
        rows.filter(pk__in=moving).update(**{field: F(field) + top + 1})


class RowsInline:
    """Mixin of an inline shown as collapsible rows (admin/dialogue/edit_inline/rows.html).

    `summary_fields`: the form fields whose values make up a row's one-line summary.
    `position_field`: the integer field that orders the rows; rows can then be dragged.
    """

    template = "admin/dialogue/edit_inline/rows.html"
    form = PositionedForm
    formset = PositionedFormSet
    summary_fields = ()
    position_field = None

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.position_field = self.position_field
        formset.summary_fields = self.summary_fields
        return formset

    def rows_data(self):
        """The data-* attributes that admin-rows.js reads (texts in the user's language)."""
        data = {
            "rows-summary": " ".join(self.summary_fields),
            "text-open-all": _("Open all"),
            "text-close-all": _("Close all"),
            "text-show": _("Show or hide the fields of this row"),
        }
        if self.position_field:
            data |= {
                "rows-position": self.position_field,
                "text-move": _("Move “%(row)s”"),
                "text-moved": _("“%(row)s” moved to position %(position)s of %(count)s."),
                "text-help": _(
                    "Drag a row by its handle to reorder, or focus the handle and press the up "
                    "and down arrow keys. Positions are saved with the form."
                ),
            }
        return data
