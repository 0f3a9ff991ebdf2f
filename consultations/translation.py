"""Which consultation fields exist in English and Spanish (django-modeltranslation).

A submission is shown in the language it was written in; only the governments' official
answer to it is bilingual.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Consultation, Submission


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "summary", "introduction", "questions", "outcome")
    required_languages = {"en": ("title",)}


@register(Submission)
class SubmissionTranslation(TranslationOptions):
    fields = ("answer",)
