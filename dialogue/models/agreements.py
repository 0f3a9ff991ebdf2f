"""Agreements: the dialogue's outcomes, who is party to them and how they are implemented."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from .meetings import AgendaItem, Meeting
from .publication import (
    DialogueQuerySet,
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    Side,
    SlugManager,
    TimeStamped,
    public_filter,
    publish_permission,
)
from .search import search_vector_field, trigram_index
from .stakeholders import SideFromStakeholder, Stakeholder, StakeholderPartQuerySet
from .taxonomy import Pillar, Sector


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


# Finished commitments need no further implementation report.
FINISHED = (AgreementStatus.COMPLETED, AgreementStatus.SUPERSEDED)
# An open commitment whose latest published update is older than this has "no recent report".
REPORT_INTERVAL_MONTHS = 12


class TrackSide(models.TextChoices):
    """The sides whose implementation is tracked separately: each country, and their joint
    work (negotiation, signature, binational bodies)."""

    US = "US", _("United States")
    MX = "MX", _("Mexico")
    JOINT = "JOINT", _("Joint")


# (side, prefix of its state fields on AgreementUpdate)
SIDE_FIELDS = ((TrackSide.US, "us"), (TrackSide.MX, "mx"), (TrackSide.JOINT, "joint"))
STATE_FIELDS = (
    "status",
    "progress",
    *(f"{prefix}_{name}" for _side, prefix in SIDE_FIELDS for name in ("status", "progress")),
)


def months_before(day, months):
    """`day` moved back by `months` calendar months (the last day of a shorter month)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def report_cutoff(today=None):
    """Open commitments whose latest report is before this day have no recent report."""
    return months_before(today or timezone.localdate(), REPORT_INTERVAL_MONTHS)


def percent_field(verbose_name, **kwargs):
    kwargs.setdefault("help_text", _("Implementation progress, 0 to 100 per cent."))
    return models.PositiveSmallIntegerField(
        verbose_name, validators=[MinValueValidator(0), MaxValueValidator(100)], **kwargs
    )


def latest_public_update(on=None, now=None):
    """The latest published update of the agreement in `OuterRef("pk")` (dated on or before
    `on`, when given; public at `now`, by default now): by date, then by the order it was
    recorded."""
    if now is None:
        updates = AgreementUpdate.objects.published()
    else:
        updates = AgreementUpdate.objects.filter(
            publication_status=PublicationStatus.PUBLISHED, publish_at__lte=now
        )
    updates = updates.filter(agreement=OuterRef("pk"))
    if on is not None:
        updates = updates.filter(date__lte=on)
    return updates.order_by("-date", "-id")


def state_from_updates(now=None):
    """{field: expression} of an agreement's state read from its updates (the rule itself):
    the state fields (`STATE_FIELDS`) and `last_reported_on`, from its latest update public
    at `now`. Before its first published update an agreement is "proposed", 0 %, with no side
    tracked (None)."""
    latest = latest_public_update(now=now)
    expressions = {name: Subquery(latest.values(name)[:1]) for name in STATE_FIELDS}
    expressions["status"] = Coalesce(expressions["status"], Value(AgreementStatus.PROPOSED))
    expressions["progress"] = Coalesce(expressions["progress"], Value(0))
    expressions["last_reported_on"] = Subquery(latest.values("date")[:1])
    return expressions


