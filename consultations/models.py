"""Public input: consultations that ask for it, and the submissions people send.

A consultation is content like any other (drafted, published, versioned: `Publishable`). A
submission is input from a visitor; it becomes public only when a moderator accepts it, and
what a visitor may see of it is decided here, by `SubmissionQuerySet.public()`: accepted
submissions of public consultations, with only their public agenda items. The name and email
address of the sender are never public; they are erased on withdrawal and some time after
the consultation is answered (`manage.py erase_personal_data`).
"""

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue.models import (
    AgendaItem,
    DialogueQuerySet,
    Meeting,
    Pillar,
    Publishable,
    PublishableQuerySet,
    Sector,
    Side,
    TimeStamped,
    public_filter,
)
from dialogue.models.publication import SlugManager, count_of, publish_permission
from dialogue.models.search import SearchRow, search_row, search_row_index, search_vector_field
from dialogue.richtext import RichTextField

# The two countries' capitals, for showing a consultation's window in both countries' time.
COUNTRY_ZONES = (
    (Side.US, "America/New_York"),
    (Side.MX, "America/Mexico_City"),
)


class ConsultationQuerySet(PublishableQuerySet):
    def with_public_relations(self):
        """The meeting a consultation prepares, shown only when it is public."""
        return self.select_public("meeting")

    def with_public_parts(self):
        """What a consultation's page shows: its pillars."""
        return self.prefetch_related("pillars")

    def with_counts(self):
        """Annotate the number of public (accepted) submissions."""
        accepted = Submission.objects.filter(
            consultation=models.OuterRef("pk"), state=Submission.State.ACCEPTED
        )
        return self.annotate(submission_count=count_of(accepted, "consultation"))

    def open_now(self):
        now = timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class Consultation(Publishable):
    """A call for public input, with a window, before a meeting (or for a year's agenda)."""

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ANSWERED = "answered", _("Answered")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, help_text=_("Used in the URL."))
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The year whose agenda the input helps to set.")
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
        help_text=_("The meeting whose agenda the input prepares, if it is known."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One paragraph shown in lists and at the top.")
    )
    introduction = RichTextField(
        _("introduction"), help_text=_("What the consultation is about and how input is used.")
    )
    questions = RichTextField(
        _("questions"), help_text=_("The questions senders are asked to answer.")
    )
    pillars = models.ManyToManyField(
        Pillar,
        verbose_name=_("pillars"),
        blank=True,
        related_name="consultations",
        help_text=_("The pillars it asks about; senders choose one. Empty: all pillars."),
    )
    opens_at = models.DateTimeField(_("opens at"), help_text=_("When submissions open."))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("When submissions close; after this the form is gone.")
    )
    answered_at = models.DateTimeField(
        _("answered at"),
        null=True,
        blank=True,
        help_text=_(
            "When the official response to the input as a whole was published. From then on "
            "the consultation shows as answered, and personal data is erased after the "
            "retention period."
        ),
    )
    outcome = RichTextField(
        _("outcome"),
        help_text=_("Shown once the consultation is answered: what was heard and what was done."),
    )
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    objects = SlugManager.from_queryset(ConsultationQuerySet)()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        permissions = [publish_permission("consultation", "consultations")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
                violation_error_message=_("A consultation must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=models.F("closes_at")),
                name="consultation_answered_after_closing",
                violation_error_message=_("A consultation is answered after it closes."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:consultation-detail", kwargs={"slug": self.slug})

    @property
    def state(self):
        now = timezone.now()
        if now < self.opens_at:
            return self.State.UPCOMING
        if now < self.closes_at:
            return self.State.OPEN
        if self.answered_at is not None and self.answered_at <= now:
            return self.State.ANSWERED
        return self.State.CLOSED

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def get_state_display(self):
        return self.State(self.state).label

    def window_in_zones(self):
        """[(country label, zone, local opening, local closing)] for both countries."""
        return [
            (Side(side).label, name, *(timezone.localtime(t, ZoneInfo(name)) for t in self.window))
            for side, name in COUNTRY_ZONES
        ]

    @property
    def window(self):
        return (self.opens_at, self.closes_at)

    def pillar_choices(self):
        """The pillars a sender may choose: those asked about (all when none is named)."""
        chosen = list(self.pillars.all())
        return chosen or list(Pillar.objects.public())


def new_reference():
    """A reference that cannot be guessed from another one, e.g. HLED-7KQ4-M2XD."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"HLED-{code[:4]}-{code[4:]}"


class SubmissionQuerySet(DialogueQuerySet):
    def public(self):
        """Accepted submissions of public consultations, with only their public agenda items."""
        return (
            self.public_rows()
            .select_related("consultation", "pillar")
            .prefetch_related(
                "sectors",
                Prefetch("agenda_items", queryset=AgendaItem.objects.public().order_by("position")),
            )
        )

    def public_rows(self):
        """Public submissions without their parts: for counting, grouping and searching."""
        return self.filter(public_filter("consultation__"), state=Submission.State.ACCEPTED)

    def queue(self):
        """What moderators work on: everything whose email address was confirmed."""
        return self.exclude(state=Submission.State.UNCONFIRMED)

    def expired_unconfirmed(self, now=None):
        hours = settings.CONSULTATIONS_CONFIRM_HOURS
        limit = (now or timezone.now()) - timezone.timedelta(hours=hours)
        return self.filter(state=Submission.State.UNCONFIRMED, created_at__lt=limit)


class SubmissionManager(models.Manager.from_queryset(SubmissionQuerySet)):
    def get_by_natural_key(self, reference):
        return self.get(reference=reference)


class Submission(TimeStamped):
    """Input sent to a consultation by a person or an organization, moderated before it shows."""

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        RECEIVED = "received", _("Received")
        IN_REVIEW = "in-review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        MERGED = "merged", _("Merged into another")
        SPAM = "spam", _("Spam")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class SenderKind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COMPANY = "company", _("Company")
        ASSOCIATION = "association", _("Business association")
        UNIVERSITY = "university", _("University or research centre")
        CIVIL_SOCIETY = "civil-society", _("Civil-society organization")
        GOVERNMENT = "government", _("Government body")

    class Display(models.TextChoices):
        NAME = "name", _("My name (and organization)")
        ORGANIZATION = "organization", _("My organization only")
        ANONYMOUS = "anonymous", _("Anonymous")

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_reference, editable=False
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en", db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    pillar = models.ForeignKey(
        Pillar,
        verbose_name=_("pillar"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="submissions"
    )
    sender_kind = models.CharField(
        _("sent by"), max_length=20, choices=SenderKind.choices, db_index=True
    )
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=5, choices=Side.choices, db_index=True)
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("Never public; erased on schedule.")
    )
    email = models.EmailField(
        _("email address"), blank=True, help_text=_("Never public; erased on schedule.")
    )
    display = models.CharField(
        _("shown as"), max_length=20, choices=Display.choices, default=Display.NAME
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"),
        max_length=20,
        help_text=_("The version of the privacy notice the sender consented to."),
    )
    consented_at = models.DateTimeField(_("consented at"))
    # NULL, not "", once erased: the unique constraint below ignores NULLs.
    text_hash = models.CharField(  # noqa: DJ001
        max_length=64,
        null=True,
        editable=False,
        help_text=_("Of the normalized text: the same text is refused twice in a consultation."),
    )
    proof_of_work = models.BooleanField(
        _("proof of work"),
        default=False,
        help_text=_("The sender's browser solved the anti-spam challenge (no JavaScript: no)."),
    )
    many_links = models.BooleanField(
        _("many links"), default=False, help_text=_("More links than usual: look closely.")
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=State.choices,
        default=State.UNCONFIRMED,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("received"), null=True, blank=True, db_index=True)
    decline_reason = models.TextField(
        _("reason for declining"),
        blank=True,
        help_text=_("Sent to the sender and shown on their status page. Never public."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        help_text=_("The submission of the same consultation that says the same thing."),
    )
    answer = models.TextField(
        _("official answer"),
        blank=True,
        help_text=_("The governments' answer, shown with its date once published."),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    agenda_items = models.ManyToManyField(
        AgendaItem,
        verbose_name=_("agenda items it shaped"),
        blank=True,
        related_name="shaping_submissions",
    )
    staff_notes = models.TextField(
        _("staff notes"), blank=True, help_text=_("Internal notes for moderators; never shown.")
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    erased_at = models.DateTimeField(
        _("personal data erased"), null=True, blank=True, help_text=_("Name and email erased.")
    )
    # What the site search finds of an accepted submission: what its public page shows as
    # the sender's own words (never who sent it, nor an answer before it is published).
    search_vector = search_vector_field(("title", "A"), ("reference", "A"), ("text", "B"))

    objects = SubmissionManager()

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        permissions = [
            ("moderate_submission", "Can moderate and answer submissions"),
            ("view_sender_email", "Can see the email addresses of senders"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "text_hash"],
                name="submission_text_unique_per_consultation",
                violation_error_message=_("The same text was already sent to this consultation."),
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="submission_merged_has_target",
                violation_error_message=_("Say which submission it was merged into."),
            ),
        ]
        indexes = [models.Index(fields=["consultation", "state", "pillar"])]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("consultations:submission-detail", kwargs={"reference": self.reference})

    def natural_key(self):
        return (self.reference,)

    def clean(self):
        if self.state == self.State.MERGED:
            target = self.merged_into
            if target is None:
                raise ValidationError(
                    {"merged_into": _("Say which submission it was merged into.")}
                )
            if target.pk == self.pk or target.consultation_id != self.consultation_id:
                raise ValidationError(
                    {"merged_into": _("Merge it into another submission of the same consultation.")}
                )

    @property
    def attribution(self):
        """How the sender is shown publicly (never the email address)."""
        if self.display == self.Display.ANONYMOUS or (
            self.display == self.Display.ORGANIZATION and not self.organization
        ):
            return _("Anonymous")
        if self.display == self.Display.ORGANIZATION:
            return self.organization
        parts = [part for part in (self.name, self.organization) if part]
        return ", ".join(parts) if parts else _("Anonymous")

    def erase_personal_data(self):
        """Forget who sent it (the publishing service saves the change)."""
        self.name = ""
        self.email = ""

    def erase_content(self):
        """Forget what was sent and by whom (a withdrawal)."""
        self.erase_personal_data()
        self.title = ""
        self.text = ""
        self.organization = ""
        self.text_hash = None
        self.decline_reason = ""
        self.staff_notes = ""

    @property
    def published_answer(self):
        """The official answer once published (empty until then)."""
        return self.answer if self.answered_at is not None else ""


class SubmissionSearch(SearchRow):
    """A submission's search vector (the site search finds only accepted ones: `public_rows`)."""

    record = search_row(Submission)

    class Meta:
        indexes = [search_row_index("submission")]
