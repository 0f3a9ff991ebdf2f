"""Documents, headline figures, editable pages, and the old slugs of renamed records."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from security.uploads import random_document_name, validate_document_file

from ..richtext import RichTextField
from .agreements import Agreement
from .meetings import Meeting
from .publication import (
    DialogueQuerySet,
    Publishable,
    PublishableQuerySet,
    SlugManager,
    TimeStamped,
    public_filter,
    publish_permission,
)
from .search import search_vector_field


class DocumentQuerySet(DialogueQuerySet):
    def public_parts(self):
        """The documents a meeting's or an agreement's page shows: all of them."""
        return self.all()

    def public(self):
        """Documents of public meetings and agreements.

        Joined to their owner rather than tested against the set of public owners: a search
        or a page of documents then checks only the rows it reads (`IN (published …)` under
        an OR makes PostgreSQL read every meeting and agreement first).
        """
        return self.public_rows()

    def public_rows(self):
        return self.filter(public_filter("meeting__") | public_filter("agreement__"))


class DocumentManager(models.Manager.from_queryset(DocumentQuerySet)):
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
        upload_to=random_document_name,
        validators=[validate_document_file],
        blank=True,
        help_text=_(
            "The document as a file: PDF, DOCX, XLSX, CSV, ODT, PNG or JPEG. Give a link or "
            "upload a file, not both."
        ),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_(
            "Order among the documents of its meeting or agreement (1, 2, 3…), unique there."
        ),
    )
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

    search_vector = search_vector_field(("title", "A"))

    objects = DocumentManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # The site search filtered by year reads a year's documents newest first.
        indexes = [models.Index(fields=["published_on"], name="document_published_on")]
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
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="document_position_unique_per_meeting",
                violation_error_message=_("Another document of this meeting has this position."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "position"],
                name="document_position_unique_per_agreement",
                violation_error_message=_("Another document of this agreement has this position."),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def href(self):
        return self.url or (self.file.url if self.file else "")


class KeyFigureQuerySet(PublishableQuerySet):
    def with_public_parts(self):
        """Prefetch each figure's series of values by year, oldest first."""
        return self.prefetch_related(
            models.Prefetch("values", queryset=KeyFigureValue.objects.order_by("year"))
        )


class KeyFigure(Publishable):
    """A headline figure shown on the home page, with its source, and its series by year."""

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

    objects = SlugManager.from_queryset(KeyFigureQuerySet)()

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        permissions = [publish_permission("keyfigure", "key figures")]

    def __str__(self):
        return self.label


class KeyFigureValueManager(models.Manager):
    def get_by_natural_key(self, figure_slug, year):
        return self.get(figure__slug=figure_slug, year=year)


class KeyFigureValue(TimeStamped):
    """The value of a key figure in one year, with its own source: the figure's series."""

    figure = models.ForeignKey(
        KeyFigure, verbose_name=_("key figure"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    source = models.CharField(_("source"), max_length=255, help_text=_("Who published this value."))
    source_url = models.URLField(_("source link"), blank=True)
    notes = models.TextField(
        _("editorial notes"), blank=True, help_text=_("Internal notes for staff; never shown.")
    )

    objects = KeyFigureValueManager()

    class Meta:
        ordering = ["figure", "year"]
        verbose_name = _("value by year")
        verbose_name_plural = _("values by year")
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "year"],
                name="key_figure_value_unique_per_year",
                violation_error_message=_("This figure already has a value for this year."),
            )
        ]

    def __str__(self):
        return f"{self.figure} — {self.year}"

    def natural_key(self):
        return (self.figure.slug, self.year)

    natural_key.dependencies = ["dialogue.keyfigure"]


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

    search_vector = search_vector_field(("title", "A"), ("summary", "B"), ("body", "C"))

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
