"""Send the follow emails that are due: each published update once to each confirmed
subscriber (at once, or in a weekly digest); forget unconfirmed requests after a week.

Run it every few minutes (see README "Follow by email" for cron and systemd):

    python manage.py send_follow_emails
"""

from django.core.management.base import BaseCommand, CommandError

from dialogue import follow


class Command(BaseCommand):
    help = "Send due follow emails (never the same update twice to the same address)."

    def handle(self, *args, **options):
        try:
            sent = follow.send_due()
        except OSError as error:
            raise CommandError(
                f"The mail server refused or could not be reached: {error}"
            ) from error
        self.stdout.write(
            f"{sent['emails']} email(s) sent with {sent['updates']} update(s); "
            f"{sent['purged']} unconfirmed request(s) forgotten."
        )
