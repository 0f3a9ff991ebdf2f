"""Field-by-field comparison of two versions of a record, its parts included."""

import difflib
import re

from django.db import models
from django.utils.formats import localize
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext_lazy as _

from ..publishing.history import FOLLOW, parts_of, version_fields

HIDDEN = {"id", "created_at", "updated_at", "version", "first_published_at"}


def pick_versions(versions, first, second):
    """The two chosen versions of `versions`, older first; None unless both exist and differ."""
    ids = {value for value in (first, second) if value and str(value).isdigit()}
    if len(ids) != 2:
        return None
    chosen = sorted(versions.filter(pk__in=ids), key=lambda version: version.pk)
    return tuple(chosen) if len(chosen) == 2 else None


def display(field, value):
    """A value as staff read it: choice labels, related records' names, local times."""
    if value in (None, "", []):
        return ""
    if isinstance(field, models.ManyToManyField):
        related = field.related_model._base_manager.filter(pk__in=value)
        names = sorted(str(obj) for obj in related)
        missing = len(set(value)) - len(names)
        return ", ".join(names + ([_("%(count)d deleted") % {"count": missing}] if missing else []))
    if isinstance(field, models.ForeignKey):
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else _("#%(pk)s (deleted)") % {"pk": value}
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and is_aware(value):
        return localize(localtime(value)) + " UTC"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and "<" in value:
        return strip_tags(value)  # rich text: compare what readers read
    return localize(value) if not isinstance(value, str) else value


def word_diff(old, new):
    """`old` and `new` as HTML with removed words in <del> and added words in <ins>."""
    before, after = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    old_html, new_html = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        removed, added = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        if tag == "equal":
            old_html.append(removed)
            new_html.append(added)
            continue
        if removed:
            old_html.append(f"<del>{removed}</del>")
        if added:
            new_html.append(f"<ins>{added}</ins>")
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))


def field_changes(model, old, new):
    """[{label, old, new}] for each field whose value differs between two field dicts."""
    rows = []
    for name in version_fields(model):
        if name in HIDDEN:
            continue
        field = model._meta.get_field(name)
        key = field.attname
        before, after = old.get(key), new.get(key)
        if isinstance(field, models.ManyToManyField):
            before, after = sorted(before or []), sorted(after or [])
        if before == after:
            continue
        shown_before, shown_after = str(display(field, before)), str(display(field, after))
        if shown_before == shown_after:
            continue  # e.g. empty text stored as NULL or "", or a time to the microsecond
        is_text = isinstance(field, models.CharField | models.TextField) and not field.choices
        if shown_before and shown_after and is_text:
            shown_before, shown_after = word_diff(shown_before, shown_after)
        rows.append(
            {"label": capfirst(field.verbose_name), "old": shown_before, "new": shown_after}
        )
    return rows


def compare_versions(model, older, newer):
    """What changed from `older` to `newer`: the record's own fields, then each kind of part
    (added, removed and changed parts)."""
    result = {"fields": field_changes(model, older.field_dict, newer.field_dict), "parts": []}
    for relation in FOLLOW.get(model._meta.model_name, ()):
        part_model, before = parts_of(older, model, relation)
        _, after = parts_of(newer, model, relation)
        rows = []
        for object_id in sorted(set(before) | set(after), key=lambda pk: int(pk)):
            old_part, new_part = before.get(object_id), after.get(object_id)
            if old_part is None:
                rows.append({"change": "added", "label": new_part.object_repr, "fields": []})
            elif new_part is None:
                rows.append({"change": "removed", "label": old_part.object_repr, "fields": []})
            else:
                changes = field_changes(part_model, old_part.field_dict, new_part.field_dict)
                if changes:
                    rows.append(
                        {"change": "changed", "label": new_part.object_repr, "fields": changes}
                    )
        if rows:
            result["parts"].append(
                {"label": capfirst(part_model._meta.verbose_name_plural), "rows": rows}
            )
    return result
