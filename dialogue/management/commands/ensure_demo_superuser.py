"""Create or refresh the demo's staff accounts and print how to log in."""

import os
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from dialogue.publishing.roles import ROLES, sync_roles


class Command(BaseCommand):
    """Create (or reset) the demo superuser, an Editor, a Publisher and a Moderator, and print
    the login."""

    help = (
        "Create the demo superuser, or reset its password if it exists. Uses "
        "DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD when set, otherwise the "
        "username 'admin' and a new random password. With --roles, also create the accounts "
        "'editor', 'publisher' and 'moderator' (same password) to show the editorial workflow "
        "and the moderation of public input."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--roles",
            action="store_true",
            help="Also create the demo accounts 'editor', 'publisher' and 'moderator'.",
        )

    def handle(self, *args, roles=False, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or ""
        created = self.account(username, password, email=email, superuser=True)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo superuser."))
        self.stdout.write("  Admin:    http://127.0.0.1:8000/admin/")
        self.stdout.write(f"  Username: {username}")
        self.stdout.write(f"  Password: {password}")
        if roles:
            sync_roles()
            for role in ("editor", "publisher", "moderator"):
                self.account(role, password, group=ROLES[role])
            self.stdout.write(
                "  Also 'editor' (Editor role), 'publisher' (Publisher role) and 'moderator' "
                "(Moderator role), same password."
            )

    def account(self, username, password, email="", superuser=False, group=None):
        # A new password also lifts a lockout left by failed logins (django-axes).
        axes_reset(username=username)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = True
        user.is_superuser = superuser
        user.is_active = True
        user.set_password(password)
        user.save()
        if group:
            user.groups.set([Group.objects.get(name=group)])
        return created
