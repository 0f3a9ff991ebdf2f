"""The HLED domain: meetings, their agendas and participants, stakeholders and agreements."""

from functools import cached_property
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .richtext import RichTextField
from .timezones import TIMEZONE_CHOICES, TIMEZONE_NAMES, validate_timezone


class Side(models.TextChoices):
    """Which side of the dialogue a stakeholder belongs to."""

    US = "US", _("United States")
    MX = "MX", _("Mexico")
    OTHER = "OTHER", _("Other")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishableQuerySet(models.QuerySet):
    """Reads shared by every publishable model."""

    def published(self):
        """Records a visitor may see: published, and their publication time has come."""
        return self.filter(
            publication_status=PublicationStatus.PUBLISHED, publish_at__lte=timezone.now()
        )

    def drafts(self):
        return self.filter(publication_status=PublicationStatus.DRAFT)

    def scheduled(self):
        return self.filter(
            publication_status=PublicationStatus.PUBLISHED, publish_at__gt=timezone.now()
        )

    def visible_to(self, user):
        """What `user` may open: everything for staff (as a preview), else `published()`."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()


class SlugManager(models.Manager.from_queryset(PublishableQuerySet)):
    """Manager for models whose natural key is their slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Raised by one on every save (dialogue/signals.py), whatever the saving code puts here:
    # the admin refuses a form opened at an older version (optimistic locking).
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by one on every save; used to detect conflicting edits."),
    )

    class Meta:
        abstract = True


