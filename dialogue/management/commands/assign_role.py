"""Give a staff user the Editor or Publisher role."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dialogue.publishing.roles import ROLES, sync_roles


class Command(BaseCommand):
    """Put a user in the Editor or Publisher group (and only that one), as staff."""

    help = (
        "Give USERNAME the editor or publisher role: make them staff and put them in that "
        "group only. With --create, a missing user is created with a random password, which "
        "is printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the user if it does not exist, and print its new password.",
        )

    @transaction.atomic
    def handle(self, *args, username, role, create, **options):
        User = get_user_model()
        sync_roles()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        password = None
        if user is None:
            if not create:
                raise CommandError(
                    f"There is no user {username!r}. Create it first (in the admin or with "
                    "createsuperuser), or pass --create."
                )
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username, password=password)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
        user.groups.add(Group.objects.get(name=ROLES[role]))
        self.stdout.write(self.style.SUCCESS(f"{username} now has the {ROLES[role]} role."))
        if user.is_superuser:
            self.stdout.write(
                self.style.WARNING(f"{username} is a superuser: every permission applies anyway.")
            )
        if password:
            self.stdout.write(f"  Username: {username}\n  Password: {password}")
