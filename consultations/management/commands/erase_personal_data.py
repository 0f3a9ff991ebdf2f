"""Erase senders' personal data on schedule: run daily (cron), see README "Public input"."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from consultations.models import Submission
from dialogue import publishing


class Command(BaseCommand):
    """Erase names and emails N days after a consultation is answered; delete unconfirmed
    submissions whose confirmation link expired."""

    help = (
        "Erase the names and email addresses of the senders of every consultation answered "
        "more than --days days ago (default: CONSULTATIONS_RETENTION_DAYS), and delete the "
        "submissions whose email address was never confirmed within the link's validity. "
        "Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Retention period in days.")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be erased.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.CONSULTATIONS_RETENTION_DAYS if days is None else days
        limit = timezone.now() - timezone.timedelta(days=days)
        due = (
            Submission.objects.filter(consultation__answered_at__lte=limit, erased_at__isnull=True)
            .exclude(name="", email="")
            .order_by("pk")
        )
        expired = Submission.objects.expired_unconfirmed()
        count, unconfirmed = due.count(), expired.count()
        if not dry_run:
            # Each batch leaves `due` once erased, so the next slice is the next batch.
            while batch := list(due[:500]):
                publishing.erase_personal_data(batch)
            expired.delete()
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb} the names and email addresses of {count} submission(s) to consultations "
            f"answered more than {days} days ago, and "
            f"{'would delete' if dry_run else 'deleted'} {unconfirmed} unconfirmed submission(s)."
        )
