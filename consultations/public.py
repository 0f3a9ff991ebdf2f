"""What other apps' pages show of the public input, read through the public read model."""

from django.db.models import Count

from .models import Consultation, Submission


def meeting_input(meeting, agenda_items):
    """For a meeting's page: its public consultations, the published submissions they received
    by pillar, and on each agenda item the number of published submissions that shaped it
    (`item.shaped_by`). Four queries at most, whatever the number of submissions."""
    from .views import pillar_breakdown

    public = Submission.objects.public_rows()
    ids = [item.pk for item in agenda_items]
    shaped = {}
    if ids:
        shaped = dict(
            public.filter(agenda_items__in=ids)
            .order_by()
            .values_list("agenda_items")
            .annotate(count=Count("pk", distinct=True))
        )
    for item in agenda_items:
        item.shaped_by = shaped.get(item.pk, 0)
    consultations = list(Consultation.objects.public().filter(meeting=meeting).order_by("opens_at"))
    if not consultations:
        return {"input_consultations": []}
    by_pillar = pillar_breakdown(public.filter(consultation__in=consultations))
    return {
        "input_consultations": consultations,
        "input_by_pillar": by_pillar,
        "input_count": sum(row["count"] for row in by_pillar),
    }