class CurrentState(models.Expression):
    """One field of an agreement's state at `now`, as `with_state()` reads it: the stored copy
    while it is current (computed at or before `now`, and no scheduled update of the agreement
    come due since), else the value of its latest update public at `now`
    (`latest_public_update`, `state_from_updates`), written out as SQL.

    The same rule as those ORM expressions (tests/test_tracking.py compares them), compiled
    without them: resolving nine correlated subqueries cost milliseconds of Python on every
    queryset of agreements, more than the database took to answer them.
    """

    def __init__(self, name, now):
        source = "date" if name == "last_reported_on" else name
        super().__init__(output_field=AgreementUpdate._meta.get_field(source))
        self.name, self.source, self.now = name, source, now
        self.default = {"status": AgreementStatus.PROPOSED.value, "progress": 0}.get(name)
        self.agreement = F("pk")

    def get_source_expressions(self):
        return [self.agreement]

    def set_source_expressions(self, exprs):
        (self.agreement,) = exprs

    def as_sql(self, compiler, connection):
        qn = connection.ops.quote_name
        pk, pk_params = compiler.compile(self.agreement)
        table = compiler.quote_name_unless_alias(self.agreement.alias)

        def stored(name):
            return f"{table}.{qn(Agreement._meta.get_field(name).column)}"

        def update(name):
            return f"latest.{qn(AgreementUpdate._meta.get_field(name).column)}"

        now = connection.ops.adapt_datetimefield_value(self.now)
        latest = (
            f"(SELECT {update(self.source)} FROM {qn(AgreementUpdate._meta.db_table)} latest "
            f"WHERE {update('agreement')} = {pk} AND {update('publication_status')} = %s "
            f"AND {update('publish_at')} <= %s "
            f"ORDER BY {update('date')} DESC, {update('id')} DESC LIMIT 1)"
        )
        params = [*pk_params, PublicationStatus.PUBLISHED.value, now]
        if self.default is not None:
            latest = f"COALESCE({latest}, %s)"
            params.append(self.default)
        until = stored("state_until")
        sql = (
            f"CASE WHEN {stored('state_as_of')} <= %s AND ({until} IS NULL OR {until} > %s) "
            f"THEN {stored(stored_state_field(self.name))} ELSE {latest} END"
        )
        return sql, [now, now, *params]


def stored_state_field(name):
    """The stored column of the state field `name` (``status`` → ``state_status``)."""
    return "state_reported_on" if name == "last_reported_on" else f"state_{name}"


class AgreementQuerySet(PublishableQuerySet):
    def newest_first(self):
        """Newest first; those not yet announced (no date) last, on every database
        (PostgreSQL would put NULLs first in a descending order, SQLite last)."""
        return self.order_by(F("announced_on").desc(nulls_last=True), "title")

    def with_state(self):
        """Annotate each agreement with its current state, read from its latest published
        update (see `Agreement`): ``status``, ``progress``, ``us_status`` … ``joint_progress``
        and ``last_reported_on``. Before its first published update an agreement is
        "proposed", 0 %, with no side tracked.

        The state is read from the copy stored on the agreement (`refresh_state()`) while that
        copy is current, and from the updates themselves otherwise: a scheduled update that
        has come due since the copy was made, or a row never refreshed (a bulk insert). The
        database evaluates the second branch only for those rows, so a scheduled update takes
        effect at its time, with no job to run.
        """
        now = timezone.now()
        return self.annotate(
            **{name: CurrentState(name, now) for name in (*STATE_FIELDS, "last_reported_on")}
        )

    def refresh_state(self):
        """Store the current state of these agreements (one UPDATE, whatever their number),
        with when it was computed and when it stops being current: the publication time of
        their next scheduled update. `with_state()` reads it while it is current.

        Called after every change to an update or an agreement (dialogue/publishing/signals.py,
        raw loads included), and by bulk writers that skip the save signals (generate_volume).
        """
        now = timezone.now()
        next_scheduled = (
            AgreementUpdate.objects.filter(
                agreement=OuterRef("pk"),
                publication_status=PublicationStatus.PUBLISHED,
                publish_at__gt=now,
            )
            .order_by("publish_at")
            .values("publish_at")[:1]
        )
        values = {
            stored_state_field(name): expression
            for name, expression in state_from_updates(now=now).items()
        }
        return self.order_by().update(
            **values, state_as_of=Value(now), state_until=Subquery(next_scheduled)
        )

    def with_state_on(self, day, prefix):
        """Annotate `prefix`_status and `prefix`_progress (overall) and `prefix`_key (the
        whole state, sides included) as of the end of `day`; None before the first update."""
        latest = latest_public_update(on=day)
        return self.annotate(
            **{
                f"{prefix}_status": Subquery(latest.values("status")[:1]),
                f"{prefix}_progress": Subquery(latest.values("progress")[:1]),
                f"{prefix}_key": Subquery(latest.values("state_key")[:1]),
            }
        )

    def with_public_relations(self):
        """The pillar, the meeting where it was announced when that one is public, and the
        current state."""
        return self.select_related("pillar").select_public("origin_meeting").with_state()

    def with_lead_agencies(self):
        """Prefetch the public parties, from which each side's lead agency is read (lists)."""
        return self.prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.public_parts())
        )

    def with_public_parts(self):
        """Prefetch what an agreement's page shows: sectors, public parties, the timeline
        (published updates, with only public meetings and their evidence) and documents."""
        from .content import Document

        return self.prefetch_related(
            "sectors",
            Prefetch("parties", queryset=AgreementParty.objects.public_parts()),
            Prefetch("updates", queryset=AgreementUpdate.objects.public_parts()),
            Prefetch("documents", queryset=Document.objects.public_parts()),
        )


