"""The dialogue's taxonomy: its three pillars and the economic sectors it covers.

Neither has a draft state: they are public as soon as they exist.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..richtext import RichTextField
from .publication import DialogueQuerySet, TimeStamped


class PillarManager(models.Manager.from_queryset(DialogueQuerySet)):
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


class SectorManager(models.Manager.from_queryset(DialogueQuerySet)):
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
