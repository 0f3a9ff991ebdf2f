"""Safe document uploads: an allow-list checked by name *and* by content, a size limit, random
stored names, and downloads that browsers save rather than display.

Allowed: PDF, DOCX, XLSX, CSV, ODT, PNG and JPEG. The content is sniffed here, in plain
Python (no libmagic, so ``make demo`` needs no system library): the magic bytes of PDF, PNG
and JPEG; for the ZIP-based office formats, the parts inside the archive (``word/document.xml``,
``xl/workbook.xml``, the OpenDocument ``mimetype``), which a first-bytes sniffer cannot tell
apart; for CSV, text without NUL bytes or markup. HTML, SVG, scripts and executables are
refused by name and by content with their own message, as is a file whose content does not
match its name. A refused file is never written: the validator runs while the form is
cleaned, before anything is saved.
"""

import mimetypes
import re
import secrets
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

ALLOWED = {
    "pdf": "PDF",
    "docx": "DOCX",
    "xlsx": "XLSX",
    "csv": "CSV",
    "odt": "ODT",
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
}
ALLOWED_LIST = "PDF, DOCX, XLSX, CSV, ODT, PNG, JPEG"

MARKUP_EXTENSIONS = {"html", "htm", "xhtml", "shtml", "xml", "svg", "svgz", "mht", "mhtml"}
PROGRAM_EXTENSIONS = {
    "exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "vbs", "js", "mjs", "jar", "sh",
    "bin", "elf", "app", "apk", "py", "php", "pl", "cgi", "docm", "xlsm", "dotm", "xltm",
}  # fmt: skip

SNIFF_BYTES = 64 * 1024
# Windows, Linux and macOS executables, Java classes / Mach-O fat binaries, scripts.
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa", b"\xca\xfe\xba\xbe")
PROGRAM_MAGIC += (b"#!",)
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|\?xml)\b", re.I)


def extension(name):
    return PurePosixPath(str(name or "")).suffix.lower().lstrip(".")


def _zip_kind(file):
    """The office format of a ZIP archive, "macro" for one with macros, or None."""
    try:
        file.seek(0)
        archive = zipfile.ZipFile(file)
        names = set(archive.namelist())
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return "macro"
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 100:
                mimetype = archive.read("mimetype").strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "ODT"
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "DOCX"
            if "xl/workbook.xml" in names:
                return "XLSX"
        return None
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    finally:
        file.seek(0)


def _looks_like_text(data):
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(data) - 4:  # a character cut by the sniffing window is fine
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                return False
    controls = sum(1 for byte in data if byte < 32 and byte not in (9, 10, 13))
    return controls == 0


def sniff(file):
    """What `file`'s content is: one of the ALLOWED formats, "markup", "program", "macro", or
    None for anything else."""
    file.seek(0)
    data = file.read(SNIFF_BYTES)
    file.seek(0)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"%PDF-"):
        return "PDF"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    if data.startswith(PROGRAM_MAGIC):
        return "program"
    if MARKUP.search(head[:1024]) or head.startswith(b"<"):
        return "markup"
    if _looks_like_text(data):
        return "CSV"
    return None


@deconstructible
class DocumentFileValidator:
    """Refuse any upload that is not an allowed format by both name and content, or is too
    large; say why in a sentence the editor can act on."""

    def __call__(self, file):
        name = getattr(file, "name", "") or ""
        ext = extension(name)
        if ext in MARKUP_EXTENSIONS:
            raise ValidationError(
                _(
                    "Web pages and SVG images (.%(ext)s) cannot be uploaded: they could run code "
                    "in visitors' browsers. Upload a PDF instead."
                ),
                code="markup",
                params={"ext": ext},
            )
        if ext in PROGRAM_EXTENSIONS:
            raise ValidationError(
                _("Programs, scripts and files with macros (.%(ext)s) cannot be uploaded."),
                code="program",
                params={"ext": ext},
            )
        if ext not in ALLOWED:
            raise ValidationError(
                _("Files of this type cannot be uploaded. Allowed: %(allowed)s."),
                code="type",
                params={"allowed": ALLOWED_LIST},
            )
        size = getattr(file, "size", None) or 0
        if size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; the largest allowed is %(limit)s MB."),
                code="size",
                params={
                    "size": f"{size / 1048576:.1f}",
                    "limit": settings.UPLOAD_MAX_BYTES // 1048576,
                },
            )
        if not size:
            raise ValidationError(_("The file is empty."), code="empty")
        found = sniff(file)
        if found == "markup":
            raise ValidationError(
                _(
                    "This file contains a web page or an SVG image, which cannot be uploaded: "
                    "it could run code in visitors' browsers."
                ),
                code="markup",
            )
        if found in {"program", "macro"}:
            raise ValidationError(
                _("This file is a program or contains macros, which cannot be uploaded."),
                code="program",
            )
        if found != ALLOWED[ext]:
            raise ValidationError(
                _(
                    "The file's name ends in .%(ext)s but its content is not a %(kind)s file. "
                    "Allowed: %(allowed)s."
                ),
                code="mismatch",
                params={"ext": ext, "kind": ALLOWED[ext], "allowed": ALLOWED_LIST},
            )

    def __eq__(self, other):
        return isinstance(other, DocumentFileValidator)


validate_document_file = DocumentFileValidator()


def random_document_name(instance, filename):
    """documents/<year>/<32 random hex digits>.<extension>: nothing of the uploaded name but
    its (already checked) extension, so names can be neither guessed nor chosen."""
    ext = extension(filename)
    ext = "jpg" if ext == "jpeg" else ext
    return f"documents/{timezone.now():%Y}/{secrets.token_hex(16)}.{ext}"


def serve_as_attachment(request, path):
    """Serve an upload (demo and development only; production serves media from the web
    server or object store, configured the same way in docs/deploy.md) as a download."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if isinstance(response, FileResponse) or response.status_code == 200:
        filename = PurePosixPath(path).name
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        guessed = mimetypes.guess_type(filename)[0]
        if extension(filename) not in ALLOWED or guessed is None:
            response["Content-Type"] = "application/octet-stream"
    elif response.status_code not in (304,):
        raise Http404
    return response
