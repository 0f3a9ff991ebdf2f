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

Implementation updates are publishable parts: an update is reviewed on its own. An Editor
drafts updates, also for a published agreement (a draft changes nothing visitors see); a
Publisher publishes them. A published update, and its evidence, is protected like any
published record; its agreement's publication does not protect a draft update.
"""

from django.apps import apps

EDITOR = "Editor"
PUBLISHER = "Publisher"
ROLES = {"editor": EDITOR, "publisher": PUBLISHER}

PUBLISHABLE_MODELS = (
    "meeting",
    "agreement",
    "stakeholder",
    "keyfigure",
    "page",
    "agreementupdate",
)
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


def role_permissions():
    """{group name: set of dialogue permission codenames} for each role."""
    crud = ("add", "change", "delete", "view")
    editor = {f"{action}_{model}" for model in PUBLISHABLE_MODELS + PART_MODELS for action in crud}
    editor |= {f"view_{model}" for model in TAXONOMY_MODELS}
    publisher = editor | {f"publish_{model}" for model in PUBLISHABLE_MODELS}
    publisher |= {f"{action}_{model}" for model in TAXONOMY_MODELS for action in crud}
    return {EDITOR: editor, PUBLISHER: publisher}


def sync_roles(group_model=None, permission_model=None):
    """Create the Editor and Publisher groups and give each exactly its dialogue permissions.

    Permissions of other apps that an administrator added to a group are left alone. Called by
    the data migration (with historical models) and after every ``migrate`` (post_migrate),
    because on a fresh database the permissions only exist once migrations have run.
    """
    group_model = group_model or apps.get_model("auth", "Group")
    permission_model = permission_model or apps.get_model("auth", "Permission")
    dialogue_permissions = permission_model.objects.filter(content_type__app_label="dialogue")
    for name, codenames in role_permissions().items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = set(dialogue_permissions.filter(codename__in=codenames))
        current = set(group.permissions.filter(content_type__app_label="dialogue"))
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
