"""The HLED domain, one module per aggregate; every model is importable from here.

- publication: what every record shares (timestamps, version, publication) and the public
  read model's machinery (`public()`, `select_public()`)
- taxonomy: pillars and sectors
- stakeholders: government bodies, companies, groups and people
- meetings: meetings, their participants and agenda items
- agreements: agreements, their parties and implementation updates
- content: documents, key figures, pages and slug redirects
"""

from .agreements import Agreement, AgreementParty, AgreementStatus, AgreementUpdate
from .content import Document, KeyFigure, Page, SlugRedirect
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
from .stakeholders import SideFromStakeholder, Stakeholder
from .taxonomy import Pillar, Sector

__all__ = [
    "AgendaItem",
    "Agreement",
    "AgreementParty",
    "AgreementStatus",
    "AgreementUpdate",
    "DialogueQuerySet",
    "Document",
    "KeyFigure",
    "Meeting",
    "Page",
    "Participation",
    "Pillar",
    "Publishable",
    "PublicationStatus",
    "PublishableQuerySet",
    "Sector",
    "Side",
    "SideFromStakeholder",
    "SlugRedirect",
    "StaleWrite",
    "Stakeholder",
    "TimeStamped",
    "public_filter",
]
