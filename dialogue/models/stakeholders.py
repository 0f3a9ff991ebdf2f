"""Stakeholders: the government bodies, companies, universities, groups and people involved."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..richtext import RichTextField
from .publication import (
    DialogueQuerySet,
    Publishable,
    PublishableQuerySet,
    Side,
    SlugManager,
    TimeStamped,
    publish_permission,
)
from .search import search_vector_field, trigram_index


class StakeholderQuerySet(PublishableQuerySet):
    def with_public_relations(self):
        """The organization a stakeholder is part of, only when it is public."""
        return self.select_public("parent")


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

    search_vector = search_vector_field(
        ("name", "A"), ("acronym", "A"), ("position", "B"), ("description", "C")
    )

    objects = SlugManager.from_queryset(StakeholderQuerySet)()

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
            trigram_index("stakeholder", "name_en"),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("dialogue:stakeholder-detail", kwargs={"slug": self.slug})


class StakeholderPartQuerySet(DialogueQuerySet):
    """Rows tying a stakeholder to a publishable record, its owner (a participation to its
    meeting, a party to its agreement). The model names the owner in `owner_field`."""

    def public_parts(self):
        """The rows the owner's page shows: those of public stakeholders."""
        return self.filter(stakeholder__in=Stakeholder.objects.published()).select_related(
            "stakeholder"
        )

    def in_public_owners(self):
        """The rows a stakeholder's page shows: those whose owner is public."""
        name = self.model.owner_field
        owners = self.model._meta.get_field(name).related_model.objects.published()
        return self.filter(**{f"{name}__in": owners}).select_related(name)

    def public(self):
        """Rows of a public stakeholder in a public owner."""
        return self.in_public_owners().public_parts()


class SideFromStakeholder(TimeStamped):
    """A stakeholder's part in something; its side defaults to the stakeholder's country."""

    side = models.CharField(
        _("side"),
        max_length=5,
        choices=Side.choices,
        blank=True,
        help_text=_("Leave empty to use the stakeholder's country."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.side and self.stakeholder_id:
            self.side = self.stakeholder.country
        super().save(*args, **kwargs)
