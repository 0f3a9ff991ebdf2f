"""Open data: every public table as CSV, all of them in one ZIP, and JSON shaped after the
Open Civic Data Event (meetings with their agenda) and Popolo (organizations, persons,
memberships), agreements with their parties and updates.

- Read only through the public read model, streamed row by row (a server-side cursor), with a
  fixed number of queries per download whatever the size: nested JSON merges querysets sorted
  by the parent's key instead of prefetching in chunks.
- Both languages in every file: a column (or key) per language for each translated text.
- Cells are neutralized against spreadsheet formula injection: a text starting with `=`, `+`,
  `-`, `@`, a tab or a carriage return is prefixed with `'`.
- `ETag` and `Last-Modified` from the newest change and the number of public records, so a
  client that has the file gets 304.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from itertools import groupby

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_response_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext_lazy as _

from .models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementUpdate,
    Document,
    KeyFigure,
    Meeting,
    Participation,
    Pillar,
    Stakeholder,
)
from .search import plain

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralize(value):
    """A cell value that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def both(record, field, rich=False):
    """{"en": …, "es": …} of a translated field (plain text for rich text)."""
    values = {}
    for code in LANGUAGES:
        value = getattr(record, f"{field}_{code}", None) or ""
        values[code] = plain(value) if rich else value
    return values


def translated_columns(field):
    return [f"{field}_{code}" for code in LANGUAGES]


def datetime_or_none(value):
    return value.isoformat() if value else None


class Table:
    """One CSV table: its file name, description, columns and rows."""

    def __init__(self, name, label, description, queryset, columns):
        self.name = name
        self.label = label
        self.description = description
        self.queryset = queryset
        # (column name, description, value of a record)
        self.columns = columns

    def header(self):
        return [name for name, _description, _value in self.columns]

    def rows(self):
        for record in self.queryset().iterator(chunk_size=CHUNK):
            yield [neutralize(value(record)) for _name, _description, value in self.columns]

    def model(self):
        return self.queryset().model


def text_columns(field, description, rich=False):
    """A column per language of a translated field."""
    return [
        (
            f"{field}_{code}",
            f"{description} ({code})",
            (lambda r, f=f"{field}_{code}": plain(getattr(r, f)) if rich else getattr(r, f)),
        )
        for code in LANGUAGES
    ]


def local_start(meeting):
    return meeting.local_start.isoformat()


def local_end(meeting):
    return meeting.local_end.isoformat() if meeting.end else None