class Publishable(TimeStamped):
    """Base for content that is drafted by staff and published to visitors."""

    publication_status = models.CharField(
        _("publication"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
        help_text=_("Drafts are only visible to staff. Published records appear on the site."),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        db_index=True,
        help_text=_("When a published record becomes visible. Set a future time to schedule it."),
    )
    first_published_at = models.DateTimeField(
        _("first published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When visitors could first see the record; empty while it never was public."),
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return (
            self.publication_status == PublicationStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.publication_status == PublicationStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    def natural_key(self):
        return (self.slug,)


def publish_permission(model_name, plural):
    """The custom permission of Publishers: publish, unpublish and schedule records, and change
    or delete published ones (dialogue/workflow.py). Stored in English, like Django's own."""
    return (f"publish_{model_name}", f"Can publish, unpublish and schedule {plural}")


class PillarManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class Pillar(TimeStamped):
    """One of the dialogue's three strategic pillars."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, help_text=_("Order of the pillar: 1, 2, 3.")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, help_text=_("Used in the URL."))
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences."))
    description = RichTextField(_("description"), help_text=_("Shown on the pillar's page."))

    objects = PillarManager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")

    def __str__(self):
        return f"{self.number}. {self.name}"

    def get_absolute_url(self):
        return reverse("dialogue:pillar-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.number,)


class SectorManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Sector(TimeStamped):
    """A shared economic sector, such as transport or telecommunications."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = RichTextField(_("description"), help_text=_("Optional longer description."))

    objects = SectorManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Stakeholder(Publishable):
    """An actor in the dialogue: a government body, company, university, group or person."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department or secretariat")
        AGENCY = "agency", _("Government agency")
        COMPANY = "company", _("Company")
        BUSINESS = "business", _("Business association")
        ACADEMIC = "academic", _("University or research center")
        CIVIL = "civil", _("Civil-society organization")
        MULTILATERAL = "multilateral", _("Multilateral body")
        PERSON = "person", _("Person")

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, help_text=_("Used in the URL."))
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    country = models.CharField(
        _("country"), max_length=5, choices=Side.choices, default=Side.OTHER, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text=_(
            "The organization this one is part of: the department an agency belongs to, "
            "or the organization a person works for."
        ),
    )
    position = models.CharField(
        pgettext_lazy("a person's job", "position"),
        max_length=255,
        blank=True,
        help_text=_('For people: their current title, e.g. "Secretary of Commerce".'),
    )
    website = models.URLField(_("website"), blank=True)
    description = RichTextField(_("description"))
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        permissions = [publish_permission("stakeholder", "stakeholders")]
        indexes = [
            models.Index(fields=["country", "kind"]),
            # The directory is ordered by name in the visitor's language.
            models.Index(fields=["name_en"], name="stakeholder_name_en"),
            models.Index(fields=["name_es"], name="stakeholder_name_es"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("dialogue:stakeholder-detail", kwargs={"slug": self.slug})


def count_of(queryset, group_by):
    """The number of rows of a correlated `queryset`, as an expression (0 when none)."""
    counted = queryset.order_by().values(group_by).annotate(count=Count("pk")).values("count")
    return Coalesce(models.Subquery(counted), 0)


class MeetingQuerySet(PublishableQuerySet):
    def upcoming(self):
        """Meetings still ahead: in the future, or tentative / confirmed but not yet held."""
        ahead = Q(start__gte=timezone.now()) | Q(
            status__in=[Meeting.Status.TENTATIVE, Meeting.Status.CONFIRMED]
        )
        return self.filter(ahead).exclude(status=Meeting.Status.CANCELLED).order_by("start")

    def past(self):
        return self.filter(start__lt=timezone.now()).order_by("-start")

    def with_counts(self):
        """Annotate agenda-item and published-agreement counts (one query, no N+1).

        Correlated subqueries, not joins with GROUP BY: the database counts for the rows it
        returns (one page), not for every meeting before sorting and slicing.
        """
        agenda = AgendaItem.objects.filter(meeting=models.OuterRef("pk"))
        agreements = Agreement.objects.published().filter(origin_meeting=models.OuterRef("pk"))
        return self.annotate(
            agenda_count=count_of(agenda, "meeting"),
            agreement_count=count_of(agreements, "origin_meeting"),
        )


class Meeting(Publishable):
    """One meeting of the dialogue: the annual cabinet-level meeting or a working session."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual cabinet-level meeting")
        WORKING_GROUP = "working-group", _("Working-group session")
        FORUM = "forum", _("Stakeholder forum")
        OTHER = "other", _("Other meeting")

    class Status(models.TextChoices):
        TENTATIVE = "tentative", _("Tentative")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    class Precision(models.TextChoices):
        TIME = "time", _("Date and time")
        DAY = "day", _("Day only")
        MONTH = "month", _("Month only")
        YEAR = "year", _("Year only")

    edition = models.PositiveSmallIntegerField(
        _("edition"),
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "Number of the annual meeting (1 for the first, 2 for the second). "
            "Leave empty for other meetings."
        ),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL, db_index=True
    )
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, help_text=_("Used in the URL."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TENTATIVE, db_index=True
    )
    start = models.DateTimeField(
        _("start"),
        db_index=True,
        help_text=_(
            "When the meeting starts, in the host city's time. For a tentative meeting, "
            "the first day of the planned period, with the precision set below."
        ),
    )
    end = models.DateTimeField(
        _("end"), null=True, blank=True, help_text=_("Optional; never before the start.")
    )
    date_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=Precision.choices,
        default=Precision.TIME,
        help_text=_("How much of the start is known. Visitors see only that much."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIMEZONE_CHOICES,
        default="America/Mexico_City",
        validators=[validate_timezone],
        help_text=_("IANA time zone of the host city, e.g. America/New_York."),
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    host_country = models.CharField(
        _("host country"), max_length=5, choices=Side.choices, default=Side.MX, db_index=True
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One paragraph shown in lists and at the top.")
    )
    body = RichTextField(_("body"), help_text=_("The full account of the meeting."))
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    objects = SlugManager.from_queryset(MeetingQuerySet)()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [publish_permission("meeting", "meetings")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="meeting_end_not_before_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(timezone__in=TIMEZONE_NAMES),
                name="meeting_timezone_exists",
                violation_error_message=_("Unknown time zone."),
            ),
        ]
        indexes = [models.Index(fields=["publication_status", "publish_at", "start"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogue:meeting-detail", kwargs={"slug": self.slug})

    @cached_property
    def tzinfo(self):
        return ZoneInfo(self.timezone)

    @property
    def local_start(self):
        return timezone.localtime(self.start, self.tzinfo) if self.start else None

    @property
    def local_end(self):
        return timezone.localtime(self.end, self.tzinfo) if self.end else None

    @property
    def timezone_abbreviation(self):
        """The zone's abbreviation at the meeting's start, e.g. CDT or EST."""
        return self.local_start.tzname() if self.start else ""

    @property
    def year(self):
        return self.local_start.year if self.start else None

    @property
    def has_time(self):
        return self.date_precision == self.Precision.TIME

    @property
    def is_multi_day(self):
        return bool(self.end) and self.local_end.date() != self.local_start.date()


class SideFromStakeholder(TimeStamped):
    """A stakeholder's part in something; its side defaults to the stakeholder's country."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.side and self.stakeholder_id:
            self.side = self.stakeholder.country
        super().save(*args, **kwargs)


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, meeting_slug, stakeholder_slug):
        return self.get(meeting__slug=meeting_slug, stakeholder__slug=stakeholder_slug)


class Participation(SideFromStakeholder):
    """A stakeholder's part in a meeting."""

    class Role(models.TextChoices):
        CO_CHAIR = "co-chair", _("Co-chair")
        HEAD = "head", _("Head of delegation")
        DELEGATE = "delegate", _("Delegate")
        SPEAKER = "speaker", _("Speaker")
        OBSERVER = "observer", _("Observer")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participations"
    )
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("stakeholder"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.DELEGATE, db_index=True
    )
    side = models.CharField(
        _("side"),
        max_length=5,
        choices=Side.choices,
        blank=True,
        help_text=_("Leave empty to use the stakeholder's country."),
    )
    capacity = models.CharField(
        _("capacity"),
        max_length=255,
        blank=True,
        help_text=_('The office held at this meeting, e.g. "Secretary of Commerce".'),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Order within the role; lower first.")
    )

    objects = ParticipationManager()

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "stakeholder"],
                name="participation_unique_per_meeting",
                violation_error_message=_("This stakeholder already takes part in this meeting."),
            )
        ]

    def __str__(self):
        return f"{self.stakeholder} — {self.get_role_display()} ({self.meeting})"

    def natural_key(self):
        return (self.meeting.slug, self.stakeholder.slug)

    natural_key.dependencies = ["dialogue.meeting", "dialogue.stakeholder"]


