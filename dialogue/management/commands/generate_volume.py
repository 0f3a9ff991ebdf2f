"""Generate realistic volume data in bulk, to measure pages at production scale."""

import random
import time
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from dialogue import cache as page_cache
from dialogue.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementUpdate,
    Document,
    Meeting,
    Participation,
    Pillar,
    PublicationStatus,
    Sector,
    Side,
    Stakeholder,
)

VOLUME_NOTE = (
    "Illustrative volume data made by `manage.py generate_volume` to measure the site at "
    "production scale; not a record of the dialogue."
)

PILLARS = [
    (1, "competitiveness-connectivity", "Promoting competitiveness and connectivity"),
    (2, "economic-growth-innovation", "Fostering economic growth, productivity, and innovation"),
    (3, "regional-global-leadership", "Partnering for regional and global leadership"),
]
SECTORS = [
    ("transport-aviation", "Transport and aviation"),
    ("telecommunications", "Telecommunications"),
    ("border-infrastructure", "Border infrastructure"),
    ("customs-trade-facilitation", "Customs and trade facilitation"),
    ("higher-education-research", "Higher education and research"),
    ("entrepreneurship-innovation", "Entrepreneurship and innovation"),
    ("energy", "Energy"),
    ("workforce-development", "Workforce development"),
    ("regulatory-cooperation", "Regulatory cooperation"),
    ("digital-economy", "Digital economy"),
    ("supply-chains", "Supply chains"),
    ("agriculture-food", "Agriculture and food"),
]
# (city, IANA zone, host country)
CITIES = [
    ("Mexico City", "America/Mexico_City", Side.MX),
    ("Monterrey", "America/Monterrey", Side.MX),
    ("Guadalajara", "America/Mexico_City", Side.MX),
    ("Tijuana", "America/Tijuana", Side.MX),
    ("Mérida", "America/Merida", Side.MX),
    ("Hermosillo", "America/Hermosillo", Side.MX),
    ("Querétaro", "America/Mexico_City", Side.MX),
    ("Washington, D.C.", "America/New_York", Side.US),
    ("El Paso", "America/Denver", Side.US),
    ("San Diego", "America/Los_Angeles", Side.US),
    ("Houston", "America/Chicago", Side.US),
    ("Laredo", "America/Chicago", Side.US),
    ("Phoenix", "America/Phoenix", Side.US),
    ("Chicago", "America/Chicago", Side.US),
]
VENUES = [
    "Secretariat of Economy",
    "Department of Commerce, Herbert C. Hoover Building",
    "Convention centre",
    "Chamber of commerce",
    "University conference hall",
    "Border crossing administration building",
    "Federal building, room 2",
    "Palacio Nacional",
]
TOPICS = [
    "cross-border trade facilitation",
    "border wait times",
    "air transport",
    "telecommunications spectrum at the border",
    "trusted trader programs",
    "higher education exchanges",
    "entrepreneurship and innovation",
    "energy integration",
    "workforce skills",
    "regulatory cooperation",
    "supply-chain resilience",
    "digital trade",
    "small-business exports",
    "infrastructure financing",
    "customs modernisation",
    "research partnerships",
]
MEETING_KINDS = [
    (Meeting.Kind.WORKING_GROUP, 75, "Working-group session on"),
    (Meeting.Kind.FORUM, 20, "Stakeholder forum on"),
    (Meeting.Kind.OTHER, 5, "Technical meeting on"),
]
AGENDA_OPENERS = [
    "Progress report on",
    "Review of",
    "Next steps for",
    "Presentation on",
    "Discussion of",
    "Stakeholder input on",
    "Update on",
    "Joint work plan for",
]
AGREEMENT_KINDS = [
    (Agreement.Kind.MEMORANDUM, 30, "Memorandum of understanding on"),
    (Agreement.Kind.INITIATIVE, 25, "Initiative on"),
    (Agreement.Kind.PROGRAM, 15, "Programme for"),
    (Agreement.Kind.AGREEMENT, 12, "Agreement on"),
    (Agreement.Kind.WORKSHOPS, 8, "Workshop series on"),
    (Agreement.Kind.INFRASTRUCTURE, 7, "Infrastructure project for"),
    (Agreement.Kind.COUNCIL, 3, "Council on"),
]
# (status, weight, progress range)
AGREEMENT_STATUSES = [
    (AgreementStatus.PROPOSED, 5, (0, 5)),
    (AgreementStatus.NEGOTIATION, 8, (0, 20)),
    (AgreementStatus.ANNOUNCED, 15, (0, 30)),
    (AgreementStatus.SIGNED, 12, (10, 40)),
    (AgreementStatus.IN_FORCE, 12, (30, 70)),
    (AgreementStatus.IMPLEMENTING, 28, (20, 95)),
    (AgreementStatus.COMPLETED, 15, (100, 100)),
    (AgreementStatus.SUSPENDED, 3, (0, 60)),
    (AgreementStatus.SUPERSEDED, 2, (0, 100)),
]
UPDATE_TITLES = [
    "Progress reported to the working group",
    "Implementation plan adopted",
    "Technical teams met",
    "Pilot phase launched",
    "Funding confirmed",
    "Milestone reached",
    "Annual review",
    "Public consultation closed",
]
STAKEHOLDER_KINDS = [
    (Stakeholder.Kind.GOVERNMENT, 3),
    (Stakeholder.Kind.AGENCY, 10),
    (Stakeholder.Kind.COMPANY, 35),
    (Stakeholder.Kind.BUSINESS, 10),
    (Stakeholder.Kind.ACADEMIC, 15),
    (Stakeholder.Kind.CIVIL, 10),
    (Stakeholder.Kind.MULTILATERAL, 2),
    (Stakeholder.Kind.PERSON, 15),
]
US_GOVERNMENT = [
    "Department of Commerce",
    "Department of State",
    "Department of Transportation",
    "Department of Homeland Security",
    "Department of Energy",
    "Department of Education",
    "Department of the Treasury",
    "Office of the United States Trade Representative",
]
MX_GOVERNMENT = [
    "Secretaría de Economía",
    "Secretaría de Relaciones Exteriores",
    "Secretaría de Hacienda y Crédito Público",
    "Secretaría de Infraestructura, Comunicaciones y Transportes",
    "Secretaría de Energía",
    "Secretaría de Educación Pública",
    "Secretaría de Agricultura y Desarrollo Rural",
    "Agencia Nacional de Aduanas de México",
]
OTHER_GOVERNMENT = [
    "Global Affairs Canada",
    "Ministry of Economy of Guatemala",
    "Ministry of Foreign Trade of Costa Rica",
]
REGIONS = [
    "Northern border",
    "Southwest",
    "Gulf coast",
    "Pacific",
    "Bajío",
    "Yucatán peninsula",
    "Great Lakes",
    "Rio Grande valley",
]
POSITIONS = [
    "Under Secretary",
    "Deputy Secretary",
    "Director General",
    "Chief Executive Officer",
    "President",
    "Rector",
    "Executive Director",
    "Senior Adviser",
    "Head of International Affairs",
]
DOCUMENT_KINDS = [
    Document.Kind.JOINT_STATEMENT,
    Document.Kind.FACT_SHEET,
    Document.Kind.MINUTES,
    Document.Kind.PRESS_RELEASE,
    Document.Kind.REPORT,
]
FIRST_DAY = datetime(2013, 9, 20, tzinfo=UTC)


