"""factory-boy factories for every model of the dialogue app."""

from datetime import UTC, date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from faker import Faker

from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementUpdate,
    Document,
    Evidence,
    KeyFigure,
    KeyFigureValue,
    Meeting,
    Page,
    Participation,
    Pillar,
    PublicationStatus,
    Sector,
    Side,
    Stakeholder,
)

PILLAR_NAMES = [
    "Promoting competitiveness and connectivity",
    "Fostering economic growth, productivity, and innovation",
    "Partnering for regional and global leadership",
]
SECTOR_NAMES = [
    "Transport",
    "Telecommunications",
    "Energy",
    "Higher education",
    "Entrepreneurship",
    "Border infrastructure",
]


fake = Faker()


def html_paragraphs(count):
    """Rich text as the editor stores it: one <p> per paragraph."""
    return factory.LazyFunction(
        lambda: "".join(f"<p>{text}</p>" for text in fake.paragraphs(nb=count))
    )


def one_day_ago():
    return timezone.now() - timedelta(days=1)


def in_thirty_days():
    return timezone.now() + timedelta(days=30)


def set_many(field_name):
    """A post-generation hook that sets a many-to-many field from a list, e.g. sectors=[a, b]."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).set(extracted)

    hook.__name__ = field_name
    return factory.post_generation(hook)


class PublishableFactory(factory.django.DjangoModelFactory):
    """Published and visible by default; `draft=True` or `scheduled=True` to hide it."""

    publication_status = PublicationStatus.PUBLISHED
    publish_at = factory.LazyFunction(one_day_ago)

    class Meta:
        abstract = True

    class Params:
        draft = factory.Trait(publication_status=PublicationStatus.DRAFT)
        scheduled = factory.Trait(
            publication_status=PublicationStatus.PUBLISHED,
            publish_at=factory.LazyFunction(in_thirty_days),
        )


class PillarFactory(factory.django.DjangoModelFactory):
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: PILLAR_NAMES[(o.number - 1) % len(PILLAR_NAMES)])
    slug = factory.Sequence(lambda n: f"pillar-{n}")
    summary = factory.Faker("sentence", nb_words=12)
    description = factory.LazyAttribute(lambda o: f"<p>{o.summary}</p>")

    class Meta:
        model = Pillar
        # Pillar numbers are few (1, 2, 3): reuse one a test created explicitly.
        django_get_or_create = ("number",)


class SectorFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"{SECTOR_NAMES[n % len(SECTOR_NAMES)]} {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")
    description = html_paragraphs(1)

    class Meta:
        model = Sector


class StakeholderFactory(PublishableFactory):
    name = factory.Faker("company")
    slug = factory.Sequence(lambda n: f"stakeholder-{n}")
    kind = Stakeholder.Kind.GOVERNMENT
    country = factory.Iterator([Side.US, Side.MX])
    website = factory.Faker("url")
    description = html_paragraphs(1)

    class Meta:
        model = Stakeholder


class MeetingFactory(PublishableFactory):
    kind = Meeting.Kind.ANNUAL
    title = factory.Sequence(lambda n: f"High-Level Economic Dialogue meeting {n}")
    slug = factory.Sequence(lambda n: f"meeting-{n}")
    status = Meeting.Status.HELD
    start = factory.Faker("date_time_between", start_date="-10y", end_date="-30d", tzinfo=UTC)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=6))
    timezone = "America/Mexico_City"
    city = "Mexico City"
    venue = factory.Faker("street_address")
    host_country = Side.MX
    summary = factory.Faker("sentence", nb_words=16)
    body = html_paragraphs(2)

    class Meta:
        model = Meeting

    class Params:
        upcoming = factory.Trait(
            status=Meeting.Status.CONFIRMED,
            start=factory.Faker("date_time_between", start_date="+30d", end_date="+1y", tzinfo=UTC),
        )


class ParticipationFactory(factory.django.DjangoModelFactory):
    meeting = factory.SubFactory(MeetingFactory)
    stakeholder = factory.SubFactory(StakeholderFactory)
    role = Participation.Role.DELEGATE
    capacity = factory.Faker("job")
    order = factory.Sequence(lambda n: n + 1)

    class Meta:
        model = Participation


class AgendaItemFactory(factory.django.DjangoModelFactory):
    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Faker("sentence", nb_words=6)
    description = html_paragraphs(1)
    pillar = factory.SubFactory(PillarFactory)
    duration = 30
    sectors = set_many("sectors")
    presenters = set_many("presenters")

    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True


class AgreementFactory(PublishableFactory):
    """An agreement; `status=…` and / or `progress=…` give it a first published update with
    that state (its state is never stored on the agreement itself)."""

    title = factory.Faker("sentence", nb_words=5)
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    kind = Agreement.Kind.AGREEMENT
    pillar = factory.SubFactory(PillarFactory)
    announced_on = factory.Faker("date_between", start_date=date(2013, 9, 20), end_date="-30d")
    origin_meeting = factory.SubFactory(MeetingFactory)
    summary = factory.Faker("sentence", nb_words=16)
    body = html_paragraphs(2)
    impact = html_paragraphs(1)
    sectors = set_many("sectors")
    agenda_items = set_many("agenda_items")

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    @classmethod
    def _generate(cls, strategy, params):
        status, progress = params.pop("status", None), params.pop("progress", None)
        agreement = super()._generate(strategy, params)
        if strategy == factory.CREATE_STRATEGY and (status is not None or progress is not None):
            AgreementUpdateFactory(
                agreement=agreement,
                date=agreement.announced_on or date(2014, 1, 1),
                title="State when recorded",
                status=status or AgreementStatus.ANNOUNCED,
                progress=progress if progress is not None else 0,
            )
        return agreement


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    agreement = factory.SubFactory(AgreementFactory)
    stakeholder = factory.SubFactory(StakeholderFactory)
    role = AgreementParty.Role.SIGNATORY
    capacity = factory.Faker("job")

    class Meta:
        model = AgreementParty


class AgreementUpdateFactory(PublishableFactory):
    """A published implementation update (`draft=True`, `scheduled=True` to hide it)."""

    agreement = factory.SubFactory(AgreementFactory)
    date = factory.Faker("date_between", start_date=date(2013, 9, 20), end_date="-1d")
    title = factory.Sequence(lambda n: f"Implementation step {n}")
    note = factory.Faker("sentence", nb_words=14)
    status = AgreementStatus.IMPLEMENTING
    progress = factory.Faker("pyint", min_value=0, max_value=99)

    class Meta:
        model = AgreementUpdate


class EvidenceFactory(factory.django.DjangoModelFactory):
    update = factory.SubFactory(AgreementUpdateFactory)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    url = factory.Sequence(lambda n: f"https://example.org/evidence-{n}.pdf")

    class Meta:
        model = Evidence


class DocumentFactory(factory.django.DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Joint statement {n}")
    slug = factory.Sequence(lambda n: f"document-{n}")
    kind = Document.Kind.JOINT_STATEMENT
    url = factory.Faker("url")
    language = Document.Language.EN
    published_on = factory.Faker("date_between", start_date=date(2013, 9, 20), end_date="-1d")
    position = factory.Sequence(lambda n: n + 1)
    meeting = factory.SubFactory(MeetingFactory)
    agreement = None

    class Meta:
        model = Document

    class Params:
        for_agreement = factory.Trait(meeting=None, agreement=factory.SubFactory(AgreementFactory))
        # A stored name only: no file is written to MEDIA_ROOT.
        with_file = factory.Trait(url="", file="documents/2015/joint-statement.pdf")


class KeyFigureFactory(PublishableFactory):
    label = factory.Sequence(lambda n: f"Bilateral trade figure {n}")
    slug = factory.Sequence(lambda n: f"key-figure-{n}")
    qualifier = "over"
    value = Decimal("500000000000.00")
    unit = "USD"
    year = 2015
    source = "U.S. Census Bureau"
    source_url = "https://www.census.gov/foreign-trade/"
    order = factory.Sequence(lambda n: n)

    class Meta:
        model = KeyFigure


class PageFactory(PublishableFactory):
    title = factory.Sequence(lambda n: f"About the initiative {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    summary = factory.Faker("sentence", nb_words=12)
    body = html_paragraphs(2)

    class Meta:
        model = Page


class KeyFigureValueFactory(factory.django.DjangoModelFactory):
    figure = factory.SubFactory(KeyFigureFactory)
    year = factory.Sequence(lambda n: 2013 + n % 10)
    value = Decimal("510000000000.00")
    source = "U.S. Census Bureau"
    source_url = "https://www.census.gov/foreign-trade/"

    class Meta:
        model = KeyFigureValue


# Public input (consultations/)

from consultations.models import Consultation, Submission  # noqa: E402


def days_from_now(days):
    return lambda: timezone.now() + timedelta(days=days)


class ConsultationFactory(PublishableFactory):
    """Published and open now by default; `upcoming`, `closed` or `answered` for the others."""

    title = factory.Sequence(lambda n: f"Public input for the {2016 + n} agenda")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    year = 2016
    summary = factory.Faker("sentence", nb_words=14)
    introduction = html_paragraphs(1)
    questions = factory.LazyFunction(lambda: "<ol><li>What should the agenda include?</li></ol>")
    opens_at = factory.LazyFunction(days_from_now(-10))
    closes_at = factory.LazyFunction(days_from_now(20))
    pillars = set_many("pillars")

    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    class Params:
        upcoming = factory.Trait(
            opens_at=factory.LazyFunction(days_from_now(5)),
            closes_at=factory.LazyFunction(days_from_now(35)),
        )
        closed = factory.Trait(
            opens_at=factory.LazyFunction(days_from_now(-60)),
            closes_at=factory.LazyFunction(days_from_now(-30)),
        )
        answered = factory.Trait(
            opens_at=factory.LazyFunction(days_from_now(-60)),
            closes_at=factory.LazyFunction(days_from_now(-30)),
            answered_at=factory.LazyFunction(days_from_now(-5)),
        )


class SubmissionFactory(factory.django.DjangoModelFactory):
    """An accepted (public) submission by default; pass `state=` for the others."""

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Shorter border crossings for trucks, idea {n}")
    text = factory.Faker("paragraph", nb_sentences=5)
    pillar = factory.SubFactory(PillarFactory)
    sender_kind = Submission.SenderKind.ASSOCIATION
    organization = factory.Faker("company")
    country = factory.Iterator([Side.US, Side.MX])
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"sender{n}@example.org")
    display = Submission.Display.NAME
    privacy_notice_version = "1"
    consented_at = factory.LazyFunction(one_day_ago)
    confirmed_at = factory.LazyFunction(one_day_ago)
    proof_of_work = True
    state = Submission.State.ACCEPTED
    text_hash = factory.Sequence(lambda n: f"{n:064x}")
    sectors = set_many("sectors")
    agenda_items = set_many("agenda_items")

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    class Params:
        answered = factory.Trait(
            answer="The co-chairs took this up in the agenda.",
            answered_at=factory.LazyFunction(one_day_ago),
        )
