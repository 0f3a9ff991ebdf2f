"""The site search: one ranked list of every kind of public record that matches a query.

Each kind reads through its public rows (`public_rows()`: the records `public()` shows, without
the related records the search does not read). The kinds'
matches are combined in one SQL query (UNION ALL of (kind, id, rank, day) rows), ordered by
rank, then newest first, and one page of it is read; then each kind present on that page is
loaded in one query. So a search costs the same number of queries whatever the data.

- PostgreSQL: full-text search on each model's generated `search_vector` (its texts in English
  and Spanish, stemmed, accents folded; titles weigh more than summaries, summaries more than
  bodies: dialogue/models/search.py), read from its narrow copy (`SearchRow`), with the
  visitor's words parsed as a web search
  (`websearch_to_tsquery`: quotes, `or`, `-word`; any input is valid) in both languages, and
  ranked with `ts_rank`. When a query finds little, pg_trgm proposes a spelling ("did you
  mean") from the closest words of public titles.
- Elsewhere (SQLite, for the demo): every word must appear in one of the record's texts,
  compared without case or accents (`hled_fold`, a SQL function registered on each
  connection), ranked by where it appears.

Snippets are built here from plain text (rich text stripped of its tags), escaped, with the
matching words wrapped in `<mark>`.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import add, or_

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramDistance
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consultations.models import Submission

from .cache import cached_values, memo
from .filters import distinct_years_of
from .models import (
    AgendaItem,
    Agreement,
    AgreementUpdate,
    Document,
    Meeting,
    Page,
    Pillar,
    SearchWord,
    Stakeholder,
    TitleWord,
)
from .models.publication import publication_time
from .models.search import SEARCH_CONFIGS, WEIGHTS, fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_CHARS = 240
# On PostgreSQL, the newest matches of each kind that are ranked (see `matches`).
CANDIDATES = 100
# "Did you mean": the title words nearest each word of the query.
NEAREST_WORDS = 5
# … chosen among this many nearest words of the vocabulary, public or not.
NEAREST_CANDIDATES = 20
# Below this many results, look for a better spelling.
SUGGEST_BELOW = 3
RANK_OF_WEIGHT = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}


class Fold(Func):
    """`text` without case or accents, in SQL (SQLite: the Python `fold`)."""

    function = "hled_fold"
    output_field = TextField()


def register_fold(sender, connection, **kwargs):
    """Make `hled_fold` available on each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("hled_fold", 1, fold, deterministic=True)


def postgresql():
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Kind:
    """One kind of record the search finds."""

    name: str
    label: str
    model: type
    # (field, weight) pairs searched on SQLite; PostgreSQL has them in `search_vector`.
    fields: tuple
    # The fields a snippet is made from, best first.
    snippet_fields: tuple
    # The record's date, for ordering equal ranks and for the year filter (a lookup path).
    day: str | None
    pillar: str | None
    # The record's own field the result is titled with.
    title_field: str = "title"
    # The related records a result names (its context), selected with it. Each is public
    # whenever the record is: its public rows are those of public owners.
    related: tuple = ()

    def public(self):
        return self.model.objects.public_rows()

    def display(self):
        """What the result list reads of each record: its public row and its context."""
        return self.public().select_related(*self.related).defer("search_vector")


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "meeting",
            _("Meetings"),
            Meeting,
            (("title", "A"), ("summary", "B"), ("city", "B"), ("body", "C")),
            ("summary", "body"),
            "start",
            "agenda_items__pillar",
        ),
        Kind(
            "agenda-item",
            _("Agenda items"),
            AgendaItem,
            (("title", "A"), ("outcome", "B"), ("description", "C")),
            ("description", "outcome"),
            "meeting__start",
            "pillar",
            related=("meeting",),
        ),
        Kind(
            "agreement",
            _("Agreements"),
            Agreement,
            (("title", "A"), ("reference", "A"), ("summary", "B"), ("body", "C"), ("impact", "C")),
            ("summary", "body", "impact"),
            "announced_on",
            "pillar",
        ),
        Kind(
            "update",
            _("Implementation updates"),
            AgreementUpdate,
            (("title", "A"), ("note", "B")),
            ("note",),
            "date",
            "agreement__pillar",
            related=("agreement",),
        ),
        Kind(
            "stakeholder",
            _("Stakeholders"),
            Stakeholder,
            (("name", "A"), ("acronym", "A"), ("position", "B"), ("description", "C")),
            ("position", "description"),
            None,
            None,
            title_field="name",
        ),
        Kind(
            "page",
            _("Pages"),
            Page,
            (("title", "A"), ("summary", "B"), ("body", "C")),
            ("summary", "body"),
            None,
            None,
        ),
        Kind(
            "document",
            _("Documents"),
            Document,
            (("title", "A"),),
            (),
            "published_on",
            "agreement__pillar",
            related=("meeting", "agreement"),
        ),
        Kind(
            "submission",
            _("Public input"),
            Submission,
            # Never the sender's name, organization or email address: what the public page
            # shows as the sender's words.
            (("title", "A"), ("reference", "A"), ("text", "B")),
            ("text",),
            "confirmed_at",
            "pillar",
            related=("consultation",),
        ),
    ]
}


