"""Back up the database and the uploaded media into a new directory (see dialogue/backups.py).

Into backups/hled-<UTC time>/ (DJANGO_BACKUP_DIR), or another directory:

    python manage.py backup --directory /srv/backups
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dialogue import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or SQLite's online backup) and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=str(settings.BACKUP_DIR),
            help="where the backup directory is created (default: DJANGO_BACKUP_DIR)",
        )

    def handle(self, *args, directory, **options):
        started = time.monotonic()
        try:
            path = backups.create(directory)
        except (backups.BackupError, OSError) as error:
            raise CommandError(f"No backup made: {error}") from error
        manifest = backups.check(path)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
            f"{manifest['media_files']} media file(s) to {path} "
            f"in {time.monotonic() - started:.1f} s."
        )
