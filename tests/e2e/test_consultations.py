"""Public input in a real browser: a visitor sends input in Spanish (the page's script solves
the proof of work), confirms it from the email that reached a real SMTP server, a moderator
accepts and answers it in the admin, and the submission shows publicly with its answer.
Every new page passes axe-core in both languages at 375 and 1280 px."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from consultations.models import Submission
from tests import factories as f
from tests.admin_forms import role_user

from .helpers import ARTIFACTS, languages, visit
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [375, 1280]
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def open_consultation(settings):
    settings.CONSULTATIONS_FORM_MIN_SECONDS = 0  # the browser types faster than a person
    pillars = [f.PillarFactory(number=n) for n in (1, 2, 3)]
    f.SectorFactory(name="Border infrastructure", slug="border")
    return f.ConsultationFactory(
        title="Public input for the 2016 agenda",
        title_es="Aportaciones para la agenda de 2016",
        slug="agenda-2016",
        pillars=pillars,
    )


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def assert_accessible(page, name):
    violations = axe_violations(page, report=ARTIFACTS / "axe" / f"{name}.json")
    assert not violations, f"axe-core on {name} ({page.url}):\n" + "\n".join(violations)
    assert page.locator("h1").count() == 1
    assert page.get_by_role("main").count() == 1
    for control in page.locator("main select, main input:not([type=hidden]), main textarea").all():
        if not control.is_visible():
            continue  # the honeypot, hidden from people
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f'label[for="{control_id}"]').count() == 1, (
            f"{name}: unlabelled control {control.evaluate('el => el.outerHTML')}"
        )


def fill_form(page, title):
    page.get_by_label("Título").fill(title)
    page.get_by_label("Su aportación", exact=True).fill(
        "Los camiones esperan horas en el cruce de Nogales; una inspección conjunta ahorraría "
        "un día de trabajo a cada conductor."
    )
    page.get_by_label("Pilar", exact=True).select_option(index=1)
    page.get_by_label("Border infrastructure").check()
    page.get_by_label("Envía esto como").select_option("association")
    page.get_by_label("Organización", exact=True).fill("Transportistas del Norte")
    page.get_by_label("México").check()
    page.get_by_label("Su nombre").fill("Lucía Hernández")
    page.get_by_label("Su correo electrónico").fill("lucia@example.mx")
    page.get_by_label("Solo mi organización").check()
    page.get_by_label("He leído el aviso de privacidad", exact=False).check()


def test_submit_in_spanish_confirm_moderate_answer_and_publish(
    new_page, live_server, open_consultation, smtp_server, django_user_model
):
    visitor = new_page()
    with translation.override("es"):
        form_path = open_consultation.get_absolute_url()
    visit(visitor, form_path)
    expect(visitor.locator("[data-pow-status]")).to_have_text(
        "Verificación automática contra el spam terminada.", timeout=20_000
    )
    fill_form(visitor, "Inspección conjunta en Nogales")
    visitor.get_by_role("button", name="Enviar mi aportación").click()
    expect(visitor.locator("h1")).to_have_text("Revise su correo")
    submission = Submission.objects.get()
    expect(visitor.locator("main")).to_contain_text(submission.reference)
    assert submission.language == "es" and submission.state == "unconfirmed"
    assert submission.proof_of_work is True  # solved by the page's script

    # The confirmation email reached the SMTP server; its link confirms with one button.
    (message,) = smtp_server.inbox.messages
    assert message.envelope_to == ["lucia@example.mx"]
    assert "Confirme su aportación" in message["Subject"]
    confirm_url = LINK.findall(smtp_server.inbox.bodies()[0])[0]
    visit(visitor, path_of(confirm_url))
    visitor.get_by_role("button", name="Confirmar mi aportación").click()
    expect(visitor.get_by_role("status")).to_contain_text("su aportación está confirmada")
    submission.refresh_from_db()
    assert submission.state == "received"

    # Not public yet.
    anonymous = new_page()
    visit(anonymous, submission.get_absolute_url(), status=404)

    # A moderator accepts and answers it.
    moderator = role_user(django_user_model, "mona", "Moderator")
    staff = new_page()
    staff.goto(reverse("admin:login"))
    staff.get_by_label("Username").fill(moderator.username)
    staff.get_by_label("Password").fill("mona-password")
    staff.get_by_role("button", name="Log in").click()
    staff.goto(reverse("admin:consultations_submission_changelist"))
    expect(staff.locator("#result_list")).to_contain_text("Inspección conjunta en Nogales")
    staff.get_by_role("link", name=submission.reference).click()
    staff.locator("#id_state").select_option("accepted")
    staff.locator("#id_answer_en").fill("Joint inspections are on the 2016 agenda.")
    staff.locator("#id_answer_es").fill("Las inspecciones conjuntas están en la agenda de 2016.")
    staff.locator("#id_publish_answer").check()
    staff.locator('input[name="_save"]').click()
    expect(staff.locator(".messagelist .success")).to_be_visible()
    assert staff.errors == []
    submission.refresh_from_db()
    assert submission.state == "accepted" and submission.answered_at is not None

    # The visitor's submission is public, with its answer, shown as they chose.
    with translation.override("es"):
        public_path = submission.get_absolute_url()
    visit(anonymous, public_path)
    expect(anonymous.locator("h1")).to_have_text("Inspección conjunta en Nogales")
    main = anonymous.locator("main")
    expect(main).to_contain_text("Las inspecciones conjuntas están en la agenda de 2016.")
    expect(main).to_contain_text("Respondida el")
    expect(main).to_contain_text("Transportistas del Norte")
    expect(main).not_to_contain_text("Lucía Hernández")
    expect(main).not_to_contain_text("lucia@example.mx")
    assert visitor.errors == [] and anonymous.errors == []


def test_without_javascript_the_form_still_works_and_goes_to_manual_review(
    new_page, open_consultation
):
    page = new_page(java_script_enabled=False)
    with translation.override("es"):
        visit(page, open_consultation.get_absolute_url())
    expect(page.locator("noscript").first).to_be_attached()
    fill_form(page, "Sin JavaScript también")
    page.get_by_role("button", name="Enviar mi aportación").click()
    expect(page.locator("h1")).to_have_text("Revise su correo")
    submission = Submission.objects.get()
    assert submission.proof_of_work is False  # flagged for a closer look in the queue


def test_refusals_are_announced_and_keep_the_input(new_page, open_consultation):
    page = new_page()
    visit(page, open_consultation.get_absolute_url())
    page.get_by_label("Title").fill("Hi")
    page.get_by_role("button", name="Send my input").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was sent yet")
    expect(alert).to_contain_text("at least 5 characters")
    expect(page.get_by_label("Title")).to_have_value("Hi")
    assert page.get_by_label("Title").get_attribute("aria-invalid") == "true"
    assert not Submission.objects.exists()
    assert_accessible(page, "consultation-form-errors")


def new_pages(consultation):
    """Every new page kind that the demo-based accessibility test does not reach: the open
    form, the page after sending, the confirmation and the sender's status page."""
    submission = f.SubmissionFactory(consultation=consultation, state="unconfirmed")
    declined = f.SubmissionFactory(
        consultation=consultation, state="declined", decline_reason="Outside the dialogue."
    )
    from consultations import tokens

    closed = f.ConsultationFactory(closed=True, pillars=list(consultation.pillars.all()))
    f.SubmissionFactory(consultation=closed, pillar=consultation.pillars.first())
    return {
        "consultation-closed": lambda: closed.get_absolute_url(),
        "consultation-form": lambda: consultation.get_absolute_url(),
        "sent": lambda: tokens.sent_path(submission),
        "confirm": lambda: tokens.confirm_path(submission),
        "manage": lambda: tokens.manage_path(declined),
        "consultation-list": lambda: reverse("consultations:consultation-list"),
        "submission-list": lambda: reverse("consultations:submission-list"),
        "privacy": lambda: reverse("consultations:privacy"),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_new_pages_are_accessible_in_both_languages(new_page, open_consultation, width):
    accepted = f.SubmissionFactory(consultation=open_consultation, answered=True)
    pages = {
        **new_pages(open_consultation),
        "submission-detail": lambda: accepted.get_absolute_url(),
    }
    page = new_page(viewport={"width": width, "height": 900})
    for language in languages():
        for name, path in pages.items():
            with translation.override(language):
                visit(page, path())
            assert page.locator("html").get_attribute("lang") == language
            assert_accessible(page, f"{name}.{language}.{width}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert not overflow, f"{name} ({language}) scrolls sideways at {width} px"
    assert page.errors == []
