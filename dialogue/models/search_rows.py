"""The narrow tables of search vectors the site search reads, one per kind (see `SearchRow`),
and the words of titles "did you mean" proposes."""

from django.db import models

from .agreements import Agreement, AgreementUpdate
from .content import Document, Page
from .meetings import AgendaItem, Meeting
from .search import PostgresGistIndex, SearchRow, search_row, search_row_index
from .stakeholders import Stakeholder


class MeetingSearch(SearchRow):
    """A meeting's search vector."""

    record = search_row(Meeting)

    class Meta:
        indexes = [search_row_index("meeting")]


class AgendaItemSearch(SearchRow):
    """An agenda item's search vector."""

    record = search_row(AgendaItem)

    class Meta:
        indexes = [search_row_index("agendaitem")]


class AgreementSearch(SearchRow):
    """An agreement's search vector."""

    record = search_row(Agreement)

    class Meta:
        indexes = [search_row_index("agreement")]


class AgreementUpdateSearch(SearchRow):
    """An implementation update's search vector."""

    record = search_row(AgreementUpdate)

    class Meta:
        indexes = [search_row_index("agreementupdate")]


class StakeholderSearch(SearchRow):
    """A stakeholder's search vector."""

    record = search_row(Stakeholder)

    class Meta:
        indexes = [search_row_index("stakeholder")]


class PageSearch(SearchRow):
    """A page's search vector."""

    record = search_row(Page)

    class Meta:
        indexes = [search_row_index("page")]


class DocumentSearch(SearchRow):
    """A document's search vector."""

    record = search_row(Document)

    class Meta:
        indexes = [search_row_index("document")]


class TitleWord(models.Model):
    """A word of a record's title, for "did you mean": which records hold it (kept by a
    PostgreSQL trigger, `title_words_sql`). Which of them are public is read from the
    records' `public_rows()` when a spelling is proposed."""

    kind = models.CharField(max_length=20)
    record_id = models.IntegerField()
    word = models.CharField(max_length=100)

    class Meta:
        indexes = [
            models.Index(fields=["word", "kind", "record_id"], name="titleword_word"),
            models.Index(fields=["kind", "record_id"], name="titleword_record"),
        ]

    def __str__(self):
        return self.word


class SearchWord(models.Model):
    """Every word a searched title has held, once: the vocabulary "did you mean" looks in,
    nearest first (a GiST trigram index on single words). A word is proposed only while a
    public record's title holds it (`TitleWord`)."""

    word = models.CharField(max_length=100, primary_key=True)

    class Meta:
        indexes = [
            PostgresGistIndex(fields=["word"], name="searchword_trgm", opclasses=["gist_trgm_ops"])
        ]

    def __str__(self):
        return self.word
