"""The demo's public input: a 2016 consultation with a dozen illustrative submissions."""

from collections import Counter

import pytest
from django.core.management import call_command

from consultations.models import Consultation, Submission

from .conftest import html

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("loaddata", "hled_demo", "consultations_demo", verbosity=0)


def test_a_2016_consultation_with_a_dozen_illustrative_submissions(demo):
    consultation = Consultation.objects.get(slug="public-input-2016")
    assert consultation.year == 2016 and consultation.meeting.slug == "third-hled-meeting"
    assert consultation.state == Consultation.State.CLOSED
    assert "Illustrative" in consultation.notes
    submissions = list(consultation.submissions.all())
    assert len(submissions) == 12
    states = Counter(s.state for s in submissions)
    assert states["spam"] == 1 and states["accepted"] >= 5
    assert states["received"] + states["in-review"] >= 2  # pending
    assert all("Illustrative" in s.staff_notes for s in submissions)
    answered = [s for s in submissions if s.answered_at]
    assert len(answered) >= 4 and all(s.answer_en and s.answer_es for s in answered)
    assert sum(1 for s in answered if s.agenda_items.exists()) >= 4
    assert {s.language for s in submissions} == {"en", "es"}


def test_loading_twice_duplicates_nothing(demo):
    call_command("loaddata", "consultations_demo", verbosity=0)
    assert Submission.objects.count() == 12


def test_the_demo_pages_show_the_public_input(demo, client):
    meeting_page = html(client.get("/en/meetings/third-hled-meeting/"))
    assert "Input received: 6 published submissions" in meeting_page
    assert "Shaped by 2 submissions" in meeting_page
    listing = html(client.get("/es/aportaciones/?consultation=public-input-2016"))
    assert "6 aportaciones" in listing
    assert "Cheap watches" not in listing and "predial" not in listing


def test_the_open_demo_consultation_command(demo, capsys):
    call_command("open_demo_consultation")
    call_command("open_demo_consultation")
    consultation = Consultation.objects.get(slug="public-input-next-agenda")
    assert consultation.is_open and consultation.is_public
    assert "Reopened" in capsys.readouterr().out
