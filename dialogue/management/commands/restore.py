"""Restore a backup made by `manage.py backup`: the database and MEDIA_ROOT are replaced.

    python manage.py restore backups/hled-20260101T020000Z

An incomplete or altered backup, or one of another kind of database, is refused before
anything changes (dialogue/backups.py).
"""

import time

from django.core.management.base import BaseCommand, CommandError

from dialogue import backups
from dialogue import cache as page_cache


class Command(BaseCommand):
    help = "Replace the database and MEDIA_ROOT with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup directory (hled-<UTC time>)")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, backup, interactive, **options):
        try:
            manifest = backups.check(backup)
        except backups.BackupError as error:
            raise CommandError(f"Nothing restored: {error}") from error
        if interactive:
            answer = input(
                f"This replaces the whole database and every uploaded file with the backup "
                f"of {manifest['created']}.\nType 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Nothing restored.")
        started = time.monotonic()
        try:
            differences = backups.restore(backup)
        except (backups.BackupError, OSError) as error:
            raise CommandError(f"Restore failed: {error}") from error
        page_cache.invalidate()
        if differences:
            listed = ", ".join(
                f"{table} ({expected} in the backup, {found} now)"
                for table, (expected, found) in sorted(differences.items())
            )
            raise CommandError(f"Restored, but row counts differ from the manifest: {listed}")
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows) and "
            f"{manifest['media_files']} media file(s) from {backup} "
            f"in {time.monotonic() - started:.1f} s."
        )
