"""Following commitments by email, through a real SMTP server on loopback (aiosmtpd)."""

import datetime as dt
import email
import re
import socket
import subprocess
import sys
from email import policy
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dialogue import follow, publishing
from dialogue.models import Delivery, Subscription

from .factories import AgreementFactory, AgreementUpdateFactory, EvidenceFactory, PillarFactory

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def texts(self):
        return [message.get_body(("plain",)).get_content() for message in self.messages]


def spare_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a spare loopback port; Django sends to it over SMTP."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=spare_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://testserver"
    yield inbox
    controller.stop()


def link_in(text, name):
    """The path of the first link to the `name` URL kind found in an email's text."""
    for url in re.findall(r"http://testserver(/\S+)", text):
        if name in url:
            return url
    raise AssertionError(f"no {name} link in {text!r}")


def subscribe(client, smtp, **data):
    data = {"email": "ana@example.org", "scope": "all", "frequency": "immediate", **data}
    response = client.post(reverse("dialogue:follow"), data)
    assert response.status_code == 200, response.content.decode()
    assert "Check your inbox" in response.content.decode()
    return smtp.messages[-1]


def confirm(client, message):
    path = link_in(message.get_body(("plain",)).get_content(), "/follow/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and "Confirm your subscription" in page.content.decode()
    assert Subscription.objects.get().confirmed_at is None  # opening the link is not enough
    assert client.post(path).status_code == 200
    return Subscription.objects.get()


def test_double_opt_in_then_one_email_per_published_update_never_twice(client, smtp, publisher):
    agreement = AgreementFactory(title="Air transport agreement", slug="air")
    message = subscribe(client, smtp, scope="agreement", agreement="air")
    assert message["To"] == "ana@example.org"
    assert "List-Unsubscribe" not in message  # nothing to unsubscribe from yet
    call_command("send_follow_emails")
    assert len(smtp.messages) == 1  # unconfirmed: nothing is sent
    subscription = confirm(client, message)
    assert subscription.confirmed_at is not None

    update = AgreementUpdateFactory(agreement=agreement, title="Signed in Washington", draft=True)
    other = AgreementUpdateFactory(title="Another agreement's update")
    call_command("send_follow_emails")
    assert len(smtp.messages) == 1  # a draft is not news; the other agreement is not followed
    publishing.publish(publisher, [update])
    publishing.publish(publisher, [other])
    call_command("send_follow_emails")
    assert len(smtp.messages) == 2
    sent = smtp.messages[-1]
    assert "Air transport agreement" in sent["Subject"]
    body = sent.get_body(("plain",)).get_content()
    assert "Signed in Washington" in body and "http://testserver/en/agreements/air/" in body
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(sent["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://testserver/en/follow/unsubscribe/")
    assert "ana" not in unsubscribe  # the link names no address

    call_command("send_follow_emails")
    assert len(smtp.messages) == 2  # never twice
    # Unpublished and published again: still not sent twice.
    publishing.unpublish(publisher, [update])
    publishing.publish(publisher, [update])
    call_command("send_follow_emails")
    assert len(smtp.messages) == 2

    # One click: a mail client POSTs to the List-Unsubscribe address, without a CSRF token.
    url = urlsplit(unsubscribe.strip("<>")).path
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists() and not Delivery.objects.exists()
    assert client.get(url).status_code == 404  # the link now names nothing


def test_weekly_digest_of_a_pillar(client, smtp):
    pillar = PillarFactory(slug="connectivity")
    message = subscribe(client, smtp, scope="pillar", pillar="connectivity", frequency="weekly")
    subscription = confirm(client, message)
    for title in ("First step", "Second step"):
        AgreementUpdateFactory(agreement=AgreementFactory(pillar=pillar), title=title)
    AgreementUpdateFactory(agreement=AgreementFactory(pillar=PillarFactory()), title="Elsewhere")
    call_command("send_follow_emails")
    assert len(smtp.messages) == 1  # the week is not over
    with time_machine.travel(subscription.confirmed_at + dt.timedelta(days=7, minutes=1)):
        call_command("send_follow_emails")
        call_command("send_follow_emails")
    assert len(smtp.messages) == 2
    digest = smtp.texts()[-1]
    assert "First step" in digest and "Second step" in digest and "Elsewhere" not in digest
    assert "2 new update(s) this week" in smtp.messages[-1]["Subject"]


def test_confirmation_in_spanish_and_links_that_do_not_work(client, smtp):
    response = client.post(
        "/es/seguir/", {"email": "Luis@Example.org", "scope": "all", "frequency": "immediate"}
    )
    assert response.status_code == 200
    text = smtp.texts()[-1]
    assert "Para confirmar" in text and "/es/seguir/confirmar/" in text
    assert Subscription.objects.get().email == "luis@example.org"
    assert Subscription.objects.get().language == "es"
    # The same request again soon sends nothing more and says the same.
    client.post("/es/seguir/", {"email": "luis@example.org", "scope": "all", "frequency": "weekly"})
    assert len(smtp.messages) == 1
    for path in ("/en/follow/confirm/forged/", "/en/follow/unsubscribe/forged/"):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code in {200, 404}
    assert Subscription.objects.get().confirmed_at is None
    # An expired confirmation link no longer works.
    path = link_in(text, "/seguir/confirmar/")
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert client.post(path).status_code == 404
        call_command("send_follow_emails")  # and the request is forgotten
    assert not Subscription.objects.exists()


def test_bad_input_changes_nothing(client, smtp):
    response = client.post(
        reverse("dialogue:follow"), {"email": "not an address", "scope": "pillar"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the following" in html and "Choose the pillar to follow" in html
    picked = {"email": "bot@example.org", "scope": "agreement", "frequency": "immediate"}
    assert client.post(reverse("dialogue:follow"), picked).status_code == 400
    assert client.get(reverse("dialogue:follow") + "?agreement=no-such").status_code == 404
    hidden = AgreementFactory(slug="hidden", draft=True)
    assert client.get(reverse("dialogue:follow") + f"?agreement={hidden.slug}").status_code == 404
    assert not Subscription.objects.exists() and smtp.messages == []


def test_a_refused_delivery_is_retried_not_lost(client, smtp, settings):
    message = subscribe(client, smtp)
    confirm(client, message)
    update = AgreementUpdateFactory()
    EvidenceFactory(update=update)
    settings.EMAIL_PORT = spare_port()  # nobody listens there
    with pytest.raises(CommandError, match="mail server"):
        call_command("send_follow_emails")
    assert not Delivery.objects.exists()
    settings.EMAIL_PORT = smtp.port
    call_command("send_follow_emails")
    assert Delivery.objects.count() == 1 and len(smtp.messages) == 2


def test_email_settings_come_from_one_url():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "hled.settings",
        "DJANGO_SECRET_KEY": "x",
        "EMAIL_URL": "submission://mailer:secret@smtp.example.org",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
        "mailer",
    ]
    assert dt.timedelta(days=7) == follow.DIGEST_EVERY