def public_years():
    """The years of public meetings and agreements, newest first."""
    years = {
        day.year
        for day in distinct_years_of(
            (Meeting.objects.public_rows(), "start"),
            (Agreement.objects.public_rows(), "announced_on"),
        )
    }
    return sorted(years, reverse=True)


def public_pillars():
    """(slug, name) of each public pillar, in their order."""
    return [(pillar.slug, str(pillar)) for pillar in Pillar.objects.public()]


class SearchForm(forms.Form):
    """The search box and its filters. Any text is a valid query (up to 200 characters).

    The pillar and year choices are the same for every search of a content generation: with
    `request`, a public search reads them from the generation's cache (dialogue.cache.memo)
    instead of the database; the chosen pillar is then read by its slug.
    """

    q = forms.CharField(
        label=pgettext_lazy("search form", "Search for"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Any type")), *((kind.name, kind.label) for kind in KINDS.values())],
    )
    pillar = forms.ChoiceField(label=_("Pillar"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        pillars = memo(request, "search-pillars", public_pillars)
        years = memo(request, "search-years", public_years)
        self.fields["pillar"].choices = [("", _("Any pillar")), *pillars]
        self.fields["year"].choices = [("", _("Any year")), *((y, str(y)) for y in years)]

    def clean_pillar(self):
        slug = self.cleaned_data["pillar"]
        if not slug:
            return None
        pillar = Pillar.objects.public().filter(slug=slug).first()
        if pillar is None:  # deleted since the choices were read
            raise forms.ValidationError(
                self.fields["pillar"].error_messages["invalid_choice"], params={"value": slug}
            )
        return pillar


def terms_of(query):
    """The words of a query to match and highlight: folded, without operators."""
    words = re.findall(r"-?\w+", query)
    terms = []
    for word in words:
        if word.startswith("-") or word.lower() == "or":
            continue
        folded = fold(word)
        if folded not in terms:
            terms.append(folded)
    return terms[:MAX_TERMS]


def _sqlite_stem(term):
    """A crude plural strip, so "agreements" still finds "agreement" without a stemmer."""
    if len(term) > 5 and term.endswith("es"):
        return term[:-2]
    if len(term) > 4 and term.endswith("s"):
        return term[:-1]
    return term


def columns(model, field):
    """The database fields behind `field`: one per language when it is translated."""
    names = [f"{field}_{code}" for code in SEARCH_CONFIGS]
    opts = model._meta
    present = [name for name in names if any(f.name == name for f in opts.concrete_fields)]
    return present or [field]


def text_query(query):
    """The query as PostgreSQL full-text search reads it, in both languages."""
    return reduce(
        or_,
        (
            SearchQuery(query, config=config, search_type="websearch")
            for config in SEARCH_CONFIGS.values()
        ),
    )


def matches(kind, query, terms, narrow):
    """`kind`'s public records matching `query` (and `narrow`, the filters), with their rank.

    On PostgreSQL only the newest CANDIDATES matches of each kind are ranked (`ranked` takes
    that many): a common word matches tens of thousands of records, and ranking reads each
    one's whole vector. The newest are found from the primary key backwards, or for rarer
    words from the GIN index.
    """
    queryset = narrow(kind.public().order_by())
    if postgresql():
        search = text_query(query)
        # Ranked as the rows come out of the LIMIT: only the candidates are ranked.
        return (
            queryset.alias(query_lexemes=NumNode(search))
            .filter(query_lexemes__gt=0, search_row__vector=search)
            .annotate(rank_=SearchRank(F("search_row__vector"), search))
            .order_by("-pk")
        )
    stems = [_sqlite_stem(term) for term in terms]
    folded = {}
    for field, weight in kind.fields:
        for column in columns(kind.model, field):
            folded[column] = (f"folded_{column}", weight)
    queryset = queryset.alias(**{alias: Fold(column) for column, (alias, _w) in folded.items()})
    for stem in stems:
        queryset = queryset.filter(
            reduce(or_, (Q(**{f"{alias}__contains": stem}) for alias, _w in folded.values()))
        )
    rank = reduce(
        add,
        (
            Case(
                When(
                    reduce(or_, (Q(**{f"{alias}__contains": stem}) for stem in stems)),
                    then=Value(RANK_OF_WEIGHT[weight]),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
            for alias, weight in folded.values()
        ),
    )
    return queryset.annotate(rank_=rank)


def has_lexemes(query):
    """False when the query holds no word to look for (only stop words or symbols).

    On PostgreSQL this only looks for a letter or a digit: each kind's part of the UNION
    carries the real test (`numnode(query) > 0`), which the planner evaluates once, so that a
    query of stop words reads nothing (an empty text query cannot use the indexes) without a
    query of its own."""
    if postgresql():
        # Without a letter or a digit PostgreSQL's parser finds no word either.
        return WORD.search(query) is not None
    return bool(terms_of(query))


class NumNode(Func):
    function = "numnode"
    output_field = IntegerField()


def day_of(kind):
    if kind.day is None:
        return Value(None, output_field=DateField())
    field = kind.day
    if field in {"start", "meeting__start", "confirmed_at"}:
        return TruncDate(field)
    return Cast(F(field), DateField())


def union(query, kinds, pillar=None, year=None):
    """Every match, as a UNION of (kind, id, rank, day) rows (PostgreSQL: CANDIDATES of each
    kind), or None when no kind can match (a filter no kind of `kinds` has)."""
    terms = terms_of(query)
    parts = []
    for kind in kinds:
        if (pillar is not None and kind.pillar is None) or (year and kind.day is None):
            continue

        def narrow(queryset, kind=kind):
            if pillar is not None:
                related = kind.model._base_manager.filter(**{kind.pillar: pillar}).values("pk")
                queryset = queryset.filter(pk__in=related)
            if year:
                queryset = queryset.filter(**{f"{kind.day}__year": year})
            return queryset

        queryset = matches(kind, query, terms, narrow)
        if year and postgresql():
            # Within a year, the newest by date: read from the date's index, that year's
            # records only (by primary key, the newer years' records came first).
            queryset = queryset.order_by(F(kind.day).desc(), "-pk")
        part = queryset.annotate(kind_=Value(kind.name), id_=F("pk"), day_=day_of(kind))
        part = part.values_list("kind_", "id_", "rank_", "day_")
        parts.append(part[:CANDIDATES] if postgresql() else part)
    if not parts:
        return None
    first, *others = parts
    return first.union(*others, all=True) if others else first


# Stand-ins for the two values of a PostgreSQL search that change from one request to the
# next, in the SQL compiled once per shape of search (`compiled_union`).
QUERY_SLOT = "hled-search-query-3f9c2e"
TIME_SLOT = dt.datetime(1970, 1, 1, 0, 0, 0, 314159, tzinfo=dt.UTC)


@lru_cache(maxsize=256)
def compiled_union(kind_names, pillar, year, language, zone):
    """The SQL of `union()` and its parameters, for one shape of search: the kinds, the
    filters, the language and the time zone. The query is `QUERY_SLOT` and the time of
    publication `TIME_SLOT`; `run_union` puts the real ones in their place.

    Building and compiling the eight parts through the ORM took about 20 ms of Python per
    search; the SQL they make differs only in those two values."""
    with publication_time(TIME_SLOT):
        combined = union(QUERY_SLOT, [KINDS[name] for name in kind_names], pillar, year)
    if combined is None:
        return None
    sql, params = combined.query.sql_with_params()
    assert QUERY_SLOT in params and TIME_SLOT in params, "the slots are in the SQL"
    return sql, tuple(params)


def run_union(query, kinds, pillar, year):
    """The rows of `union()` on PostgreSQL, from its compiled SQL."""
    compiled = compiled_union(
        tuple(kind.name for kind in kinds),
        pillar.pk if pillar is not None else None,
        year,
        get_language(),
        timezone.get_current_timezone_name(),
    )
    if compiled is None:
        return []
    sql, template = compiled
    now = timezone.now()
    params = [
        query if value == QUERY_SLOT else now if value == TIME_SLOT else value for value in template
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # The columns come in the order the ORM chose for the annotations: put them in ours.
        names = [column.name for column in cursor.description]
        order = [names.index(name) for name in ("kind_", "id_", "rank_", "day_")]
        return [tuple(row[i] for i in order) for row in cursor.fetchall()]


def ranked(query, kinds, pillar=None, year=None):
    """Every match, as (kind, id, rank, day) rows, best first: one SQL query (a UNION)."""
    if postgresql():
        # At most CANDIDATES rows of each kind: sorted here (a single, sliced kind could not
        # be ordered again in SQL).
        return sorted(run_union(query, kinds, pillar, year), key=best_first)
    combined = union(query, kinds, pillar, year)
    if combined is None:
        return []
    return list(
        combined.order_by(F("rank_").desc(), F("day_").desc(nulls_last=True), "kind_", "-id_")
    )


def best_first(row):
    """Sort key of a (kind, id, rank, day) row: best rank, then newest (undated last)."""
    kind, pk, rank, day = row
    return (-rank, (0, -day.toordinal()) if day else (1, 0), kind, -pk)


WORD = re.compile(r"\w+")


def highlight(text, terms, window=SNIPPET_CHARS):
    """`text` (plain) escaped, the words matching `terms` in `<mark>`; with `window`, only
    about that many characters around the first match (or the start when none matches)."""
    text = " ".join(text.split())
    prefixes = tuple(term if len(term) <= 4 else term[: max(4, len(term) - 2)] for term in terms)
    seen = {}

    def matches(word):
        # Each distinct word folded once, and only up to the window: a body is long.
        if word not in seen:
            seen[word] = bool(prefixes) and fold(word).startswith(prefixes)
        return seen[word]

    start, end = 0, len(text)
    if window and len(text) > window:
        first = next((m.start() for m in WORD.finditer(text) if matches(m.group())), 0)
        start = max(0, first - window // 3)
        if start:
            start = text.find(" ", start) + 1 or start
        end = min(len(text), start + window)
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    hits = [match for match in WORD.finditer(text, start, end) if matches(match.group())]
    parts, position = [], start
    for match in hits:
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


BLOCK_END = re.compile(r"<(?:br|/p|/li|/h[1-6]|/blockquote|/tr|hr)\b[^>]*>", re.IGNORECASE)


def plain(value, paragraphs=False):
    """Rich or plain text as plain text: tags dropped (a block's end keeps words apart, and
    with `paragraphs` starts a new line), entities decoded, spaces collapsed."""
    text = BLOCK_END.sub("\n" if paragraphs else " ", str(value or ""))
    text = html.unescape(strip_tags(text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return ("\n" if paragraphs else " ").join(line for line in lines if line)


@dataclass
class Result:
    kind: Kind
    pk: int
    title: str
    url: str
    snippet: str
    context: str = ""
    context_url: str = ""


@dataclass(frozen=True)
class Shown:
    """What a result shows of its record, as plain text, before the query's words are marked:
    the same for every search, so kept in the content generation's cache (`load`)."""

    title: str
    url: str
    text: str
    context: str = ""
    context_url: str = ""


def shown(kind, record):
    text = next(
        (plain(getattr(record, field)) for field in kind.snippet_fields if getattr(record, field)),
        "",
    )
    title = str(getattr(record, kind.title_field))
    # The record a result names as its context, and where the result links.
    owner, url = None, None
    if isinstance(record, AgendaItem):
        owner = record.meeting
        url = owner.get_absolute_url() + "#agenda-heading"
    elif isinstance(record, AgreementUpdate):
        owner = record.agreement
        url = owner.get_absolute_url() + "#timeline-heading"
    elif isinstance(record, Document):
        owner, url = record.meeting or record.agreement, record.href
    elif isinstance(record, Submission):
        owner = record.consultation
    url = url or record.get_absolute_url()
    if owner is None:
        return Shown(title, url, text)
    return Shown(title, url, text, str(owner.title), owner.get_absolute_url())


def shown_records(wanted):
    """`Shown` of each (kind name, pk) of `wanted`, in order (None for a record not public any
    more): one query per kind."""
    by_kind = {}
    for kind_name, pk in wanted:
        by_kind.setdefault(kind_name, []).append(pk)
    found = {}
    for kind_name, pks in by_kind.items():
        kind = KINDS[kind_name]
        for record in kind.display().filter(pk__in=pks):
            found[kind_name, record.pk] = shown(kind, record)
    return [found.get(key) for key in wanted]


def load(rows, terms, request=None):
    """The results of one page of `ranked()` rows, in order. What each shows of its record is
    read from the content generation's cache (dialogue.cache.cached_values: public searches
    only), and for the records it does not hold from the database, one query per kind; the
    query's words are then marked. The rows are public matches (`union`), so only a public
    record's text is ever read or kept."""
    wanted = [(kind_name, pk) for kind_name, pk, _rank, _day in rows]
    parts = [(f"search-result|{kind_name}|{pk}", (kind_name, pk)) for kind_name, pk in wanted]
    results = []
    for (kind_name, pk), seen in zip(
        wanted, cached_values(request, parts, shown_records), strict=True
    ):
        if seen is None:
            continue
        results.append(
            Result(
                kind=KINDS[kind_name],
                pk=pk,
                title=highlight(seen.title, terms, window=None),
                url=seen.url,
                snippet=highlight(seen.text, terms) if seen.text else "",
                context=seen.context,
                context_url=seen.context_url,
            )
        )
    return results


def trigrams(word):
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a, b):
    """pg_trgm's similarity of two words, in Python."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second) if first | second else 0.0


# "Did you mean" proposes words of the titles of these kinds.
SPELLING_SOURCES = {"meeting": Meeting, "agreement": Agreement, "stakeholder": Stakeholder}


def held_publicly():
    """True for a `SearchWord` that the title of a public record of a spelling source holds."""
    return reduce(
        or_,
        (
            Exists(
                TitleWord.objects.filter(
                    word=OuterRef("word"),
                    kind=kind,
                    record_id__in=model.objects.public_rows().values("pk"),
                )
            )
            for kind, model in SPELLING_SOURCES.items()
        ),
    )


def nearest_public_words(words):
    """The words of public titles nearest each of `words`, as one UNION of (word, distance)
    rows: the few words of the vocabulary nearest each (`SearchWord`, read nearest first from
    its GiST trigram index), each kept only while a public record's title holds it."""
    public = held_publicly()
    parts = []
    for word in words:
        distance = TrigramDistance("word", Value(word))
        # The nearest words first, then which of them public titles hold: asked of a few
        # words, the database tests each one instead of listing every public title's words.
        nearest = SearchWord.objects.order_by(distance).values("word")[:NEAREST_CANDIDATES]
        parts.append(
            SearchWord.objects.filter(public, word__in=nearest)
            .annotate(distance_=distance)
            .order_by("distance_")
            .values_list("word", "distance_")[:NEAREST_WORDS]
        )
    first, *others = parts
    return first.union(*others, all=True) if others else first


# Stand-ins for the words of a query in the SQL of `nearest_public_words`, compiled once per
# number of words (`compiled_suggestion`), as `compiled_union` does for the matches.
WORD_SLOTS = tuple(f"hled-search-word-{n}-8d41" for n in range(4))


@lru_cache(maxsize=64)
def compiled_suggestion(count, language, zone):
    """The SQL of `nearest_public_words()` for `count` words and its parameters: the words are
    `WORD_SLOTS`, the time of publication `TIME_SLOT` (building and compiling it through the
    ORM took longer than running it)."""
    with publication_time(TIME_SLOT):
        sql, params = nearest_public_words(WORD_SLOTS[:count]).query.sql_with_params()
    assert TIME_SLOT in params and set(WORD_SLOTS[:count]) <= set(params), "the slots are in it"
    return sql, tuple(params)


def suggest(query):
    """A better spelling of `query` from the title words nearest its words, or None.

    PostgreSQL only: one query (`nearest_public_words`, its SQL compiled once per number of
    words), then the closest of those words replaces each word of the query it is near.
    """
    if not postgresql():
        return None
    words = [word for word in dict.fromkeys(re.findall(r"\w+", query.lower())) if len(word) >= 3]
    words = sorted(words, key=len, reverse=True)[:4]
    if not words:
        return None
    compiled_sql, template = compiled_suggestion(
        len(words), get_language(), timezone.get_current_timezone_name()
    )
    slots = dict(zip(WORD_SLOTS, words, strict=False))
    now = timezone.now()
    params = [now if value == TIME_SLOT else slots.get(value, value) for value in template]
    with connection.cursor() as cursor:
        cursor.execute(compiled_sql, params)
        names = [column.name for column in cursor.description]
        word_at, distance_at = names.index("word"), names.index("distance_")
        nearest = [(row[word_at], row[distance_at]) for row in cursor.fetchall()]
    vocabulary = {}
    for word, _distance in nearest:
        vocabulary.setdefault(fold(word), word)
    if not vocabulary:
        return None
    corrected, changed = [], False
    for word in re.findall(r"\S+", query):
        folded = fold(word)
        if folded in vocabulary or not WORD.fullmatch(word) or len(word) < 3:
            corrected.append(word)
            continue
        best = max(vocabulary, key=lambda candidate: similarity(folded, candidate))
        if similarity(folded, best) >= 0.3:
            corrected.append(vocabulary[best])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


@dataclass
class Search:
    """A search as the page shows it: the form, one page of results, the total, a spelling."""

    form: SearchForm
    query: str = ""
    page: object = None
    paginator: object = None
    results: list = None
    suggestion: str | None = None
    # True when some kind had more matches than were ranked (PostgreSQL: CANDIDATES each).
    capped: bool = False

    @property
    def suggestion_url(self):
        params = self.form.data.copy()
        params["q"] = self.suggestion
        params.pop("page", None)
        return f"{reverse('dialogue:search')}?{params.urlencode()}"


def run(data, page_number, per_page, request=None):
    """Read the search form from `data` and run it (nothing is searched without a query)."""
    form = SearchForm(data, request=request)
    search = Search(form=form, results=[])
    if not form.is_valid():
        return search
    query = " ".join(form.cleaned_data["q"].split())
    search.query = query
    if not query:
        return search
    kinds = [KINDS[form.cleaned_data["type"]]] if form.cleaned_data["type"] else KINDS.values()
    rows = []
    if has_lexemes(query):
        rows = ranked(query, kinds, form.cleaned_data["pillar"], form.cleaned_data["year"])
    if postgresql():
        per_kind = {}
        for row in rows:
            per_kind[row[0]] = per_kind.get(row[0], 0) + 1
        search.capped = any(count >= CANDIDATES for count in per_kind.values())
    search.paginator = Paginator(rows, per_page)
    search.page = search.paginator.get_page(page_number)
    search.results = load(list(search.page.object_list), terms_of(query), request)
    if search.paginator.count < SUGGEST_BELOW:
        search.suggestion = suggest(query)
    return search


__all__ = ["KINDS", "SearchForm", "WEIGHTS", "highlight", "run", "suggest"]
