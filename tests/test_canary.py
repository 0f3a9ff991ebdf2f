"""The draft canary: nothing a visitor may not see reaches any public channel.

A dataset holds, for each kind of publishable record, a public one, a draft twin and a
scheduled twin. The twins are linked everywhere a record can be linked (participant, party,
presenter, parent and child stakeholder, origin meeting, meeting an update was reported at,
agenda items and documents of their own, menu pages, key figures). Every twin's text carries a
word starting with ``zzcanary`` and its slug starts with ``zzslug``; public records carry
neither.

The test walks every public URL it can reach from the home pages in both languages, as an
anonymous visitor: every link, every `<link href>`, every option of every GET filter form,
one at a time, and pagination; non-HTML responses (feeds, calendars, JSON) are searched for
URLs too. It fails if a marker appears in any response, or if any reachable URL answers with
an error.

New channels join by being linked from a page (the crawler then finds them) or by adding their
entry points to ``ENTRY_POINTS`` below; probes of URLs a visitor could type (a draft's slug in
a filter, a draft's own address) go in ``PROBES``. Streamed responses (downloads) are read
whole, and a ZIP's members are searched one by one.
"""

import datetime as dt
import html
import io
import re
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.utils import timezone, translation

from dialogue.models import Document, KeyFigure, Meeting
from tests import factories as f

pytestmark = pytest.mark.django_db

TEXT_MARKER = "zzcanary"
SLUG_MARKER = "zzslug"
MAX_URLS = 1500

# Entry points besides the home pages, for channels no page links to; later channels add theirs.
ENTRY_POINTS = ["/sitemap.xml", "/robots.txt", "/api/v1/"]

# URLs a visitor could type that name hidden records: the answer must not reveal them. The
# path templates take the language's translated segments, so they are resolved per language.
PROBES = [
    ("dialogue:meeting-detail", {"slug": "zzslug-draft-meeting"}, ""),
    ("dialogue:meeting-detail", {"slug": "zzslug-scheduled-meeting"}, ""),
    ("dialogue:agreement-detail", {"slug": "zzslug-draft-agreement"}, ""),
    ("dialogue:agreement-detail", {"slug": "zzslug-scheduled-agreement"}, ""),
    ("dialogue:stakeholder-detail", {"slug": "zzslug-draft-stakeholder"}, ""),
    ("dialogue:stakeholder-detail", {"slug": "zzslug-scheduled-stakeholder"}, ""),
    ("dialogue:page-detail", {"slug": "zzslug-draft-page"}, ""),
    ("dialogue:page-detail", {"slug": "zzslug-scheduled-page"}, ""),
    ("dialogue:agreement-list", {}, "meeting=zzslug-draft-meeting"),
    ("dialogue:agreement-list", {}, "stakeholder=zzslug-draft-stakeholder"),
    ("dialogue:meeting-list", {}, "stakeholder=zzslug-scheduled-stakeholder"),
    ("dialogue:agreement-list", {}, "q=agreement title"),
    ("dialogue:stakeholder-list", {}, "q=Person"),
    ("consultations:consultation-detail", {"slug": "zzslug-draft-consultation"}, ""),
    ("consultations:consultation-detail", {"slug": "zzslug-scheduled-consultation"}, ""),
    *[("consultations:submission-detail", {"reference": f"ZZSLUG-{n:04d}"}, "") for n in range(7)],
    ("consultations:submission-detail", {"reference": "ZZSLUG-DRAF"}, ""),
    ("consultations:submission-list", {}, "consultation=zzslug-draft-consultation"),
    ("consultations:submission-list", {}, "q=submission title"),
    ("consultations:submission-list", {}, "q=submission"),
    # Search: words that only hidden records carry find nothing (a query holding the marker
    # itself would only show the visitor's own words back).
    ("dialogue:search", {}, "q=title"),
    ("dialogue:search", {}, "q=summary"),
    ("dialogue:search", {}, "q=agreement title"),
    ("dialogue:search", {}, "q=meeting summary&type=meeting"),
    ("dialogue:search", {}, "q=position&type=stakeholder"),
    ("dialogue:search", {}, "q=parent Organization"),
    # Public input: only accepted submissions of public consultations are searched, never a
    # sender's name, organization or a moderator's words; nor do they feed "did you mean".
    ("dialogue:search", {}, "q=submission title"),
    ("dialogue:search", {}, "q=submission text&type=submission"),
    ("dialogue:search", {}, "q=consultation submission"),
    ("dialogue:search", {}, "q=org reason answer"),
    ("dialogue:search", {}, "q=submision titel"),
    # Feeds and calendars of hidden records, and feeds filtered by them.
    ("dialogue:agreement-updates-feed", {"slug": "zzslug-draft-agreement", "format": "rss"}, ""),
    (
        "dialogue:agreement-updates-feed",
        {"slug": "zzslug-scheduled-agreement", "format": "atom"},
        "",
    ),
    ("dialogue:stakeholder-feed", {"slug": "zzslug-draft-stakeholder", "format": "rss"}, ""),
    ("dialogue:stakeholder-feed", {"slug": "zzslug-scheduled-parent", "format": "atom"}, ""),
    ("dialogue:meeting-ics", {"slug": "zzslug-draft-meeting"}, ""),
    ("dialogue:meeting-ics", {"slug": "zzslug-scheduled-meeting"}, ""),
    ("dialogue:meeting-feed", {"format": "rss"}, "stakeholder=zzslug-draft-stakeholder"),
    ("dialogue:agreement-feed", {"format": "atom"}, "meeting=zzslug-scheduled-meeting"),
    ("dialogue:meetings-ics", {}, "stakeholder=zzslug-draft-stakeholder"),
    # The API: hidden records' own addresses, and filters naming them.
    ("api:meeting-detail", {"slug": "zzslug-draft-meeting"}, ""),
    ("api:meeting-detail", {"slug": "zzslug-scheduled-meeting"}, ""),
    ("api:agreement-detail", {"slug": "zzslug-draft-agreement"}, ""),
    ("api:agreement-detail", {"slug": "zzslug-scheduled-agreement"}, ""),
    ("api:stakeholder-detail", {"slug": "zzslug-draft-stakeholder"}, ""),
    ("api:stakeholder-detail", {"slug": "zzslug-scheduled-parent"}, ""),
    ("api:document-detail", {"slug": "zzslug-draft-meeting-document"}, ""),
    ("api:document-detail", {"slug": "zzslug-scheduled-agreement-document"}, ""),
    ("api:keyfigure-detail", {"slug": "zzslug-draft-figure"}, ""),
    ("api:agreement-list", {}, "meeting=zzslug-draft-meeting"),
    ("api:agreement-list", {}, "q=zzcanary"),
    ("api:meeting-list", {}, "stakeholder=zzslug-scheduled-stakeholder"),
    ("api:stakeholder-list", {}, "q=zzcanary"),
    ("api:agendaitem-list", {}, "meeting__slug=zzslug-draft-meeting"),
    ("api:update-list", {}, "agreement__slug=zzslug-draft-agreement"),
    ("api:document-list", {}, "meeting__slug=zzslug-scheduled-meeting"),
]


