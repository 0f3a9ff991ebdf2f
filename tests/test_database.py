"""Behaviour that could differ between SQLite and PostgreSQL; CI runs it on both."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from dialogue.views import StakeholderDetailView
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def titles(response):
    return [agreement.title for agreement in response.context["object_list"]]


def test_agreements_without_a_date_come_last(client):
    AgreementFactory(title="Proposed, no date", status="proposed", announced_on=None)
    AgreementFactory(title="Older", announced_on=dt.date(2014, 5, 1))
    AgreementFactory(title="Newer", announced_on=dt.date(2015, 1, 6))
    response = client.get(reverse("dialogue:agreement-list"))
    assert titles(response) == ["Newer", "Older", "Proposed, no date"]


def test_text_search_ignores_case(client):
    AgreementFactory(title="Air Transport Agreement", summary="")
    AgreementFactory(title="Energy cooperation", summary="")
    for query in ("air transport", "AIR TRANSPORT", "aIr"):
        response = client.get(reverse("dialogue:agreement-list"), {"q": query})
        assert titles(response) == ["Air Transport Agreement"], query


def test_to_many_filters_list_each_record_once(client):
    sector, other = SectorFactory.create_batch(2)
    pillar = PillarFactory()
    meeting = MeetingFactory(title="Meeting with two items")
    AgendaItemFactory.create_batch(2, meeting=meeting, pillar=pillar)
    agreement = AgreementFactory(title="Two sectors", sectors=[sector, other])
    for stakeholder in StakeholderFactory.create_batch(2):
        AgreementPartyFactory(agreement=agreement, stakeholder=stakeholder)
    meetings = client.get(reverse("dialogue:meeting-list"), {"pillar": pillar.slug})
    assert [m.title for m in meetings.context["object_list"]] == ["Meeting with two items"]
    assert meetings.context["paginator"].count == 1
    by_sector = client.get(reverse("dialogue:agreement-list"), {"sector": sector.slug})
    assert titles(by_sector) == ["Two sectors"]
    party = agreement.parties.first().stakeholder
    by_party = client.get(reverse("dialogue:agreement-list"), {"stakeholder": party.slug})
    assert titles(by_party) == ["Two sectors"]


def test_stakeholder_page_shows_its_latest_meetings_only(client):
    limit = StakeholderDetailView.LIMIT
    stakeholder = StakeholderFactory()
    start = dt.datetime(2014, 1, 1, tzinfo=dt.UTC)
    for number in range(limit + 3):
        meeting = MeetingFactory(
            title=f"Meeting number {number:02d}", start=start + dt.timedelta(days=30 * number)
        )
        ParticipationFactory(meeting=meeting, stakeholder=stakeholder)
    hidden = MeetingFactory(title="Newest but draft", draft=True, start=start.replace(year=2030))
    ParticipationFactory(meeting=hidden, stakeholder=stakeholder)
    for _ in range(limit + 2):
        AgreementPartyFactory(stakeholder=stakeholder)

    response = client.get(stakeholder.get_absolute_url())

    shown = [p.meeting.title for p in response.context["stakeholder"].participations.all()]
    assert shown == [f"Meeting number {n:02d}" for n in range(limit + 2, 2, -1)]
    assert len(response.context["stakeholder"].agreement_parties.all()) == limit


def test_postgresql_has_the_indexes_sqlite_cannot_declare():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: DESC NULLS LAST and trigram indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'dialogue_agreement'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"agreement_newest_first", "agreement_pillar_newest"} <= names
    searched = ("title_en", "title_es", "summary_en", "summary_es", "reference")
    assert {f"agreement_search_{column}" for column in searched} <= names
