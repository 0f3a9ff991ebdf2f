"""The publishing service: the one door for every write that changes what visitors see.

The admin (change forms, a part's own page, bulk actions, restore, recover, delete) calls it,
and so must every later writer (moderation, imports, the API, management commands). Each call:

1. checks the user's role (roles.py) and raises `Refused`, saving nothing, when it does not
   allow the write: only a Publisher publishes, unpublishes or schedules, or changes a
   published record and its parts;
2. keeps the state of records never changed through it before their first change (a baseline
   version, so the fixture's state can be restored);
3. writes conditionally on the version the caller's copy is based on: a copy that is no longer
   the stored one raises `StaleWrite` (dialogue/models/publication.py), whoever holds it;
4. records a version (django-reversion) with who and why, and an entry in the admin's log.

Page caches follow from the saves themselves (dialogue/cache.py listens to every model
signal), so nothing here needs to know about them.
"""

import copy
from contextlib import contextmanager

import reversion
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PublicationStatus, StaleWrite
from . import history, roles

PUBLICATION_FIELDS = ("publication_status", "publish_at")

__all__ = [
    "PUBLICATION_FIELDS",
    "Refused",
    "StaleWrite",
    "delete",
    "keep_baselines",
    "publish",
    "refusal",
    "restore",
    "STORED",
    "save",
    "schedule",
    "unpublish",
]


class Refused(PermissionDenied):
    """The user's role does not allow this write; nothing was saved."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def stored_copy(obj):
    """The record as it is stored now, or None for a record not saved yet."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._base_manager.filter(pk=obj.pk).first()


def is_publishable(model):
    return model._meta.model_name in roles.PUBLISHABLE_MODELS


def changes_publication(obj, stored):
    """Whether saving `obj` over `stored` would publish, unpublish or reschedule it."""
    if not is_publishable(type(obj)):
        return False
    if stored is None:
        return obj.publication_status != PublicationStatus.DRAFT
    return any(getattr(obj, name) != getattr(stored, name) for name in PUBLICATION_FIELDS)


def publish_refusal(model):
    return _(
        "Only a Publisher can publish, unpublish or schedule %(things)s. Nothing was saved."
    ) % {"things": model._meta.verbose_name_plural}


def protected_refusal(record):
    return _(
        "“%(record)s” is published: only a Publisher can change it or its parts. "
        "Ask a Publisher to unpublish it first."
    ) % {"record": record}


def refusal(user, obj, stored=None, evidence=None):
    """Why `user` may not save `obj` as it is now (over its `stored` copy), or None."""
    model = type(obj)
    if stored is not None and roles.is_protected(user, stored):
        return protected_refusal(stored)
    if changes_publication(obj, stored) and not roles.can_publish(user, model):
        return publish_refusal(model)
    owners = [*roles.protecting_owners(obj)]
    if stored is not None:
        owners += roles.protecting_owners(stored)
    for owner in owners:
        if roles.is_protected(user, owner):
            return protected_refusal(owner)
    return review_refusal(obj, evidence)


def review_refusal(obj, evidence=None):
    """Why `obj` may not be public as it is, whoever saves it, or None: an implementation
    update that marks the agreement or a side completed needs its evidence first.

    `evidence` is the number of evidence items the update will have once the parts saved
    with it are (an admin form with its evidence rows); by default, those stored."""
    if obj._meta.model_name != "agreementupdate" or obj.publication_status == "draft":
        return None
    if evidence is None:
        evidence = obj.evidence.count() if obj.pk is not None else 0
    if obj.marks_completed and not evidence:
        return _(
            "“%(update)s” marks a commitment completed: add its evidence (a document or a "
            "link) before it is published. Nothing was saved."
        ) % {"update": obj}
    return None


def check(user, obj, stored, evidence=None):
    message = refusal(user, obj, stored, evidence)
    if message is not None:
        raise Refused(message)


def keep_baselines(objects):
    """Keep the current state of `objects` and of the records they belong to, where no version
    exists yet. Call it before a revision opens (the admin does, at the start of each view)."""
    objects = [obj for obj in objects if obj is not None]
    history.ensure_baseline([*objects, *(owner for obj in objects for owner in roles.owners(obj))])


@contextmanager
def revision(user, comment):
    """One version of everything saved inside, by `user`, with `comment` (joins the revision
    a caller already opened, such as the admin's)."""
    if reversion.is_active():
        if comment and not reversion.get_comment():
            reversion.set_comment(str(comment))
        yield
        return
    with transaction.atomic(), reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(str(comment or ""))
        yield


def touch(records):
    """Raise the version of each record (parts changed), so an editor who has one of them
    open is told it changed."""
    seen = set()
    for record in records:
        key = (type(record), record.pk)
        if record.pk is None or key in seen:
            continue
        seen.add(key)
        record.save(update_fields=["updated_at"])


def log(user, objects, flag, message):
    if user is not None and user.is_authenticated and objects:
        LogEntry.objects.log_actions(user.pk, objects, flag, str(message))


# `save(over=…)` default: the record as it is stored now.
STORED = object()