def stored_side_status(label):
    # Empty when the latest update gives this side no part of its own; NULL before the first
    # published update (as the annotation read from the updates is).
    return models.CharField(
        label, max_length=20, choices=AgreementStatus.choices, null=True, editable=False
    )


def stored_side_progress(label):
    return models.PositiveSmallIntegerField(label, null=True, editable=False)


STORED_STATE_FIELDS = (
    *(stored_state_field(name) for name in (*STATE_FIELDS, "last_reported_on")),
    "state_as_of",
    "state_until",
)


class StateValue:
    """A field of an agreement's current state. Read from the annotation `with_state()` adds
    (every public read has it); on a record read without it, from one query of its own."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if self.name not in instance.__dict__:
            state = dict.fromkeys((*STATE_FIELDS, "last_reported_on"))
            state.update(status=AgreementStatus.PROPOSED, progress=0)
            if instance.pk is not None:
                row = Agreement.objects.filter(pk=instance.pk).with_state().values(*state).first()
                state.update(row or {})
            for name, value in state.items():
                instance.__dict__.setdefault(name, value)
        return instance.__dict__[self.name]

    def __set__(self, instance, value):
        instance.__dict__[self.name] = value


class Agreement(Publishable):
    """An outcome of the dialogue: an agreement, memorandum, initiative, program …

    Its state (status and progress, overall and for each side) is never typed on the agreement:
    it is the state recorded by its latest published implementation update, the latest by
    date and, on the same date, the one recorded last. Drafts and scheduled updates change
    nothing until they are public.
    """

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
    summary = models.TextField(_("summary"), blank=True, help_text=_("One paragraph for lists."))
    body = RichTextField(_("body"), help_text=_("The full description."))
    impact = RichTextField(_("impact"), help_text=_("Who benefits and how."))
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    search_vector = search_vector_field(
        ("title", "A"), ("reference", "A"), ("summary", "B"), ("body", "C"), ("impact", "C")
    )
    # A copy of the current state, stored by `AgreementQuerySet.refresh_state()` after every
    # change to the agreement or its updates, and read by `with_state()` while current:
    # computed at `state_as_of`, until `state_until` (when its next scheduled update comes
    # due; empty when none is scheduled). Never typed, never versioned.
    state_status = models.CharField(
        _("stored status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PROPOSED,
        editable=False,
    )
    state_progress = models.PositiveSmallIntegerField(
        _("stored progress"), default=0, editable=False
    )
    state_us_status = stored_side_status(_("stored United States status"))
    state_us_progress = stored_side_progress(_("stored United States progress"))
    state_mx_status = stored_side_status(_("stored Mexico status"))
    state_mx_progress = stored_side_progress(_("stored Mexico progress"))
    state_joint_status = stored_side_status(_("stored joint status"))
    state_joint_progress = stored_side_progress(_("stored joint progress"))
    state_reported_on = models.DateField(
        _("stored date of the latest report"), null=True, editable=False
    )
    state_as_of = models.DateTimeField(
        _("state stored at"),
        null=True,
        editable=False,
        help_text=_("When the stored state was computed; empty when it never was."),
    )
    state_until = models.DateTimeField(
        _("stored state current until"),
        null=True,
        editable=False,
        help_text=_("When the next scheduled update comes due; empty when none is scheduled."),
    )
    # The current state, from the latest published update (AgreementQuerySet.with_state).
    status = StateValue()
    progress = StateValue()
    us_status = StateValue()
    us_progress = StateValue()
    mx_status = StateValue()
    mx_progress = StateValue()
    joint_status = StateValue()
    joint_progress = StateValue()
    last_reported_on = StateValue()
    # Left out of versions (dialogue/publishing/history.py).
    stored_copies = STORED_STATE_FIELDS

    objects = SlugManager.from_queryset(AgreementQuerySet)()

    class Meta:
        ordering = ["-announced_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        permissions = [publish_permission("agreement", "agreements")]
        constraints = [
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
            models.Index(
                fields=["pillar", "publication_status", "publish_at"],
                name="agreement_pillar_public",
            ),
            trigram_index("agreement", "title_en"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogue:agreement-detail", kwargs={"slug": self.slug})

    def get_status_display(self):
        return AgreementStatus(self.status).label

    @property
    def is_finished(self):
        return self.status in FINISHED

    @property
    def no_recent_report(self):
        """Open, and no published update in the last twelve months (or none at all)."""
        if self.is_finished:
            return False
        reported = self.last_reported_on
        return reported is None or reported < report_cutoff()

    def lead_agencies(self):
        """{side: stakeholder} of the parties that lead each side, read from the prefetched
        public parties: the party marked "Lead agency" on that side, else its first
        signatory. A party of a binational or multilateral body counts for the joint side."""
        found = {}
        for role in (AgreementParty.Role.LEAD, AgreementParty.Role.SIGNATORY):
            for party in self.parties.all():
                side = party.track_side
                if party.role == role and side is not None:
                    found.setdefault(side, party.stakeholder)
        return found

    @property
    def sides(self):
        """The state of each side, side by side: label, lead agency, status and progress."""
        leads = self.lead_agencies()
        rows = []
        for side, prefix in SIDE_FIELDS:
            status = getattr(self, f"{prefix}_status") or ""
            rows.append(
                {
                    "side": side.value,
                    "key": prefix,
                    "label": side.label,
                    "lead": leads.get(side),
                    "status": status,
                    "status_label": AgreementStatus(status).label if status else "",
                    "progress": getattr(self, f"{prefix}_progress"),
                }
            )
        return rows

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


class AgreementPartyManager(models.Manager.from_queryset(StakeholderPartQuerySet)):
    def get_by_natural_key(self, agreement_slug, stakeholder_slug):
        return self.get(agreement__slug=agreement_slug, stakeholder__slug=stakeholder_slug)


class PartySide(models.TextChoices):
    """The side a party acts for: a country, both together (a binational body), or another."""

    US = Side.US.value, Side.US.label
    MX = Side.MX.value, Side.MX.label
    JOINT = TrackSide.JOINT.value, _("Joint (binational)")
    OTHER = Side.OTHER.value, Side.OTHER.label


class AgreementParty(SideFromStakeholder):
    """A stakeholder's part in an agreement."""

    owner_field = "agreement"

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
        choices=PartySide.choices,
        blank=True,
        help_text=_(
            "Leave empty to use the stakeholder's country. “Joint” for a binational body that "
            "leads the two countries' joint work."
        ),
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

    @property
    def track_side(self):
        """The tracked side this party acts for (US, MX, joint), or None."""
        side = self.side or self.stakeholder.country
        return TrackSide(side) if side in TrackSide.values else None

    def natural_key(self):
        return (self.agreement.slug, self.stakeholder.slug)

    natural_key.dependencies = ["dialogue.agreement", "dialogue.stakeholder"]


