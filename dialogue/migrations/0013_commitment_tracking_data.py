"""Commitment tracking, 2 of 3: an agreement's state (overall and per side) now lives in its published
implementation updates; updates are reviewed and published on their own, with evidence.

What visitors saw before is kept:

- every existing update becomes published, and an update whose status or progress was left
  empty takes the one of the update before it (the state carries on);
- where an agreement's typed status or progress differed from its latest update (or it had
  none), a published update records that state, dated the later of the latest update and the
  agreement's last change, so the agreement shows the same state as before;
- each meeting's planned period is computed, and each key figure with a year gets that value
  as the first of its series.
"""

from django.db import migrations
from django.utils import timezone

CARRIED_TITLE = {
    "en": "Status and progress as recorded before updates were reviewed",
    "es": "Estado y avance registrados antes de que se revisaran las actualizaciones",
}
CARRIED_NOTE = {
    "en": "Carried over from the agreement's own status and progress.",
    "es": "Tomados del estado y el avance que figuraban en el acuerdo.",
}
STATE = ("status", "progress", "us_status", "us_progress", "mx_status", "mx_progress",
         "joint_status", "joint_progress")  # fmt: skip


def state_key(update):
    return "|".join("" if getattr(update, n) is None else str(getattr(update, n)) for n in STATE)


def carry_state_into_updates(apps, schema_editor):
    from dialogue.models.meetings import planned_end
    from zoneinfo import ZoneInfo

    Agreement = apps.get_model("dialogue", "Agreement")
    Update = apps.get_model("dialogue", "AgreementUpdate")
    Meeting = apps.get_model("dialogue", "Meeting")
    KeyFigure = apps.get_model("dialogue", "KeyFigure")
    KeyFigureValue = apps.get_model("dialogue", "KeyFigureValue")
    now = timezone.now()

    for agreement in Agreement.objects.order_by("pk").iterator():
        status, progress, latest = None, None, None
        for update in Update.objects.filter(agreement=agreement).order_by("date", "id"):
            if not update.status:
                announced = agreement.announced_on and update.date >= agreement.announced_on
                update.status = status or ("announced" if announced else "proposed")
            if update.progress is None:
                update.progress = progress if progress is not None else 0
            status, progress, latest = update.status, update.progress, update
            update.publication_status = "published"
            update.publish_at = min(update.created_at, now)
            update.first_published_at = update.publish_at
            update.state_key = state_key(update)
            update.save()
        if latest is not None and (status, progress) == (agreement.status, agreement.progress):
            continue
        day = agreement.updated_at.date()
        if latest is not None:
            day = max(day, latest.date)
        carried = Update(
            agreement=agreement,
            date=day,
            status=agreement.status,
            progress=agreement.progress,
            publication_status="published",
            publish_at=now,
            first_published_at=now,
        )
        for code in ("en", "es"):
            setattr(carried, f"title_{code}", CARRIED_TITLE[code])
            setattr(carried, f"note_{code}", CARRIED_NOTE[code])
        carried.title, carried.note = CARRIED_TITLE["en"], CARRIED_NOTE["en"]
        carried.state_key = state_key(carried)
        carried.save()

    meetings = []
    for meeting in Meeting.objects.iterator():
        zone = ZoneInfo(meeting.timezone)
        meeting.period_end = planned_end(meeting.start, meeting.date_precision, zone, meeting.end)
        meetings.append(meeting)
    Meeting.objects.bulk_update(meetings, ["period_end"], batch_size=1000)

    for figure in KeyFigure.objects.filter(year__isnull=False):
        value = KeyFigureValue(
            figure=figure, year=figure.year, value=figure.value, source_url=figure.source_url
        )
        for name in ("source", "source_en", "source_es"):
            setattr(value, name, getattr(figure, name))
        value.save()


class Migration(migrations.Migration):

    dependencies = [
        ("dialogue", "0012_commitment_tracking"),
    ]

    operations = [
        migrations.RunPython(carry_state_into_updates, migrations.RunPython.noop),
    ]