TABLES = [
    Table(
        "meetings",
        _("Meetings"),
        _("One row per public meeting."),
        lambda: Meeting.objects.public().order_by("pk"),
        [
            ("slug", _("Identifier, also in the page's address"), lambda r: r.slug),
            ("edition", _("Number of the annual meeting, if any"), lambda r: r.edition),
            ("kind", _("annual, working-group, forum or other"), lambda r: r.kind),
            *text_columns("title", _("Title")),
            ("status", _("tentative, confirmed, held, postponed or cancelled"), lambda r: r.status),
            ("start", _("Start, local time with its UTC offset"), local_start),
            ("end", _("End, local time with its UTC offset"), local_end),
            (
                "date_precision",
                _("time, day, month or year: how much of the start is known"),
                lambda r: r.date_precision,
            ),
            ("timezone", _("IANA time zone of the host city"), lambda r: r.timezone),
            *text_columns("city", _("City")),
            *text_columns("venue", _("Venue")),
            ("host_country", _("US, MX or OTHER"), lambda r: r.host_country),
            *text_columns("summary", _("Summary")),
            *text_columns("body", _("Account of the meeting, plain text"), rich=True),
            ("url", _("Address of the meeting's page"), lambda r: r.get_absolute_url()),
            ("updated_at", _("Last change (UTC)"), lambda r: r.updated_at),
        ],
    ),
    Table(
        "agenda-items",
        _("Agenda items"),
        _("One row per agenda item of a public meeting."),
        lambda: (
            AgendaItem.objects.public()
            .select_related("pillar", "parent")
            .order_by("meeting_id", "position")
        ),
        [
            ("meeting", _("Slug of the meeting"), lambda r: r.meeting.slug),
            ("position", _("Order on the agenda"), lambda r: r.position),
            (
                "parent_position",
                _("Position of the item it belongs to, for a sub-item"),
                lambda r: r.parent.position if r.parent else None,
            ),
            *text_columns("title", _("Title")),
            *text_columns("description", _("Description, plain text"), rich=True),
            *text_columns("outcome", _("Outcome")),
            ("pillar", _("Slug of the pillar"), lambda r: r.pillar.slug if r.pillar else None),
            ("duration_minutes", _("Duration in minutes"), lambda r: r.duration),
        ],
    ),
    Table(
        "agreements",
        _("Agreements"),
        _("One row per public agreement."),
        lambda: Agreement.objects.public().order_by("pk"),
        [
            ("slug", _("Identifier, also in the page's address"), lambda r: r.slug),
            ("reference", _("Official reference"), lambda r: r.reference),
            (
                "kind",
                _(
                    "agreement, memorandum, initiative, program, council, workshops "
                    "or infrastructure"
                ),
                lambda r: r.kind,
            ),
            *text_columns("title", _("Title")),
            (
                "status",
                _("Status (proposed … completed, suspended, superseded)"),
                lambda r: r.status,
            ),
            ("progress", _("Implementation progress, 0 to 100"), lambda r: r.progress),
            ("pillar", _("Slug of the pillar"), lambda r: r.pillar.slug if r.pillar else None),
            ("announced_on", _("Date announced"), lambda r: r.announced_on),
            ("signed_on", _("Date signed"), lambda r: r.signed_on),
            ("in_force_on", _("Date in force"), lambda r: r.in_force_on),
            ("completed_on", _("Date completed"), lambda r: r.completed_on),
            (
                "origin_meeting",
                _("Slug of the meeting where it was announced"),
                lambda r: r.origin_meeting.slug if r.origin_meeting else None,
            ),
            *text_columns("summary", _("Summary")),
            ("url", _("Address of the agreement's page"), lambda r: r.get_absolute_url()),
            ("updated_at", _("Last change (UTC)"), lambda r: r.updated_at),
        ],
    ),
    Table(
        "agreement-parties",
        _("Agreement parties"),
        _("One row per public stakeholder's part in a public agreement."),
        lambda: (
            AgreementParty.objects.public()
            .select_related("agreement", "stakeholder")
            .order_by("agreement_id", "pk")
        ),
        [
            ("agreement", _("Slug of the agreement"), lambda r: r.agreement.slug),
            ("stakeholder", _("Slug of the stakeholder"), lambda r: r.stakeholder.slug),
            ("role", _("signatory, lead or partner"), lambda r: r.role),
            ("side", _("US, MX or OTHER"), lambda r: r.side or r.stakeholder.country),
            *text_columns("capacity", _("Office held when signing")),
            ("signed_on", _("Date signed"), lambda r: r.signed_on),
        ],
    ),
    Table(
        "updates",
        _("Implementation updates"),
        _("One row per implementation update of a public agreement."),
        lambda: AgreementUpdate.objects.public().order_by("agreement_id", "date", "pk"),
        [
            ("agreement", _("Slug of the agreement"), lambda r: r.agreement.slug),
            ("date", _("Date"), lambda r: r.date),
            *text_columns("title", _("Title")),
            *text_columns("note", _("What happened")),
            (
                "status",
                _("The agreement's status after this step, if it changed"),
                lambda r: r.status,
            ),
            ("progress", _("Progress after this step, 0 to 100"), lambda r: r.progress),
            (
                "meeting",
                _("Slug of the meeting where it was reported"),
                lambda r: r.meeting.slug if r.meeting else None,
            ),
        ],
    ),
    Table(
        "stakeholders",
        _("Stakeholders"),
        _("One row per public stakeholder: government bodies, organizations and people."),
        lambda: Stakeholder.objects.public().order_by("pk"),
        [
            ("slug", _("Identifier, also in the page's address"), lambda r: r.slug),
            *text_columns("name", _("Name")),
            ("acronym", _("Acronym"), lambda r: r.acronym),
            (
                "kind",
                _("government, agency, company, business, academic, civil, multilateral or person"),
                lambda r: r.kind,
            ),
            ("country", _("US, MX or OTHER"), lambda r: r.country),
            (
                "parent",
                _("Slug of the organization it is part of"),
                lambda r: r.parent.slug if r.parent else None,
            ),
            *text_columns("position", _("Position, for people")),
            ("website", _("Website"), lambda r: r.website),
            ("url", _("Address of the stakeholder's page"), lambda r: r.get_absolute_url()),
        ],
    ),
    Table(
        "participations",
        _("Participations"),
        _("One row per public stakeholder's part in a public meeting."),
        lambda: Participation.objects.public().order_by("meeting_id", "order", "pk"),
        [
            ("meeting", _("Slug of the meeting"), lambda r: r.meeting.slug),
            ("stakeholder", _("Slug of the stakeholder"), lambda r: r.stakeholder.slug),
            ("role", _("co-chair, head, delegate, speaker or observer"), lambda r: r.role),
            ("side", _("US, MX or OTHER"), lambda r: r.side or r.stakeholder.country),
            *text_columns("capacity", _("Office held at the meeting")),
        ],
    ),
    Table(
        "documents",
        _("Documents"),
        _("One row per document of a public meeting or agreement."),
        lambda: Document.objects.public().select_related("meeting", "agreement").order_by("pk"),
        [
            ("slug", _("Identifier"), lambda r: r.slug),
            *text_columns("title", _("Title")),
            ("kind", _("Kind of document"), lambda r: r.kind),
            ("language", _("en, es or en-es"), lambda r: r.language),
            ("published_on", _("Date published"), lambda r: r.published_on),
            ("meeting", _("Slug of its meeting"), lambda r: r.meeting.slug if r.meeting else None),
            (
                "agreement",
                _("Slug of its agreement"),
                lambda r: r.agreement.slug if r.agreement else None,
            ),
            ("link", _("Address of the document"), lambda r: r.href),
        ],
    ),
    Table(
        "key-figures",
        _("Key figures"),
        _("The headline figures of the home page, with their sources."),
        lambda: KeyFigure.objects.public().order_by("order", "pk"),
        [
            ("slug", _("Identifier"), lambda r: r.slug),
            *text_columns("label", _("What the figure measures")),
            ("value", _("Value"), lambda r: str(r.value)),
            ("unit", _("Unit"), lambda r: r.unit),
            ("year", _("Year"), lambda r: r.year),
            *text_columns("source", _("Source")),
            ("source_url", _("Address of the source"), lambda r: r.source_url),
        ],
    ),
]
TABLES_BY_NAME = {table.name: table for table in TABLES}
JSON_FILES = {
    "meetings": _("Meetings with their agenda, after the Open Civic Data Event"),
    "popolo": _("Stakeholders and participations, after Popolo"),
    "agreements": _("Agreements with their parties and implementation updates"),
}


class Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(table):
    writer = csv.writer(Echo())
    yield "\ufeff"  # a byte order mark: spreadsheets then read the file as UTF-8
    yield writer.writerow(table.header())
    for row in table.rows():
        yield writer.writerow(row)


# ETag and Last-Modified ------------------------------------------------------------------

FRESHNESS_MODELS = [Meeting, AgendaItem, Agreement, AgreementParty, AgreementUpdate,
                    Stakeholder, Participation, Document, KeyFigure, Pillar]  # fmt: skip


def freshness(request, models):
    """(ETag, last modified) of a download of `models`' public rows, in the request's language
    (one aggregate query per model; computed once per request)."""
    cached = getattr(request, "_opendata_freshness", {})
    key = tuple(model.__name__ for model in models)
    if key not in cached:
        parts, newest = [request.LANGUAGE_CODE, request.path], None
        for model in models:
            found = model.objects.public().aggregate(newest=Max("updated_at"), count=Count("pk"))
            parts.append(f"{model.__name__}:{found['count']}:{found['newest']}")
            if found["newest"] and (newest is None or found["newest"] > newest):
                newest = found["newest"]
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        cached[key] = (quote_etag(digest), newest)
        request._opendata_freshness = cached
    return cached[key]


def conditional(request, models, make_response):
    etag, newest = freshness(request, models)
    last_modified = int(newest.timestamp()) if newest else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = make_response()
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    # Hourly at most: the files follow every publication, and clients revalidate cheaply.
    patch_response_headers(response, cache_timeout=settings.PAGE_CACHE_MAX_AGE)
    return response