class AgendaItemManager(models.Manager):
    def get_by_natural_key(self, meeting_slug, position):
        return self.get(meeting__slug=meeting_slug, position=position)


class AgendaItem(TimeStamped):
    """One item on a meeting's agenda."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order on the agenda (1, 2, 3…), unique within the meeting.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sub-item of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("For a sub-item: the item it belongs to."),
    )
    title = models.CharField(_("title"), max_length=255)
    description = RichTextField(_("description"))
    pillar = models.ForeignKey(
        Pillar,
        verbose_name=_("pillar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="agenda_items"
    )
    presenters = models.ManyToManyField(
        Stakeholder, verbose_name=_("presenters"), blank=True, related_name="presented_items"
    )
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, help_text=_("Optional.")
    )
    outcome = models.TextField(
        _("outcome"), blank=True, help_text=_("What was decided or reported under this item.")
    )

    objects = AgendaItemManager()

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_position_unique_per_meeting",
                violation_error_message=_("Another item of this meeting has this position."),
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def natural_key(self):
        return (self.meeting.slug, self.position)

    natural_key.dependencies = ["dialogue.meeting"]

    def clean(self):
        if self.parent_id and self.parent.meeting_id != self.meeting_id:
            raise ValidationError({"parent": _("A sub-item must belong to the same meeting.")})


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    NEGOTIATION = "negotiation", _("Under negotiation")
    ANNOUNCED = "announced", _("Announced")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in-force", _("In force")
    IMPLEMENTING = "implementing", _("Being implemented")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    SUPERSEDED = "superseded", _("Superseded")


def percent_field(verbose_name, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Implementation progress, 0 to 100 per cent."),
        **kwargs,
    )


class AgreementQuerySet(PublishableQuerySet):
    def with_related(self):
        return self.select_related("pillar", "origin_meeting")


class Agreement(Publishable):
    """An outcome of the dialogue: an agreement, memorandum, initiative, program …"""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        MEMORANDUM = "memorandum", _("Memorandum of understanding")
        INITIATIVE = "initiative", _("Initiative")
        PROGRAM = "program", _("Program")
        COUNCIL = "council", _("Council")
        WORKSHOPS = "workshops", _("Workshop series")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure project")

    Status = AgreementStatus

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, help_text=_("Used in the URL."))
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Official reference, if any.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    pillar = models.ForeignKey(
        Pillar,
        verbose_name=_("pillar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="agreements"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PROPOSED,
        db_index=True,
    )
    announced_on = models.DateField(_("announced on"), null=True, blank=True, db_index=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    origin_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("announced at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
        help_text=_("The meeting where it was announced."),
    )
    agenda_items = models.ManyToManyField(
        AgendaItem,
        verbose_name=_("agenda items"),
        blank=True,
        related_name="agreements",
        help_text=_("Agenda items under which it was discussed."),
    )
    progress = percent_field(_("progress"), default=0)
    summary = models.TextField(_("summary"), blank=True, help_text=_("One paragraph for lists."))
    body = RichTextField(_("body"), help_text=_("The full description."))
    impact = RichTextField(_("impact"), help_text=_("Who benefits and how."))
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    objects = SlugManager.from_queryset(AgreementQuerySet)()

    class Meta:
        ordering = ["-announced_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        permissions = [publish_permission("agreement", "agreements")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="agreement_progress_0_100",
                violation_error_message=_("Progress must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(announced_on__isnull=True)
                | Q(completed_on__gte=models.F("announced_on")),
                name="agreement_completed_not_before_announced",
                violation_error_message=_("Completion cannot be before the announcement."),
            ),
            models.CheckConstraint(
                condition=Q(in_force_on__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(in_force_on__gte=models.F("signed_on")),
                name="agreement_in_force_not_before_signed",
                violation_error_message=_("Entry into force cannot be before signature."),
            ),
        ]
        # Lists show the newest first, those not yet announced last: on PostgreSQL that order
        # needs indexes declared DESC NULLS LAST, which SQLite cannot declare (nor needs), so
        # migration 0006_public_list_indexes creates them there only.
        indexes = [
            models.Index(fields=["publication_status", "publish_at", "announced_on"]),
            # A pillar's status breakdown counts its published agreements by status.
            models.Index(
                fields=["pillar", "publication_status", "publish_at", "status"],
                name="agreement_pillar_status",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogue:agreement-detail", kwargs={"slug": self.slug})

    @property
    def key_dates(self):
        """(label, date) pairs of the dates that are known, in order."""
        pairs = [
            (_("Announced"), self.announced_on),
            (_("Signed"), self.signed_on),
            (_("In force"), self.in_force_on),
            (_("Completed"), self.completed_on),
        ]
        return [(label, date) for label, date in pairs if date]


class AgreementPartyManager(models.Manager):
    def get_by_natural_key(self, agreement_slug, stakeholder_slug):
        return self.get(agreement__slug=agreement_slug, stakeholder__slug=stakeholder_slug)


class AgreementParty(SideFromStakeholder):
    """A stakeholder's part in an agreement."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory")
        LEAD = "lead", _("Lead agency")
        PARTNER = "partner", _("Implementing partner")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    stakeholder = models.ForeignKey(
        Stakeholder,
        verbose_name=_("stakeholder"),
        on_delete=models.CASCADE,
        related_name="agreement_parties",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEAD)
    side = models.CharField(
        _("side"),
        max_length=5,
        choices=Side.choices,
        blank=True,
        help_text=_("Leave empty to use the stakeholder's country."),
    )
    capacity = models.CharField(
        _("capacity"), max_length=255, blank=True, help_text=_("The office held when signing.")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    objects = AgreementPartyManager()

    class Meta:
        ordering = ["agreement", "role", "id"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "stakeholder"],
                name="party_unique_per_agreement",
                violation_error_message=_("This stakeholder is already a party."),
            )
        ]

    def __str__(self):
        return f"{self.stakeholder} — {self.get_role_display()}"

    def natural_key(self):
        return (self.agreement.slug, self.stakeholder.slug)

    natural_key.dependencies = ["dialogue.agreement", "dialogue.stakeholder"]


