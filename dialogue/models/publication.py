"""What every dialogue record shares: timestamps, a version, and for content, publication.

This module is also the public read model's foundation. A visitor may see a record when it is
public, and may see a related record only when that one is public too. Every model's QuerySet
has a ``public()`` method that applies both rules (the record, and the related records it
selects or prefetches); pages, feeds, search, exports and the API read through it.
"""

import contextvars
from contextlib import contextmanager

from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """Which side of the dialogue a stakeholder belongs to."""

    US = "US", _("United States")
    MX = "MX", _("Mexico")
    OTHER = "OTHER", _("Other")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# The time publication is judged at while building a query to compile once and run at other
# times (`publication_time`); otherwise now.
JUDGED_AT = contextvars.ContextVar("publication_judged_at", default=None)


@contextmanager
def publication_time(moment):
    """Within this block, `public_filter` compares publication times with `moment` instead
    of now: for SQL compiled once whose `moment` parameter is replaced with the time of each
    run (the site search). Per thread and per task."""
    token = JUDGED_AT.set(moment)
    try:
        yield
    finally:
        JUDGED_AT.reset(token)


def public_filter(prefix=""):
    """The filter keeping public records, for a lookup path such as "meeting__"."""
    return models.Q(
        **{
            f"{prefix}publication_status": PublicationStatus.PUBLISHED,
            f"{prefix}publish_at__lte": JUDGED_AT.get() or timezone.now(),
        }
    )


class PublicRelationsIterable(ModelIterable):
    """Records as `ModelIterable` makes them, with each related record that the queryset
    selected through `select_public()` replaced by None unless a visitor may see it."""

    def __iter__(self):
        paths = [path.split("__") for path in self.queryset._public_relations]
        for obj in super().__iter__():
            for path in paths:
                hide_unless_public(obj, path)
            yield obj


def hide_unless_public(obj, path):
    """Follow the cached relations of `path` from `obj`; hide the last one unless public."""
    for name in path[:-1]:
        obj = obj._meta.get_field(name).get_cached_value(obj, default=None)
        if obj is None:
            return
    field = obj._meta.get_field(path[-1])
    related = field.get_cached_value(obj, default=None)
    if related is not None and not related.is_public:
        field.set_cached_value(obj, None)


class DialogueQuerySet(models.QuerySet):
    """Base of every dialogue QuerySet: `public()` and `select_public()`."""

    _public_relations = ()

    def _clone(self):
        clone = super()._clone()
        clone._public_relations = self._public_relations
        return clone

    def select_public(self, *paths):
        """`select_related(*paths)`, where each related record a visitor may not see reads as
        None: the row stays, the draft it points to is never shown."""
        queryset = self.select_related(*paths)
        queryset._public_relations = (*self._public_relations, *paths)
        if queryset._iterable_class is ModelIterable:
            queryset._iterable_class = PublicRelationsIterable
        return queryset

    def public(self):
        """What a visitor may see: every record, for models without a publication state."""
        return self.all()

    def public_rows(self):
        """The records `public()` reads, without the related records it selects or
        prefetches: for ids, counts and searches, which read no relation."""
        return self.public()


class PublishableQuerySet(DialogueQuerySet):
    """Reads shared by every publishable model."""

    def published(self):
        """Records a visitor may see: published, and their publication time has come."""
        return self.filter(public_filter())

    def drafts(self):
        return self.filter(publication_status=PublicationStatus.DRAFT)

    def scheduled(self):
        return self.filter(
            publication_status=PublicationStatus.PUBLISHED, publish_at__gt=timezone.now()
        )

    def with_public_relations(self):
        """The related records shown with each record, each only when public (override)."""
        return self.all()

    def public(self):
        """The records a visitor may see, with only the related records a visitor may see."""
        return self.public_rows().with_public_relations()

    def public_rows(self):
        return self.published()

    def visible_to(self, user):
        """What `user` may open: everything for staff who may view these records in the admin
        (as a preview), else `public()`.

        Related records follow the public rules for staff too: a preview shows the page as
        visitors will see it.
        """
        opts = self.model._meta
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        ):
            return self.with_public_relations()
        return self.public()


class SlugManager(models.Manager.from_queryset(PublishableQuerySet)):
    """Manager for models whose natural key is their slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class StaleWrite(Exception):
    """A save based on a version of the record that is no longer the stored one."""

    def __init__(self, obj, expected):
        self.obj = obj
        self.expected = expected
        super().__init__(
            f"{obj._meta.label} #{obj.pk} is no longer at version {expected}: "
            "someone else saved it in between"
        )


class TimeStamped(models.Model):
    """Base of every dialogue record: created and updated times and a version number.

    Every save is a conditional write, ``UPDATE … WHERE id = %s AND version = N``, where N is
    the version the saving code read (loaded from the database, or set by the publishing
    service from the form a person opened). When no row matches, the save raises
    `StaleWrite` and changes nothing, whichever code tried it.
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by one on every save; used to detect conflicting edits."),
    )

    # The stored version this instance is based on; None for a record not read from the
    # database (then the pre-save signal reads it, see dialogue/signals.py).
    base_version = None

    objects = models.Manager.from_queryset(DialogueQuerySet)()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.base_version = instance.__dict__.get("version")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.base_version = self.__dict__.get("version")

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = self.base_version
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        version_field = self._meta.get_field("version")
        self.version = expected + 1
        values = [row for row in values if row[0] is not version_field]
        values.append((version_field, None, self.version))
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            self.version = expected
            raise StaleWrite(self, expected)
        return updated

    def save_base(self, *args, **kwargs):
        super().save_base(*args, **kwargs)
        self.base_version = self.version


class Publishable(TimeStamped):
    """Base for content that is drafted by staff and published to visitors."""

    publication_status = models.CharField(
        _("publication"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
        help_text=_("Drafts are only visible to staff. Published records appear on the site."),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        db_index=True,
        help_text=_("When a published record becomes visible. Set a future time to schedule it."),
    )
    first_published_at = models.DateTimeField(
        _("first published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When visitors could first see the record; empty while it never was public."),
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return (
            self.publication_status == PublicationStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.publication_status == PublicationStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    def natural_key(self):
        return (self.slug,)


def publish_permission(model_name, plural):
    """The custom permission of Publishers: publish, unpublish and schedule records, and change
    or delete published ones (dialogue/publishing/). Stored in English, like Django's own."""
    return (f"publish_{model_name}", f"Can publish, unpublish and schedule {plural}")


def count_of(queryset, group_by):
    """The number of rows of a correlated `queryset`, as an expression (0 when none)."""
    counted = (
        queryset.order_by().values(group_by).annotate(count=models.Count("pk")).values("count")
    )
    return Coalesce(models.Subquery(counted), 0)
