"""Which records django-reversion keeps versions of, and what a version of each holds.

A version of a meeting or an agreement also holds its parts (agenda items, participants,
parties, implementation updates, documents), so restoring it restores them too. Translated
fields are stored per language (``title_en``, ``title_es``): the untranslated name only
mirrors the active language, so it is left out.
"""

import reversion
from modeltranslation.translator import NotRegistered, translator

FOLLOW = {
    "meeting": ("participations", "agenda_items", "documents"),
    "agreement": ("parties", "updates", "documents"),
}


def excluded_fields(model):
    try:
        translated = tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        translated = ()
    # `version` counts saves; restoring an old count would defeat the conflict check.
    return (*translated, "version")


def register_models():
    """Register every content model of the app (idempotent)."""
    from django.apps import apps

    from .models import TimeStamped

    for model in apps.get_app_config("dialogue").get_models():
        if issubclass(model, TimeStamped) and not reversion.is_registered(model):
            reversion.register(
                model,
                follow=FOLLOW.get(model._meta.model_name, ()),
                exclude=excluded_fields(model),
            )
