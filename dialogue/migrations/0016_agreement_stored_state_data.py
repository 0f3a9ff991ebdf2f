"""Stored state, 2 of 2: store the current state of every existing agreement.

The rule is the one of `AgreementQuerySet.refresh_state()` (dialogue/models/agreements.py),
written here against the historical models: one UPDATE, each column read from the agreement's
latest update public now (by date, then by the order it was recorded), until its next
scheduled update comes due.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

STATE = ("status", "progress", "us_status", "us_progress", "mx_status", "mx_progress",
         "joint_status", "joint_progress")  # fmt: skip


def store_state(apps, schema_editor):
    Agreement = apps.get_model("dialogue", "Agreement")
    Update = apps.get_model("dialogue", "AgreementUpdate")
    now = timezone.now()
    published = Update.objects.filter(agreement=OuterRef("pk"), publication_status="published")
    latest = published.filter(publish_at__lte=now).order_by("-date", "-id")
    values = {f"state_{name}": Subquery(latest.values(name)[:1]) for name in STATE}
    values["state_status"] = Coalesce(values["state_status"], Value("proposed"))
    values["state_progress"] = Coalesce(values["state_progress"], Value(0))
    values["state_reported_on"] = Subquery(latest.values("date")[:1])
    next_scheduled = published.filter(publish_at__gt=now).order_by("publish_at")
    Agreement.objects.update(
        **values,
        state_as_of=Value(now),
        state_until=Subquery(next_scheduled.values("publish_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0015_agreement_stored_state"),
    ]

    operations = [
        migrations.RunPython(store_state, migrations.RunPython.noop),
    ]
