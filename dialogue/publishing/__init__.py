"""The editorial rules, in one place: roles, the publishing service and history.

- roles: the Editor and Publisher roles, who may publish, which records are protected
- service: publish, unpublish, schedule, save, delete, restore, and for public input moderate,
  answer, confirm, withdraw, erase_personal_data; every writer calls these
- history: what django-reversion keeps, baselines, the last change of a record
- signals: what every save does (first publication time, redirects from old slugs)
- copies: a meeting copied as the draft of its next edition
"""

from .copies import next_meeting
from .roles import can_moderate, can_publish, is_protected, owners
from .service import (
    PUBLICATION_FIELDS,
    STORED,
    Refused,
    StaleWrite,
    answer,
    confirm,
    delete,
    erase_personal_data,
    keep_baselines,
    moderate,
    publication_to_keep,
    publish,
    refusal,
    restore,
    save,
    schedule,
    unpublish,
    withdraw,
)

__all__ = [
    "PUBLICATION_FIELDS",
    "STORED",
    "Refused",
    "StaleWrite",
    "answer",
    "can_moderate",
    "can_publish",
    "confirm",
    "delete",
    "erase_personal_data",
    "is_protected",
    "keep_baselines",
    "moderate",
    "next_meeting",
    "owners",
    "publication_to_keep",
    "publish",
    "refusal",
    "restore",
    "save",
    "schedule",
    "unpublish",
    "withdraw",
]