class EvidenceManager(models.Manager):
    def get_by_natural_key(self, agreement_slug, date, title, url, document_slug):
        found = self.filter(
            update__agreement__slug=agreement_slug, update__date=date, update__title_en=title
        )
        if document_slug:
            return found.get(document__slug=document_slug)
        return found.get(url=url, document__isnull=True)


class EvidenceQuerySet(DialogueQuerySet):
    def public_parts(self):
        """An update's evidence as visitors see it: links, and documents of public records.

        The document's owner is joined (as `Document.objects.public()` does), not tested
        against the set of public documents: that set is every document at volume.
        """
        return (
            self.filter(
                Q(document__isnull=True)
                | public_filter("document__meeting__")
                | public_filter("document__agreement__")
            )
            .select_related("document")
            .order_by("order", "id")
        )

    def public(self):
        """Evidence of public updates."""
        return self.public_parts().filter(update__in=AgreementUpdate.objects.public())


class AgreementUpdateQuerySet(PublishableQuerySet):
    def public_parts(self):
        """An agreement's timeline, oldest first: its published updates, naming only public
        meetings, with their public evidence."""
        return (
            self.published()
            .select_public("meeting")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.public_parts()))
            .order_by("date", "id")
        )

    def public(self):
        """Published updates of public agreements."""
        return self.public_parts().of_public_agreements().select_related("agreement")

    def public_rows(self):
        return self.published().of_public_agreements()

    def of_public_agreements(self):
        # Joined to the agreement, as agenda items to their meeting (see there).
        return self.filter(public_filter("agreement__"))

    def with_public_relations(self):
        return self.select_public("meeting")


