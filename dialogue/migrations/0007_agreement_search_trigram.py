"""Trigram indexes for the text search of the agreement list, on PostgreSQL only.

The search (SearchFilter in dialogue/filters.py) matches UPPER(column) LIKE UPPER('%text%') on
the title and summary in each language and on the reference. Without an index PostgreSQL reads
every agreement (about 190 ms at 20,000); GIN trigram indexes on those expressions answer it
from the indexes (about 8 ms). They need the pg_trgm extension: where the database role may not
create it, the migration leaves the indexes out and says so (the search still works, unindexed).
SQLite has no such index; its search stays a scan. A new language needs its columns added here.
"""

import sys

from django.db import DatabaseError, migrations, transaction

COLUMNS = ["title_en", "title_es", "summary_en", "summary_es", "reference"]


def index_name(column):
    return f"agreement_search_{column}"


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        sys.stderr.write(
            f"\n  pg_trgm is not available ({error}); the agreement search stays unindexed.\n"
        )
        return
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(column)}" ON "dialogue_agreement" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(column)}"')


class Migration(migrations.Migration):

    dependencies = [
        ("dialogue", "0006_public_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
