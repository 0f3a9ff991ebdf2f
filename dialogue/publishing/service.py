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
4. records a version (django-reversion) with who and why, and an entry in the admin's log;
5. sends a signal saying what it did (signals.py: publication changes, restores, deletions),
   which the audit log records with the request's address.

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
from . import history, roles, signals

PUBLICATION_FIELDS = ("publication_status", "publish_at")

__all__ = [
    "PUBLICATION_FIELDS",
    "Refused",
    "StaleWrite",
    "answer",
    "confirm",
    "delete",
    "erase_personal_data",
    "moderate",
    "keep_baselines",
    "publish",
    "refusal",
    "restore",
    "STORED",
    "save",
    "schedule",
    "unpublish",
    "withdraw",
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


def publication_action(obj, stored):
    """What saving `obj` over `stored` does to its publication: "publish", "unpublish",
    "schedule" or None."""
    if not changes_publication(obj, stored):
        return None
    if obj.publication_status == PublicationStatus.DRAFT:
        return "unpublish" if stored is not None else None
    if obj.publish_at is not None and obj.publish_at > timezone.now():
        return "schedule"
    return "publish"


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
    if is_moderated(model):
        return moderation_refusal(user, obj, stored)
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


def save(
    user,
    obj,
    *,
    based_on=None,
    over=STORED,
    comment="",
    log_entry=True,
    restored=False,
    evidence=None,
):
    """Save `obj` (new or changed) for `user`, based on version `based_on` of it (the version
    the person opened; default: the version `obj` was read at).

    `over` is the state the change is judged against, the stored record by default; a restore
    that has already written the old version gives the record as it was before (or None for
    a deleted record being recovered), and says so with `restored=True`. `evidence`: see
    `review_refusal()`.

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
    action = publication_action(obj, stored)
    moderated = is_moderated(type(obj))
    if moderated:
        stamp_moderation(obj, stored)
    with revision(user, comment):
        obj.save()
        # A part changed on its own: the records it belongs to (before and after) change too.
        touch([*roles.owners(obj), *(roles.owners(stored) if stored is not None else [])])
        if log_entry:
            log(user, [obj], CHANGE if stored is not None else ADDITION, comment)
        if restored:
            signals.version_restored.send(sender=type(obj), user=user, obj=obj, version=None)
        if action is not None:
            signals.publication_changed.send(
                sender=type(obj), user=user, objects=[obj], action=action
            )
    if moderated:
        announce(user, [(obj, stored)])
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
        signals.record_deleted.send(sender=type(obj), user=user, obj=obj)
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


def change_publication(user, objects, comment, action, **values):
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
        for model in {type(obj) for obj in objects}:
            signals.publication_changed.send(
                sender=model,
                user=user,
                objects=[obj for obj in objects if type(obj) is model],
                action=action,
            )
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
        "publish",
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
        "schedule",
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
        "unpublish",
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
    stored_version = history.deserialized(version)
    restored = stored_version.object
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
        stored_version.save()
        for relation, part_versions in history.parts_in(version).items():
            for part_version in part_versions:
                part_version.revert()
            kept = [part_version.object_id for part_version in part_versions]
            getattr(restored, relation).exclude(pk__in=kept).delete()
        log(user, [restored], CHANGE, comment)
        signals.version_restored.send(sender=model, user=user, obj=restored, version=version)
    return restored


# Public input (consultations/): moderation, official answers and the senders' own actions.
# Submissions have states instead of drafts: an accepted one is public. Moderators change them
# (with the save() above, or the bulk functions below); the sender confirms and withdraws
# through signed links, so those two calls have no user.

MODERATION_STATES = ("in-review", "accepted", "declined", "merged", "spam")


def is_moderated(model):
    return model._meta.model_name in roles.MODERATED_MODELS


def moderation_refusal(user, obj, stored):
    """Why `user` may not save the submission `obj` over its `stored` copy, or None."""
    if not roles.can_moderate(user):
        return _(
            "Only a Moderator can review, accept, decline or answer submissions. Nothing was saved."
        )
    if stored is not None and stored.state in ("unconfirmed", "withdrawn"):
        return _(
            "%(record)s is not in the moderation queue (unconfirmed or withdrawn by its "
            "sender): it cannot be changed. Nothing was saved."
        ) % {"record": stored}
    if (stored is None or obj.state != stored.state) and obj.state not in MODERATION_STATES:
        return _("A moderator can only move a submission to: %(states)s. Nothing was saved.") % {
            "states": ", ".join(
                str(label) for value, label in type(obj).State.choices if value in MODERATION_STATES
            )
        }
    if obj.state == "declined" and not obj.decline_reason.strip():
        return _("Give the reason for declining: it is sent to the sender. Nothing was saved.")
    if obj.state == "merged":
        target = obj.merged_into
        if target is None or target.pk == obj.pk or target.consultation_id != obj.consultation_id:
            return _(
                "Merge a submission into another one of the same consultation. Nothing was saved."
            )
        if target.state in ("merged", "spam", "withdrawn", "unconfirmed"):
            return _("%(target)s cannot receive merged submissions (it is %(state)s).") % {
                "target": target,
                "state": target.get_state_display().lower(),
            }
    if obj.answered_at is not None and obj.state != "accepted":
        return _("Only an accepted submission can have a published answer. Nothing was saved.")
    return None


def stamp_moderation(obj, stored):
    """Record when the state of `obj` changed (moderated models)."""
    if stored is None or stored.state != obj.state:
        obj.state_changed_at = timezone.now()


def announce(user, changes):
    """Send the moderation signals for [(submission, its stored copy before the change)]."""
    by_state = {}
    for obj, stored in changes:
        if (
            stored is None
            or stored.state != obj.state
            or (obj.state == "declined" and stored.decline_reason != obj.decline_reason)
        ):
            by_state.setdefault(obj.state, []).append(obj)
    for state, objects in by_state.items():
        signals.moderated.send(type(objects[0]), submissions=objects, state=state, user=user)
    for obj, stored in changes:
        if obj.answered_at is not None and (stored is None or stored.answered_at is None):
            signals.answered.send(type(obj), submission=obj, user=user)


def moderate(user, submissions, state, *, reason="", merged_into=None, comment=None):
    """Move `submissions` to `state` (declined: with `reason`; merged: into `merged_into`).

    One version and one log entry each; refused as a whole, saving none, when any of them may
    not be moved. Returns the submissions that changed.
    """
    changed, stored_copies = [], []
    for obj in submissions:
        stored = stored_copy(obj)
        if stored is not None and stored.state == state and state != "declined":
            continue
        obj.state = state
        if state == "declined":
            obj.decline_reason = reason
        obj.merged_into = merged_into if state == "merged" else None
        if state != "accepted":
            obj.answered_at = None
        check(user, obj, stored)
        stamp_moderation(obj, stored)
        changed.append(obj)
        stored_copies.append(stored)
    if not changed:
        return []
    if not reversion.is_active():
        keep_baselines(changed)
    label = dict(type(changed[0]).State.choices)[state]
    comment = comment or _("Moved to “%(state)s”.") % {"state": label}
    with revision(user, comment):
        for obj in changed:
            obj.save()
        log(user, changed, CHANGE, comment)
    announce(user, list(zip(changed, stored_copies, strict=True)))
    return changed


def answer(user, submission, *, texts, publish=True, comment=None):
    """Set the official answer of an accepted `submission` ({language: text}), published now
    with its date (`publish`), or kept unpublished."""
    stored = stored_copy(submission)
    for language, text in texts.items():
        setattr(submission, f"answer_{language}", text)
    was_published = stored is not None and stored.answered_at is not None
    if publish and not was_published:
        submission.answered_at = timezone.now()
    elif not publish:
        submission.answered_at = None
    check(user, submission, stored)
    if not reversion.is_active():
        keep_baselines([submission])
    comment = comment or (_("Answer published.") if publish else _("Answer saved unpublished."))
    with revision(user, comment):
        submission.save()
        log(user, [submission], CHANGE, comment)
    announce(user, [(submission, stored)])
    return submission


def confirm(submission):
    """The sender confirmed their email address: the submission joins the moderation queue."""
    if submission.state != "unconfirmed":
        return False
    now = timezone.now()
    submission.state = "received"
    submission.confirmed_at = now
    submission.state_changed_at = now
    with revision(None, _("Email address confirmed by the sender.")):
        submission.save()
    return True


def withdraw(submission):
    """The sender withdrew the submission: its content and personal data are erased at once,
    with every earlier version of it; what remains is a counted, empty record."""
    from reversion.models import Version

    if submission.state in ("withdrawn",):
        return False
    now = timezone.now()
    submission.state = "withdrawn"
    submission.state_changed_at = submission.withdrawn_at = submission.erased_at = now
    submission.erase_content()
    with transaction.atomic():
        Version.objects.get_for_object(submission).delete()
        with revision(None, _("Withdrawn by the sender; content and personal data erased.")):
            submission.save()
        submission.agenda_items.clear()
        submission.sectors.clear()
    return True


def erase_personal_data(submissions, *, comment=None):
    """Erase the names and email addresses of `submissions` (the retention schedule)."""
    now = timezone.now()
    erased = []
    with revision(None, comment or _("Personal data erased after the retention period.")):
        for obj in submissions:
            obj.erase_personal_data()
            obj.erased_at = now
            obj.save()
            erased.append(obj)
    return erased