def download_csv(request, name):
    table = TABLES_BY_NAME.get(name)
    if table is None:
        raise Http404("No such table")

    def make():
        response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="hled-{table.name}.csv"'
        return response

    return conditional(request, [table.model()], make)


# JSON ------------------------------------------------------------------------------------


def stream_json(head, key, records):
    """`head` (a dict) with `key` holding the `records` (dicts), as JSON text in pieces."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    opening = encoder.encode(head)[:-1]
    yield opening + (", " if head else "") + f'"{key}": ['
    for number, record in enumerate(records):
        yield ("," if number else "") + "\n" + encoder.encode(record)
    yield "\n]}\n"


def children(queryset, key):
    """{parent id: [rows]} lazily, for a queryset sorted by `key` (merge join)."""
    return groupby(queryset.iterator(chunk_size=CHUNK), key=lambda row: getattr(row, key))


def merge(parents, *child_groups):
    """Yield (parent, [children of each group]) with every queryset read once, in order."""
    iterators = [iter(group) for group in child_groups]
    pending = [next(iterator, None) for iterator in iterators]
    for parent in parents.iterator(chunk_size=CHUNK):
        found = []
        for index, iterator in enumerate(iterators):
            rows = []
            while pending[index] is not None and pending[index][0] <= parent.pk:
                parent_id, group = pending[index]
                if parent_id == parent.pk:
                    rows = list(group)
                pending[index] = next(iterator, None)
            found.append(rows)
        yield parent, found


def ocd_event(request, meeting, items, documents):
    url = request.build_absolute_uri(meeting.get_absolute_url())
    status = {"tentative": "tentative", "confirmed": "confirmed", "held": "passed",
              "postponed": "postponed", "cancelled": "cancelled"}  # fmt: skip
    return {
        "id": f"ocd-event/hled-{meeting.slug}",
        "_type": "event",
        "name": both(meeting, "title"),
        "classification": meeting.kind,
        "description": both(meeting, "summary"),
        "start_date": meeting.local_start.isoformat(),
        "end_date": meeting.local_end.isoformat() if meeting.end else None,
        "timezone": meeting.timezone,
        "all_day": not meeting.has_time,
        "date_precision": meeting.date_precision,
        "status": status[meeting.status],
        "location": {
            "name": both(meeting, "venue"),
            "city": both(meeting, "city"),
            "country": meeting.host_country,
        },
        "agenda": [
            {
                "description": both(item, "title"),
                "order": item.position,
                "parent_order": item.parent.position if item.parent else None,
                "subjects": [item.pillar.slug] if item.pillar else [],
                "notes": both(item, "outcome"),
            }
            for item in items
        ],
        "documents": [
            {"note": both(document, "title"), "url": document.href, "media_type": document.kind}
            for document in documents
        ],
        "sources": [{"url": url, "note": "HLED"}],
        "updated_at": meeting.updated_at,
    }


def meetings_json(request):
    meetings = Meeting.objects.public().order_by("pk")
    items = children(
        AgendaItem.objects.public()
        .select_related("pillar", "parent")
        .order_by("meeting_id", "position"),
        "meeting_id",
    )
    documents = children(
        Document.objects.public().filter(meeting__isnull=False).order_by("meeting_id", "pk"),
        "meeting_id",
    )
    records = (
        ocd_event(request, meeting, found_items, found_documents)
        for meeting, (found_items, found_documents) in merge(meetings, items, documents)
    )
    head = {"source": settings.SITE_NAME, "format": "Open Civic Data Event (adapted)"}
    return stream_json(head, "events", records)


def popolo_json(request):
    """Organizations and persons (stakeholders), and memberships: a person in the
    organization they belong to, and every participation in a meeting."""
    stakeholders = Stakeholder.objects.public().order_by("pk")

    def people_and_organizations():
        for record in stakeholders.iterator(chunk_size=CHUNK):
            base = {
                "id": record.slug,
                "name": both(record, "name"),
                "identifiers": [{"scheme": "hled", "identifier": record.slug}],
                "links": [{"url": request.build_absolute_uri(record.get_absolute_url())}],
            }
            if record.kind == Stakeholder.Kind.PERSON:
                parent = record.parent.slug if record.parent else None
                yield {**base, "_type": "person", "position": both(record, "position"),
                       "organization_id": parent}  # fmt: skip
            else:
                yield {**base, "_type": "organization", "classification": record.kind,
                       "acronym": record.acronym, "country": record.country,
                       "parent_id": record.parent.slug if record.parent else None}  # fmt: skip
        participations = Participation.objects.public().order_by("meeting_id", "order", "pk")
        for row in participations.iterator(chunk_size=CHUNK):
            member = "person_id" if row.stakeholder.kind == Stakeholder.Kind.PERSON else "member_id"
            day = row.meeting.local_start.date().isoformat()
            yield {
                "_type": "membership",
                "id": f"participation-{row.pk}",
                member: row.stakeholder.slug,
                "organization_id": f"meeting:{row.meeting.slug}",
                "role": row.role,
                "label": both(row, "capacity"),
                "on_behalf_of_id": row.side or row.stakeholder.country,
                "start_date": day,
                "end_date": day,
            }

    head = {"source": settings.SITE_NAME, "format": "Popolo (adapted)"}
    return stream_json(head, "items", people_and_organizations())


def agreements_json(request):
    agreements = Agreement.objects.public().order_by("pk")
    parties = children(
        AgreementParty.objects.public().order_by("agreement_id", "pk"), "agreement_id"
    )
    updates = children(
        AgreementUpdate.objects.public().order_by("agreement_id", "date", "pk"), "agreement_id"
    )

    def records():
        for agreement, (found_parties, found_updates) in merge(agreements, parties, updates):
            yield {
                "id": agreement.slug,
                "reference": agreement.reference,
                "kind": agreement.kind,
                "title": both(agreement, "title"),
                "summary": both(agreement, "summary"),
                "status": agreement.status,
                "progress": agreement.progress,
                "pillar": agreement.pillar.slug if agreement.pillar else None,
                "announced_on": agreement.announced_on,
                "signed_on": agreement.signed_on,
                "in_force_on": agreement.in_force_on,
                "completed_on": agreement.completed_on,
                "origin_meeting": agreement.origin_meeting.slug
                if agreement.origin_meeting
                else None,
                "url": request.build_absolute_uri(agreement.get_absolute_url()),
                "parties": [
                    {
                        "stakeholder": party.stakeholder.slug,
                        "role": party.role,
                        "side": party.side or party.stakeholder.country,
                        "capacity": both(party, "capacity"),
                        "signed_on": party.signed_on,
                    }  # fmt: skip
                    for party in found_parties
                ],
                "updates": [
                    {
                        "date": update.date,
                        "title": both(update, "title"),
                        "note": both(update, "note"),
                        "status": update.status,
                        "progress": update.progress,
                        "meeting": update.meeting.slug if update.meeting else None,
                    }  # fmt: skip
                    for update in found_updates
                ],
            }

    head = {"source": settings.SITE_NAME}
    return stream_json(head, "agreements", records())


JSON_BUILDERS = {"meetings": meetings_json, "popolo": popolo_json, "agreements": agreements_json}
JSON_MODELS = {
    "meetings": [Meeting, AgendaItem, Document],
    "popolo": [Stakeholder, Participation, Meeting],
    "agreements": [Agreement, AgreementParty, AgreementUpdate, Stakeholder],
}


def download_json(request, name):
    if name not in JSON_BUILDERS:
        raise Http404("No such file")

    def make():
        response = StreamingHttpResponse(
            JSON_BUILDERS[name](request), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="hled-{name}.json"'
        return response

    return conditional(request, JSON_MODELS[name], make)


def download_zip(request):
    """Every CSV and JSON file in one ZIP, written to a temporary file and streamed from it."""

    def make():
        # FileResponse closes the file once it is sent.
        spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in TABLES:
                with archive.open(f"hled-{table.name}.csv", "w") as member:
                    text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                    text.writelines(csv_lines(table))
                    text.flush()
                    text.detach()
            for name, builder in JSON_BUILDERS.items():
                with archive.open(f"hled-{name}.json", "w") as member:
                    for piece in builder(request):
                        member.write(piece.encode())
        spooled.seek(0)
        return FileResponse(
            spooled,
            as_attachment=True,
            filename="hled-open-data.zip",
            content_type="application/zip",
        )

    return conditional(request, FRESHNESS_MODELS, make)


__all__ = ["JSON_FILES", "TABLES", "download_csv", "download_json", "download_zip", "json"]
