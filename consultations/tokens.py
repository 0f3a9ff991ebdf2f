"""Signed links sent to senders: confirm the email address (valid 48 hours), see the status of
a submission or withdraw it (valid while the submission exists), and the page shown right after
sending. Each names the submission by its reference, which cannot be guessed or reused."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM = "consultations.confirm"
MANAGE = "consultations.manage"
SENT = "consultations.sent"


def make(reference, purpose):
    return signing.dumps(reference, salt=purpose, compress=False)


def read(token, purpose):
    """The reference a token names, or None if it is forged or expired."""
    max_age = {
        CONFIRM: settings.CONSULTATIONS_CONFIRM_HOURS * 3600,
        SENT: 24 * 3600,
    }.get(purpose)
    try:
        return signing.loads(token, salt=purpose, max_age=max_age)
    except signing.BadSignature:
        return None


def confirm_path(submission):
    return reverse("consultations:confirm", kwargs={"token": make(submission.reference, CONFIRM)})


def manage_path(submission):
    return reverse("consultations:manage", kwargs={"token": make(submission.reference, MANAGE)})


def sent_path(submission):
    return reverse("consultations:sent", kwargs={"token": make(submission.reference, SENT)})
