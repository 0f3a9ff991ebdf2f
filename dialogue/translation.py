"""Which fields exist in English and Spanish (django-modeltranslation registrations).

Every text a visitor reads is registered; slugs stay the same in both languages so links are
stable. English is required wherever the field itself is required; Spanish is optional and
falls back to English (with a notice on the page) while missing.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    Evidence,
    KeyFigure,
    KeyFigureValue,
    Meeting,
    Page,
    Participation,
    Pillar,
    Sector,
    Stakeholder,
)


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("name", "summary", "description")
    required_languages = {"en": ("name",)}


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(Stakeholder)
class StakeholderTranslation(TranslationOptions):
    fields = ("name", "position", "description")
    required_languages = {"en": ("name",)}


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "city", "venue", "summary", "body")
    required_languages = {"en": ("title",)}


@register(Participation)
class ParticipationTranslation(TranslationOptions):
    fields = ("capacity",)


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description", "outcome")
    required_languages = {"en": ("title",)}


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "impact")
    required_languages = {"en": ("title",)}


@register(AgreementParty)
class AgreementPartyTranslation(TranslationOptions):
    fields = ("capacity",)


@register(AgreementUpdate)
class AgreementUpdateTranslation(TranslationOptions):
    fields = ("title", "note")
    required_languages = {"en": ("title",)}


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = {"en": ("title",)}


@register(KeyFigure)
class KeyFigureTranslation(TranslationOptions):
    fields = ("label", "qualifier", "source")
    required_languages = {
        "en": (
            "label",
            "source",
        )
    }


@register(Page)
class PageTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    required_languages = {"en": ("title",)}


@register(Evidence)
class EvidenceTranslation(TranslationOptions):
    fields = ("title",)


@register(KeyFigureValue)
class KeyFigureValueTranslation(TranslationOptions):
    fields = ("source",)
