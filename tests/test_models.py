"""The domain model: database constraints, publication, local times, sanitizing, natural keys."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dialogue.models import Meeting, Side, Stakeholder

from .factories import (
    AgendaItemFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    KeyFigureFactory,
    MeetingFactory,
    PageFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

PUBLISHABLE_FACTORIES = [
    MeetingFactory,
    AgreementFactory,
    StakeholderFactory,
    PageFactory,
    KeyFigureFactory,
]


def factory_id(factory_class):
    return factory_class._meta.model.__name__


# Database constraints


def test_agenda_position_is_unique_per_meeting():
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItemFactory(meeting=meeting, position=1)


def test_agenda_position_may_repeat_across_meetings():
    AgendaItemFactory(position=1)
    AgendaItemFactory(position=1)


def test_sub_item_must_belong_to_the_same_meeting():
    parent = AgendaItemFactory()
    child = AgendaItemFactory.build(meeting=MeetingFactory(), parent=parent, pillar=None)
    with pytest.raises(ValidationError) as excinfo:
        child.clean()
    assert "parent" in excinfo.value.message_dict


def test_one_participation_per_meeting_and_stakeholder():
    participation = ParticipationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationFactory(meeting=participation.meeting, stakeholder=participation.stakeholder)


def test_one_party_per_agreement_and_stakeholder():
    party = AgreementPartyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementPartyFactory(agreement=party.agreement, stakeholder=party.stakeholder)


@pytest.mark.parametrize("field", ["progress", "us_progress", "joint_progress"])
@pytest.mark.parametrize("progress", [-1, 101])
def test_update_progress_outside_0_100_is_rejected(field, progress):
    status = {} if field == "progress" else {field.replace("progress", "status"): "signed"}
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementUpdateFactory(**{field: progress}, **status)


@pytest.mark.parametrize("progress", [0, 100])
def test_agreement_progress_is_its_latest_published_update(progress):
    assert AgreementFactory(progress=progress).progress == progress


def test_a_side_has_a_status_and_a_progress_or_neither():
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementUpdateFactory(us_status="signed", us_progress=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementUpdateFactory(mx_status="", mx_progress=20)
    assert AgreementUpdateFactory(mx_status="signed", mx_progress=20).mx_progress == 20


def test_update_progress_above_100_is_rejected():
    agreement = AgreementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementUpdateFactory(agreement=agreement, progress=101)


@pytest.mark.parametrize("progress", [0, 100])
def test_update_progress_may_be_0_or_100(progress):
    assert AgreementUpdateFactory(progress=progress).progress == progress


def test_update_is_unique_per_agreement_date_and_title():
    update = AgreementUpdateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementUpdateFactory(agreement=update.agreement, date=update.date, title=update.title)


def test_meeting_cannot_end_before_it_starts():
    start = datetime(2015, 1, 6, 15, tzinfo=UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFactory(start=start, end=start - timedelta(minutes=1))


@pytest.mark.parametrize("end", [None, datetime(2015, 1, 6, 15, tzinfo=UTC)])
def test_meeting_end_may_be_empty_or_equal_to_start(end):
    MeetingFactory(start=datetime(2015, 1, 6, 15, tzinfo=UTC), end=end)


def test_time_zones_come_from_the_standard_library_so_tzdata_needs_no_migration(monkeypatch):
    from dialogue import timezones

    # Nothing about the zone list is frozen in the schema …
    assert not Meeting._meta.get_field("timezone").choices
    assert not [c for c in Meeting._meta.constraints if "timezone" in c.name]
    # … so a zone that a newer tzdata adds is valid and offered at once.
    zones = {"America/New_York", "America/Nueva_Zona"}
    monkeypatch.setattr(timezones, "available_timezones", lambda: zones)
    timezones.timezone_names.cache_clear()
    try:
        timezones.validate_timezone("America/Nueva_Zona")
        assert ("America/Nueva_Zona", "America/Nueva Zona") in timezones.timezone_choices()
    finally:
        timezones.timezone_names.cache_clear()


def test_unknown_timezone_is_rejected_by_validation():
    meeting = MeetingFactory.build(timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_known_timezone_passes_validation():
    MeetingFactory.build(timezone="America/New_York").full_clean()


def test_document_without_owner_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(meeting=None, agreement=None)


def test_document_with_two_owners_is_rejected():
    meeting, agreement = MeetingFactory(), AgreementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(meeting=meeting, agreement=agreement)


def test_document_without_link_or_file_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(url="", file="")


def test_document_with_both_link_and_file_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(url="https://www.commerce.gov/hled.pdf", file="documents/2015/hled.pdf")


def test_document_with_a_file_or_for_an_agreement_is_accepted():
    uploaded = DocumentFactory(with_file=True)
    linked = DocumentFactory(for_agreement=True)
    assert uploaded.href.endswith("documents/2015/joint-statement.pdf")
    assert linked.meeting is None
    assert linked.agreement is not None


def test_agreement_cannot_be_completed_before_it_was_announced():
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(announced_on=date(2015, 1, 6), completed_on=date(2015, 1, 5))


def test_agreement_cannot_enter_into_force_before_it_was_signed():
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(signed_on=date(2015, 12, 18), in_force_on=date(2015, 12, 17))


def test_agreement_dates_on_the_same_day_are_accepted():
    day = date(2015, 12, 18)
    agreement = AgreementFactory(announced_on=day, signed_on=day, in_force_on=day, completed_on=day)
    assert [d for _label, d in agreement.key_dates] == [day, day, day, day]


# Publication


@pytest.mark.parametrize("factory_class", PUBLISHABLE_FACTORIES, ids=factory_id)
def test_published_excludes_drafts_and_scheduled_records(factory_class):
    model = factory_class._meta.model
    public = factory_class()
    draft = factory_class(draft=True)
    scheduled = factory_class(scheduled=True)

    assert set(model.objects.published()) == {public}
    assert set(model.objects.drafts()) == {draft}
    assert set(model.objects.scheduled()) == {scheduled}
    assert (public.is_public, draft.is_public, scheduled.is_public) == (True, False, False)
    assert scheduled.is_scheduled
    assert not public.is_scheduled


@pytest.mark.parametrize("factory_class", PUBLISHABLE_FACTORIES, ids=factory_id)
def test_visible_to_visitors_is_published_and_to_staff_is_everything(
    factory_class, staff_user, django_user_model
):
    model = factory_class._meta.model
    public = factory_class()
    draft = factory_class(draft=True)
    scheduled = factory_class(scheduled=True)
    member = django_user_model.objects.create_user(username="member", password="pw")

    for visitor in (AnonymousUser(), None, member):
        assert set(model.objects.visible_to(visitor)) == set(model.objects.published())
        assert set(model.objects.visible_to(visitor)) == {public}
    assert set(model.objects.visible_to(staff_user)) == {public, draft, scheduled}


def test_factories_publish_in_the_past_by_default():
    meeting = MeetingFactory()
    assert meeting.publication_status == "published"
    assert meeting.is_public


# Meeting local time


def test_meeting_in_mexico_city_2013_is_shown_in_cdt():
    meeting = MeetingFactory(
        start=datetime(2013, 9, 20, 15, tzinfo=UTC), end=None, timezone="America/Mexico_City"
    )
    meeting.refresh_from_db()
    assert meeting.local_start.hour == 10
    assert meeting.local_start.date() == date(2013, 9, 20)
    assert meeting.timezone_abbreviation == "CDT"


def test_meeting_in_washington_2015_is_shown_in_est():
    meeting = MeetingFactory(
        start=datetime(2015, 1, 6, 15, tzinfo=UTC), end=None, timezone="America/New_York"
    )
    meeting.refresh_from_db()
    assert meeting.local_start.hour == 10
    assert meeting.timezone_abbreviation == "EST"


def test_mexico_city_without_daylight_saving_since_2022_is_cst():
    meeting = MeetingFactory(
        start=datetime(2023, 9, 20, 15, tzinfo=UTC), end=None, timezone="America/Mexico_City"
    )
    assert meeting.local_start.hour == 9
    assert meeting.timezone_abbreviation == "CST"


def test_meeting_year_and_days_are_local():
    meeting = MeetingFactory(
        start=datetime(2015, 1, 1, 3, tzinfo=UTC),
        end=datetime(2015, 1, 1, 5, tzinfo=UTC),
        timezone="America/Mexico_City",
    )
    assert meeting.year == 2014
    assert not meeting.is_multi_day
    meeting.end = datetime(2015, 1, 1, 7, tzinfo=UTC)
    assert meeting.is_multi_day


# Side defaults


def test_participation_side_defaults_to_the_stakeholders_country():
    stakeholder = StakeholderFactory(country=Side.MX)
    participation = ParticipationFactory(stakeholder=stakeholder, side="")
    participation.refresh_from_db()
    assert participation.side == Side.MX


def test_participation_side_given_explicitly_is_kept():
    stakeholder = StakeholderFactory(country=Side.MX)
    participation = ParticipationFactory(stakeholder=stakeholder, side=Side.US)
    participation.refresh_from_db()
    assert participation.side == Side.US


def test_agreement_party_side_defaults_to_the_stakeholders_country():
    party = AgreementPartyFactory(stakeholder=StakeholderFactory(country=Side.US), side="")
    party.refresh_from_db()
    assert party.side == Side.US


# Rich-text sanitizing

HOSTILE_HTML = (
    '<p onclick="alert(1)">Hi<script>alert(1)</script>'
    '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)></p>'
)


def test_meeting_body_is_sanitized_on_save():
    meeting = MeetingFactory(body=HOSTILE_HTML)
    meeting.refresh_from_db()
    body = meeting.body.lower()
    for forbidden in ("script", "onclick", "onerror", "javascript:", "<img"):
        assert forbidden not in body
    assert "<p>" in body
    assert "Hi" in meeting.body


def test_sanitizing_keeps_https_links():
    meeting = MeetingFactory(
        body='<p>See <a href="https://www.commerce.gov/">the Department of Commerce</a>.</p>'
    )
    meeting.refresh_from_db()
    assert 'href="https://www.commerce.gov/"' in meeting.body
    assert "the Department of Commerce</a>" in meeting.body


def test_empty_editor_paragraph_is_stored_as_empty():
    meeting = MeetingFactory(body="<p></p>")
    meeting.refresh_from_db()
    assert meeting.body == ""


@pytest.mark.parametrize(
    ("factory_class", "field"),
    [
        (PillarFactory, "description"),
        (SectorFactory, "description"),
        (StakeholderFactory, "description"),
        (AgendaItemFactory, "description"),
        (AgreementFactory, "body"),
        (AgreementFactory, "impact"),
        (PageFactory, "body"),
    ],
    ids=lambda value: value if isinstance(value, str) else factory_id(value),
)
def test_every_rich_text_field_is_sanitized(factory_class, field):
    obj = factory_class(**{field: HOSTILE_HTML})
    obj.refresh_from_db()
    stored = getattr(obj, field)
    assert "script" not in stored
    assert "onclick" not in stored
    assert "Hi" in stored


# Strings and URLs


def test_str_of_every_model():
    pillar = PillarFactory(number=1, name="Promoting competitiveness and connectivity")
    sector = SectorFactory(name="Transport")
    commerce = StakeholderFactory(name="Department of Commerce", acronym="DOC")
    person = StakeholderFactory(name="Penny Pritzker", acronym="", kind=Stakeholder.Kind.PERSON)
    meeting = MeetingFactory(title="First High-Level Economic Dialogue")
    participation = ParticipationFactory(meeting=meeting, stakeholder=commerce, role="co-chair")
    item = AgendaItemFactory(meeting=meeting, position=3, title="Border infrastructure")
    agreement = AgreementFactory(title="Air transport agreement")
    party = AgreementPartyFactory(agreement=agreement, stakeholder=commerce, role="signatory")
    update = AgreementUpdateFactory(
        agreement=agreement, date=date(2015, 12, 18), title="Signed in Washington"
    )
    document = DocumentFactory(title="Joint statement")
    figure = KeyFigureFactory(label="Bilateral trade a year")
    page = PageFactory(title="About the initiative")

    assert str(pillar) == "1. Promoting competitiveness and connectivity"
    assert str(sector) == "Transport"
    assert str(commerce) == "Department of Commerce (DOC)"
    assert str(person) == "Penny Pritzker"
    assert str(meeting) == "First High-Level Economic Dialogue"
    assert str(participation) == (
        "Department of Commerce (DOC) — Co-chair (First High-Level Economic Dialogue)"
    )
    assert str(item) == "3. Border infrastructure"
    assert str(agreement) == "Air transport agreement"
    assert str(party) == "Department of Commerce (DOC) — Signatory"
    assert str(update) == "2015-12-18 — Signed in Washington"
    assert str(document) == "Joint statement"
    assert str(figure) == "Bilateral trade a year"
    assert str(page) == "About the initiative"


@pytest.mark.parametrize(
    ("factory_class", "prefix"),
    [
        (PillarFactory, "/en/pillars/"),
        (StakeholderFactory, "/en/stakeholders/"),
        (MeetingFactory, "/en/meetings/"),
        (AgreementFactory, "/en/agreements/"),
        (PageFactory, "/en/pages/"),
    ],
    ids=lambda value: value if isinstance(value, str) else factory_id(value),
)
def test_get_absolute_url(factory_class, prefix):
    obj = factory_class(slug="hled-2015")
    assert obj.get_absolute_url() == f"{prefix}hled-2015/"


# Natural keys


def pillars():
    return [PillarFactory(), PillarFactory()]


def sectors():
    return [SectorFactory(), SectorFactory()]


def stakeholders():
    return [StakeholderFactory(), StakeholderFactory()]


def meetings():
    return [MeetingFactory(), MeetingFactory()]


def participations():
    first = ParticipationFactory()
    return [
        first,
        ParticipationFactory(meeting=first.meeting),
        ParticipationFactory(stakeholder=first.stakeholder),
    ]


def agenda_items():
    first = AgendaItemFactory(position=1)
    parent = AgendaItemFactory(meeting=first.meeting, position=2)
    child = AgendaItemFactory(
        meeting=first.meeting,
        position=3,
        parent=parent,
        sectors=[SectorFactory()],
        presenters=[StakeholderFactory()],
    )
    return [first, parent, child, AgendaItemFactory(position=1)]


def agreements():
    first = AgreementFactory(sectors=[SectorFactory()], agenda_items=[AgendaItemFactory()])
    return [first, AgreementFactory()]


def agreement_parties():
    first = AgreementPartyFactory()
    return [
        first,
        AgreementPartyFactory(agreement=first.agreement),
        AgreementPartyFactory(stakeholder=first.stakeholder),
    ]


def agreement_updates():
    first = AgreementUpdateFactory(date=date(2015, 1, 6), title="Announced")
    return [
        first,
        AgreementUpdateFactory(agreement=first.agreement, date=first.date, title="Reported"),
        AgreementUpdateFactory(agreement=first.agreement, date=date(2016, 1, 6), title="Announced"),
        AgreementUpdateFactory(date=first.date, title="Announced"),
    ]


def documents():
    return [DocumentFactory(), DocumentFactory(for_agreement=True)]


def key_figures():
    return [KeyFigureFactory(value=Decimal("500000000000")), KeyFigureFactory()]


def pages():
    return [PageFactory(), PageFactory(draft=True)]


NATURAL_KEY_CASES = [
    pillars,
    sectors,
    stakeholders,
    meetings,
    participations,
    agenda_items,
    agreements,
    agreement_parties,
    agreement_updates,
    documents,
    key_figures,
    pages,
]


@pytest.mark.parametrize("make", NATURAL_KEY_CASES, ids=lambda make: make.__name__)
def test_natural_key_round_trips(make):
    for obj in make():
        assert type(obj).objects.get_by_natural_key(*obj.natural_key()) == obj


@pytest.mark.parametrize("make", NATURAL_KEY_CASES, ids=lambda make: make.__name__)
def test_fixture_with_natural_keys_resolves_to_the_same_rows(make):
    objects = make()
    data = serializers.serialize(
        "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    assert '"pk"' not in data
    loaded = list(serializers.deserialize("json", data))
    assert [item.object.pk for item in loaded] == [obj.pk for obj in objects]
    for item, obj in zip(loaded, objects, strict=True):
        for field, pks in item.m2m_data.items():
            assert sorted(pks) == sorted(getattr(obj, field).values_list("pk", flat=True))


# Counts


def test_with_counts_counts_agenda_items_and_only_published_agreements(
    django_assert_num_queries,
):
    meeting = MeetingFactory()
    quiet = MeetingFactory()
    AgendaItemFactory.create_batch(3, meeting=meeting)
    AgendaItemFactory(meeting=quiet)
    AgreementFactory.create_batch(2, origin_meeting=meeting)
    AgreementFactory(origin_meeting=meeting, draft=True)
    AgreementFactory(origin_meeting=meeting, scheduled=True)

    with django_assert_num_queries(1):
        counts = {m.pk: (m.agenda_count, m.agreement_count) for m in Meeting.objects.with_counts()}

    assert counts == {meeting.pk: (3, 2), quiet.pk: (1, 0)}


def test_with_counts_chains_after_published():
    meeting = MeetingFactory()
    MeetingFactory(draft=True)
    AgendaItemFactory(meeting=meeting)
    AgreementFactory(origin_meeting=meeting)

    [counted] = Meeting.objects.published().with_counts()
    assert (counted, counted.agenda_count, counted.agreement_count) == (meeting, 1, 1)
