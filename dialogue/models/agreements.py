"""Agreements: the dialogue's outcomes, who is party to them and how they are implemented."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from .meetings import AgendaItem, Meeting
from .publication import (
    DialogueQuerySet,
    Publishable,
    PublishableQuerySet,
    SlugManager,
    TimeStamped,
    publish_permission,
)
from .search import search_index, search_vector_field, trigram_index
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


def percent_field(verbose_name, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Implementation progress, 0 to 100 per cent."),
        **kwargs,
    )


class AgreementQuerySet(PublishableQuerySet):
    def newest_first(self):
        """Newest first; those not yet announced (no date) last, on every database
        (PostgreSQL would put NULLs first in a descending order, SQLite last)."""
        return self.order_by(F("announced_on").desc(nulls_last=True), "title")

    def with_public_relations(self):
        """The pillar, and the meeting where it was announced when that one is public."""
        return self.select_related("pillar").select_public("origin_meeting")

    def with_public_parts(self):
        """Prefetch what an agreement's page shows: sectors, public parties, the timeline
        (with only public meetings) and documents."""
        from .content import Document

        return self.prefetch_related(
            "sectors",
            Prefetch("parties", queryset=AgreementParty.objects.public_parts()),
            Prefetch("updates", queryset=AgreementUpdate.objects.public_parts()),
            Prefetch("documents", queryset=Document.objects.public_parts()),
        )


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

    search_vector = search_vector_field(
        ("title", "A"), ("reference", "A"), ("summary", "B"), ("body", "C"), ("impact", "C")
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
            search_index("agreement"),
            trigram_index("agreement", "title_en"),
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


class AgreementPartyManager(models.Manager.from_queryset(StakeholderPartQuerySet)):
    def get_by_natural_key(self, agreement_slug, stakeholder_slug):
        return self.get(agreement__slug=agreement_slug, stakeholder__slug=stakeholder_slug)


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


class AgreementUpdateQuerySet(DialogueQuerySet):
    def public_parts(self):
        """An agreement's timeline, oldest first, naming only public meetings."""
        return self.select_public("meeting").order_by("date", "id")

    def public(self):
        """Updates of public agreements."""
        return (
            self.public_parts()
            .filter(agreement__in=Agreement.objects.published())
            .select_related("agreement")
        )


class AgreementUpdateManager(models.Manager.from_queryset(AgreementUpdateQuerySet)):
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

    search_vector = search_vector_field(("title", "A"), ("note", "B"))

    objects = AgreementUpdateManager()

    class Meta:
        ordering = ["agreement", "date", "id"]
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        get_latest_by = "date"
        indexes = [search_index("agreementupdate")]
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
