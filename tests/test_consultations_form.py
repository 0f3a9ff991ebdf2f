"""The public submission form as a visitor (and a bot) uses it: sending, confirming from the
email, withdrawing, and every refusal (translated, input kept, nothing stored)."""

import datetime as dt
import re
import time
import unicodedata

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Version

from consultations import abuse
from consultations.models import Submission
from tests import factories as f

from .conftest import html
from .consultation_forms import challenge_in, form_data, solve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no submissions counted for any address."""
    from django.core.cache import cache

    cache.clear()


LINK = re.compile(r"https?://\S+")


@pytest.fixture
def pillar():
    return f.PillarFactory(number=1, name="Competitiveness and connectivity")


@pytest.fixture
def consultation(pillar):
    return f.ConsultationFactory(slug="agenda-2016", pillars=[pillar])


def post(client, consultation, data, language="en", **extra):
    with translation.override(language):
        url = consultation.get_absolute_url()
    return client.post(url, data, **extra)


def links_in(message):
    return LINK.findall(message.body)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


class TestSending:
    def test_a_submission_without_javascript_is_stored_unconfirmed_and_flagged(
        self, client, consultation, pillar
    ):
        response = post(client, consultation, form_data(consultation, pillar))
        assert response.status_code == 302
        submission = Submission.objects.get()
        assert submission.state == Submission.State.UNCONFIRMED
        assert submission.proof_of_work is False  # no JavaScript: checked by hand
        assert submission.language == "en" and submission.privacy_notice_version == "1"
        assert submission.consented_at is not None and submission.text_hash
        sent = client.get(response["Location"])
        assert submission.reference in html(sent)
        assert "no-store" in sent["Cache-Control"] and not sent.cookies
        # An unconfirmed submission is not in the moderators' queue.
        assert not Submission.objects.queue().exists()

    def test_the_confirmation_email_confirms_and_a_receipt_follows(
        self, client, consultation, pillar
    ):
        post(client, consultation, form_data(consultation, pillar))
        (message,) = mail.outbox
        assert message.to == ["ana@example.org"]
        submission = Submission.objects.get()
        assert submission.reference in message.subject
        confirm_url, manage_url = links_in(message)
        # Opening the link (or a mail scanner prefetching it) confirms nothing …
        page = client.get(path_of(confirm_url))
        assert page.status_code == 200 and "Confirm my submission" in html(page)
        assert Submission.objects.get().state == "unconfirmed"
        # … the button does.
        done = client.post(path_of(confirm_url))
        assert done.status_code == 302
        submission.refresh_from_db()
        assert submission.state == "received" and submission.confirmed_at is not None
        assert list(Submission.objects.queue()) == [submission]
        receipt = mail.outbox[1]
        assert "We received your submission" in receipt.subject
        assert path_of(manage_url) in receipt.body
        status = client.get(done["Location"])
        assert "Received" in html(status) and "confirmed" in html(status)

    def test_the_confirmation_link_expires_after_48_hours(self, client, consultation, pillar):
        post(client, consultation, form_data(consultation, pillar))
        confirm_url = links_in(mail.outbox[0])[0]
        with time_machine.travel(dt.timedelta(hours=49)):
            response = client.post(path_of(confirm_url))
        assert response.status_code == 400
        assert "not valid" in html(response)
        assert Submission.objects.get().state == "unconfirmed"

    def test_a_spanish_submission_gets_spanish_email(self, client, consultation, pillar):
        post(client, consultation, form_data(consultation, pillar), language="es")
        submission = Submission.objects.get()
        assert submission.language == "es"
        (message,) = mail.outbox
        assert "Confirme" in message.subject
        assert "/es/consultas/" in message.body

    def test_a_solved_proof_of_work_is_recorded_and_cannot_be_replayed(
        self, client, consultation, pillar
    ):
        page = html(client.get(consultation.get_absolute_url()))
        payload = solve(challenge_in(page))
        data = form_data(consultation, pillar, altcha=payload)
        assert post(client, consultation, data).status_code == 302
        assert Submission.objects.get().proof_of_work is True
        again = form_data(consultation, pillar, altcha=payload, text="Another text " * 3)
        response = post(client, consultation, again)
        assert response.status_code == 200
        assert "anti-spam check did not pass" in html(response)
        assert Submission.objects.count() == 1

    def test_a_forged_proof_of_work_is_refused(self, client, consultation, pillar):
        page = html(client.get(consultation.get_absolute_url()))
        challenge = challenge_in(page)
        challenge["parameters"]["cost"] = 1  # tampered with: the signature no longer matches
        response = post(
            client, consultation, form_data(consultation, pillar, altcha=solve(challenge))
        )
        assert response.status_code == 200
        assert "anti-spam check did not pass" in html(response)
        assert not Submission.objects.exists()

    def test_text_is_nfc_normalized_and_many_links_are_flagged(self, client, consultation, pillar):
        decomposed = unicodedata.normalize("NFD", "Cruces más rápidos en Nogales")
        text = "See https://a.example https://b.example and www.c.example for the data we have."
        post(client, consultation, form_data(consultation, pillar, title=decomposed, text=text))
        submission = Submission.objects.get()
        assert submission.title == unicodedata.normalize("NFC", decomposed)
        assert submission.many_links is True

    def test_windows_line_ends_are_kept_as_newlines(self, client, consultation, pillar):
        text = "First paragraph of the input.\r\n\r\nSecond paragraph of the input."
        post(client, consultation, form_data(consultation, pillar, text=text))
        assert Submission.objects.get().text == text.replace("\r\n", "\n")

    def test_a_mail_server_that_refuses_stores_nothing(
        self, client, consultation, pillar, settings
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 8699, 1
        response = post(client, consultation, form_data(consultation, pillar))
        assert response.status_code == 503
        assert "could not send the confirmation email" in html(response)
        assert "Shorter waits at the Laredo crossing" in html(response)
        assert not Submission.objects.exists()

    def test_mail_goes_through_a_real_smtp_server(self, client, consultation, pillar, smtp_server):
        post(client, consultation, form_data(consultation, pillar, email="luis@example.mx"))
        (message,) = smtp_server.inbox.messages
        assert message.envelope_to == ["luis@example.mx"]
        assert "Confirm your submission" in message["Subject"]
        body = smtp_server.inbox.bodies()[0]
        confirm_url = LINK.findall(body)[0]
        assert client.post(path_of(confirm_url)).status_code == 302
        assert Submission.objects.get().state == "received"
        assert len(smtp_server.inbox.messages) == 2  # the receipt


REFUSALS = [
    ("honeypot", {"website": "http://spam.example"}, "Leave the field"),
    ("too quick", {"shown_seconds_ago": 1}, "too quickly"),
    ("too old", {"shown_seconds_ago": 2 * 86400}, "open for too long"),
    ("forged time", {"shown": "1700000000:forged"}, "could not be checked"),
    ("control character", {"title": "Bell \x07 in the title"}, "control characters"),
    ("direction override", {"text": "Text with a \u202e reversal " * 2}, "control characters"),
    ("short title", {"title": "Hi"}, "at least 5 characters"),
    ("long text", {"text": "x" * 5001}, "at most 5000 characters"),
    ("no consent", {"consent": None}, "privacy notice"),
    ("no organization", {"organization": ""}, "organization you write for"),
    (
        "organization only, none",
        {"sender_kind": "individual", "organization": "", "display": "organization"},
        "name it above",
    ),  # fmt: skip
    ("bad email", {"email": "not-an-address"}, "valid email"),
    ("no pillar", {"pillar": ""}, "pillar it is about"),
]


@pytest.mark.parametrize(("case", "changes", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_keep_the_input_and_store_nothing(
    client, consultation, pillar, case, changes, message
):
    changes = dict(changes)
    seconds = changes.pop("shown_seconds_ago", 30)
    data = form_data(consultation, pillar, shown_seconds_ago=seconds, **changes)
    response = post(client, consultation, data)
    page = html(response)
    assert response.status_code == 200
    assert message in page, page[page.find("form-errors") :][:600]
    assert "Nothing was sent yet" in page and 'role="alert"' in page
    # What the visitor typed is still in the form.
    assert "Border Freight Association" in page or data.get("organization") == ""
    assert "ana@example.org" in page or "not-an-address" in page
    assert not Submission.objects.exists()
    assert not mail.outbox


def test_refusals_are_translated(client, consultation, pillar):
    data = form_data(consultation, pillar, website="x", shown_seconds_ago=1)
    page = html(post(client, consultation, data, language="es"))
    assert "Deje vacío el campo" in page
    assert "demasiado rápido" in page
    assert not Submission.objects.exists()


def test_duplicate_text_is_refused_whatever_its_spacing_or_case(client, consultation, pillar):
    post(client, consultation, form_data(consultation, pillar))
    again = form_data(
        consultation,
        pillar,
        email="other@example.org",
        text="TRUCKS wait for hours   at the border; a shared inspection would save a day.",
    )
    response = post(client, consultation, again)
    assert "The same text was already sent to this consultation." in html(response)
    assert Submission.objects.count() == 1
    # The same text is welcome in another consultation.
    other = f.ConsultationFactory(pillars=[pillar])
    assert post(client, other, again).status_code == 302


def test_an_expired_unconfirmed_copy_does_not_block_the_same_text(client, consultation, pillar):
    post(client, consultation, form_data(consultation, pillar))
    with time_machine.travel(dt.timedelta(hours=49)):
        data = form_data(consultation, pillar)
        assert post(client, consultation, data).status_code == 302
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("which", ["closed", "upcoming"])
def test_a_consultation_that_is_not_open_refuses_posts_with_a_message(client, pillar, which):
    consultation = f.ConsultationFactory(pillars=[pillar], **{which: True})
    response = post(client, consultation, form_data(consultation, pillar))
    assert response.status_code == 403
    assert {"closed": "is closed", "upcoming": "not open yet"}[which] in html(response)
    assert not Submission.objects.exists()


def test_a_draft_consultation_refuses_posts_with_404(client, pillar):
    consultation = f.ConsultationFactory(draft=True, pillars=[pillar])
    assert post(client, consultation, form_data(consultation, pillar)).status_code == 404
    assert not Submission.objects.exists()


def test_fifty_rapid_posts_from_one_address_store_at_most_the_limit(
    client, consultation, pillar, settings
):
    from django.core.cache import cache

    cache.clear()
    limit = settings.CONSULTATIONS_RATE_PER_HOUR
    statuses = []
    for n in range(50):
        data = form_data(consultation, pillar, text=f"Idea number {n} for the border agenda.")
        statuses.append(post(client, consultation, data, REMOTE_ADDR="198.51.100.7").status_code)
    assert Submission.objects.count() == limit == 5
    assert statuses.count(302) == limit and statuses.count(429) == 50 - limit
    refused = post(client, consultation, form_data(consultation, pillar, text="One more " * 4),
                   REMOTE_ADDR="198.51.100.7")  # fmt: skip
    assert "Too many submissions" in html(refused)
    assert "One more" in html(refused)  # the input is kept
    # Another address is not affected.
    other = form_data(consultation, pillar, text="From somewhere else entirely, an idea.")
    assert post(client, consultation, other, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_day_limit_holds_across_hours(client, pillar, settings):
    from django.core.cache import cache

    cache.clear()
    consultation = f.ConsultationFactory(
        pillars=[pillar], publish_at=timezone.now() - dt.timedelta(days=30)
    )
    settings.CONSULTATIONS_RATE_PER_HOUR, settings.CONSULTATIONS_RATE_PER_DAY = 2, 3
    # Three clock hours of one day (the day limit counts UTC days) inside the consultation's
    # window, whatever the time the test runs at.
    day_after_opening = (consultation.opens_at + dt.timedelta(days=1)).astimezone(dt.UTC)
    start = day_after_opening.replace(hour=1, minute=0, second=0, microsecond=0)
    stored = 0
    for hour in range(3):
        with time_machine.travel(start + dt.timedelta(hours=hour), tick=False):
            for n in range(2):
                data = form_data(consultation, pillar, text=f"Hour {hour} idea {n} for the agenda")
                stored += post(client, consultation, data).status_code == 302
    assert stored == 3 == Submission.objects.count()


def test_an_ipv6_network_counts_as_one_address():
    class Request:
        def __init__(self, address):
            self.META = {"REMOTE_ADDR": address}

    assert abuse.client_address(Request("2001:db8:1:2::5")) == abuse.client_address(
        Request("2001:db8:1:2:ffff::9")
    )
    assert abuse.client_address(Request("2001:db8:1:3::5")) != abuse.client_address(
        Request("2001:db8:1:2::5")
    )
    assert abuse.client_address(Request("::ffff:198.51.100.7")) == "198.51.100.7"
    assert abuse.client_address(Request("garbage")) == "unknown"


class TestWithdrawing:
    def confirmed(self, client, consultation, pillar):
        post(client, consultation, form_data(consultation, pillar))
        confirm_url, manage_url = links_in(mail.outbox[0])
        client.post(path_of(confirm_url))
        return Submission.objects.get(), path_of(manage_url)

    def test_withdrawing_erases_content_personal_data_and_old_versions(
        self, client, consultation, pillar
    ):
        submission, manage = self.confirmed(client, consultation, pillar)
        assert Version.objects.get_for_object(submission).exists()
        page = client.get(manage)
        assert "Withdraw my submission" in html(page) and not page.cookies
        refused = client.post(manage, {})
        assert refused.status_code == 400 and "Tick the box" in html(refused)
        assert Submission.objects.get().state == "received"
        done = client.post(manage, {"withdraw": "1"})
        assert "is withdrawn" in html(done)
        submission.refresh_from_db()
        assert submission.state == "withdrawn" and submission.withdrawn_at
        assert (submission.name, submission.email, submission.title, submission.text) == ("",) * 4
        assert submission.text_hash is None and submission.erased_at is not None
        for version in Version.objects.get_for_object(submission):
            assert "Ana" not in version.serialized_data
            assert "Laredo" not in version.serialized_data

    def test_versions_never_hold_names_or_emails(self, client, consultation, pillar):
        submission, _manage = self.confirmed(client, consultation, pillar)
        serialized = " ".join(v.serialized_data for v in Version.objects.get_for_object(submission))
        assert "Laredo" in serialized  # the content is versioned …
        assert "ana@example.org" not in serialized and "Ana Pérez" not in serialized  # … not who

    def test_a_forged_manage_link_is_404(self, client):
        assert client.get(reverse("consultations:manage", args=["forged"])).status_code == 404


def test_only_the_form_page_sets_a_cookie(client, consultation, pillar):
    accepted = f.SubmissionFactory(consultation=consultation, pillar=pillar)
    closed = f.ConsultationFactory(closed=True)
    for url in (
        reverse("consultations:consultation-list"),
        closed.get_absolute_url(),
        reverse("consultations:submission-list"),
        accepted.get_absolute_url(),
        reverse("consultations:privacy"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, url
    form_page = client.get(consultation.get_absolute_url())
    assert list(form_page.cookies) == ["csrftoken"]


def test_the_form_page_keeps_a_valid_timestamp_after_a_refusal(client, consultation, pillar):
    data = form_data(consultation, pillar, title="Hi")
    page = html(post(client, consultation, data))
    assert f'value="{data["shown"]}"' in page
    # A refused timestamp is replaced by a fresh one.
    stale = form_data(consultation, pillar, shown_seconds_ago=1)
    page = html(post(client, consultation, stale))
    assert f'value="{stale["shown"]}"' not in page
    assert time.time()  # a fresh token was signed now


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_form_page_is_valid_html_fresh_and_with_errors(client, consultation, pillar, language):
    from .test_html import html_problems

    with translation.override(language):
        url = consultation.get_absolute_url()
    assert not html_problems(client.get(url).content)
    data = form_data(consultation, pillar, title="Hi", email="bad", consent=None)
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert not html_problems(refused.content)


def test_the_senders_pages_are_valid_html(client, consultation, pillar):
    from .test_html import html_problems

    response = post(client, consultation, form_data(consultation, pillar))
    assert not html_problems(client.get(response["Location"]).content)
    confirm_url, manage_url = links_in(mail.outbox[0])
    assert not html_problems(client.get(path_of(confirm_url)).content)
    assert not html_problems(client.get(path_of(manage_url)).content)
