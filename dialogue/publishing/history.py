"""History: which records django-reversion keeps versions of, what a version holds, and the
baselines kept before a record's first recorded change.

A version of a meeting or an agreement also holds its parts (agenda items, participants,
parties, documents), so restoring it restores them too; so does a version of an implementation
update (its evidence) and of a key figure (its values by year). Translated
fields are stored per language (``title_en``, ``title_es``): the untranslated name only
mirrors the active language, so it is left out.
"""

import reversion
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from reversion.models import Version

FOLLOW = {
    "meeting": ("participations", "agenda_items", "documents"),
    # Implementation updates are reviewed and published on their own, so they have their own
    # history (with their evidence): restoring an agreement leaves its updates as they are.
    "agreement": ("parties", "documents"),
    "agreementupdate": ("evidence",),
    "keyfigure": ("values",),
}


def excluded_fields(model):
    try:
        translated = tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        translated = ()
    # The database computes generated fields (the search vector) itself.
    generated = tuple(f.name for f in model._meta.concrete_fields if f.generated)
    # Copies the model keeps of what other records say (an agreement's stored state): a
    # restored version would bring back an old copy.
    copies = tuple(getattr(model, "stored_copies", ()))
    # `version` counts saves; restoring an old count would defeat the conflict check.
    return (*translated, *generated, *copies, "version")


def version_fields(model):
    """The names of the fields a version of `model` stores: those `register()` gives
    django-reversion (its own default, the model's local and many-to-many fields)."""
    excluded = set(excluded_fields(model))
    opts = model._meta
    return [f.name for f in opts.local_fields + opts.local_many_to_many if f.name not in excluded]


# Never kept in a version: personal data of senders (erased on its own schedule, which old
# versions would outlive) and the fingerprint of their text.
PRIVATE_FIELDS = {"submission": ("name", "email", "text_hash")}


def register_models(app_label="dialogue"):
    """Register every content model of the app (idempotent)."""
    from ..models import TimeStamped

    for model in apps.get_app_config(app_label).get_models():
        if issubclass(model, TimeStamped) and not reversion.is_registered(model):
            reversion.register(
                model,
                follow=FOLLOW.get(model._meta.model_name, ()),
                exclude=(*excluded_fields(model), *PRIVATE_FIELDS.get(model._meta.model_name, ())),
            )


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
    """Keep the state of records never changed through the service (loaded from the demo
    fixture, imported, created in a shell) before their first change, so it can be restored."""
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


def parts_of(version, model, relation):
    """{object_id: version} of the parts (by `relation`) saved in `version`'s revision."""
    field = model._meta.get_field(relation).field
    part_model = field.model
    versions = Version.objects.get_for_model(part_model).filter(revision_id=version.revision_id)
    owner_pk = version.field_dict.get(model._meta.pk.attname)
    return part_model, {
        part.object_id: part
        for part in versions
        if str(part.field_dict.get(field.attname)) == str(owner_pk)
    }


def parts_in(version):
    """{relation: [part versions]} of the parts `version` holds (meetings, agreements)."""
    model = version._model
    return {
        relation: list(parts_of(version, model, relation)[1].values())
        for relation in FOLLOW.get(model._meta.model_name, ())
    }


def deserialized(version):
    """The record (with its many-to-many values) that `version` holds, as Django's serializers
    read it back: change `.object`, then `.save()` to restore it."""
    records = serializers.deserialize(
        version.format, version.serialized_data, ignorenonexistent=True
    )
    return next(iter(records))