class AgreementUpdateManager(models.Manager):
    def get_by_natural_key(self, agreement_slug, date, title):
        return self.get(agreement__slug=agreement_slug, date=date, title_en=title)


class AgreementUpdate(TimeStamped):
    """One dated step of an agreement's implementation timeline."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("title"), max_length=255)
    note = models.TextField(_("note"), blank=True, help_text=_("What happened, in a few lines."))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AgreementStatus.choices,
        blank=True,
        help_text=_("The agreement's status after this step, if it changed."),
    )
    progress = percent_field(_("progress"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("reported at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreement_updates",
        help_text=_("The meeting where this step was reported, if any."),
    )

    objects = AgreementUpdateManager()

    class Meta:
        ordering = ["agreement", "date", "id"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        get_latest_by = "date"
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | (Q(progress__gte=0) & Q(progress__lte=100)),
                name="update_progress_0_100",
                violation_error_message=_("Progress must be between 0 and 100."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "date", "title"],
                name="update_unique_per_agreement_date_title",
                violation_error_message=_("This update is already recorded."),
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} — {self.title}"

    def natural_key(self):
        # The English title: required, and the same whatever language is active.
        return (self.agreement.slug, self.date.isoformat(), self.title_en)

    natural_key.dependencies = ["dialogue.agreement"]


class DocumentManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Document(TimeStamped):
    """A document or link attached to a meeting or an agreement."""

    class Kind(models.TextChoices):
        JOINT_STATEMENT = "joint-statement", _("Joint statement")
        FACT_SHEET = "fact-sheet", _("Fact sheet")
        MINUTES = "minutes", _("Minutes")
        PRESS_RELEASE = "press-release", _("Press release")
        AGREEMENT_TEXT = "agreement-text", _("Agreement text")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        EN = "en", _("English")
        ES = "es", _("Spanish")
        BOTH = "en-es", _("English and Spanish")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=255, unique=True, help_text=_("A unique identifier.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A link to the document. Give a link or upload a file, not both."),
    )
    file = models.FileField(
        _("file"),
        upload_to="documents/%Y/",
        blank=True,
        help_text=_("The document as a file. Give a link or upload a file, not both."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )

    objects = DocumentManager()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(meeting__isnull=False) & Q(agreement__isnull=True))
                | (Q(meeting__isnull=True) & Q(agreement__isnull=False)),
                name="document_has_one_owner",
                violation_error_message=_("Attach the document to a meeting or an agreement."),
            ),
            models.CheckConstraint(
                condition=(~Q(url="") & Q(file="")) | (Q(url="") & ~Q(file="")),
                name="document_link_or_file",
                violation_error_message=_("Give either a link or a file, not both."),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def href(self):
        return self.url or (self.file.url if self.file else "")


class KeyFigure(Publishable):
    """A headline figure shown on the home page, with its source."""

    label = models.CharField(_("label"), max_length=255, help_text=_("What the figure measures."))
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    qualifier = models.CharField(
        _("qualifier"),
        max_length=40,
        blank=True,
        help_text=_('A word before the figure, e.g. "over".'),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    unit = models.CharField(
        _("unit"),
        max_length=20,
        blank=True,
        help_text=_('"USD" for money in US dollars; otherwise a word such as "people".'),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=255)
    source_url = models.URLField(_("source link"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        permissions = [publish_permission("keyfigure", "key figures")]

    def __str__(self):
        return self.label


class Page(Publishable):
    """An editable content page, such as "About the initiative"."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in the URL."))
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"))
    menu_order = models.PositiveSmallIntegerField(
        _("menu order"),
        null=True,
        blank=True,
        help_text=_("Position in the main menu; leave empty to keep it out of the menu."),
    )

    class Meta:
        ordering = ["menu_order", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        permissions = [publish_permission("page", "pages")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogue:page-detail", kwargs={"slug": self.slug})


class SlugRedirectQuerySet(models.QuerySet):
    def target(self, queryset, slug):
        """The record of `queryset` that used to be at `slug`, or None (one query)."""
        content_type = ContentType.objects.get_for_model(queryset.model)
        old = self.filter(content_type=content_type, old_slug=slug).values("object_id")
        return queryset.filter(pk__in=old).first()


class SlugRedirect(models.Model):
    """A former slug of a record that visitors have seen, so its old links keep working."""

    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("kind of record"),
        on_delete=models.CASCADE,
        related_name="slug_redirects",
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    old_slug = models.SlugField(_("old slug"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SlugRedirectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("slug redirect")
        verbose_name_plural = _("slug redirects")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "old_slug"], name="slug_redirect_unique_per_model"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model}: {self.old_slug} → #{self.object_id}"
