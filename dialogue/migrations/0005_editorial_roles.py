"""Create the Editor and Publisher groups; remember when live records were first published."""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

from dialogue.publishing.roles import sync_roles

PUBLISHABLE = ("meeting", "agreement", "stakeholder", "keyfigure", "page")


def create_roles(apps, schema_editor):
    # On a fresh database the permissions do not exist yet: the post_migrate handler
    # (dialogue/apps.py) completes the groups once they do.
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def backfill_first_published(apps, schema_editor):
    for name in PUBLISHABLE:
        model = apps.get_model("dialogue", name)
        model.objects.filter(
            publication_status="published",
            publish_at__lte=timezone.now(),
            first_published_at__isnull=True,
        ).update(first_published_at=F("publish_at"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("dialogue", "0004_workflow_versions_permissions_redirects"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(backfill_first_published, migrations.RunPython.noop),
    ]
