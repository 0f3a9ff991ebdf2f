"""generate_volume: realistic data in bulk, mostly published, and never twice by accident."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dialogue import cache as page_cache
from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    Meeting,
    Participation,
    Stakeholder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def volume():
    call_command("generate_volume", meetings=40, seed=7, verbosity=0)


def test_sizes_scale_with_meetings(volume):
    assert Meeting.objects.count() == 40
    assert AgendaItem.objects.count() == 400
    assert AgendaItem.objects.filter(parent__isnull=False).count() == 80
    assert Agreement.objects.count() == 80
    assert Stakeholder.objects.count() == 20
    assert Participation.objects.count() >= 40 * 6
    assert AgreementParty.objects.count() >= 80 * 2
    assert AgreementUpdate.objects.count() >= 80
    assert Document.objects.filter(agreement__isnull=False).count() == 80
    assert AgendaItem.sectors.through.objects.count() >= 400
    assert Agreement.sectors.through.objects.count() >= 80


def test_mostly_published_with_some_drafts_and_scheduled():
    call_command("generate_volume", meetings=400, seed=7, verbosity=0)
    for model in (Meeting, Agreement):
        total = model.objects.count()
        published = model.objects.published().count()
        drafts = model.objects.drafts().count()
        scheduled = model.objects.scheduled().count()
        assert published + drafts + scheduled == total
        assert published / total > 0.9
        assert 0 < drafts / total < 0.06
        assert 0 < scheduled / total < 0.05


def test_records_are_consistent(volume):
    for participation in Participation.objects.select_related("stakeholder")[:50]:
        assert participation.side == participation.stakeholder.country
    for meeting in Meeting.objects.all():
        positions = list(meeting.agenda_items.values_list("position", flat=True))
        assert sorted(positions) == list(range(1, 11))
        assert meeting.participations.filter(role="co-chair").count() == 2
        meeting.full_clean()
    for agreement in Agreement.objects.all()[:20]:
        agreement.full_clean()
    for meeting in Meeting.objects.all():
        assert meeting.period_end is not None and meeting.period_end >= meeting.start
    for update in AgreementUpdate.objects.all()[:200]:
        assert update.state_key == update.compute_state_key()
        update.full_clean(exclude=["agreement", "meeting"])
    states = {a.status for a in Agreement.objects.with_state()}
    assert {"implementing", "completed"} <= states
    for model in (Meeting, Agreement, Stakeholder, AgreementUpdate):
        assert not model.objects.published().filter(first_published_at__isnull=True).exists()
        assert not model.objects.drafts().filter(first_published_at__isnull=False).exists()


def test_refuses_to_run_twice_and_clear_replaces(volume):
    with pytest.raises(CommandError, match="--clear"):
        call_command("generate_volume", meetings=40, verbosity=0)
    call_command("generate_volume", meetings=30, clear=True, verbosity=0)
    assert Meeting.objects.count() == 30
    assert Stakeholder.objects.count() == 20


def test_invalidates_the_page_cache():
    before = page_cache.current_generation()
    call_command("generate_volume", meetings=5, verbosity=0)
    assert page_cache.current_generation() > before


def test_pages_render_on_volume_data(volume, client):
    meeting = Meeting.objects.published().first()
    agreement = Agreement.objects.published().first()
    stakeholder = Stakeholder.objects.published().first()
    for path in [
        reverse("dialogue:home"),
        reverse("dialogue:meeting-list"),
        reverse("dialogue:agreement-list") + "?status=implementing",
        meeting.get_absolute_url(),
        agreement.get_absolute_url(),
        stakeholder.get_absolute_url(),
    ]:
        assert client.get(path).status_code == 200, path


def test_the_stored_state_of_every_agreement_is_filled(volume):
    from dialogue.models.agreements import state_from_updates

    rule = state_from_updates()
    rows = Agreement.objects.annotate(**{f"rule_{k}": v for k, v in rule.items()})
    for agreement in rows:
        assert agreement.state_as_of is not None
        assert (agreement.state_status, agreement.state_progress, agreement.state_us_status) == (
            agreement.rule_status,
            agreement.rule_progress,
            agreement.rule_us_status,
        )
        assert agreement.state_reported_on == agreement.rule_last_reported_on