@pytest.fixture
def canary_world():
    """Public records, each with hidden twins linked to it everywhere they can be."""
    now = timezone.now()
    pillar = f.PillarFactory(number=1, name="Competitiveness and connectivity", slug="pillar-one")
    sector = f.SectorFactory(name="Transport", slug="transport")
    department = f.StakeholderFactory(name="Department of Commerce", slug="commerce")
    secretariat = f.StakeholderFactory(name="Secretariat of Economy", slug="economy", country="MX")
    meeting = f.MeetingFactory(
        title="First HLED meeting",
        slug="first-meeting",
        start=now - dt.timedelta(days=400),
        status=Meeting.Status.HELD,
    )
    upcoming = f.MeetingFactory(title="Next HLED meeting", slug="next-meeting", upcoming=True)
    agreement = f.AgreementFactory(
        title="Air transport agreement",
        slug="air-transport",
        pillar=pillar,
        origin_meeting=meeting,
        sectors=[sector],
    )
    item = f.AgendaItemFactory(meeting=meeting, position=1, title="Connectivity", pillar=pillar)
    f.ParticipationFactory(meeting=meeting, stakeholder=department, capacity="Secretary")
    f.ParticipationFactory(meeting=meeting, stakeholder=secretariat, capacity="Secretary")
    f.AgreementPartyFactory(agreement=agreement, stakeholder=department, capacity="Secretary")
    signed = f.AgreementUpdateFactory(
        agreement=agreement,
        title="Signed",
        meeting=meeting,
        date=now.date() - dt.timedelta(days=30),
        status="implementing",
        progress=40,
        us_status="implementing",
        us_progress=45,
    )
    f.EvidenceFactory(update=signed, title="Public evidence")
    f.DocumentFactory(meeting=meeting, title="Joint statement", slug="joint-statement")
    f.PageFactory(title="About the initiative", slug="about", menu_order=1)
    f.KeyFigureValueFactory(
        figure=f.KeyFigureFactory(label="Bilateral trade", slug="trade"), year=2014
    )
    f.KeyFigureValueFactory(figure=KeyFigure.objects.get(slug="trade"), year=2015)

    presenters = [department]
    for state in ("draft", "scheduled"):
        word = f"{TEXT_MARKER}{state}"
        flags = {"draft": state == "draft", "scheduled": state == "scheduled"}
        person = f.StakeholderFactory(
            name=f"{word}stakeholder Person",
            slug=f"{SLUG_MARKER}-{state}-stakeholder",
            position=f"{word}position",
            parent=department,
            **flags,
        )
        # A hidden parent of a public stakeholder.
        f.StakeholderFactory(
            name=f"Public agency of a {state} parent",
            slug=f"agency-of-{state}-parent",
            parent=f.StakeholderFactory(
                name=f"{word}parent Organization",
                slug=f"{SLUG_MARKER}-{state}-parent",
                **flags,
            ),
        )
        presenters.append(person)
        f.ParticipationFactory(meeting=meeting, stakeholder=person, capacity=f"{word}capacity")
        f.AgreementPartyFactory(agreement=agreement, stakeholder=person, capacity=f"{word}party")

        hidden_meeting = f.MeetingFactory(
            title=f"{word}meeting title",
            slug=f"{SLUG_MARKER}-{state}-meeting",
            summary=f"{word}meeting summary",
            start=now - dt.timedelta(days=200),
            **flags,
        )
        f.AgendaItemFactory(
            meeting=hidden_meeting,
            position=1,
            title=f"{word}agendaitem",
            pillar=pillar,
            presenters=[department],
        )
        f.ParticipationFactory(meeting=hidden_meeting, stakeholder=department)
        f.DocumentFactory(
            meeting=hidden_meeting,
            title=f"{word}meetingdocument",
            slug=f"{SLUG_MARKER}-{state}-meeting-document",
            url=f"https://example.org/{word}.pdf",
        )

        hidden_agreement = f.AgreementFactory(
            title=f"{word}agreement title",
            slug=f"{SLUG_MARKER}-{state}-agreement",
            summary=f"{word}agreement summary",
            pillar=pillar,
            origin_meeting=meeting,
            sectors=[sector],
            agenda_items=[item],
            **flags,
        )
        f.AgreementPartyFactory(agreement=hidden_agreement, stakeholder=department)
        f.AgreementUpdateFactory(agreement=hidden_agreement, title=f"{word}update")
        f.DocumentFactory(
            meeting=None,
            agreement=hidden_agreement,
            title=f"{word}agreementdocument",
            slug=f"{SLUG_MARKER}-{state}-agreement-document",
        )
        # A public agreement announced at, and reported on at, the hidden meeting.
        f.AgreementFactory(
            title=f"Agreement announced at the {state} meeting",
            slug=f"announced-at-{state}-meeting",
            origin_meeting=hidden_meeting,
            pillar=pillar,
        )
        f.AgreementUpdateFactory(
            agreement=agreement,
            title=f"Reported at the {state} meeting",
            meeting=hidden_meeting,
            date=now.date() - dt.timedelta(days=60),
            status="implementing",
            progress=30,
        )
        # A hidden update of the public agreement, newer than its public ones, reported at the
        # public meeting: were it public, it would complete the agreement and both sides.
        hidden_update = f.AgreementUpdateFactory(
            agreement=agreement,
            title=f"{word}update of a public agreement",
            note=f"{word}note",
            meeting=meeting,
            date=now.date() - dt.timedelta(days=1),
            status="completed",
            progress=100,
            us_status="completed",
            us_progress=100,
            mx_status="suspended",
            mx_progress=99,
            **flags,
        )
        f.EvidenceFactory(update=hidden_update, title=f"{word}evidence")
        # Public evidence pointing at a hidden meeting's document.
        f.EvidenceFactory(
            update=signed,
            title="",
            url="",
            document=Document.objects.get(slug=f"{SLUG_MARKER}-{state}-meeting-document"),
        )

        f.PageFactory(
            title=f"{word}page title",
            slug=f"{SLUG_MARKER}-{state}-page",
            menu_order=2,
            **flags,
        )
        f.KeyFigureValueFactory(
            figure=f.KeyFigureFactory(
                label=f"{word}keyfigure", slug=f"{SLUG_MARKER}-{state}-figure", **flags
            ),
            source=f"{word}figuresource",
        )
    item.presenters.set(presenters)
    public_input(now, meeting, item, pillar, sector)
    return {"meeting": meeting, "upcoming": upcoming, "agreement": agreement}


