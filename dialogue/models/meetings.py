"""Meetings of the dialogue, their participants and their agendas."""

import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from ..timezones import validate_timezone
from .publication import (
    DialogueQuerySet,
    Publishable,
    PublishableQuerySet,
    Side,
    SlugManager,
    TimeStamped,
    count_of,
    public_filter,
    publish_permission,
)
from .search import search_vector_field, trigram_index
from .stakeholders import SideFromStakeholder, Stakeholder, StakeholderPartQuerySet
from .taxonomy import Pillar, Sector


def planned_end(start, precision, zone, end=None):
    """The end of a meeting, or of the period planned for it when only its month or year is
    known: the first moment (UTC) after it, in the host city's calendar."""
    local = timezone.localtime(start, zone)
    midnight = datetime.time(0, 0)
    if precision == Meeting.Precision.YEAR:
        after = datetime.datetime.combine(datetime.date(local.year + 1, 1, 1), midnight)
    elif precision == Meeting.Precision.MONTH:
        year, month = divmod(local.month, 12)
        after = datetime.datetime.combine(datetime.date(local.year + year, month + 1, 1), midnight)
    elif precision == Meeting.Precision.DAY:
        after = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), midnight)
    else:
        return max(start, end) if end else start
    after = after.replace(tzinfo=zone)
    return max(after, end) if end else after


class MeetingQuerySet(PublishableQuerySet):
    PLANNED = ("tentative", "confirmed")

    def upcoming(self):
        """Meetings still ahead: starting in the future, or tentative / confirmed and still
        within the period planned for them (a meeting planned for 2016 is not "next" in 2017)."""
        now = timezone.now()
        ahead = Q(start__gte=now) | Q(status__in=self.PLANNED, period_end__gt=now)
        return self.filter(ahead).exclude(status=Meeting.Status.CANCELLED).order_by("start")

    def next_upcoming(self):
        """``upcoming().first()`` in two index range scans instead of one scan of every past
        meeting (the OR of the two conditions cannot use an index; 12 ms at 10,000 meetings).

        A planned meeting whose period has begun but not ended starts before every meeting
        still in the future, so it comes first if there is one; otherwise the next to start
        (a planned meeting that has not started is among those). The begun ones are few (a
        meeting planned for a month or a year, during it) and are read unordered: ordered by
        start, PostgreSQL walks the start index through every past meeting to find none.
        """
        now = timezone.now()
        ahead = self.exclude(status=Meeting.Status.CANCELLED)
        begun = ahead.filter(status__in=self.PLANNED, period_end__gt=now, start__lt=now)
        earliest = min(begun.order_by(), key=lambda meeting: meeting.start, default=None)
        return earliest or ahead.filter(start__gte=now).order_by("start").first()

    def overdue(self):
        """Tentative or confirmed meetings whose planned period has passed: their status
        needs updating (held, postponed, cancelled) or a new date."""
        return self.filter(status__in=self.PLANNED, period_end__lte=timezone.now())

    def past(self):
        return self.filter(start__lt=timezone.now()).order_by("-start")

    def with_counts(self):
        """Annotate agenda-item and public-agreement counts (one query, no N+1).

        Correlated subqueries, not joins with GROUP BY: the database counts for the rows it
        returns (one page), not for every meeting before sorting and slicing.
        """
        from .agreements import Agreement

        agenda = AgendaItem.objects.filter(meeting=models.OuterRef("pk"))
        agreements = Agreement.objects.published().filter(origin_meeting=models.OuterRef("pk"))
        return self.annotate(
            agenda_count=count_of(agenda, "meeting"),
            agreement_count=count_of(agreements, "origin_meeting"),
        )

    def with_public_parts(self):
        """Prefetch what a meeting's page shows, each part only as far as visitors may see it:
        participants and presenters that are public, public agreements announced there (with
        their state and lead agencies), the published updates reported there, and its
        documents."""
        from .agreements import Agreement, AgreementUpdate
        from .content import Document

        announced = Agreement.objects.public().with_lead_agencies().newest_first()
        reviewed = AgreementUpdate.objects.public().order_by("agreement__title", "date", "id")
        return self.prefetch_related(
            Prefetch("participations", queryset=Participation.objects.public_parts()),
            Prefetch("agenda_items", queryset=AgendaItem.objects.public_parts()),
            Prefetch("agreements", queryset=announced),
            Prefetch("agreement_updates", queryset=reviewed),
            Prefetch("documents", queryset=Document.objects.public_parts()),
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
    period_end = models.DateTimeField(
        _("planned until"),
        null=True,
        editable=False,
        db_index=True,
        help_text=_(
            "The end of the meeting, or of its planned period when only the month or year is "
            "known (set on save)."
        ),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
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

    search_vector = search_vector_field(
        ("title", "A"), ("summary", "B"), ("city", "B"), ("body", "C")
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
        ]
        indexes = [
            models.Index(fields=["publication_status", "publish_at", "start"]),
            trigram_index("meeting", "title_en"),
        ]

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

    def set_derived_fields(self):
        """Called before every save, raw loads included (dialogue/publishing/signals.py)."""
        if self.start is not None:
            zone = ZoneInfo(self.timezone)
            self.period_end = planned_end(self.start, self.date_precision, zone, self.end)

    @property
    def is_overdue(self):
        """Tentative or confirmed, and the planned period has passed."""
        return (
            self.status in MeetingQuerySet.PLANNED
            and self.period_end is not None
            and self.period_end <= timezone.now()
        )

    @property
    def is_multi_day(self):
        return bool(self.end) and self.local_end.date() != self.local_start.date()


class ParticipationManager(models.Manager.from_queryset(StakeholderPartQuerySet)):
    def get_by_natural_key(self, meeting_slug, stakeholder_slug):
        return self.get(meeting__slug=meeting_slug, stakeholder__slug=stakeholder_slug)


class Participation(SideFromStakeholder):
    """A stakeholder's part in a meeting."""

    owner_field = "meeting"

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
    capacity = models.CharField(
        _("capacity"),
        max_length=255,
        blank=True,
        help_text=_('The office held at this meeting, e.g. "Secretary of Commerce".'),
    )
    order = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_(
            "Position in the meeting's list of participants (1, 2, 3…), unique within the "
            "meeting; pages list each role in this order."
        ),
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
            ),
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="participation_order_unique_per_meeting",
                violation_error_message=_("Another participant of this meeting has this order."),
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder} — {self.get_role_display()} ({self.meeting})"

    def natural_key(self):
        return (self.meeting.slug, self.stakeholder.slug)

    natural_key.dependencies = ["dialogue.meeting", "dialogue.stakeholder"]


class AgendaItemQuerySet(DialogueQuerySet):
    def public_parts(self):
        """The agenda items a meeting's page shows, with their public presenters."""
        return self.select_related("pillar").prefetch_related(
            "sectors", Prefetch("presenters", queryset=Stakeholder.objects.public())
        )

    def public(self):
        """Agenda items of public meetings (with their meeting)."""
        return self.public_rows().select_related("meeting")

    def public_rows(self):
        # Joined to the meeting (not `IN` the published ones): the search's join for the
        # meeting's date is then the same one.
        return self.filter(public_filter("meeting__"))


class AgendaItemManager(models.Manager.from_queryset(AgendaItemQuerySet)):
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

    search_vector = search_vector_field(("title", "A"), ("outcome", "B"), ("description", "C"))

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
