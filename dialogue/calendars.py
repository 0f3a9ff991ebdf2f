"""Meetings as iCalendar (RFC 5545), written with `icalendar`: one .ics per meeting, and
subscribable calendars of every meeting or of one pillar's, in the language of the URL.

- UID: stable per meeting (its primary key), so a calendar updates the event it already has.
- DTSTAMP: when the meeting was last changed; SEQUENCE: its version (raised by every save)
  minus one, so the first version is 0 and every change is newer.
- STATUS: TENTATIVE (tentative, postponed), CONFIRMED (confirmed, held) or CANCELLED.
- DTSTART;TZID= the host city's zone, with its VTIMEZONE (`add_missing_timezones`, over the
  calendar's own years only); a meeting whose time is not known is an all-day event; one whose
  day is not known yet (only the month or year) is left out.
- LOCATION, a plain-text DESCRIPTION and the URL of the meeting's page.

A subscription holds the latest 500 dated meetings (calendar apps show what is coming); older
meetings keep their own .ics on their page.
"""

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_response_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .filters import MeetingFilter
from .models import Meeting, Pillar
from .search import plain

CONTENT_TYPE = "text/calendar; charset=utf-8"
SUBSCRIPTION_SIZE = 500
STATUS = {
    Meeting.Status.TENTATIVE: "TENTATIVE",
    Meeting.Status.POSTPONED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}
DATED = (Meeting.Precision.TIME, Meeting.Precision.DAY)


def has_calendar_date(meeting):
    """Only meetings whose day is known go in a calendar."""
    return meeting.date_precision in DATED


def meeting_uid(meeting):
    return f"meeting-{meeting.pk}@hled"


def event_for(meeting, request, full=False):
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    event.add("sequence", max(0, meeting.version - 1))
    event.add("status", STATUS[meeting.status])
    event.add("summary", meeting.title)
    start, end = meeting.local_start, meeting.local_end
    if meeting.has_time:
        event.add("dtstart", start)
        event.add("dtend", end if end and end > start else start + dt.timedelta(hours=1))
    else:
        # All day: DTEND is the day after the last one (exclusive).
        last = end.date() if end and end.date() > start.date() else start.date()
        event.add("dtstart", start.date())
        event.add("dtend", last + dt.timedelta(days=1))
    location = ", ".join(
        part for part in (meeting.venue, meeting.city, meeting.get_host_country_display()) if part
    )
    if location:
        event.add("location", location)
    url = request.build_absolute_uri(meeting.get_absolute_url())
    body = plain(meeting.body, paragraphs=True) if full else ""
    description = "\n\n".join(part for part in (meeting.summary, body, url) if part)
    event.add("description", description)
    event.add("url", url)
    event.add("categories", [meeting.get_kind_display()])
    return event


def calendar_for(meetings, request, name, full=False):
    """The iCalendar text of `meetings` (those without a known day are left out); `full`
    puts each meeting's whole account in its description (a subscription has the summary)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//HLED//{settings.SITE_NAME}//{request.LANGUAGE_CODE.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    days = []
    for meeting in meetings:
        if not has_calendar_date(meeting):
            continue
        calendar.add_component(event_for(meeting, request, full=full))
        days += [meeting.local_start.date(), (meeting.local_end or meeting.local_start).date()]
    if days:
        # The VTIMEZONE of each zone used, with its transitions around these dates only.
        calendar.add_missing_timezones(
            first_date=min(days) - dt.timedelta(days=366),
            last_date=max(days) + dt.timedelta(days=366),
        )
    return calendar.to_ical()


def ics_response(content, filename):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    patch_response_headers(response, cache_timeout=settings.PAGE_CACHE_MAX_AGE)
    return response


def meeting_calendar(request, slug):
    """One meeting as an .ics file ("Add to calendar")."""
    meeting = get_object_or_404(Meeting.objects.public(), slug=slug)
    if not has_calendar_date(meeting):
        raise Http404("This meeting has no date yet")
    content = calendar_for([meeting], request, meeting.title, full=True)
    return ics_response(content, slugify(meeting.slug))


def subscription(meetings):
    """The latest dated meetings of `meetings`."""
    latest = meetings.filter(date_precision__in=DATED).order_by("-start", "-pk")
    return latest[:SUBSCRIPTION_SIZE]


def meetings_calendar(request):
    """The latest public meetings, filtered as the meeting list when the URL carries its
    query string."""
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.public(), request=request)
    meetings = subscription(filterset.qs) if filterset.is_valid() else Meeting.objects.none()
    return ics_response(calendar_for(meetings, request, _("HLED meetings")), "hled-meetings")


def pillar_calendar(request, slug):
    """The latest meetings with an agenda item under one pillar."""
    pillar = get_object_or_404(Pillar.objects.public(), slug=slug)
    items = pillar.agenda_items.values("meeting")
    meetings = subscription(Meeting.objects.public().filter(pk__in=items))
    name = _("HLED meetings: %(pillar)s") % {"pillar": pillar.name}
    return ics_response(calendar_for(meetings, request, name), f"hled-{pillar.slug}")
