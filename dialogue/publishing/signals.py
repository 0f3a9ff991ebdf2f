"""What happens on every save of a dialogue record, whoever saves it (admin, restore, shell).

- ``version`` goes up by one, counted from the stored row, so it never goes back, even when
  an old version is restored. The write itself is conditional on the version the saving code
  is based on (``TimeStamped._do_update``); a record not read from the database (a fixture
  row, a restored version) is based on the stored row read here.
- ``first_published_at`` remembers when visitors could first see a record.
- Fields derived from others (a meeting's planned period, an update's state key) are set by the
  model's ``set_derived_fields()``, also on raw saves (``loaddata``).
- When the slug of a record that visitors have seen changes, the old slug is kept as a
  ``SlugRedirect``, so links to the old address lead to the new one.
- After a change to an implementation update (saved, moved to another agreement, deleted) or
  to an agreement, the agreement's stored state is refreshed (``refresh_state()``), under a
  lock on the agreement's row, so two updates published at once cannot leave the state of
  either one stored.

It also defines the signals the publishing service (service.py) sends after each change it
makes, whoever the writer; the audit log (security/audit.py) listens to them:

- ``publication_changed(sender=model, user, objects, action)``: ``action`` is "publish",
  "unpublish" or "schedule"; sent by the bulk actions and by saves that change the
  publication fields;
- ``version_restored(sender=model, user, obj, version)``: a version restored, or a deleted
  record recovered (``version`` is None when the admin restored it through ``save``);
- ``record_deleted(sender=model, user, obj)``.

They are sent inside the service's transaction, so a write that rolls back leaves no trace.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from ..models import (
    STORED_STATE_FIELDS,
    Agreement,
    AgreementUpdate,
    PublicationStatus,
    Publishable,
    SlugRedirect,
    TimeStamped,
)

publication_changed = Signal()
version_restored = Signal()
record_deleted = Signal()

# Sent by the publishing service once moderators have moved submissions to a state
# (`submissions`, `state`, `user`) and once an official answer is published (`submission`,
# `user`); consultations/ tells the senders.
moderated = Signal()
answered = Signal()

# Read from the stored row before each save (of the models that have them); `agreement`: an
# update moved to another agreement changes the state of both.
STORED = ("version", "slug", "publication_status", "publish_at", "first_published_at", "agreement")


def was_public(stored, now):
    """Whether the stored row had been visible to visitors by `now`."""
    seen = stored["first_published_at"]
    live = stored["publication_status"] == PublicationStatus.PUBLISHED and (
        stored["publish_at"] <= now
    )
    return live or (seen is not None and seen <= now)


def first_published_at(instance, stored, now):
    """When visitors first saw (or, if scheduled, will first see) the record; None if never."""
    if stored is not None:
        if stored["first_published_at"] is not None and stored["first_published_at"] <= now:
            return stored["first_published_at"]
        live = stored["publication_status"] == PublicationStatus.PUBLISHED
        if live and stored["publish_at"] <= now:
            return stored["publish_at"]
    if instance.first_published_at is not None and instance.first_published_at <= now:
        return instance.first_published_at  # a restored version of a record seen before
    if instance.publication_status == PublicationStatus.PUBLISHED:
        # Published by this save: public from now on, or from its scheduled time.
        return max(instance.publish_at, now)
    return None


def stored_fields(model):
    names = {field.name for field in model._meta.concrete_fields}
    return [name for name in STORED if name in names]


def before_save(sender, instance, raw=False, **kwargs):
    publishable = isinstance(instance, Publishable)
    if hasattr(instance, "set_derived_fields"):
        instance.set_derived_fields()
    stored = None
    if instance.pk is not None and (publishable or instance.base_version is None):
        fields = stored_fields(sender) if publishable else ("version",)
        stored = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    now = timezone.now()
    if stored is not None:
        if instance.base_version is None:
            instance.base_version = stored["version"]
        if raw:
            # A restored version carries its old time; the row changes now.
            instance.updated_at = now
    if publishable:
        instance.first_published_at = first_published_at(instance, stored, now)
        instance._stored_before_save = stored
        instance._agreement_before_save = (stored or {}).get("agreement")


def after_save(sender, instance, created=False, **kwargs):
    stored = getattr(instance, "_stored_before_save", None)
    if not isinstance(instance, Publishable):
        return
    instance._stored_before_save = None
    if stored is None and not created:
        return
    if "slug" not in stored_fields(sender):
        return
    if stored is not None and stored["slug"] == instance.slug:
        return
    content_type = ContentType.objects.get_for_model(type(instance))
    if stored is not None and was_public(stored, timezone.now()):
        SlugRedirect.objects.update_or_create(
            content_type=content_type,
            old_slug=stored["slug"],
            defaults={"object_id": instance.pk},
        )
    # The record now at this slug answers its URL: an old redirect from it is obsolete.
    SlugRedirect.objects.filter(content_type=content_type, old_slug=instance.slug).delete()


def refresh_state(agreement_ids):
    """Store the current state of the agreements `agreement_ids` (see `Agreement`).

    The rows are locked first: a second writer waits, then computes from what the first one
    committed (each statement reads what was committed before it began)."""
    ids = [pk for pk in agreement_ids if pk is not None]
    if not ids:
        return
    agreements = Agreement.objects.filter(pk__in=ids)
    with transaction.atomic():
        list(agreements.select_for_update().values_list("pk", flat=True))
        agreements.refresh_state()


def update_changed(sender, instance, **kwargs):
    """An implementation update was saved or deleted: its agreement's state may have changed
    (and that of the agreement it was moved from)."""
    origin = kwargs.get("origin")
    if getattr(origin, "model", type(origin)) is Agreement:
        return  # deleted with its agreement
    refresh_state({instance.agreement_id, getattr(instance, "_agreement_before_save", None)})


def agreement_saved(sender, instance, update_fields=None, **kwargs):
    """A saved agreement stores its state again: the copy it held in memory (read when it was
    opened, or absent from a fixture or a restored version) may be older than the stored one.
    A save of chosen fields that leaves the state's columns alone keeps them."""
    if update_fields is not None and not set(update_fields) & set(STORED_STATE_FIELDS):
        return
    refresh_state([instance.pk])


def connect(app_label="dialogue"):
    for model in apps.get_app_config(app_label).get_models():
        if issubclass(model, TimeStamped):
            uid = f"dialogue-workflow:{model._meta.label}"
            pre_save.connect(before_save, sender=model, dispatch_uid=uid)
            post_save.connect(after_save, sender=model, dispatch_uid=uid)
    uid = "dialogue-workflow:state"
    post_save.connect(update_changed, sender=AgreementUpdate, dispatch_uid=uid)
    post_delete.connect(update_changed, sender=AgreementUpdate, dispatch_uid=uid)
    post_save.connect(agreement_saved, sender=Agreement, dispatch_uid=uid)
