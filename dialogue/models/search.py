"""What the site search indexes, declared on the models.

On PostgreSQL every searchable model has a stored, generated ``search_vector``: its texts in
English and in Spanish, each parsed with the project's own text-search configuration
(``hled_en``, ``hled_es``: English and Spanish stemming with accents folded by ``unaccent``,
created by migration 0009), weighted A (titles, names), B (summaries) and C (bodies). The
database keeps the vector up to date on every write, bulk inserts and fixtures included, and
triggers copy it into a narrow table of its kind with a GIN index (`SearchRow`), which is what
the search reads; other triggers keep the words of titles for "did you mean" (`title_words_sql`).

SQLite (the demo) has neither the configurations nor GIN: there the column is always NULL and
the search folds case and accents in Python instead (`fold`, registered as the SQL function
``hled_fold``; see dialogue/search.py).
"""

import unicodedata

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# The text-search configuration of each language, made by migration 0009.
SEARCH_CONFIGS = {"en": "hled_en", "es": "hled_es"}
WEIGHTS = ("A", "B", "C", "D")


def fold(text):
    """`text` lower-cased without accents: "Querétaro" -> "queretaro" (None stays None)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class SearchDocument(models.Expression):
    """The weighted text-search vector of a record's fields in every language.

    `fields` are (field name, weight) pairs; a translated field is read in each language's
    column with that language's configuration. PostgreSQL only: elsewhere it is NULL.
    """

    output_field = SearchVectorField()

    def __init__(self, *fields):
        super().__init__()
        self.fields = fields

    def __repr__(self):
        return f"{self.__class__.__name__}{self.fields!r}"

    def deconstruct(self):
        return ("dialogue.models.search.SearchDocument", self.fields, {})

    def __eq__(self, other):
        return isinstance(other, SearchDocument) and self.fields == other.fields

    def __hash__(self):
        return hash(self.fields)

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        clone.model = query.model if query is not None else None
        return clone

    def parts(self):
        """(column, configuration, weight) of each part; a translated field (one with a column
        per language, as django-modeltranslation adds) is read in each language's column."""
        opts = self.model._meta
        for name, weight in self.fields:
            assert weight in WEIGHTS, weight
            for code, config in SEARCH_CONFIGS.items():
                try:
                    column = opts.get_field(f"{name}_{code}").column
                except FieldDoesNotExist:
                    yield opts.get_field(name).column, config, weight
                    break
                yield column, config, weight

    def as_sql(self, compiler, connection):
        return "NULL", []

    def as_postgresql(self, compiler, connection):
        quote = connection.ops.quote_name
        sql = " || ".join(
            f"setweight(to_tsvector('{config}'::regconfig, COALESCE({quote(column)}, '')), "
            f"'{weight}')"
            for column, config, weight in self.parts()
        )
        return f"({sql})", []


def search_vector_field(*fields):
    """The generated `search_vector` column of a model: `fields` as (name, weight) pairs."""
    return models.GeneratedField(
        expression=SearchDocument(*fields),
        output_field=SearchVectorField(null=True),
        db_persist=True,
        serialize=False,
        verbose_name="search vector",
    )


