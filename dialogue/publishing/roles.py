"""The editorial workflow: the Editor and Publisher roles and who may change what.

Editors create and change content and save drafts. Publishers do everything editors do and
also publish, unpublish, schedule and delete published records. The rule is carried by one
custom permission per publishable model, ``dialogue.publish_<model>``. The publishing service
(dialogue/publishing/service.py) checks it for every writer; the admin also uses it to show
publication fields read-only and to offer only the actions a user may take.

A record whose publication status is "published" (live, or scheduled to go live) is
*protected*: only a user who may publish it can save changes to it, to its parts (agenda
items, participants, parties, documents) or delete it. Editors see it read-only
and ask a Publisher to unpublish it or to make the change.

Moderators work on public input (consultations/): they review submissions, move them through
their states (accepted ones become public), write the official answers and link them to the
agenda items they shaped, with ``consultations.moderate_submission``. Editors and Publishers
draft and publish the consultations themselves; they do not see submissions. Seeing senders'
email addresses takes one more permission, ``consultations.view_sender_email``, that no role
carries: an administrator grants it to the people who need it.

Implementation updates are publishable parts: an update is reviewed on its own. An Editor
drafts updates, also for a published agreement (a draft changes nothing visitors see); a
Publisher publishes them. A published update, and its evidence, is protected like any
published record; its agreement's publication does not protect a draft update.
"""

from django.apps import apps

EDITOR = "Editor"
PUBLISHER = "Publisher"
MODERATOR = "Moderator"
ROLES = {"editor": EDITOR, "publisher": PUBLISHER, "moderator": MODERATOR}

PUBLISHABLE_MODELS = (
    "meeting",
    "agreement",
    "stakeholder",
    "keyfigure",
    "page",
    "agreementupdate",
    "consultation",
)
# Input from visitors: public once a moderator accepts it (states, not drafts).
MODERATED_MODELS = ("submission",)
MODERATE_PERMISSION = "consultations.moderate_submission"
# The app of each model the roles cover (dialogue unless named here).
MODEL_APPS = {"consultation": "consultations", "submission": "consultations"}
ROLE_APPS = ("dialogue", "consultations")
PART_MODELS = ("participation", "agendaitem", "agreementparty", "document", "evidence")
PART_MODELS += ("keyfigurevalue",)
# Pillars and sectors have no draft state: any change is public at once, so only
# Publishers change them; editors pick them from lists.
TAXONOMY_MODELS = ("pillar", "sector")

# The fields that tie a part to the publishable record it belongs to.
OWNER_FIELDS = {
    "participation": ("meeting",),
    "agendaitem": ("meeting",),
    "agreementparty": ("agreement",),
    "agreementupdate": ("agreement",),
    "document": ("meeting", "agreement"),
    "evidence": ("update",),
    "keyfigurevalue": ("figure",),
}
# Publishable parts: protected by their own publication, not by their owner's.
SELF_REVIEWED = ("agreementupdate",)


def perm(action, model):
    """ "change", "meeting" -> ("dialogue", "change_meeting")."""
    return (MODEL_APPS.get(model, "dialogue"), f"{action}_{model}")


def role_permissions():
    """{group name: set of (app label, permission codename)} for each role."""
    crud = ("add", "change", "delete", "view")
    editor = {perm(action, model) for model in PUBLISHABLE_MODELS + PART_MODELS for action in crud}
    editor |= {perm("view", model) for model in TAXONOMY_MODELS}
    publisher = editor | {perm("publish", model) for model in PUBLISHABLE_MODELS}
    publisher |= {perm(action, model) for model in TAXONOMY_MODELS for action in crud}
    moderator = {perm("view", "consultation"), perm("view", "agendaitem"), perm("view", "meeting")}
    moderator |= {perm(action, "submission") for action in ("view", "change", "moderate")}
    return {EDITOR: editor, PUBLISHER: publisher, MODERATOR: moderator}


def sync_roles(group_model=None, permission_model=None):
    """Create the role groups and give each exactly its permissions of the apps they cover.

    Permissions of other apps that an administrator added to a group are left alone. Called by
    the data migration (with historical models) and after every ``migrate`` (post_migrate),
    because on a fresh database the permissions only exist once migrations have run.
    """
    group_model = group_model or apps.get_model("auth", "Group")
    permission_model = permission_model or apps.get_model("auth", "Permission")
    covered = permission_model.objects.filter(content_type__app_label__in=ROLE_APPS)
    by_key = {
        (app_label, codename): pk
        for pk, app_label, codename in covered.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for name, keys in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = {by_key[key] for key in keys if key in by_key}
        current = set(
            group.permissions.filter(content_type__app_label__in=ROLE_APPS).values_list(
                "pk", flat=True
            )
        )
        if current - wanted:
            group.permissions.remove(*(current - wanted))
        if wanted - current:
            group.permissions.add(*(wanted - current))


def sync_roles_after_migrate(sender, **kwargs):
    """post_migrate receiver: keep the roles in step with the permissions that now exist."""
    sync_roles()


def publish_codename(model):
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user, model):
    """Whether `user` may publish, unpublish, schedule and delete published `model` records."""
    return model._meta.model_name in PUBLISHABLE_MODELS and user.has_perm(publish_codename(model))


def can_moderate(user):
    """Whether `user` may review submissions, change their state and answer them."""
    return user is not None and user.has_perm(MODERATE_PERMISSION)


def owners(obj):
    """The publishable records `obj` is part of (empty for a publishable record itself)."""
    names = OWNER_FIELDS.get(obj._meta.model_name, ())
    return [owner for owner in (getattr(obj, name, None) for name in names) if owner is not None]


def is_protected(user, obj):
    """Whether `obj` is published (live or scheduled), or part of a published record, and
    `user` may not publish it: then `user` may look but not change or delete."""
    if obj is None:
        return False
    if obj._meta.model_name in PUBLISHABLE_MODELS:
        from ..models import PublicationStatus

        published = obj.publication_status == PublicationStatus.PUBLISHED
        return published and not can_publish(user, type(obj))
    return any(is_protected(user, owner) for owner in owners(obj))


def protecting_owners(obj):
    """The records whose publication protects `obj` besides its own: its owners, except for
    a self-reviewed part (an update), which only its own publication protects."""
    if obj._meta.model_name in SELF_REVIEWED:
        return []
    return owners(obj)
