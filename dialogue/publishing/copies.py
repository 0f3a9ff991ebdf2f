"""Copies: last year's meeting as the start of the next one.

`next_meeting()` copies a meeting's structure (its agenda, co-chairs and participants) into a
new draft for the next edition. What belonged to the meeting that took place is not copied:
its dates (the copy is planned for the following year, to the year only, until staff set the
dates), its summary and account, the outcome of each agenda item, its documents and the
agreements announced there. Every record is written through the publishing service, in one
version with one comment, so the copy's history says where it came from.
"""

from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ..models import AgendaItem, Meeting, Participation, PublicationStatus
from .service import Refused, revision, save


def copy_title(title, language):
    with override(language):
        return str(_("%(title)s (next edition)") % {"title": title})


def free_slug(title):
    base = slugify(title)[:240] or "meeting"
    slug, number = base, 1
    while Meeting._base_manager.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def next_edition(source):
    """The number after the highest edition, for an annual meeting (None for others)."""
    if source.edition is None:
        return None
    highest = Meeting._base_manager.aggregate(top=Max("edition"))["top"] or 0
    return highest + 1


def a_year_later(moment):
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def refusal(user):
    if not user.has_perm("dialogue.add_meeting"):
        return _("You may not add meetings, so you cannot copy one.")
    return None


def next_meeting(user, meeting):
    """A new draft meeting for the edition after `meeting`, with its agenda items, co-chairs
    and participants; dates, outcomes, summary and account cleared. Returns the new meeting."""
    message = refusal(user)
    if message:
        raise Refused(message)
    source = Meeting._base_manager.get(pk=meeting.pk)
    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d")
    copy = Meeting(
        edition=next_edition(source),
        kind=source.kind,
        title_en=copy_title(source.title_en, "en"),
        title_es=copy_title(source.title_es, "es") if source.title_es else "",
        status=Meeting.Status.TENTATIVE,
        start=a_year_later(source.start),
        end=None,
        date_precision=Meeting.Precision.YEAR,
        timezone=source.timezone,
        city_en=source.city_en,
        city_es=source.city_es,
        venue_en=source.venue_en,
        venue_es=source.venue_es,
        host_country=source.host_country,
        publication_status=PublicationStatus.DRAFT,
        notes=str(
            _(
                "Copied from “%(meeting)s” on %(day)s by %(user)s. Set the dates, then check "
                "the title, the venue, the co-chairs' offices and the agenda."
            )
            % {"meeting": source.title_en, "day": when, "user": user.get_username()}
        ),
    )
    copy.slug = free_slug(copy.title_en)
    comment = _("Copied from “%(meeting)s” as its next edition.") % {"meeting": source}
    with revision(user, comment):
        save(user, copy, comment=comment)
        copy_participants(user, source, copy)
        copy_agenda(user, source, copy)
        # The parts raised the copy's version; the caller gets it as stored.
        copy.refresh_from_db()
    return copy


def copy_participants(user, source, copy):
    for part in source.participations.order_by("order", "id"):
        save(
            user,
            Participation(
                meeting=copy,
                stakeholder_id=part.stakeholder_id,
                role=part.role,
                side=part.side,
                capacity_en=part.capacity_en,
                capacity_es=part.capacity_es,
                order=part.order,
            ),
        )


def copy_agenda(user, source, copy):
    """Agenda items in order, sub-items under the copies of their items; no outcomes."""
    items = list(source.agenda_items.prefetch_related("sectors", "presenters"))
    copies = {}
    pending = items
    while pending:
        later = []
        for item in pending:
            if item.parent_id is not None and item.parent_id not in copies:
                later.append(item)
                continue
            new = AgendaItem(
                meeting=copy,
                position=item.position,
                parent=copies.get(item.parent_id),
                title_en=item.title_en,
                title_es=item.title_es,
                description_en=item.description_en,
                description_es=item.description_es,
                pillar_id=item.pillar_id,
                duration=item.duration,
            )
            save(user, new)
            new.sectors.set(item.sectors.all())
            new.presenters.set(item.presenters.all())
            copies[item.pk] = new
        if len(later) == len(pending):  # a parent in another meeting: keep them top-level
            for item in later:
                item.parent_id = None
        pending = later
