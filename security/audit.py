"""The audit log: security-relevant actions, whoever and whatever made them.

Receivers of Django's login signals, django-axes' lockout signal, the publishing service's
signals (dialogue/publishing/signals.py: every writer goes through the service, so every
publication change, restore and deletion is seen here) and changes to users' roles, staff and
superuser flags and passwords, made in the admin, by `assign_role` or anywhere else. The
request being served (security/context.py) says who acted and from which address.

Code that exports personal data calls `record_export()` (or sends `personal_data_exported`).
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import Signal

from dialogue.publishing import signals as publishing

from .client import client_ip
from .context import current_actor
from .models import AuditEvent

Action = AuditEvent.Action

# Send it from any code that hands personal data to someone:
# personal_data_exported.send(sender=..., user=user, what="subscribers", count=120)
personal_data_exported = Signal()


def record(action, *, user=None, username="", address=None, obj=None, detail="", request=None):
    """Add one event. Who and from where default to the request being served."""
    if request is not None:
        address = address or client_ip(request)
        if user is None and getattr(request, "user", None) is not None:
            user = request.user if request.user.is_authenticated else None
    else:
        actor, actor_address = current_actor()
        user = user or actor
        address = address or actor_address
    if user is not None and not username:
        username = user.get_username()
    fields = {}
    if obj is not None:
        fields = {
            "object_type": obj._meta.label,
            "object_id": str(obj.pk or ""),
            "object_repr": str(obj)[:200],
        }
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=username[:150],
        address=address,
        detail=str(detail),
        **fields,
    )


def record_export(user, what, count, request=None):
    """Record that `user` exported `count` records of personal data (`what`)."""
    return record(Action.EXPORT, user=user, request=request, detail=f"{what}: {count}")


def logged_in(sender, request, user, **kwargs):
    from .middleware import start_session

    if request is not None and hasattr(request, "session"):
        start_session(request)
    record(Action.LOGIN, user=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, user=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", "") or "")
    record(Action.LOGIN_FAILED, username=username, request=request)


def locked_out(sender, request, username, ip_address, **kwargs):
    record(Action.LOCKED_OUT, username=str(username or ""), address=ip_address, request=request)


def export(sender, user, what, count, request=None, **kwargs):
    record_export(user, what, count, request=request)


PUBLICATION_ACTIONS = {
    "publish": Action.PUBLISH,
    "unpublish": Action.UNPUBLISH,
    "schedule": Action.SCHEDULE,
}


def publication_changed(sender, user, objects, action, **kwargs):
    for obj in objects:
        detail = ""
        if action == "schedule" and obj.publish_at is not None:
            detail = f"publish_at={obj.publish_at.isoformat()}"
        record(PUBLICATION_ACTIONS[action], user=user, obj=obj, detail=detail)


def version_restored(sender, user, obj, version=None, **kwargs):
    record(Action.RESTORE, user=user, obj=obj, detail=f"version {version.pk}" if version else "")


def record_deleted(sender, user, obj, **kwargs):
    record(Action.DELETE, user=user, obj=obj)


ACCESS_FLAGS = ("is_staff", "is_superuser", "is_active")


def user_before_save(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_stored = None
    if raw or instance.pk is None or (update_fields and set(update_fields) <= {"last_login"}):
        return
    instance._audit_stored = (
        sender._base_manager.filter(pk=instance.pk).values(*ACCESS_FLAGS, "password").first()
    )


def user_after_save(sender, instance, created=False, raw=False, **kwargs):
    stored = getattr(instance, "_audit_stored", None)
    instance._audit_stored = None
    if raw:
        return
    if created:
        flags = [flag for flag in ACCESS_FLAGS[:2] if getattr(instance, flag)]
        if flags:
            record(Action.ROLE, obj=instance, detail="created with " + ", ".join(flags))
        return
    if stored is None:
        return
    changes = [
        f"{flag}: {stored[flag]} → {getattr(instance, flag)}"
        for flag in ACCESS_FLAGS
        if stored[flag] != getattr(instance, flag)
    ]
    if changes:
        record(Action.ROLE, obj=instance, detail="; ".join(changes))
    if stored["password"] != instance.password:
        record(Action.PASSWORD, obj=instance)


def membership_changed(sender, instance, action, pk_set=None, model=None, reverse=False, **kw):
    """Groups (roles) or permissions added to or removed from a user, from either side."""
    if action == "pre_clear":
        relation = "groups" if model.__name__ == "Group" else "user_permissions"
        if not reverse:
            instance._audit_cleared = list(getattr(instance, relation).all())
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}[action]
    if reverse:
        # group.user_set.add(user): `instance` is the group, `pk_set` the users.
        users = get_user_model()._base_manager.filter(pk__in=pk_set or [])
        for user in users:
            record(Action.ROLE, obj=user, detail=f"{verb}: {instance}")
        return
    if action == "post_clear":
        changed = getattr(instance, "_audit_cleared", [])
    else:
        changed = list(model._base_manager.filter(pk__in=pk_set or []))
    if changed:
        names = ", ".join(sorted(str(item) for item in changed))
        record(Action.ROLE, obj=instance, detail=f"{verb}: {names}")


def connect():
    User = get_user_model()
    uid = "security-audit"
    user_logged_in.connect(logged_in, dispatch_uid=uid)
    user_logged_out.connect(logged_out, dispatch_uid=uid)
    user_login_failed.connect(login_failed, dispatch_uid=uid)
    user_locked_out.connect(locked_out, dispatch_uid=uid)
    personal_data_exported.connect(export, dispatch_uid=uid)
    publishing.publication_changed.connect(publication_changed, dispatch_uid=uid)
    publishing.version_restored.connect(version_restored, dispatch_uid=uid)
    publishing.record_deleted.connect(record_deleted, dispatch_uid=uid)
    pre_save.connect(user_before_save, sender=User, dispatch_uid=uid)
    post_save.connect(user_after_save, sender=User, dispatch_uid=uid)
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(membership_changed, sender=through, dispatch_uid=f"{uid}:{through}")
