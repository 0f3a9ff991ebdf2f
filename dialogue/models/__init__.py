"""The HLED domain, one module per aggregate; every model is importable from here.

- publication: what every record shares (timestamps, version, publication) and the public
  read model's machinery (`public()`, `select_public()`)
- taxonomy: pillars and sectors
- stakeholders: government bodies, companies, groups and people
- meetings: meetings, their participants and agenda items
- agreements: agreements, their parties, implementation updates (the agreement's state, per
  side) and their evidence
- content: documents, key figures (and their values by year), pages and slug redirects
- follows: email subscriptions to commitments, and what was sent
- search_rows: the narrow tables of search vectors the site search reads
"""

from .agreements import (
    FINISHED,
    SIDE_FIELDS,
    STATE_FIELDS,
    STORED_STATE_FIELDS,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementUpdate,
    Evidence,
    PartySide,
    TrackSide,
    report_cutoff,
)
from .content import Document, KeyFigure, KeyFigureValue, Page, SlugRedirect
from .follows import Delivery, Subscription
from .meetings import AgendaItem, Meeting, Participation
from .publication import (
    DialogueQuerySet,
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    Side,
    StaleWrite,
    TimeStamped,
    public_filter,
)
from .search_rows import (
    AgendaItemSearch,
    AgreementSearch,
    AgreementUpdateSearch,
    DocumentSearch,
    MeetingSearch,
    PageSearch,
    SearchWord,
    StakeholderSearch,
    TitleWord,
)
from .stakeholders import SideFromStakeholder, Stakeholder
from .taxonomy import Pillar, Sector

__all__ = [
    "FINISHED",
    "SIDE_FIELDS",
    "STATE_FIELDS",
    "STORED_STATE_FIELDS",
    "AgendaItem",
    "AgendaItemSearch",
    "Agreement",
    "AgreementSearch",
    "AgreementParty",
    "AgreementStatus",
    "AgreementUpdate",
    "AgreementUpdateSearch",
    "Delivery",
    "DialogueQuerySet",
    "Document",
    "DocumentSearch",
    "Evidence",
    "KeyFigure",
    "KeyFigureValue",
    "Meeting",
    "MeetingSearch",
    "Page",
    "PageSearch",
    "Participation",
    "PartySide",
    "Pillar",
    "Publishable",
    "PublicationStatus",
    "PublishableQuerySet",
    "SearchWord",
    "Sector",
    "Side",
    "SideFromStakeholder",
    "SlugRedirect",
    "StaleWrite",
    "Stakeholder",
    "StakeholderSearch",
    "Subscription",
    "TimeStamped",
    "TitleWord",
    "TrackSide",
    "public_filter",
    "report_cutoff",
]