HIDDEN_SUBMISSION_STATES = [
    "unconfirmed", "received", "in-review", "declined", "merged", "spam", "withdrawn",
]  # fmt: skip


def public_input(now, meeting, item, pillar, sector):
    """Consultations: a closed and an open public one, a draft and a scheduled one; one
    accepted submission whose sender's name and email must never show, and hidden twins in
    every other state, linked to the same consultation, pillar, sector and agenda item."""
    consultation = f.ConsultationFactory(
        title="Input for the third meeting",
        slug="input-third-meeting",
        meeting=meeting,
        closed=True,
        pillars=[pillar],
    )
    f.ConsultationFactory(title="Input for the next agenda", slug="input-next", pillars=[pillar])
    accepted = f.SubmissionFactory(
        consultation=consultation,
        reference="HLED-PUBL-IC01",
        title="Faster border crossings",
        pillar=pillar,
        sectors=[sector],
        agenda_items=[item],
        display="anonymous",
        name=f"{TEXT_MARKER}sendername",
        email=f"{TEXT_MARKER}sender@example.org",
        organization=f"{TEXT_MARKER}organization",
        staff_notes=f"{TEXT_MARKER}staffnote",
        answer="Answered by the co-chairs.",
        answered_at=now - dt.timedelta(days=1),
    )
    for n, state in enumerate(HIDDEN_SUBMISSION_STATES):
        word = f"{TEXT_MARKER}{state.replace('-', '')}"
        f.SubmissionFactory(
            consultation=consultation,
            reference=f"ZZSLUG-{n:04d}",
            state=state,
            title=f"{word} submission title",
            text=f"{word} submission text",
            name=f"{word}name",
            organization=f"{word}org",
            decline_reason=f"{word}reason",
            merged_into=accepted if state == "merged" else None,
            pillar=pillar,
            sectors=[sector],
            agenda_items=[item],
            answer=f"{word}answer",
        )
    for flag in ("draft", "scheduled"):
        hidden = f.ConsultationFactory(
            title=f"{TEXT_MARKER}{flag} consultation",
            slug=f"{SLUG_MARKER}-{flag}-consultation",
            meeting=meeting,
            **{flag: True},
        )
        f.SubmissionFactory(
            consultation=hidden,
            reference=f"ZZSLUG-{flag.upper()[:4]}",
            title=f"{TEXT_MARKER}{flag} consultation submission",
            pillar=pillar,
            agenda_items=[item],
        )


