"""Emails to senders, through Django's email framework (configured by EMAIL_URL).

- the confirmation link, sent while the submission is stored: if the mail server refuses it,
  nothing is stored and the visitor is told to try again;
- the receipt once confirmed, with the reference and the link to follow or withdraw it;
- what moderators decided: declined (with the reason), published, and the official answer.

Each is written in the language the submission was sent in. Those about moderation leave
once the change is committed; a mail server that is down then only loses the notice.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dialogue.publishing import signals

from . import tokens

logger = logging.getLogger(__name__)


def absolute(path, request=None):
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def send(submission, template, subject, request=None, **context):
    """Send one email to the sender of `submission`, in its language."""
    if not submission.email:
        return 0
    with translation.override(submission.language):
        context.update(
            submission=submission,
            consultation=submission.consultation,
            manage_url=absolute(tokens.manage_path(submission), request),
            site_name=_("US–Mexico High-Level Economic Dialogue"),
        )
        body = render_to_string(f"consultations/email/{template}.txt", context)
        subject = f"[HLED] {subject()} ({submission.reference})"
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.email])


def send_confirmation(submission, request):
    """The link that confirms the address; raises when the mail server refuses the message."""
    return send(
        submission,
        "confirm",
        lambda: _("Confirm your submission"),
        request,
        confirm_url=absolute(tokens.confirm_path(submission), request),
        hours=settings.CONSULTATIONS_CONFIRM_HOURS,
    )


def send_receipt(submission, request=None):
    return send(submission, "receipt", lambda: _("We received your submission"), request)


def later(submission, template, subject, **context):
    """Send after the transaction commits; a failure is logged, not raised."""

    def deliver():
        try:
            send(submission, template, subject, **context)
        except Exception:
            logger.exception("Could not email the sender of %s", submission.reference)

    transaction.on_commit(deliver)


def moderated(sender, submissions, state, user=None, **kwargs):
    for submission in submissions:
        if state == "declined":
            later(submission, "declined", lambda: _("Your submission was declined"))
        elif state == "accepted":
            later(
                submission,
                "accepted",
                lambda: _("Your submission is published"),
                public_url=settings.SITE_URL + public_path(submission),
            )


def answered(sender, submission, user=None, **kwargs):
    later(
        submission,
        "answered",
        lambda: _("Your submission has an official answer"),
        public_url=settings.SITE_URL + public_path(submission),
    )


def public_path(submission):
    with translation.override(submission.language):
        return reverse(
            "consultations:submission-detail", kwargs={"reference": submission.reference}
        )


def connect():
    signals.moderated.connect(moderated, dispatch_uid="consultations:moderated")
    signals.answered.connect(answered, dispatch_uid="consultations:answered")