class PostgresOnly:
    """An index of a PostgreSQL type there; a plain index elsewhere (SQLite has neither GIN nor
    GiST, and rebuilds a table's indexes whenever a migration alters it)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(fields=self.fields, name=self.name)
        return plain.create_sql(model, schema_editor, **kwargs)


class PostgresGinIndex(PostgresOnly, GinIndex):
    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "dialogue.models.search.PostgresGinIndex", args, kwargs


class PostgresGistIndex(PostgresOnly, GistIndex):
    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "dialogue.models.search.PostgresGistIndex", args, kwargs


def trigram_index(model_name, field):
    """A trigram index of `field` for "did you mean": GiST, so the titles nearest a misspelt
    word come straight from the index (pg_trgm's `<->>` distance, ordered, a few rows)."""
    return PostgresGistIndex(
        fields=[field], name=f"{model_name}_{field}_trgm", opclasses=["gist_trgm_ops"]
    )


class SearchRow(models.Model):
    """A record's search vector in a narrow table of its own: what the site search reads.

    The vector is the record's generated `search_vector`, copied by a PostgreSQL trigger on
    every insert and on every update that changes it (`copy_vector_sql`; bulk inserts and
    fixtures included). The search reads these rows instead of the records' wide rows: a
    vector read for a match or a rank is then a short row of its own, not a column of a row
    whose texts are compressed together (decompressing a meeting's or an agreement's row to
    test one word was most of a common word's time). Each kind keeps its own table, so the
    planner's statistics of a word's frequency are per kind (in one shared table, a word
    that only meetings hold was estimated as frequent among updates too, and the search read
    every update looking for it).

    Which rows are public is not kept here: the search joins each row to its record's
    `public_rows()`. On SQLite the table stays empty (there is no vector to copy).
    """

    vector = SearchVectorField(null=True)

    class Meta:
        abstract = True


def search_row(model, related_name="search_row"):
    """The one-to-one link of a `SearchRow` subclass to the record it indexes."""
    return models.OneToOneField(
        model,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name=related_name,
        db_column="record_id",
    )


def search_row_index(name):
    return PostgresGinIndex(fields=["vector"], name=f"{name}_search_row")


COPY_FUNCTION = """
CREATE OR REPLACE FUNCTION hled_copy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO %I (record_id, vector) VALUES ($1, $2) '
        'ON CONFLICT (record_id) DO UPDATE SET vector = EXCLUDED.vector',
        TG_ARGV[0]
    ) USING NEW.id, NEW.search_vector;
    RETURN NULL;
END
$$
"""


def copy_vector_sql(table, row_table):
    """PostgreSQL: triggers keeping `row_table` (a `SearchRow`) a copy of `table`'s vectors,
    and a first copy of the rows already there. Returns (forward, backward) statements."""
    forward = [
        COPY_FUNCTION,
        f'CREATE TRIGGER "{table}_search_row_insert" AFTER INSERT ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION hled_copy_search_vector('{row_table}')",
        f'CREATE TRIGGER "{table}_search_row_update" AFTER UPDATE ON "{table}" FOR EACH ROW '
        "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector) "
        f"EXECUTE FUNCTION hled_copy_search_vector('{row_table}')",
        f'INSERT INTO "{row_table}" (record_id, vector) SELECT id, search_vector FROM "{table}" '
        "ON CONFLICT (record_id) DO NOTHING",
        # As for the records' vectors (migration 0011): a misspelling, which no record holds,
        # is then estimated as rare and looked up in the index.
        f'ALTER TABLE "{row_table}" ALTER COLUMN "vector" SET STATISTICS 1000',
        f'ANALYZE "{row_table}"',
    ]
    backward = [
        f'DROP TRIGGER IF EXISTS "{table}_search_row_insert" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{table}_search_row_update" ON "{table}"',
    ]
    return forward, backward


TITLE_WORDS_FUNCTION = """
CREATE OR REPLACE FUNCTION hled_title_words() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM dialogue_titleword WHERE kind = TG_ARGV[0] AND record_id = OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) INTO title USING NEW;
    INSERT INTO dialogue_titleword (kind, record_id, word)
        SELECT DISTINCT TG_ARGV[0], NEW.id, word
        FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') AS word
        WHERE length(word) BETWEEN 3 AND 100;
    INSERT INTO dialogue_searchword (word)
        SELECT DISTINCT word FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') AS word
        WHERE length(word) BETWEEN 3 AND 100
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""


def title_words_sql(table, kind, column):
    """PostgreSQL: triggers keeping the words of `table`'s `column` in `TitleWord` (as
    `kind`) and in the vocabulary (`SearchWord`), and the words of the rows already there."""
    words = (
        f'FROM "{table}", regexp_split_to_table(lower("{column}"), \'[^[:alnum:]]+\') AS word '
        "WHERE length(word) BETWEEN 3 AND 100"
    )
    forward = [
        TITLE_WORDS_FUNCTION,
        f'CREATE TRIGGER "{table}_title_words" AFTER INSERT OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION hled_title_words('{kind}', '{column}')",
        f'CREATE TRIGGER "{table}_title_words_update" AFTER UPDATE ON "{table}" FOR EACH ROW '
        f'WHEN (OLD."{column}" IS DISTINCT FROM NEW."{column}") '
        f"EXECUTE FUNCTION hled_title_words('{kind}', '{column}')",
        f"INSERT INTO dialogue_titleword (kind, record_id, word) "
        f"SELECT DISTINCT '{kind}', \"{table}\".id, word {words}",
        f"INSERT INTO dialogue_searchword (word) SELECT DISTINCT word {words} "
        "ON CONFLICT DO NOTHING",
        "ANALYZE dialogue_titleword",
        "ANALYZE dialogue_searchword",
    ]
    backward = [
        f'DROP TRIGGER IF EXISTS "{table}_title_words" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{table}_title_words_update" ON "{table}"',
    ]
    return forward, backward


def on_postgresql(forward, backward):
    """A migration operation running these statements on PostgreSQL, nothing elsewhere."""
    from django.db import migrations

    def run(statements):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement, params=None)

        return operation

    return migrations.RunPython(run(forward), run(backward))


def copy_vectors(table, row_table):
    """A migration operation: `copy_vector_sql` on PostgreSQL, nothing elsewhere."""
    return on_postgresql(*copy_vector_sql(table, row_table))


def title_words(table, kind, column):
    """A migration operation: `title_words_sql` on PostgreSQL, nothing elsewhere."""
    return on_postgresql(*title_words_sql(table, kind, column))