class LinkCollector(HTMLParser):
    """Links, `<link href>`s and the URLs each GET form can produce, one field at a time."""

    def __init__(self, base):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.urls = []
        self.form = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"a", "link"} and attrs.get("href"):
            self.urls.append(urljoin(self.base, attrs["href"]))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.form = {"action": urljoin(self.base, attrs.get("action") or ""), "fields": []}
        elif self.form is not None and tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "values": []}
            self.form["fields"].append(self.select)
        elif self.select is not None and tag == "option":
            self.select["values"].append(attrs.get("value", ""))
        elif self.form is not None and tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            value = attrs.get("value", "")
            if kind in {"checkbox", "radio", "hidden"} and value:
                self.form["fields"].append({"name": attrs["name"], "values": [value]})
            elif kind in {"text", "search"}:
                self.form["fields"].append({"name": attrs["name"], "values": ["transport"]})

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form" and self.form is not None:
            for field in self.form["fields"]:
                for value in field["values"]:
                    if value:
                        query = urlencode({field["name"]: value})
                        self.urls.append(f"{self.form['action'].split('?')[0]}?{query}")
            self.form = None


URL_IN_TEXT = re.compile(r"https?://testserver(/[^\s\"'<>\\]*)|\"(/(?:en|es|api)/[^\"\\]*)\"")


def body(response):
    """A response's bytes: streamed ones read whole, a ZIP's members one after the other."""
    if not hasattr(response, "canary_body"):
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type", "").startswith("application/zip"):
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = b"\n".join(archive.read(name) for name in archive.namelist())
        if response.get("Content-Type", "").startswith("text/calendar"):
            raw = raw.replace(b"\r\n ", b"")  # RFC 5545 lines are folded at 75 octets
        response.canary_body = raw
    return response.canary_body


