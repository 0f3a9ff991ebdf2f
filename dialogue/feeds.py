"""RSS 2.0 and Atom feeds (django.contrib.syndication), in the language of their URL.

- meetings and agreements: the newest ones, filtered exactly as the list page whose query
  string the feed's address carries (the same FilterSets, dialogue/filters.py);
- implementation updates, of every agreement or of one;
- per pillar (its agreements and their updates) and per stakeholder (its meetings and
  agreements).

Everything is read through the public read model. Each item's GUID (the Atom entry id) is a
`urn:uuid:` made from the kind of record and its primary key: stable when a title or slug
changes, the same in both languages.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from .filters import AgreementFilter, MeetingFilter
from .models import Agreement, AgreementUpdate, Meeting, Participation, Pillar, Stakeholder
from .search import plain

FEED_SIZE = 50
GUID_NAMESPACE = uuid.UUID("8c6f5cde-3e0b-4c8f-9a55-9b1b8e6c2f10")
FEED_TYPES = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


def guid(record):
    """A stable, language-independent identifier of `record` as a URN."""
    name = f"{record._meta.model_name}:{record.pk}"
    return uuid.uuid5(GUID_NAMESPACE, name).urn


def midday(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC) if day else None


def filtered(filterset_class, request, queryset):
    """`queryset` filtered as the list page with the same query string; invalid filters
    (which the page shows as errors) give no item."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


class DialogueFeed(Feed):
    """What every feed shares: its format from the URL, the language, dates, GUIDs.

    A feed keeps the request it answers, so each request gets its own instance (`as_view`).
    """

    @classmethod
    def as_view(cls):
        def view(request, *args, **kwargs):
            return cls()(request, *args, **kwargs)

        view.__doc__ = cls.__doc__
        return view

    def __call__(self, request, *args, format="rss", **kwargs):
        if format not in FEED_TYPES:
            raise Http404("No such feed format")
        self.feed_type = FEED_TYPES[format]
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def author_name(self):
        return settings.SITE_NAME

    def item_guid(self, item):
        return guid(item)

    item_guid_is_permalink = False

    def item_title(self, item):
        return str(getattr(item, "title", item))

    def item_link(self, item):
        if isinstance(item, AgreementUpdate):
            return item.agreement.get_absolute_url() + "#timeline-heading"
        return item.get_absolute_url()

    def item_description(self, item):
        if isinstance(item, Meeting):
            place = ", ".join(part for part in (item.city, item.get_host_country_display()) if part)
            when = timezone.localtime(item.start, item.tzinfo).date().isoformat()
            return " · ".join(part for part in (when, place, item.summary) if part)
        if isinstance(item, Agreement):
            parts = (str(item.get_status_display()), item.summary)
            return " · ".join(part for part in parts if part)
        if isinstance(item, AgreementUpdate):
            return " · ".join(part for part in (item.agreement.title, plain(item.note)) if part)
        return ""

    def item_pubdate(self, item):
        if isinstance(item, AgreementUpdate):
            return midday(item.date)
        return item.first_published_at or item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        pillar = getattr(item, "pillar", None)
        return [str(pillar)] if pillar is not None else []


class MeetingFeed(DialogueFeed):
    """The newest meetings, filtered as the meeting list."""

    def title(self):
        return _("HLED meetings")

    def description(self):
        return _("Meetings of the US–Mexico High-Level Economic Dialogue, newest first.")

    def link(self):
        query = self.request.GET.urlencode()
        return reverse("dialogue:meeting-list") + (f"?{query}" if query else "")

    def items(self):
        meetings = Meeting.objects.public().order_by("-start", "-pk")
        return filtered(MeetingFilter, self.request, meetings)[:FEED_SIZE]


class AgreementFeed(DialogueFeed):
    """The newest agreements, filtered as the agreement list."""

    def title(self):
        return _("HLED agreements")

    def description(self):
        return _("Agreements of the US–Mexico High-Level Economic Dialogue, newest first.")

    def link(self):
        query = self.request.GET.urlencode()
        return reverse("dialogue:agreement-list") + (f"?{query}" if query else "")

    def items(self):
        agreements = Agreement.objects.public().newest_first()
        return filtered(AgreementFilter, self.request, agreements)[:FEED_SIZE]


class UpdateFeed(DialogueFeed):
    """The latest implementation updates of every public agreement."""

    def title(self):
        return _("HLED implementation updates")

    def description(self):
        return _("The latest steps in implementing the dialogue's agreements.")

    def link(self):
        return reverse("dialogue:agreement-list")

    def items(self):
        return AgreementUpdate.objects.public().order_by("-date", "-pk")[:FEED_SIZE]


class AgreementUpdateFeed(DialogueFeed):
    """One agreement's implementation updates, newest first."""

    def get_object(self, request, slug):
        return get_object_or_404(Agreement.objects.public(), slug=slug)

    def title(self, obj):
        return _("Updates: %(title)s") % {"title": obj.title}

    def description(self, obj):
        return _("Implementation updates of “%(title)s”.") % {"title": obj.title}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return (
            AgreementUpdate.objects.public()
            .filter(agreement=obj)
            .order_by("-date", "-pk")[:FEED_SIZE]
        )


def newest(*groups):
    """Items of several kinds in one list, newest first (by publication or update date)."""

    def when(item):
        if isinstance(item, AgreementUpdate):
            return midday(item.date)
        return item.first_published_at or item.publish_at

    items = [item for group in groups for item in group]
    return sorted(items, key=when, reverse=True)[:FEED_SIZE]


class PillarFeed(DialogueFeed):
    """A pillar's newest agreements and implementation updates."""

    def get_object(self, request, slug):
        return get_object_or_404(Pillar.objects.public(), slug=slug)

    def title(self, obj):
        return _("HLED pillar: %(name)s") % {"name": obj.name}

    def description(self, obj):
        return _("Agreements and implementation updates under “%(name)s”.") % {"name": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        agreements = Agreement.objects.public().filter(pillar=obj).newest_first()[:FEED_SIZE]
        updates = (
            AgreementUpdate.objects.public()
            .filter(agreement__pillar=obj)
            .order_by("-date", "-pk")[:FEED_SIZE]
        )
        return newest(agreements, updates)


class StakeholderFeed(DialogueFeed):
    """A stakeholder's newest meetings and agreements."""

    def get_object(self, request, slug):
        return get_object_or_404(Stakeholder.objects.public(), slug=slug)

    def title(self, obj):
        return _("HLED stakeholder: %(name)s") % {"name": obj.name}

    def description(self, obj):
        return _("Meetings and agreements of %(name)s.") % {"name": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        took_part = Participation.objects.filter(stakeholder=obj).values("meeting")
        meetings = Meeting.objects.public().filter(pk__in=took_part).order_by("-start")
        # One party row per agreement and stakeholder: no duplicates.
        agreements = Agreement.objects.public().filter(parties__stakeholder=obj).newest_first()
        return newest(meetings[:FEED_SIZE], agreements[:FEED_SIZE])
