"""Document uploads: allow-listed by extension and by sniffed content, size-limited, stored
under random names, downloaded as attachments; anything else is refused with a clear message
and nothing is stored."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from dialogue.models import Document
from security.uploads import serve_as_attachment, sniff, validate_document_file
from tests.admin_forms import open_form
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def zipped(*entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
DOCX = zipped(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))
XLSX = zipped(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))
ODT = zipped(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>"))
CSV = "meeting,date,city\nFirst HLED,2013-09-20,Ciudad de México\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
DOCM = zipped(
    ("[Content_Types].xml", "<Types/>"),
    ("word/document.xml", "<w:document/>"),
    ("word/vbaProject.bin", "macro"),
)

GOOD = [
    ("report.pdf", PDF, "PDF"),
    ("chart.png", PNG, "PNG"),
    ("photo.jpg", JPEG, "JPEG"),
    ("photo.JPEG", JPEG, "JPEG"),
    ("minutes.docx", DOCX, "DOCX"),
    ("figures.xlsx", XLSX, "XLSX"),
    ("statement.odt", ODT, "ODT"),
    ("meetings.csv", CSV, "CSV"),
]
BAD = [
    ("page.html", HTML, "Web pages and SVG images (.html) cannot be uploaded"),
    ("logo.svg", SVG, "Web pages and SVG images (.svg) cannot be uploaded"),
    ("setup.exe", EXE, "Programs, scripts and files with macros (.exe) cannot be uploaded"),
    ("report.pdf", HTML, "contains a web page or an SVG image"),
    ("meetings.csv", SVG, "contains a web page or an SVG image"),
    ("chart.png", EXE, "is a program or contains macros"),
    ("minutes.docx", DOCM, "is a program or contains macros"),
    ("chart.png", PDF, "its content is not a PNG file"),
    ("figures.xlsx", DOCX, "its content is not a XLSX file"),
    ("archive.zip", DOCX, "Files of this type cannot be uploaded"),
    ("notes.txt", CSV, "Files of this type cannot be uploaded"),
    ("empty.pdf", b"", "The file is empty"),
]


@pytest.mark.parametrize(("name", "content", "kind"), GOOD, ids=[g[0] for g in GOOD])
def test_allowed_formats_pass(name, content, kind):
    upload = SimpleUploadedFile(name, content)
    assert sniff(upload) == kind
    validate_document_file(upload)


@pytest.mark.parametrize(
    ("name", "content", "message"), BAD, ids=[f"{b[0]}-{b[2][:12]}" for b in BAD]
)
def test_other_files_are_refused_with_a_reason(name, content, message):
    with pytest.raises(ValidationError) as refused:
        validate_document_file(SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.messages)


def test_large_files_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_document_file(SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024))
    assert "the largest allowed is 1 MB" in " ".join(refused.value.messages)


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload_in_admin(client, name, content):
    meeting = MeetingFactory(draft=True)
    url = reverse("admin:dialogue_document_add")
    data = open_form(client, url, "document")
    data.update(title_en="Joint statement", slug="joint-statement", meeting=meeting.pk, url="")
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


def test_an_allowed_upload_is_stored_under_a_random_name(media, staff_client):
    response = upload_in_admin(staff_client, "Joint Statement (final).pdf", PDF)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(slug="joint-statement")
    assert re.fullmatch(r"documents/\d{4}/[0-9a-f]{32}\.pdf", document.file.name)
    assert stored_files(media) == [document.file.name]
    assert (media / document.file.name).read_bytes() == PDF


def test_a_refused_upload_shows_why_and_stores_nothing(media, staff_client):
    response = upload_in_admin(staff_client, "statement.html", HTML)
    assert response.status_code == 200
    assert "Web pages and SVG images (.html) cannot be uploaded" in response.content.decode()
    assert not Document.objects.filter(slug="joint-statement").exists()
    assert stored_files(media) == []
    disguised = upload_in_admin(staff_client, "statement.pdf", SVG)
    assert "contains a web page or an SVG image" in disguised.content.decode()
    assert stored_files(media) == []


def test_uploads_are_served_as_attachments(media):
    (media / "documents" / "2026").mkdir(parents=True)
    (media / "documents" / "2026" / "abc.pdf").write_bytes(PDF)
    (media / "documents" / "2026" / "old.html").write_bytes(HTML)
    response = serve_as_attachment(RequestFactory().get("/media/"), "documents/2026/abc.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="abc.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    # A file stored before the checks existed is still only ever downloaded.
    legacy = serve_as_attachment(RequestFactory().get("/media/"), "documents/2026/old.html")
    assert legacy["Content-Type"] == "application/octet-stream"
    assert legacy["Content-Disposition"].startswith("attachment")
