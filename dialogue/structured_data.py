"""schema.org JSON-LD for search engines, and the sharing tags (canonical, Open Graph, Twitter).

Built from records the page already loaded (no query of its own) and written as
`<script type="application/ld+json">`, escaped like `json_script` (no `<`, `>` or `&` in the
block), from plain text only: no stored HTML reaches it.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Meeting, Stakeholder
from .search import plain

EVENT_STATUS = {
    Meeting.Status.TENTATIVE: "https://schema.org/EventScheduled",
    Meeting.Status.CONFIRMED: "https://schema.org/EventScheduled",
    Meeting.Status.HELD: "https://schema.org/EventScheduled",
    Meeting.Status.POSTPONED: "https://schema.org/EventPostponed",
    Meeting.Status.CANCELLED: "https://schema.org/EventCancelled",
}
COUNTRIES = {"US": "US", "MX": "MX"}
LOCALES = {"en": "en_US", "es": "es_MX"}


def json_ld(data):
    """`data` as a JSON-LD script block, escaped as `json_script` escapes."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_json_script_escapes)),
    )


def absolute(request, path):
    return request.build_absolute_uri(path)


def organization(request):
    return {
        "@type": "GovernmentOrganization",
        "name": settings.SITE_NAME,
        "url": absolute(request, reverse("dialogue:home")),
    }


def website(request):
    """The site, with the search engines' search box (SearchAction)."""
    search = absolute(request, reverse("dialogue:search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute(request, reverse("dialogue:home")),
        "inLanguage": request.LANGUAGE_CODE,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumbs(request, *trail):
    """BreadcrumbList of (name, path) pairs, the home page first."""
    trail = [(_("Home"), reverse("dialogue:home")), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": number,
                "name": str(name),
                "item": absolute(request, path),
            }
            for number, (name, path) in enumerate(trail, start=1)
        ],
    }


def event(meeting, request, co_chairs=()):
    """A meeting as a schema.org Event: dates with their offset (a day alone when the time is
    not known), status, place with address, organizers."""
    start, end = meeting.local_start, meeting.local_end
    precision = meeting.date_precision
    if precision == Meeting.Precision.TIME:
        start_date, end_date = start.isoformat(), end.isoformat() if end else None
    elif precision == Meeting.Precision.DAY:
        start_date, end_date = start.date().isoformat(), end.date().isoformat() if end else None
    elif precision == Meeting.Precision.MONTH:
        start_date, end_date = start.strftime("%Y-%m"), None
    else:
        start_date, end_date = str(start.year), None
    address = {"@type": "PostalAddress", "addressCountry": COUNTRIES.get(meeting.host_country)}
    if meeting.city:
        address["addressLocality"] = meeting.city
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meeting.title,
        "url": absolute(request, meeting.get_absolute_url()),
        "startDate": start_date,
        "eventStatus": EVENT_STATUS[meeting.status],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": meeting.venue or meeting.city or meeting.get_host_country_display(),
            "address": {key: value for key, value in address.items() if value},
        },
        "organizer": [stakeholder(p.stakeholder, request, context=False) for p in co_chairs]
        or [organization(request)],
        "inLanguage": request.LANGUAGE_CODE,
    }
    if end_date:
        data["endDate"] = end_date
    description = meeting.summary or plain(meeting.body)[:300]
    if description:
        data["description"] = description
    return data


def stakeholder(record, request, context=True):
    """A stakeholder as a Person, a GovernmentOrganization or an Organization."""
    kind = record.kind
    if kind == Stakeholder.Kind.PERSON:
        data = {"@type": "Person", "name": record.name}
        if record.position:
            data["jobTitle"] = record.position
    elif kind in (Stakeholder.Kind.GOVERNMENT, Stakeholder.Kind.AGENCY):
        data = {"@type": "GovernmentOrganization", "name": record.name}
    else:
        data = {"@type": "Organization", "name": record.name}
    data["url"] = absolute(request, record.get_absolute_url())
    if record.acronym:
        data["alternateName"] = record.acronym
    if record.website:
        data["sameAs"] = record.website
    if context:
        data = {"@context": "https://schema.org", **data}
        parent = getattr(record, "parent", None)
        if parent is not None:
            relation = "affiliation" if kind == Stakeholder.Kind.PERSON else "parentOrganization"
            data[relation] = stakeholder(parent, request, context=False)
        description = plain(record.description)[:300]
        if description:
            data["description"] = description
    return data


def sharing_tags(request, title, description, kind="website"):
    """Canonical link, Open Graph and Twitter card tags of a page."""
    url = absolute(request, request.path)
    language = request.LANGUAGE_CODE
    others = [code for code, _name in settings.LANGUAGES if code != language]
    tags = [
        format_html('<link rel="canonical" href="{}">', url),
        format_html('<meta property="og:type" content="{}">', kind),
        format_html('<meta property="og:site_name" content="{}">', settings.SITE_NAME),
        format_html('<meta property="og:title" content="{}">', title),
        format_html('<meta property="og:description" content="{}">', description),
        format_html('<meta property="og:url" content="{}">', url),
        format_html('<meta property="og:locale" content="{}">', LOCALES.get(language, language)),
        *(
            format_html('<meta property="og:locale:alternate" content="{}">', LOCALES[code])
            for code in others
            if code in LOCALES
        ),
        format_html('<meta name="twitter:card" content="summary">'),
        format_html('<meta name="twitter:title" content="{}">', title),
        format_html('<meta name="twitter:description" content="{}">', description),
    ]
    return mark_safe("\n  ".join(tags))
