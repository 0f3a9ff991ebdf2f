"""The narrow tables of search vectors the site search reads, one per kind (see `SearchRow`)."""

from .agreements import Agreement, AgreementUpdate
from .content import Document, Page
from .meetings import AgendaItem, Meeting
from .search import SearchRow, search_row, search_row_index
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