def weighted(rng, table, k=1):
    """Pick `k` rows of `table` (rows whose 2nd item is a weight)."""
    return rng.choices(table, weights=[row[1] for row in table], k=k)


class Command(BaseCommand):
    """Fill the database with realistic meetings, agendas, agreements and stakeholders."""

    help = (
        "Generate volume data in bulk: per meeting, 10 agenda items, 2 agreements and half a "
        "stakeholder, with participations, parties, updates, documents, sectors and presenters. "
        "Mostly published, with a few drafts and scheduled records. Refuses to run twice "
        "unless --clear is given. Needs Faker (installed with the test dependencies)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--meetings", type=int, default=10_000, help="Meetings to create (default 10,000)."
        )
        parser.add_argument(
            "--seed", type=int, default=2013, help="Random seed, for repeatable data."
        )
        parser.add_argument(
            "--clear", action="store_true", help="Delete earlier volume data first."
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, meetings, seed, clear, batch_size, **options):
        if meetings < 1:
            raise CommandError("--meetings must be at least 1.")
        self.verbosity = options["verbosity"]
        self.batch_size = batch_size
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.started = time.monotonic()
        existing = Meeting.objects.filter(notes=VOLUME_NOTE).count()
        if existing and not clear:
            raise CommandError(
                f"Volume data already exists ({existing} meetings). "
                "Run again with --clear to replace it."
            )
        with page_cache.bulk_changes(), transaction.atomic():
            if existing:
                self.clear()
            self.make_pools(seed)
            self.pillars = self.ensure_pillars()
            self.sectors = self.ensure_sectors()
            self.make_stakeholders(max(20, meetings // 2))
            self.make_meetings(meetings)
            self.make_agreements(meetings * 2)
        self.refresh_statistics()
        self.say(f"Done in {time.monotonic() - self.started:.0f} s.", always=True)

    def refresh_statistics(self):
        """Let the query planner see the new rows at once (autovacuum would, minutes later).

        On PostgreSQL, VACUUM also marks the pages all-visible, so counts can be answered from
        indexes alone; it cannot run inside a transaction (as under the test runner).
        """
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        self.say("Planner statistics refreshed.")

    def say(self, message, always=False):
        if self.verbosity >= 2 or (always and self.verbosity >= 1):
            self.stdout.write(f"[{time.monotonic() - self.started:6.1f} s] {message}")

    def create(self, model, objects):
        return model.objects.bulk_create(objects, batch_size=self.batch_size)

    def clear(self):
        """Delete the records an earlier run made, and everything hanging from them."""
        for model in (Agreement, Meeting, Stakeholder):
            deleted, _ = model.objects.filter(notes=VOLUME_NOTE).delete()
            self.say(f"Deleted {deleted} rows with the {model._meta.verbose_name_plural}.")
        Document.objects.filter(slug__startswith="vol-").delete()

    def make_pools(self, seed):
        """Precompute text with Faker once; per-object Faker calls are far too slow at scale."""
        try:
            from faker import Faker
        except ImportError as error:  # pragma: no cover - Faker ships with the test extras
            raise CommandError("generate_volume needs Faker: pip install Faker") from error
        fake = Faker(["en_US", "es_MX"])
        fake.seed_instance(seed)
        self.sentences = [fake.sentence(nb_words=14) for _ in range(400)]
        self.paragraphs = ["<p>" + " ".join(fake.sentences(nb=4)) + "</p>" for _ in range(300)]
        self.companies = [fake.company() for _ in range(1500)]
        self.people = [fake.name() for _ in range(1500)]
        self.last_names = [fake.last_name() for _ in range(300)]

    def text(self, paragraphs):
        return "".join(self.rng.sample(self.paragraphs, paragraphs))

    def publication(self, when):
        """Mostly published at `when`; 3 % drafts, 2 % scheduled for the coming weeks.

        Bulk inserts skip the save signals, so `first_published_at` is set as they would.
        """
        roll = self.rng.random()
        if roll < 0.03:
            status, publish_at = PublicationStatus.DRAFT, when
        elif roll < 0.05:
            status = PublicationStatus.PUBLISHED
            publish_at = self.now + timedelta(days=self.rng.uniform(1, 60))
        else:
            status, publish_at = PublicationStatus.PUBLISHED, min(when, self.now)
        return {
            "publication_status": status,
            "publish_at": publish_at,
            "first_published_at": publish_at if status == PublicationStatus.PUBLISHED else None,
        }

    def update_publication(self, agreement):
        """An update is published with its agreement; 3 % are drafts awaiting review."""
        if self.rng.random() < 0.03:
            return {"publication_status": PublicationStatus.DRAFT, "publish_at": self.now}
        return {
            "publication_status": PublicationStatus.PUBLISHED,
            "publish_at": agreement.publish_at,
            "first_published_at": agreement.publish_at,  # as the save signals would set it
        }

    def ensure_pillars(self):
        pillars = []
        for number, slug, name in PILLARS:
            pillar, _ = Pillar.objects.get_or_create(
                number=number,
                defaults={"slug": slug, "name": name, "summary": name + ".", "description": ""},
            )
            pillars.append(pillar)
        return pillars

    def ensure_sectors(self):
        sectors = []
        for slug, name in SECTORS:
            sector = (
                Sector.objects.filter(slug=slug).first() or Sector.objects.filter(name=name).first()
            )
            if sector is None:
                sector = Sector.objects.create(slug=slug, name=name)
            sectors.append(sector)
        return sectors

    def make_stakeholders(self, count):
        rng = self.rng
        rows = []
        kinds = weighted(rng, STAKEHOLDER_KINDS, k=count)
        # The first few are the departments and secretariats that chair most meetings.
        kinds[:8] = [(Stakeholder.Kind.GOVERNMENT, 0)] * min(8, count)
        for i, (kind, _) in enumerate(kinds):
            country = (
                (Side.US, Side.MX)[i % 2]
                if i < 8
                else rng.choices([Side.US, Side.MX, Side.OTHER], weights=[45, 45, 10])[0]
            )
            position = ""
            acronym = ""
            if kind == Stakeholder.Kind.PERSON:
                name = rng.choice(self.people)
                position = rng.choice(POSITIONS)
            elif kind == Stakeholder.Kind.GOVERNMENT:
                names = {Side.US: US_GOVERNMENT, Side.MX: MX_GOVERNMENT}.get(
                    country, OTHER_GOVERNMENT
                )
                name = names[i // 2] if i < 8 else f"{rng.choice(names)}, {rng.choice(REGIONS)}"
            elif kind == Stakeholder.Kind.AGENCY:
                name = f"{rng.choice(TOPICS).capitalize()} Administration ({i + 1})"
                acronym = "".join(word[0] for word in name.split()[:3]).upper()
            elif kind == Stakeholder.Kind.ACADEMIC:
                city = rng.choice(CITIES)[0]
                name = f"University of {rng.choice(self.last_names)}, {city}"
            elif kind == Stakeholder.Kind.BUSINESS:
                name = f"{rng.choice(TOPICS).capitalize()} Business Council"
            elif kind == Stakeholder.Kind.CIVIL:
                name = f"Fundación {rng.choice(self.last_names)}"
            elif kind == Stakeholder.Kind.MULTILATERAL:
                name = f"Regional {rng.choice(TOPICS)} commission"
            else:
                name = rng.choice(self.companies)
            publication = (
                {
                    "publication_status": PublicationStatus.PUBLISHED,
                    "publish_at": FIRST_DAY,
                    "first_published_at": FIRST_DAY,
                }
                if i < 8
                else self.publication(FIRST_DAY + timedelta(days=rng.uniform(0, 4000)))
            )
            rows.append(
                Stakeholder(
                    name=name,
                    slug=f"vol-{slugify(name)[:200]}-{i + 1}",
                    acronym=acronym,
                    kind=kind,
                    country=country,
                    position=position,
                    website=f"https://www.example.org/{slugify(name)[:40]}",
                    description=self.text(1),
                    notes=VOLUME_NOTE,
                    **publication,
                )
            )
        self.stakeholders = self.create(Stakeholder, rows)
        # Agencies belong to a department; people to an organisation.
        organisations = [s for s in self.stakeholders if s.kind != Stakeholder.Kind.PERSON]
        governments = [s for s in self.stakeholders if s.kind == Stakeholder.Kind.GOVERNMENT]
        changed = []
        for stakeholder in self.stakeholders:
            if stakeholder.kind == Stakeholder.Kind.AGENCY:
                stakeholder.parent = rng.choice(governments)
            elif stakeholder.kind == Stakeholder.Kind.PERSON:
                stakeholder.parent = rng.choice(organisations)
            else:
                continue
            changed.append(stakeholder)
        Stakeholder.objects.bulk_update(changed, ["parent"], batch_size=self.batch_size)
        self.us_chairs = [s for s in governments if s.country == Side.US]
        self.mx_chairs = [s for s in governments if s.country == Side.MX]
        # A few bodies take part in many meetings, most in a handful: a long-tailed choice.
        self.stakeholder_weights = list(
            accumulate(1.0 / (rank + 1) ** 0.6 for rank in range(len(rows)))
        )
        self.say(f"{len(rows)} stakeholders.")

    def pick_stakeholders(self, k, exclude=()):
        picked = {s.pk: s for s in exclude}
        k = min(k, len(self.stakeholders) - len(picked))
        extra = []
        while len(extra) < k:
            for stakeholder in self.rng.choices(
                self.stakeholders, cum_weights=self.stakeholder_weights, k=k
            ):
                if stakeholder.pk not in picked and len(extra) < k:
                    picked[stakeholder.pk] = stakeholder
                    extra.append(stakeholder)
        return extra

    def make_meetings(self, count):
        rng = self.rng
        span = (self.now + timedelta(days=730) - FIRST_DAY).total_seconds()
        self.meeting_items = {}
        self.meetings = []
        for first in range(0, count, 1000):
            chunk = []
            for i in range(first, min(first + 1000, count)):
                kind, _, label = weighted(rng, MEETING_KINDS)[0]
                topic = rng.choice(TOPICS)
                city, zone, country = rng.choice(CITIES)
                start = FIRST_DAY + timedelta(seconds=rng.uniform(0, span))
                start = start.replace(minute=0, second=0, microsecond=0)
                if start > self.now:
                    status = rng.choice([Meeting.Status.CONFIRMED, Meeting.Status.TENTATIVE])
                else:
                    status = rng.choices(
                        [Meeting.Status.HELD, Meeting.Status.POSTPONED, Meeting.Status.CANCELLED],
                        weights=[94, 3, 3],
                    )[0]
                title = f"{label} {topic}, {city} {start.year}"
                publication = self.publication(start - timedelta(days=20))
                chunk.append(
                    Meeting(
                        kind=kind,
                        title=title,
                        slug=f"vol-{slugify(title)[:200]}-{i + 1}",
                        status=status,
                        start=start,
                        end=start + timedelta(hours=rng.choice([3, 4, 6, 8, 30])),
                        date_precision=Meeting.Precision.TIME,
                        timezone=zone,
                        city=city,
                        venue=rng.choice(VENUES),
                        host_country=country,
                        summary=rng.choice(self.sentences),
                        body=self.text(3),
                        notes=VOLUME_NOTE,
                        **publication,
                    )
                )
            for meeting in chunk:
                meeting.set_derived_fields()  # bulk inserts skip the save signals
            chunk = self.create(Meeting, chunk)
            self.meetings.extend((m.pk, m.start, m.slug) for m in chunk)
            self.make_agendas(chunk)
            self.make_participations(chunk)
            self.make_meeting_documents(chunk)
            self.say(f"{len(self.meetings)} meetings with agendas and participants.")

    def make_agendas(self, meetings):
        rng = self.rng
        top, sub = [], []
        for meeting in meetings:
            for position in range(1, 9):
                topic = rng.choice(TOPICS)
                top.append(
                    AgendaItem(
                        meeting=meeting,
                        position=position,
                        title=f"{rng.choice(AGENDA_OPENERS)} {topic}",
                        description=self.text(1),
                        pillar=rng.choice(self.pillars),
                        duration=rng.choice([15, 20, 30, 45, 60, None]),
                        outcome=rng.choice(self.sentences) if meeting.status == "held" else "",
                    )
                )
        top = self.create(AgendaItem, top)
        by_meeting = {}
        for item in top:
            by_meeting.setdefault(item.meeting_id, []).append(item)
        for meeting_id, items in by_meeting.items():
            for position, parent in ((9, items[1]), (10, items[4])):
                sub.append(
                    AgendaItem(
                        meeting_id=meeting_id,
                        position=position,
                        parent=parent,
                        title=f"{rng.choice(AGENDA_OPENERS)} {rng.choice(TOPICS)}",
                        description=self.text(1),
                        pillar=parent.pillar,
                        duration=rng.choice([10, 15, 20]),
                    )
                )
        sub = self.create(AgendaItem, sub)
        sectors_through = AgendaItem.sectors.through
        presenters_through = AgendaItem.presenters.through
        sector_rows, presenter_rows = [], []
        for item in top + sub:
            for sector in rng.sample(self.sectors, rng.choice([1, 2, 2, 3])):
                sector_rows.append(sectors_through(agendaitem_id=item.pk, sector_id=sector.pk))
            for stakeholder in self.pick_stakeholders(rng.choice([0, 1, 1, 2])):
                presenter_rows.append(
                    presenters_through(agendaitem_id=item.pk, stakeholder_id=stakeholder.pk)
                )
            self.meeting_items.setdefault(item.meeting_id, []).append(item.pk)
        self.create(sectors_through, sector_rows)
        self.create(presenters_through, presenter_rows)

    def make_participations(self, meetings):
        rng = self.rng
        rows = []
        for meeting in meetings:
            chairs = [rng.choice(self.us_chairs), rng.choice(self.mx_chairs)]
            for order, chair in enumerate(chairs, start=1):
                rows.append(
                    Participation(
                        meeting=meeting,
                        stakeholder=chair,
                        role=Participation.Role.CO_CHAIR,
                        side=chair.country,
                        capacity="Co-chair",
                        order=order,
                    )
                )
            others = self.pick_stakeholders(rng.randint(4, 8), exclude=chairs)
            for order, stakeholder in enumerate(others, start=len(chairs) + 1):
                rows.append(
                    Participation(
                        meeting=meeting,
                        stakeholder=stakeholder,
                        role=rng.choices(
                            [
                                Participation.Role.HEAD,
                                Participation.Role.DELEGATE,
                                Participation.Role.SPEAKER,
                                Participation.Role.OBSERVER,
                            ],
                            weights=[10, 60, 20, 10],
                        )[0],
                        side=stakeholder.country,
                        capacity=stakeholder.position or rng.choice(POSITIONS),
                        order=order,
                    )
                )
        self.create(Participation, rows)

    def document(self, owner_slug, number, published_on, **owner):
        kind = self.rng.choice(DOCUMENT_KINDS)
        slug = f"vol-{owner_slug[4:200]}-{kind}-{number}"
        return Document(
            title=f"{Document.Kind(kind).label}: {self.rng.choice(TOPICS)}",
            slug=slug,
            kind=kind,
            url=f"https://documents.example.org/hled/{slug}.pdf",
            language=self.rng.choice(["en", "es", "en-es"]),
            published_on=published_on,
            position=number + 1,
            **owner,
        )

    def make_meeting_documents(self, meetings):
        rows = []
        for meeting in meetings:
            if meeting.start > self.now:
                continue
            for number in range(self.rng.choice([1, 1, 2])):
                rows.append(
                    self.document(meeting.slug, number, meeting.start.date(), meeting=meeting)
                )
        self.create(Document, rows)

    def make_agreements(self, count):
        rng = self.rng
        today = self.now.date()
        past_meetings = [m for m in self.meetings if m[1] <= self.now]
        agreements = []
        for i in range(count):
            kind, _, label = weighted(rng, AGREEMENT_KINDS)[0]
            status, _, (low, high) = weighted(rng, AGREEMENT_STATUSES)[0]
            meeting_id, start, _ = rng.choice(past_meetings)
            announced = start.date()
            signed = in_force = completed = None
            if status not in (AgreementStatus.PROPOSED, AgreementStatus.NEGOTIATION):
                signed = min(today, announced + timedelta(days=rng.randint(0, 200)))
                if status not in (AgreementStatus.ANNOUNCED, AgreementStatus.SIGNED):
                    in_force = min(today, signed + timedelta(days=rng.randint(0, 300)))
                if status == AgreementStatus.COMPLETED:
                    completed = min(today, in_force + timedelta(days=rng.randint(30, 900)))
            title = f"{label} {rng.choice(TOPICS)}"
            publication = self.publication(start + timedelta(days=1))
            agreement = Agreement(
                title=title,
                slug=f"vol-{slugify(title)[:200]}-{i + 1}",
                reference=f"HLED-{announced.year}-{i + 1:05d}",
                kind=kind,
                pillar=rng.choice(self.pillars),
                announced_on=announced if status != AgreementStatus.PROPOSED else None,
                signed_on=signed,
                in_force_on=in_force,
                completed_on=completed,
                origin_meeting_id=meeting_id,
                summary=rng.choice(self.sentences),
                body=self.text(3),
                impact=self.text(1),
                notes=VOLUME_NOTE,
                **publication,
            )
            # The state its updates will lead to (the agreement stores none of its own).
            agreement.target = (status, rng.randint(low, high))
            agreements.append(agreement)
        targets = [agreement.target for agreement in agreements]
        agreements = self.create(Agreement, agreements)
        for agreement, target in zip(agreements, targets, strict=True):
            agreement.target = target
        self.say(f"{len(agreements)} agreements.")
        self.make_agreement_relations(agreements, today)

    def make_agreement_relations(self, agreements, today):
        rng = self.rng
        sectors_through = Agreement.sectors.through
        items_through = Agreement.agenda_items.through
        sector_rows, item_rows, parties, updates, documents = [], [], [], [], []
        meeting_ids = [m[0] for m in self.meetings if m[1] <= self.now]
        for agreement in agreements:
            for sector in rng.sample(self.sectors, rng.choice([1, 2, 2, 3])):
                sector_rows.append(sectors_through(agreement_id=agreement.pk, sector_id=sector.pk))
            for item_id in rng.sample(self.meeting_items[agreement.origin_meeting_id], 1):
                item_rows.append(items_through(agreement_id=agreement.pk, agendaitem_id=item_id))
            chairs = [rng.choice(self.us_chairs), rng.choice(self.mx_chairs)]
            signatories = chairs + self.pick_stakeholders(rng.randint(0, 3), exclude=chairs)
            for number, stakeholder in enumerate(signatories):
                parties.append(
                    AgreementParty(
                        agreement=agreement,
                        stakeholder=stakeholder,
                        role=AgreementParty.Role.SIGNATORY
                        if number < 2
                        else rng.choice([AgreementParty.Role.LEAD, AgreementParty.Role.PARTNER]),
                        side=stakeholder.country,
                        capacity=stakeholder.position or rng.choice(POSITIONS),
                        signed_on=agreement.signed_on if number < 2 else None,
                    )
                )
            first = agreement.announced_on or date(2014, 1, 1)
            days = max(1, (today - first).days)
            offsets = sorted(rng.sample(range(days), min(days, 4)))[: rng.randint(1, 4)]
            status, progress = agreement.target
            for number, offset in enumerate(offsets):
                last = number == len(offsets) - 1
                step_progress = progress if last else progress * (number + 1) // (len(offsets) + 1)
                step_status = status if last else AgreementStatus.IMPLEMENTING
                if not last and status in (AgreementStatus.PROPOSED, AgreementStatus.NEGOTIATION):
                    step_status = status
                update = AgreementUpdate(
                    agreement=agreement,
                    date=first + timedelta(days=offset),
                    title=rng.choice(UPDATE_TITLES),
                    note=rng.choice(self.sentences),
                    status=step_status,
                    progress=step_progress,
                    meeting_id=rng.choice(meeting_ids) if rng.random() < 0.3 else None,
                    confirmed_at=self.now,
                    **self.update_publication(agreement),
                )
                if rng.random() < 0.6:  # a part of each side's own
                    for prefix in ("us", "mx"):
                        spread = rng.randint(-10, 10) if step_progress < 100 else 0
                        setattr(update, f"{prefix}_status", step_status)
                        setattr(
                            update, f"{prefix}_progress", max(0, min(100, step_progress + spread))
                        )
                update.set_derived_fields()  # bulk inserts skip the save signals
                updates.append(update)
            documents.append(
                self.document(agreement.slug, 0, agreement.announced_on, agreement=agreement)
            )
        self.create(sectors_through, sector_rows)
        self.create(items_through, item_rows)
        self.create(AgreementParty, parties)
        self.create(AgreementUpdate, updates)
        # Bulk inserts skip the save signals: store each agreement's state in one UPDATE.
        Agreement.objects.filter(notes=VOLUME_NOTE).refresh_state()
        self.create(Document, documents)
        self.say(
            f"{len(parties)} parties, {len(updates)} updates, {len(documents)} agreement documents."
        )
