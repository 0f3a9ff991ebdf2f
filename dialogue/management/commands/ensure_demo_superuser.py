"""Create or refresh the demo's staff superuser and print how to log in."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """Create (or reset) the demo superuser and print its username and password."""

    help = (
        "Create the demo superuser, or reset its password if it exists. Uses "
        "DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD when set, otherwise the "
        "username 'admin' and a new random password."
    )

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or ""
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo superuser."))
        self.stdout.write("  Admin:    http://127.0.0.1:8000/admin/")
        self.stdout.write(f"  Username: {username}")
        self.stdout.write(f"  Password: {password}")