class AgreementUpdateManager(SlugManager.from_queryset(AgreementUpdateQuerySet)):
    def get_by_natural_key(self, agreement_slug, date, title):
        return self.get(agreement__slug=agreement_slug, date=date, title_en=title)


def side_status_field(label):
    return models.CharField(
        label,
        max_length=20,
        choices=AgreementStatus.choices,
        blank=True,
        help_text=_("Leave empty when this side has no part of its own to report."),
    )


def side_progress_field(label):
    return percent_field(label, null=True, blank=True)


def side_pair_constraint(prefix):
    """A side is tracked with both a status and a progress, or with neither."""
    status, progress = f"{prefix}_status", f"{prefix}_progress"
    return models.CheckConstraint(
        condition=(Q(**{status: ""}) & Q(**{f"{progress}__isnull": True}))
        | (
            ~Q(**{status: ""})
            & Q(**{f"{progress}__isnull": False})
            & Q(**{f"{progress}__gte": 0})
            & Q(**{f"{progress}__lte": 100})
        ),
        name=f"update_{prefix}_status_with_progress",
        violation_error_message=_("Give a side both a status and a progress, or neither."),
    )


class AgreementUpdate(Publishable):
    """One dated, reviewed step of an agreement's implementation: the state it leaves the
    agreement in, overall and for each side, where it was reported, and its evidence.

    Drafted by an Editor, published by a Publisher (dialogue/publishing/). Once published, its
    state is the agreement's current state until a later update is published.
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"), db_index=True, help_text=_("When this step happened."))
    title = models.CharField(_("title"), max_length=255)
    note = models.TextField(_("note"), blank=True, help_text=_("What happened, in a few lines."))
    status = models.CharField(
        _("overall status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.ANNOUNCED,
        help_text=_("The agreement's status after this step."),
    )
    progress = percent_field(
        _("overall progress"),
        default=0,
        help_text=_("The agreement's implementation progress after this step, 0 to 100 %."),
    )
    us_status = side_status_field(_("United States: status"))
    us_progress = side_progress_field(_("United States: progress"))
    mx_status = side_status_field(_("Mexico: status"))
    mx_progress = side_progress_field(_("Mexico: progress"))
    joint_status = side_status_field(_("joint: status"))
    joint_progress = side_progress_field(_("joint: progress"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("reported at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreement_updates",
        help_text=_("The meeting where this step was reported or reviewed, if any."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="confirmed_updates",
        help_text=_("The Publisher who reviewed and published this update."),
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a Publisher published (or scheduled) this update."),
    )
    state_key = models.CharField(
        _("state"),
        max_length=120,
        blank=True,
        editable=False,
        help_text=_("The whole state as one value, to compare two updates (set on save)."),
    )

    search_vector = search_vector_field(("title", "A"), ("note", "B"))

    objects = AgreementUpdateManager()

    class Meta:
        ordering = ["agreement", "date", "id"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        get_latest_by = "date"
        permissions = [publish_permission("agreementupdate", "implementation updates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="update_progress_0_100",
                violation_error_message=_("Progress must be between 0 and 100."),
            ),
            *(side_pair_constraint(prefix) for _side, prefix in SIDE_FIELDS),
            models.UniqueConstraint(
                fields=["agreement", "date", "title"],
                name="update_unique_per_agreement_date_title",
                violation_error_message=_("This update is already recorded."),
            ),
        ]
        indexes = [
            # The latest published update of each agreement (its current state).
            models.Index(
                fields=["agreement", "publication_status", "date", "id"],
                name="update_latest_per_agreement",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} — {self.title}"

    def natural_key(self):
        # The English title: required, and the same whatever language is active.
        return (self.agreement.slug, self.date.isoformat(), self.title_en)

    natural_key.dependencies = ["dialogue.agreement"]

    def compute_state_key(self):
        return "|".join(
            "" if getattr(self, name) is None else str(getattr(self, name)) for name in STATE_FIELDS
        )

    def set_derived_fields(self):
        """Called before every save, raw loads included (dialogue/publishing/signals.py)."""
        self.state_key = self.compute_state_key()

    @property
    def sides(self):
        """(label, status label, progress) of each side this update reports on."""
        rows = []
        for side, prefix in SIDE_FIELDS:
            status = getattr(self, f"{prefix}_status")
            if status:
                rows.append(
                    {
                        "side": side.value,
                        "label": side.label,
                        "status": status,
                        "status_label": AgreementStatus(status).label,
                        "progress": getattr(self, f"{prefix}_progress"),
                    }
                )
        return rows

    @property
    def marks_completed(self):
        """Whether this update marks the agreement, or one of its sides, completed."""
        statuses = [self.status, *(getattr(self, f"{p}_status") for _s, p in SIDE_FIELDS)]
        return AgreementStatus.COMPLETED in statuses

    def clean(self):
        errors = {}
        for _side, prefix in SIDE_FIELDS:
            status, progress = f"{prefix}_status", f"{prefix}_progress"
            if getattr(self, status) and getattr(self, progress) is None:
                errors[progress] = _("Give the progress of a side that has a status.")
            elif not getattr(self, status) and getattr(self, progress) is not None:
                errors[status] = _("Give the status of a side that has a progress.")
        for field in ("progress", *(f"{p}_progress" for _s, p in SIDE_FIELDS)):
            status = getattr(self, field.replace("progress", "status"))
            if status == AgreementStatus.COMPLETED and getattr(self, field) != 100:
                errors.setdefault(field, _("A completed commitment has a progress of 100."))
        if errors:
            raise ValidationError(errors)


class Evidence(TimeStamped):
    """A document or link that backs an implementation update."""

    update = models.ForeignKey(
        AgreementUpdate,
        verbose_name=_("update"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Optional for a document.")
    )
    url = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A link to the evidence. Give a link or pick a document, not both."),
    )
    document = models.ForeignKey(
        "dialogue.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text=_("A document of a meeting or agreement. Give a link or a document, not both."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = EvidenceManager.from_queryset(EvidenceQuerySet)()

    class Meta:
        ordering = ["update", "order", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(url="") & Q(document__isnull=True))
                | (Q(url="") & Q(document__isnull=False)),
                name="evidence_link_or_document",
                violation_error_message=_("Give either a link or a document, not both."),
            ),
            models.UniqueConstraint(
                fields=["update", "url"],
                condition=~Q(url=""),
                name="evidence_link_unique_per_update",
                violation_error_message=_("This link is already evidence of this update."),
            ),
            models.UniqueConstraint(
                fields=["update", "document"],
                condition=Q(document__isnull=False),
                name="evidence_document_unique_per_update",
                violation_error_message=_("This document is already evidence of this update."),
            ),
            models.CheckConstraint(
                condition=Q(url="") | ~Q(title=""),
                name="evidence_link_has_title",
                violation_error_message=_("Give a title to a link."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if self.title:
            return self.title
        return self.document.title if self.document_id else self.url

    @property
    def href(self):
        return self.url or (self.document.href if self.document_id else "")

    def natural_key(self):
        document = self.document.slug if self.document_id else ""
        return (*self.update.natural_key(), self.url, document)

    natural_key.dependencies = ["dialogue.agreementupdate", "dialogue.document"]
