"""Commitment tracking: one source of truth for an agreement's state, per side, reviewed
updates with evidence, meetings across time, the tracker and the fact sheets."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from dialogue import publishing
from dialogue.models import STATE_FIELDS, Agreement, AgreementUpdate, Meeting, PublicationStatus

from .admin_forms import open_form
from .factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementUpdateFactory,
    DocumentFactory,
    EvidenceFactory,
    KeyFigureFactory,
    KeyFigureValueFactory,
    MeetingFactory,
    ParticipationFactory,
    PillarFactory,
    SectorFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def state(agreement):
    fresh = Agreement.objects.with_state().get(pk=agreement.pk)
    return (fresh.status, fresh.progress, fresh.us_status, fresh.mx_status, fresh.joint_status)


# --------------------------------------------------------------------------- the rule


def test_state_is_the_latest_published_update_by_date_then_by_record_order():
    agreement = AgreementFactory()
    assert state(agreement) == ("proposed", 0, None, None, None)  # no update yet
    AgreementUpdateFactory(agreement=agreement, date=dt.date(2015, 1, 6), status="signed",
                           progress=40, us_status="signed", us_progress=40)  # fmt: skip
    AgreementUpdateFactory(agreement=agreement, date=dt.date(2014, 1, 1), status="announced",
                           progress=10)  # fmt: skip
    assert state(agreement) == ("signed", 40, "signed", "", "")
    AgreementUpdateFactory(agreement=agreement, date=dt.date(2015, 1, 6), status="in-force",
                           progress=60, joint_status="in-force", joint_progress=60)  # fmt: skip
    assert state(agreement) == ("in-force", 60, "", "", "in-force")


def test_draft_and_scheduled_updates_never_change_the_public_state():
    agreement = AgreementFactory(
        status="implementing", progress=30, announced_on=dt.date(2014, 1, 1)
    )
    AgreementUpdateFactory(agreement=agreement, date=dt.date.today(), status="completed",
                           progress=100, draft=True)  # fmt: skip
    scheduled = AgreementUpdateFactory(agreement=agreement, date=dt.date.today(),
                                       status="suspended", progress=30, scheduled=True)  # fmt: skip
    assert state(agreement)[:2] == ("implementing", 30)
    public = Agreement.objects.public().get(pk=agreement.pk)
    assert (public.status, public.progress) == ("implementing", 30)
    # The scheduled one takes effect at its time, with no job to run.
    with time_machine.travel(scheduled.publish_at + dt.timedelta(minutes=1)):
        assert state(agreement)[:2] == ("suspended", 30)


def stored(agreement):
    row = Agreement.objects.filter(pk=agreement.pk).values(
        "state_status", "state_progress", "state_us_status", "state_until"
    )
    return tuple(row.get().values())


def test_the_state_is_stored_on_the_agreement_and_read_from_there_while_current():
    agreement = AgreementFactory()
    assert stored(agreement) == ("proposed", 0, None, None)
    AgreementUpdateFactory(agreement=agreement, date=dt.date(2015, 1, 6), status="signed",
                           progress=40, us_status="signed", us_progress=40)  # fmt: skip
    assert stored(agreement) == ("signed", 40, "signed", None)
    # Pages read the stored copy (a copy changed behind the rule's back shows) …
    Agreement.objects.filter(pk=agreement.pk).update(state_status="completed")
    assert state(agreement)[0] == "completed"
    # … but never one that was not computed, or computed at a later time than now.
    Agreement.objects.filter(pk=agreement.pk).update(state_as_of=None)
    assert state(agreement)[0] == "signed"
    Agreement.objects.filter(pk=agreement.pk).update(
        state_status="completed", state_as_of=timezone.now() + dt.timedelta(hours=1)
    )
    assert state(agreement)[0] == "signed"


def test_the_state_read_without_a_current_copy_is_the_rule_itself():
    from dialogue.models.agreements import state_from_updates

    bare = AgreementFactory()
    same_day = AgreementFactory()
    for title, status in (("First", "signed"), ("Second", "in-force")):
        AgreementUpdateFactory(agreement=same_day, date=dt.date(2016, 1, 1), title=title,
                               status=status, progress=50, mx_status=status,
                               mx_progress=40)  # fmt: skip
    hidden = AgreementFactory(status="announced", progress=10)
    AgreementUpdateFactory(agreement=hidden, date=dt.date.today(), status="completed",
                           progress=100, draft=True)  # fmt: skip
    AgreementUpdateFactory(agreement=hidden, date=dt.date.today(), status="suspended",
                           progress=10, scheduled=True)  # fmt: skip
    Agreement.objects.update(state_as_of=None, state_status="superseded")  # no current copy
    names = (*STATE_FIELDS, "last_reported_on")
    read = Agreement.objects.with_state().order_by("pk").values_list(*names)
    rule = (
        Agreement.objects.annotate(**{f"rule_{k}": v for k, v in state_from_updates().items()})
        .order_by("pk")
        .values_list(*(f"rule_{name}" for name in names))
    )
    assert list(read) == list(rule)
    assert [row[:3] for row in read] == [
        ("proposed", 0, None), ("in-force", 50, ""), ("announced", 10, "")
    ]  # fmt: skip
    assert bare.pk < same_day.pk < hidden.pk


def test_the_stored_state_follows_every_change_to_the_updates(publisher):
    agreement, other = AgreementFactory(), AgreementFactory()
    first = AgreementUpdateFactory(agreement=agreement, date=dt.date(2014, 1, 1),
                                   status="announced", progress=10)  # fmt: skip
    draft = AgreementUpdateFactory(agreement=agreement, date=dt.date(2015, 1, 1),
                                   status="signed", progress=30, draft=True)  # fmt: skip
    assert stored(agreement)[:2] == ("announced", 10)
    publishing.publish(publisher, [draft])
    assert stored(agreement)[:2] == ("signed", 30)
    publishing.unpublish(publisher, [draft])
    assert stored(agreement)[:2] == ("announced", 10)
    # Moved to another agreement: both change.
    first.agreement = other
    publishing.save(publisher, first)
    assert stored(agreement)[:2] == ("proposed", 0)
    assert stored(other)[:2] == ("announced", 10)
    publishing.delete(publisher, first)
    assert stored(other)[:2] == ("proposed", 0)


def test_a_scheduled_update_takes_effect_at_its_time_over_the_stored_state(publisher):
    agreement = AgreementFactory(status="implementing", progress=30)
    update = AgreementUpdateFactory(agreement=agreement, date=dt.date.today(), status="completed",
                                    progress=100, draft=True)  # fmt: skip
    EvidenceFactory(update=update)
    at = timezone.now() + dt.timedelta(hours=2)
    publishing.schedule(publisher, [update], at)
    assert stored(agreement) == ("implementing", 30, "", at)
    assert state(agreement)[:2] == ("implementing", 30)
    with time_machine.travel(at + dt.timedelta(seconds=1)):
        assert state(agreement)[:2] == ("completed", 100)
        tracker = Agreement.objects.public().filter(status="completed")
        assert list(tracker) == [agreement]


def test_an_agreement_saved_from_an_older_copy_keeps_the_current_state(publisher):
    agreement = AgreementFactory(status="signed", progress=20)
    opened = Agreement.objects.get(pk=agreement.pk)  # an editor opens the agreement …
    AgreementUpdateFactory(agreement=agreement, date=dt.date.today(), status="in-force",
                           progress=50)  # fmt: skip  # … a publisher publishes an update …
    opened.title = "Renamed"
    publishing.save(publisher, opened)  # … the editor's save holds the old stored copy
    assert stored(agreement)[:2] == ("in-force", 50)


def test_the_stored_state_is_no_part_of_a_version():
    from dialogue.publishing.history import version_fields

    assert not {"state_status", "state_as_of", "state_until"} & set(version_fields(Agreement))


def test_a_record_read_without_its_state_still_knows_it():
    agreement = AgreementFactory(status="signed", progress=20)
    plain = Agreement._base_manager.get(pk=agreement.pk)
    assert (plain.status, plain.progress, plain.get_status_display()) == ("signed", 20, "Signed")


def test_lead_agency_per_side_from_the_parties():
    agreement = AgreementFactory(slug="air")
    state_dept = StakeholderFactory(name="Department of State", country="US")
    AgreementPartyFactory(agreement=agreement, stakeholder=state_dept, role="lead")
    AgreementPartyFactory(
        agreement=agreement, stakeholder=StakeholderFactory(name="FAA", country="US"),
        role="signatory",
    )  # fmt: skip
    sct = StakeholderFactory(name="SCT", country="MX")
    AgreementPartyFactory(agreement=agreement, stakeholder=sct, role="signatory")
    group = StakeholderFactory(name="Binational group", country="OTHER")
    AgreementPartyFactory(agreement=agreement, stakeholder=group, role="lead", side="JOINT")
    loaded = Agreement.objects.public().with_lead_agencies().get(pk=agreement.pk)
    leads = {side["side"]: side["lead"] for side in loaded.sides}
    # A side's lead is its "lead agency" party, else its first signatory.
    assert leads == {"US": state_dept, "MX": sct, "JOINT": group}


# --------------------------------------------------------------------------- public pages


def test_agreement_page_shows_each_side_side_by_side_with_evidence(client):
    agreement = AgreementFactory(slug="telecom", title="Telecommunications")
    AgreementPartyFactory(
        agreement=agreement, role="lead", stakeholder=StakeholderFactory(name="FCC", country="US")
    )
    update = AgreementUpdateFactory(
        agreement=agreement, date=dt.date.today() - dt.timedelta(days=10), title="Reviewed",
        status="implementing", progress=50, us_status="implementing", us_progress=55,
        mx_status="signed", mx_progress=20, confirmed_at=timezone.now(),
    )  # fmt: skip
    EvidenceFactory(update=update, title="Joint statement", url="https://example.org/js.pdf")
    html = page(client, agreement.get_absolute_url())
    sides = html[html.index('id="sides-heading"') :]
    assert sides.index("United States") < sides.index("Mexico") < sides.index("Joint")
    assert "FCC" in sides and "55% implemented" in sides and "Signed" in sides
    assert "No part of its own reported" in sides  # the joint side
    assert 'href="https://example.org/js.pdf">Joint statement</a>' in html
    assert "Reviewed and published" in html
    assert "No recent report" not in html


def test_no_recent_report_after_twelve_months(client):
    old = AgreementFactory(slug="old", title="Old commitment", announced_on=dt.date(2014, 1, 1))
    AgreementUpdateFactory(agreement=old, date=dt.date.today() - dt.timedelta(days=400))
    done = AgreementFactory(slug="done", announced_on=dt.date(2014, 1, 1))
    AgreementUpdateFactory(agreement=done, date=dt.date(2015, 1, 1), status="completed",
                           progress=100)  # fmt: skip
    assert "No recent report" in page(client, old.get_absolute_url())
    assert "No recent report" not in page(client, done.get_absolute_url())
    assert "No recent report" in page(client, reverse("dialogue:agreement-list"))


def test_home_no_longer_calls_an_overdue_tentative_meeting_next(client):
    overdue = MeetingFactory(
        title="Third meeting", slug="third", status="tentative", date_precision="year",
        start=dt.datetime(2016, 1, 1, 6, tzinfo=dt.UTC),
    )  # fmt: skip
    html = page(client, reverse("dialogue:home"))
    assert "Next meeting" not in html and "Third meeting" not in html
    assert "The period planned for this meeting has passed" in page(
        client, overdue.get_absolute_url()
    )
    MeetingFactory(title="Fourth meeting", upcoming=True)
    assert "Fourth meeting" in page(client, reverse("dialogue:home"))


@pytest.fixture
def two_meetings():
    first = MeetingFactory(title="First meeting", slug="first",
                           start=dt.datetime(2013, 9, 20, 15, tzinfo=dt.UTC))  # fmt: skip
    second = MeetingFactory(title="Second meeting", slug="second",
                            start=dt.datetime(2015, 1, 6, 15, tzinfo=dt.UTC))  # fmt: skip
    moved = AgreementFactory(title="Moved commitment", origin_meeting=first,
                             announced_on=dt.date(2013, 9, 20))  # fmt: skip
    AgreementUpdateFactory(agreement=moved, date=dt.date(2013, 9, 20), meeting=first,
                           status="announced", progress=10)  # fmt: skip
    AgreementUpdateFactory(agreement=moved, date=dt.date(2015, 1, 6), meeting=second,
                           title="Signed in time", status="signed", progress=40)  # fmt: skip
    stalled = AgreementFactory(title="Stalled commitment", origin_meeting=first,
                               announced_on=dt.date(2013, 9, 20))  # fmt: skip
    AgreementUpdateFactory(agreement=stalled, date=dt.date(2013, 9, 20), status="announced",
                           progress=10)  # fmt: skip
    # A draft update reported at the second meeting: neither reviewed nor moving anything.
    AgreementUpdateFactory(agreement=stalled, date=dt.date(2015, 1, 6), meeting=second,
                           title="Draft review", status="completed", progress=100,
                           draft=True)  # fmt: skip
    AgreementFactory(title="New commitment", origin_meeting=second, status="announced",
                     announced_on=dt.date(2015, 1, 6))  # fmt: skip
    return first, second


def test_meeting_page_shows_announced_reviewed_and_what_moved_since_the_previous(
    client, two_meetings
):
    _first, second = two_meetings
    html = page(client, second.get_absolute_url())
    announced = html[html.index('id="agreements-heading"') : html.index('id="reviewed-heading"')]
    assert "New commitment" in announced and "Announced" in announced
    reviewed = html[html.index('id="reviewed-heading"') : html.index('id="since-heading"')]
    assert "Moved commitment" in reviewed and "Signed in time" in reviewed
    assert "Draft review" not in html
    since = html[html.index('id="since-heading"') :]
    moved, stalled = since.split("Stalled:", 1)
    assert "Moved: 1 commitment" in moved and "Moved commitment" in moved
    assert "from Announced, 10 % to Signed, 40 %" in moved
    assert "1 commitment" in stalled and "Stalled commitment" in stalled
    assert "New commitment" not in since  # announced after the previous meeting


# --------------------------------------------------------------------------- the tracker


@pytest.fixture
def tracked():
    pillar = PillarFactory(number=1, slug="connectivity", name="Connectivity")
    other = PillarFactory(number=2, slug="growth", name="Growth")
    transport = SectorFactory(slug="transport")
    annual = MeetingFactory(title="First annual", slug="first-annual", kind="annual")
    working = MeetingFactory(title="Working group", slug="working", kind="working-group")
    air = AgreementFactory(title="Air transport", slug="air", pillar=pillar, sectors=[transport],
                           origin_meeting=annual, announced_on=dt.date(2013, 9, 20))  # fmt: skip
    AgreementUpdateFactory(agreement=air, date=dt.date(2014, 3, 1), status="implementing",
                           progress=50, us_status="completed", us_progress=100,
                           mx_status="implementing", mx_progress=20)  # fmt: skip
    council = AgreementFactory(
        title="Council", slug="council", pillar=other, origin_meeting=annual,
        announced_on=dt.date(2013, 9, 20),
    )  # fmt: skip
    AgreementUpdateFactory(agreement=council, date=dt.date(2015, 3, 1), status="completed",
                           progress=100, meeting=working)  # fmt: skip
    return {"air": air, "council": council}


def tracker_rows(html):
    body = html[html.index('id="list-heading"') :]
    return re.findall(r'<th scope="row"><a href="[^"]+"[^>]*>([^<]+)</a>', body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Air transport", "Council"]),
        ("?pillar=connectivity", ["Air transport"]),
        ("?sector=transport", ["Air transport"]),
        ("?status=completed", ["Council"]),
        ("?side=US&status=completed", ["Air transport"]),
        ("?side=MX", ["Air transport"]),
        ("?meeting=first-annual", ["Air transport", "Council"]),
        ("?meeting=working", ["Council"]),  # reviewed there
    ],
)
def test_tracker_filters(client, tracked, query, expected):
    html = page(client, reverse("dialogue:progress") + query)
    assert tracker_rows(html) == expected


def test_tracker_counts_and_charts_read_without_colour_or_script(client, tracked):
    trade = KeyFigureFactory(label="Trade", slug="trade")
    KeyFigureValueFactory(figure=trade, year=2014)
    KeyFigureValueFactory(figure=trade, year=2015)
    html = page(client, reverse("dialogue:progress"))
    assert "2 commitments" in html and "1 of 2 delivered" in html
    charts = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(charts) >= 4
    for chart in charts:
        assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
        assert "style" not in chart and "<script" not in chart
    assert "style=" not in html and "<style" not in html
    # No inline script: the only one is the filters' static file (folding them on phones).
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/dialogue/filters.js" defer>']
    # Each chart's figures are also in a table beside it.
    assert "<caption>Commitments by status</caption>" in html
    assert "<caption>Commitments by the meeting that announced them</caption>" in html
    assert "<caption>Commitments at the end of each year</caption>" in html
    year_rows = re.findall(r'<tr><th scope="row">(\d{4})</th><td>(\d+)</td><td>(\d+)</td>'
                           r"<td>(\d+)</td><td>(\d+) %</td></tr>", html)  # fmt: skip
    by_year = {int(y): tuple(map(int, rest)) for y, *rest in year_rows}
    # (announced, reported on, delivered, average progress) at each year's end.
    assert by_year[2013] == (2, 0, 0, 0)
    assert by_year[2014] == (2, 1, 0, 50)
    assert by_year[2015] == (2, 2, 1, 75)
    assert "Trade: values by year" in html and "US$510 billion" in html


def test_tracker_in_spanish_and_with_bad_filters(client, tracked):
    with translation.override("es"):
        url = reverse("dialogue:progress")
    assert url == "/es/avance/"
    html = page(client, url)
    assert "Seguimiento de compromisos" in html and "Conjunta" in html
    html = page(client, "/en/progress/?status=nope&side=XX&meeting=zz")
    assert "Some filters could not be applied" in html
    assert tracker_rows(html) == []


# --------------------------------------------------------------------------- fact sheets


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("language", ["en", "es"])
def test_fact_sheet_page_and_pdf_in_both_languages(client, language):
    meeting = MeetingFactory(slug="second", title_en="Second HLED meeting",
                             title_es="Segunda reunión", city_en="Washington, D.C.",
                             city_es="Washington, D.C.")  # fmt: skip
    ParticipationFactory(meeting=meeting, role="co-chair", capacity="Secretary of Commerce",
                         stakeholder=StakeholderFactory(name_en="Department of Commerce",
                                                        name_es="Departamento de Comercio",
                                                        country="US"))  # fmt: skip
    air = AgreementFactory(origin_meeting=meeting, title_en="Air transport agreement",
                           title_es="Acuerdo sobre transporte aéreo")  # fmt: skip
    AgreementUpdateFactory(agreement=air, status="signed", progress=70, us_status="signed",
                           us_progress=70, date=dt.date(2015, 12, 18))  # fmt: skip
    KeyFigureFactory(label_en="Bilateral trade", label_es="Comercio bilateral")
    with translation.override(language):
        sheet_url = reverse("dialogue:meeting-factsheet", kwargs={"slug": "second"})
        pdf_url = reverse("dialogue:meeting-factsheet-pdf", kwargs={"slug": "second"})
    html = page(client, sheet_url)
    text = pdf_text(client.get(pdf_url))
    expected = {
        "en": ["Fact sheet: Second HLED meeting", "Department of Commerce", "Co-chairs",
               "Air transport agreement", "Signed, 70 %", "Bilateral trade", "over US$500 billion"],
        "es": ["Ficha informativa: Segunda reunión", "Departamento de Comercio", "Copresidentes",
               "Acuerdo sobre transporte aéreo", "Firmado, 70 %", "Comercio bilateral",
               "US$500 mil millones"],
    }[language]  # fmt: skip
    for words in expected:
        assert words in text, words
        assert words.split(":")[-1].strip() in html, words
    assert f'href="{pdf_url}"' in html


def test_fact_sheet_of_a_draft_meeting_is_hidden(client, staff_client):
    MeetingFactory(slug="hidden", draft=True)
    for name in ("dialogue:meeting-factsheet", "dialogue:meeting-factsheet-pdf"):
        url = reverse(name, kwargs={"slug": "hidden"})
        assert client.get(url).status_code == 404
        preview = staff_client.get(url)
        assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]


# --------------------------------------------------------------------------- reviewed updates


def add_update_data(agreement, **changes):
    data = {
        "agreement": str(agreement.pk),
        "date": "2015-01-06",
        "meeting": "",
        "title_en": "Reviewed at the second meeting",
        "note_en": "",
        "status": "implementing",
        "progress": "50",
        "us_status": "",
        "us_progress": "",
        "mx_status": "",
        "mx_progress": "",
        "joint_status": "",
        "joint_progress": "",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_editor_drafts_an_update_of_a_published_agreement_and_cannot_publish_it(
    editor_client, editor
):
    agreement = AgreementFactory(status="announced", progress=10, announced_on=dt.date(2014, 1, 1))
    url = reverse("admin:dialogue_agreementupdate_add")
    response = editor_client.post(url, add_update_data(agreement))
    assert response.status_code == 302
    update = agreement.updates.get(title="Reviewed at the second meeting")
    assert update.publication_status == PublicationStatus.DRAFT
    assert state(agreement)[:2] == ("announced", 10)  # a draft changes nothing public
    # A forged publication is refused whole.
    forged = add_update_data(agreement, title_en="Forged", publication_status="published")
    response = editor_client.post(url, forged)
    assert response.status_code == 200
    assert not agreement.updates.filter(title="Forged").exists()
    with pytest.raises(publishing.Refused):
        publishing.publish(editor, [update])


def test_a_publisher_publishes_and_confirms_it_and_then_editors_cannot_change_it(
    publisher_client, publisher, editor_client
):
    agreement = AgreementFactory(status="announced", progress=10, announced_on=dt.date(2014, 1, 1))
    update = AgreementUpdateFactory(agreement=agreement, status="signed", progress=40,
                                    date=dt.date(2015, 1, 6), draft=True)  # fmt: skip
    changelist = reverse("admin:dialogue_agreementupdate_changelist")
    response = publisher_client.post(
        changelist, {"action": "publish", ACTION_CHECKBOX_NAME: [str(update.pk)]}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.is_public and update.confirmed_by == publisher and update.confirmed_at
    assert state(agreement)[:2] == ("signed", 40)
    change = reverse("admin:dialogue_agreementupdate_change", args=[update.pk])
    html = editor_client.get(change).content.decode()
    assert "only a Publisher can change or delete it" in html
    # Taking it back to draft clears the confirmation and the public state follows.
    publishing.unpublish(publisher, [update])
    update.refresh_from_db()
    assert update.confirmed_by is None and state(agreement)[:2] == ("announced", 10)


def test_completing_a_side_needs_evidence_before_publication(publisher, publisher_client):
    agreement = AgreementFactory()
    update = AgreementUpdateFactory(agreement=agreement, status="implementing", progress=60,
                                    us_status="completed", us_progress=100, draft=True)  # fmt: skip
    with pytest.raises(publishing.Refused, match="add its evidence"):
        publishing.publish(publisher, [update])
    update.refresh_from_db()
    assert update.publication_status == PublicationStatus.DRAFT
    # The same rule in the admin's form, which can add the evidence in the same save.
    url = reverse("admin:dialogue_agreementupdate_add")
    data = add_update_data(agreement, title_en="Completed", status="completed",
                           progress="100", publication_status="published",
                           publish_at_0="2015-01-06", publish_at_1="10:00:00")  # fmt: skip
    publisher_client.post(url, data)
    assert not agreement.updates.filter(title="Completed").exists()
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-title_en": "Report",
            "evidence-0-url": "https://example.org/report",
            "evidence-0-order": "0",
        }
    )
    assert publisher_client.post(url, data).status_code == 302
    assert agreement.updates.get(title="Completed").is_public
    EvidenceFactory(update=update)
    assert publishing.publish(publisher, [update]) == 1


def test_evidence_of_a_hidden_document_is_not_shown(client):
    agreement = AgreementFactory(slug="air")
    update = AgreementUpdateFactory(agreement=agreement)
    hidden = DocumentFactory(meeting=MeetingFactory(draft=True), title="Hidden minutes")
    EvidenceFactory(update=update, title="", url="", document=hidden)
    EvidenceFactory(update=update, title="Public report")
    html = page(client, agreement.get_absolute_url())
    assert "Public report" in html and "Hidden minutes" not in html


def test_the_editor_form_starts_from_the_current_state(editor_client):
    agreement = AgreementFactory()
    AgreementUpdateFactory(agreement=agreement, status="signed", progress=40,
                           mx_status="signed", mx_progress=35)  # fmt: skip
    url = reverse("admin:dialogue_agreementupdate_add") + f"?agreement={agreement.pk}"
    data = open_form(editor_client, url, "agreementupdate")
    assert (data["status"], data["progress"], data["mx_status"], data["mx_progress"]) == (
        "signed", "40", "signed", "35",
    )  # fmt: skip


def test_meetings_get_their_planned_period_on_every_save():
    meeting = MeetingFactory(start=dt.datetime(2016, 3, 1, 6, tzinfo=dt.UTC),
                             date_precision="month", timezone="America/Mexico_City")  # fmt: skip
    assert meeting.period_end == dt.datetime(2016, 4, 1, 6, tzinfo=dt.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(period_end=None)
    meeting.refresh_from_db()
    meeting.save()
    assert meeting.period_end is not None
    assert AgreementUpdate._meta.get_field("state_key").editable is False