def save(user, obj, *, based_on=None, over=STORED, comment="", log_entry=True, evidence=None):
    """Save `obj` (new or changed) for `user`, based on version `based_on` of it (the version
    the person opened; default: the version `obj` was read at).

    `over` is the state the change is judged against, the stored record by default; a restore
    that has already written the old version gives the record as it was before (or None for
    a deleted record being recovered). `evidence`: see `review_refusal()`.

    Saving an implementation update as published (a Publisher's form) confirms it: it records
    who published it and when, as `publish()` does.
    """
    stored = stored_copy(obj) if over is STORED else over
    check(user, obj, stored, evidence)
    if obj._meta.model_name == "agreementupdate":
        was = stored.publication_status if stored is not None else PublicationStatus.DRAFT
        if was != obj.publication_status or (
            stored is not None and stored.publish_at != obj.publish_at
        ):
            values = {"publication_status": obj.publication_status}
            for name, value in confirmation(user, obj, values).items():
                setattr(obj, name, value)
    if based_on is not None:
        obj.base_version = based_on
    if not reversion.is_active():
        keep_baselines([stored or obj])
    with revision(user, comment):
        obj.save()
        # A part changed on its own: the records it belongs to (before and after) change too.
        touch([*roles.owners(obj), *(roles.owners(stored) if stored is not None else [])])
        if log_entry:
            log(user, [obj], CHANGE if stored is not None else ADDITION, comment)
    return obj


def delete(user, obj, *, comment="", log_entry=True):
    """Delete `obj` for `user`, keeping its last state as a version so it can be recovered."""
    check(user, obj, stored_copy(obj))
    owners = roles.owners(obj)
    if not reversion.is_active():
        keep_baselines(owners)
    history.snapshot([obj], _("State before deletion."))
    with revision(user, comment):
        if log_entry:
            log(user, [obj], DELETION, comment)
        obj.delete()
        touch(owners)


def confirmation(user, obj, values):
    """Publishing or scheduling an implementation update records who confirmed it and when;
    taking it back to draft clears that."""
    if obj._meta.model_name != "agreementupdate":
        return {}
    if values.get("publication_status") == PublicationStatus.PUBLISHED:
        confirmed_by = user if user is not None and user.is_authenticated else None
        return {"confirmed_by": confirmed_by, "confirmed_at": timezone.now()}
    return {"confirmed_by": None, "confirmed_at": None}


def change_publication(user, objects, comment, **values):
    """Set the publication fields of each record of `objects`; the role check and the review
    rules come first and cover them all, so a refused call changes none."""
    for model in {type(obj) for obj in objects}:
        if not roles.can_publish(user, model):
            raise Refused(publish_refusal(model))
    for obj in objects:
        message = review_refusal(copy_with(obj, values))
        if message is not None:
            raise Refused(message)
    if not reversion.is_active():
        keep_baselines(objects)
    with revision(user, comment):
        for obj in objects:
            changed = {**values, **confirmation(user, obj, values)}
            for name, value in changed.items():
                setattr(obj, name, value)
            obj.save(update_fields=[*changed, "first_published_at", "updated_at"])
            touch(roles.owners(obj))
        log(user, objects, CHANGE, comment)
    return len(objects)


def copy_with(obj, values):
    """`obj` as it would be with `values` (the record itself is left as it is)."""
    changed = copy.copy(obj)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


def publish(user, objects, *, comment=None):
    """Make `objects` public now. Records already live keep their publication time."""
    objects = [obj for obj in objects if not obj.is_public]
    return change_publication(
        user,
        objects,
        comment or _("Published."),
        publication_status=PublicationStatus.PUBLISHED,
        publish_at=timezone.now(),
    )


def schedule(user, objects, at, *, comment=None):
    """Make `objects` public at `at` (an aware time); until then visitors do not see them."""
    if timezone.is_naive(at):
        raise ValueError("schedule() needs an aware time")
    return change_publication(
        user,
        list(objects),
        comment or _("Scheduled."),
        publication_status=PublicationStatus.PUBLISHED,
        publish_at=at,
    )


def unpublish(user, objects, *, comment=None):
    """Take `objects` back to draft: visitors no longer see them."""
    objects = [obj for obj in objects if obj.publication_status != PublicationStatus.DRAFT]
    return change_publication(
        user,
        objects,
        comment or _("Unpublished."),
        publication_status=PublicationStatus.DRAFT,
    )


def publication_to_keep(user, current):
    """The publication fields a restore by `user` must keep: a user who may not publish
    restores content only (the current settings, or draft for a deleted record)."""
    model = type(current) if current is not None else None
    if current is None or not is_publishable(model) or roles.can_publish(user, model):
        return {}
    names = list(PUBLICATION_FIELDS)
    if model._meta.model_name == "agreementupdate":
        names += ["confirmed_by", "confirmed_at"]  # who confirmed goes with the publication
    return {name: getattr(current, name) for name in names}


def restore(user, version, *, comment=None):
    """Bring back the record of `version` as it was then, with its parts (those that the
    version holds come back; others are removed). Returns the restored record."""
    model = version._model
    current = model._base_manager.filter(pk=version.object_id).first()
    restored = version.object
    if current is not None:
        restored.base_version = current.version
        for name, value in publication_to_keep(user, current).items():
            setattr(restored, name, value)
    elif is_publishable(model) and not roles.can_publish(user, model):
        restored.publication_status = PublicationStatus.DRAFT
    check(user, restored, current)
    if not reversion.is_active():
        keep_baselines([current])
    comment = comment or _("Restored a version.")
    with revision(user, comment):
        version.revert()
        for relation, part_versions in history.parts_in(version).items():
            for part_version in part_versions:
                part_version.revert()
            kept = [part_version.object_id for part_version in part_versions]
            getattr(restored, relation).exclude(pk__in=kept).delete()
        log(user, [restored], CHANGE, comment)
    return restored
