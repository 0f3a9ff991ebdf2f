"""A meeting's fact sheet: what the printable page and the PDF both show, and the PDF itself.

The content is gathered once (`facts()`) from a meeting read through the public read model
(`Meeting.objects.public().with_public_parts()`); the page renders it with a template, the PDF
with ReportLab's layout engine (pure Python wheels from PyPI: no system library to install).
ReportLab's standard fonts cover the Latin-1 and Windows-1252 characters both languages use.
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _

from .models import KeyFigure, Participation
from .templatetags.dialogue_tags import amount_with_unit, key_figure, meeting_date


def facts(meeting, split_by_side):
    """The fact sheet of `meeting` (prefetched with its public parts)."""
    participations = list(meeting.participations.all())
    co_chairs = split_by_side([p for p in participations if p.role == Participation.Role.CO_CHAIR])
    items = list(meeting.agenda_items.all())
    agenda = [item for item in items if item.parent_id is None]
    children = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
    for item in agenda:
        item.sub_items = children.get(item.pk, [])
    figures = list(KeyFigure.objects.public().with_public_parts())
    for figure in figures:
        values = list(figure.values.all())
        figure.latest = values[-1] if values else None
    return {
        "meeting": meeting,
        "co_chairs": co_chairs,
        "agenda": agenda,
        "agreements": list(meeting.agreements.all()),
        "key_figures": figures,
    }


def where(meeting):
    parts = [meeting.venue, meeting.city, meeting.get_host_country_display()]
    return ", ".join(part for part in parts if part)


def paragraph(text, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def render_pdf(sheet, url):
    """The fact sheet as PDF bytes, in the active language."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    meeting = sheet["meeting"]
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    h1, h2 = styles["Heading1"], styles["Heading2"]
    buffer = io.BytesIO()
    title = _("Fact sheet: %(meeting)s") % {"meeting": meeting.title}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=_("US–Mexico High-Level Economic Dialogue"),
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
    )
    story = [
        paragraph(_("US–Mexico High-Level Economic Dialogue"), small),
        paragraph(title, h1),
        paragraph(f"{_('When')}: {meeting_date(meeting)}", body),
        paragraph(f"{_('Where')}: {where(meeting)}", body),
        paragraph(f"{_('Status')}: {meeting.get_status_display()}", body),
    ]
    if meeting.summary:
        story.append(paragraph(meeting.summary, body))
    if sheet["co_chairs"]:
        story.append(paragraph(_("Co-chairs"), h2))
        for column in sheet["co_chairs"]:
            names = "; ".join(
                f"{row.stakeholder.name}{f' ({row.capacity})' if row.capacity else ''}"
                for row in column["rows"]
            )
            story.append(paragraph(f"{column['label']}: {names}", body))
    story.append(paragraph(_("Agenda"), h2))
    if sheet["agenda"]:
        for item in sheet["agenda"]:
            story.append(paragraph(f"{item.position}. {item.title}", body))
            for sub in item.sub_items:
                story.append(paragraph(f"    {sub.position}. {sub.title}", small))
    else:
        story.append(paragraph(_("The agenda has not been published yet."), body))
    story.append(paragraph(_("Commitments announced and their status today"), h2))
    if sheet["agreements"]:
        header = [
            _("Commitment"),
            _("Overall"),
            *(side["label"] for side in sheet["agreements"][0].sides),
        ]
        rows = [[paragraph(cell, small) for cell in header]]
        for agreement in sheet["agreements"]:
            cells = [agreement.title, f"{agreement.get_status_display()}, {agreement.progress} %"]
            for side in agreement.sides:
                lead = side["lead"].name if side["lead"] else ""
                state = f"{side['status_label']}, {side['progress']} %" if side["status"] else "—"
                cells.append(f"{state}{f' ({lead})' if lead else ''}")
            rows.append([paragraph(cell, small) for cell in cells])
        table = Table(rows, colWidths=[5.2 * cm, 2.6 * cm, 3 * cm, 3 * cm, 3 * cm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(paragraph(_("No commitment was announced at this meeting."), body))
    if sheet["key_figures"]:
        story.append(paragraph(_("Key figures"), h2))
        for figure in sheet["key_figures"]:
            line = f"{figure.label}: {key_figure(figure)}"
            if figure.latest:
                value = amount_with_unit(figure.latest.value, figure.unit)
                line += f" — {figure.latest.year}: {value} ({figure.latest.source})"
            story.append(paragraph(f"{line}. {_('Source:')} {figure.source}", body))
    story += [Spacer(1, 0.6 * cm), paragraph(url, small)]
    document.build(story)
    return buffer.getvalue()


def filename(meeting, language):
    return f"hled-{meeting.slug}-{language or settings.LANGUAGE_CODE}.pdf"
