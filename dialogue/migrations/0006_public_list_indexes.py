"""Indexes for the orderings and filters of the public lists (at 10,000 meetings).

Agreements are listed newest first, those not yet announced last: ORDER BY announced_on DESC
NULLS LAST. SQLite sorts NULLs that way by itself and its plain announced_on index serves the
order; PostgreSQL needs indexes declared in that order, and SQLite cannot declare NULLS LAST in
an index, so the last operation creates those two on PostgreSQL only.
"""

from django.db import migrations, models

POSTGRESQL_INDEXES = {
    "agreement_newest_first": '("announced_on" DESC NULLS LAST)',
    "agreement_pillar_newest": '("pillar_id", "announced_on" DESC NULLS LAST)',
}


def create_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in POSTGRESQL_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "dialogue_agreement" {columns}'
        )


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in POSTGRESQL_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("dialogue", "0005_editorial_roles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                fields=["pillar", "publication_status", "publish_at", "status"],
                name="agreement_pillar_status",
            ),
        ),
        migrations.AddIndex(
            model_name="stakeholder",
            index=models.Index(fields=["name_en"], name="stakeholder_name_en"),
        ),
        migrations.AddIndex(
            model_name="stakeholder",
            index=models.Index(fields=["name_es"], name="stakeholder_name_es"),
        ),
        migrations.RunPython(create_postgresql_indexes, drop_postgresql_indexes),
    ]