def found_urls(response, url):
    content_type = response.get("Content-Type", "")
    body_text = body(response).decode(errors="replace")
    if "html" in content_type:
        collector = LinkCollector(url)
        collector.feed(body_text)
        return collector.urls
    # XML (feeds, sitemaps) writes "&" in a link as "&amp;".
    return [
        html.unescape(match.group(1) or match.group(2)) for match in URL_IN_TEXT.finditer(body_text)
    ]


def is_public_path(url):
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return False
    return not parts.path.startswith(("/admin/", "/static/", "/media/", "/i18n/"))


def normalized(url):
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.path}?{query}" if query else parts.path


def response_text(response):
    """What a visitor reads in a response: a PDF's text as extracted, else the body."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body(response)))
        return "\n".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
    return body(response).decode(errors="replace")


def leaks(response):
    text = response_text(response).lower()
    headers = " ".join(f"{k}: {v}" for k, v in response.items()).lower()
    return [marker for marker in (TEXT_MARKER, SLUG_MARKER) if marker in text + headers]


def crawl(client, start):
    """Every public URL reachable from `start`: {url: response}."""
    seen = {}
    queue = deque(normalized(url) for url in start)
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code in {301, 302}:
            targets = [response["Location"]]
        elif response.status_code == 200:
            targets = found_urls(response, url)
        else:
            continue
        for target in targets:
            if is_public_path(target):
                target = normalized(urljoin(url, target))
                if target not in seen:
                    queue.append(target)
    return seen


def test_no_hidden_record_reaches_any_public_url(client, canary_world):
    pages = crawl(client, ["/", "/en/", "/es/", *ENTRY_POINTS])
    assert len(pages) < MAX_URLS, "the crawl stopped at MAX_URLS before reaching every URL"

    leaked = {url: leaks(response) for url, response in pages.items() if leaks(response)}
    assert not leaked, f"hidden records shown at: {leaked}"
    broken = {url: r.status_code for url, r in pages.items() if r.status_code >= 400}
    assert not broken, f"links that answer with an error: {broken}"
    # The crawl really walked the site: every page kind, both languages, the filters.
    walked = set(pages)
    for expected in (
        "/en/meetings/first-meeting/",
        "/es/reuniones/first-meeting/",
        "/en/agreements/air-transport/",
        "/en/stakeholders/commerce/",
        "/en/pillars/pillar-one/",
        "/en/pages/about/",
        "/en/agreements/?sector=transport",
        "/en/meetings/?pillar=pillar-one",
        "/en/consultations/",
        "/es/consultas/input-third-meeting/",
        "/en/consultations/input-next/",
        "/en/submissions/?consultation=input-third-meeting",
        "/en/submissions/HLED-PUBL-IC01/",
        "/es/aportaciones/HLED-PUBL-IC01/",
        "/en/privacy/",
        # The discovery channels.
        "/en/search/?q=transport",
        "/es/buscar/?q=transport",
        "/en/meetings/feed.rss",
        "/es/reuniones/feed.atom",
        "/en/agreements/feed.rss?sector=transport",
        "/en/agreements/air-transport/feed.atom",
        "/en/updates/feed.rss",
        "/en/pillars/pillar-one/feed.rss",
        "/en/pillars/pillar-one/meetings.ics",
        "/en/stakeholders/commerce/feed.atom",
        "/en/meetings/meetings.ics",
        "/en/meetings/first-meeting/meeting.ics",
        "/sitemap.xml",
        "/sitemap-meetings.xml",
        "/en/data/",
        "/es/datos/",
        "/en/data/hled-open-data.zip",
        "/en/data/hled-meetings.json",
        "/en/data/hled-popolo.json",
        "/en/data/hled-agreements.json",
        "/en/data/hled-agreement-parties.csv",
        "/en/data/hled-participations.csv",
        "/api/v1/meetings/",
        "/api/v1/meetings/first-meeting/",
        "/api/v1/agreements/air-transport/",
        "/api/v1/stakeholders/commerce/",
        "/api/v1/agenda-items/",
        "/api/v1/updates/",
        "/api/v1/documents/joint-statement/",
        "/api/v1/key-figures/trade/",
        "/api/v1/pillars/pillar-one/",
        "/api/v1/sectors/transport/",
        "/en/progress/",
        "/es/avance/",
        "/en/progress/?status=completed",
        "/en/progress/?side=US",
        "/en/progress/?meeting=first-meeting",
        "/en/meetings/first-meeting/fact-sheet/",
        "/es/reuniones/first-meeting/ficha.pdf",
        "/en/meetings/first-meeting/fact-sheet.pdf",
        "/en/follow/",
        "/en/follow/?agreement=air-transport",
    ):
        assert expected in walked, f"{expected} was not reached"
    assert len(walked) > 60
    # … and the public counterparts of the twins are there.
    meeting_page = pages["/en/meetings/first-meeting/"].content.decode()
    assert "Department of Commerce" in meeting_page
    announced = pages["/en/agreements/announced-at-draft-meeting/"].content.decode()
    assert "Agreement announced at the draft meeting" in announced
    agreement_page = pages["/en/agreements/air-transport/"].content.decode()
    assert "Reported at the draft meeting" in agreement_page  # the update is public …
    assert "First HLED meeting" in agreement_page  # … its public meeting linked
    # The accepted submission is public (anonymous, as its sender chose); it alone counts.
    submission_page = pages["/en/submissions/HLED-PUBL-IC01/"].content.decode()
    assert "Faster border crossings" in submission_page and "Anonymous" in submission_page
    assert "Input received: 1 published submission" in meeting_page
    assert "Shaped by 1 submission" in meeting_page
    # Hidden updates change no public status: the latest public one still rules, everywhere.
    assert "Being implemented" in agreement_page and "40% implemented" in agreement_page
    assert "Completed" not in agreement_page and "Suspended" not in agreement_page
    assert "Public evidence" in agreement_page
    tracker = pages["/en/progress/"].content.decode()
    assert "Air transport agreement" in tracker and "Being implemented" in tracker
    assert "badge--completed" not in tracker and "badge--suspended" not in tracker
    assert "Air transport agreement" not in pages["/en/progress/?status=completed"].content.decode()
    sheet = " ".join(response_text(pages["/en/meetings/first-meeting/fact-sheet.pdf"]).split())
    assert "Air transport agreement" in sheet and "Being implemented, 40 %" in sheet
    assert "Completed" not in sheet


@pytest.mark.parametrize("language", ["en", "es"])
def test_probing_for_hidden_records_reveals_nothing(client, canary_world, language):
    from django.urls import reverse

    with translation.override(language):
        urls = [
            reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
            for name, kwargs, query in PROBES
        ]
    for url in urls:
        response = client.get(url)
        # The API answers a filter naming an unknown (hidden) record with a 400.
        allowed = {200, 400, 404} if url.startswith("/api/") else {200, 404}
        assert response.status_code in allowed, url
        assert TEXT_MARKER not in body(response).decode().lower(), url
        if "?" not in url:
            assert response.status_code == 404, url


def test_search_finds_the_accepted_submission_alone(client, canary_world):
    from django.urls import reverse

    response = client.get(
        reverse("dialogue:search"), {"q": "border crossings", "type": "submission"}
    )
    assert response.status_code == 200
    found = [
        result.kind.model.objects.get(pk=result.pk) for result in response.context["search"].results
    ]
    assert [record.reference for record in found] == ["HLED-PUBL-IC01"]
    page = response.content.decode()
    assert "Faster <mark>border</mark> <mark>crossings</mark>" in page
    assert TEXT_MARKER not in page.lower()


def test_staff_previews_leave_nothing_for_visitors_in_the_fragment_cache(
    client, staff_client, canary_world, fragment_cache_on
):
    """With the page and fragment caches on, as in production: staff open every hidden record
    and the public pages first; a visitor's new URLs of the same pages (the path with a query
    of its own, so no whole page is reused) still show nothing hidden."""
    from django.urls import reverse

    with translation.override("en"):
        hidden = [reverse(name, kwargs=kwargs) for name, kwargs, query in PROBES if not query]
    public = [
        "/en/",
        "/es/",
        "/en/meetings/first-meeting/",
        "/en/meetings/first-meeting/fact-sheet/",
        "/en/agreements/air-transport/",
        "/en/stakeholders/commerce/",
        "/en/pillars/pillar-one/",
        "/en/pages/about/",
    ]
    for url in hidden + public:
        staff_client.get(f"{url}?seen=staff")
    for url in public:
        client.get(f"{url}?seen=visitor")  # the visitor's own render keeps the parts
    for url in hidden:
        assert client.get(f"{url}?seen=staff").status_code == 404, url
        assert client.get(f"{url}?seen=again").status_code == 404, url
    for url in public:
        response = client.get(f"{url}?seen=again")
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss", url
        assert not leaks(response), url
