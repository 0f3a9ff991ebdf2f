"""The filters of the public list of accepted submissions."""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dialogue.filters import RelatedFilter, SearchFilter
from dialogue.models import AgendaItem, Pillar, Sector, Side

from .models import Consultation, Submission


def public_consultations(request):
    return Consultation.objects.public()


class SubmissionFilter(django_filters.FilterSet):
    """Filters of the submission list: consultation, pillar, sector, country, sender, language."""

    q = SearchFilter(fields=("title", "text", "reference"))
    consultation = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=public_consultations, label=_("Consultation")
    )
    pillar = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Pillar.objects.public(), label=_("Pillar")
    )
    sector = RelatedFilter(
        field_name="sectors",
        to_field_name="slug",
        queryset=Sector.objects.public(),
        label=_("Sector"),
    )
    country = django_filters.ChoiceFilter(choices=Side.choices, label=_("Country"))
    sender_kind = django_filters.ChoiceFilter(
        choices=Submission.SenderKind.choices, label=_("Sent by")
    )
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))
    # Reached from "Shaped by N submissions" on a meeting's page: a hidden field.
    agenda_item = RelatedFilter(
        field_name="agenda_items",
        queryset=AgendaItem.objects.public(),
        label=_("Agenda item"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Submission
        fields = [
            "q",
            "consultation",
            "pillar",
            "sector",
            "country",
            "sender_kind",
            "language",
            "agenda_item",
        ]
