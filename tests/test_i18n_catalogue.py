"""The Spanish interface catalogue: complete, not fuzzy, placeholders intact, compiled.

Plain pytest: the .po file is parsed here with a small reader, and the .mo file is loaded
with the standard library, so no database or Django set-up is needed.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES"
PO_PATH = LOCALE / "django.po"
MO_PATH = LOCALE / "django.mo"

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
NPLURALS = 2


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str | None = None
    plurals: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self):
        return self.msgid == "" and self.msgctxt is None

    @property
    def translations(self):
        """Every msgstr of the entry: the single one, or each plural form in order."""
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.plurals.get(n) for n in range(max(NPLURALS, len(self.plurals)))]

    def __str__(self):
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def unquote(text):
    """The content of one quoted .po string, with its escapes resolved."""
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path):
    """Entries of a .po file; obsolete (#~) entries are skipped."""
    entries, entry, target = [], None, None

    def finish():
        if entry is not None and (entry.msgid or entry.msgstr is not None or entry.plurals):
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"continuation line without a keyword at line {number}"
            key, index = target
            if key == "plural":
                entry.plurals[index] += unquote(line)
            else:
                setattr(entry, key, getattr(entry, key) + unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith("msgid") and (entry.msgstr is not None or entry.plurals):
            # A new entry without a blank line in between.
            finish()
            entry = Entry(line=number)
        plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural:
            index = int(plural.group(1))
            entry.plurals[index] = unquote(rest)
            target = ("plural", index)
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            if keyword == "msgid":
                entry.line = number
            setattr(entry, keyword, unquote(rest))
            target = (keyword, None)
        else:
            raise AssertionError(f"unexpected line {number}: {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def entries():
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries):
    """Translatable entries: everything but the header."""
    return [entry for entry in entries if not entry.is_header]


def header_fields(entries):
    header = next(entry for entry in entries if entry.is_header)
    pairs = (line.partition(":") for line in header.msgstr.splitlines() if line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def test_parser_reads_the_catalogue(messages):
    assert len(messages) > 300
    assert any(entry.msgid_plural for entry in messages)
    assert any(entry.msgctxt == "URL path" for entry in messages)


def test_header_is_spanish_utf8_with_two_plural_forms(entries):
    header = next(entry for entry in entries if entry.is_header)
    assert "fuzzy" not in header.flags
    fields = header_fields(entries)
    assert fields["Language"] == "es"
    assert "charset=UTF-8" in fields["Content-Type"]
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"


def test_no_entry_is_fuzzy(entries):
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == []


def test_every_msgstr_is_filled(messages):
    empty = [str(entry) for entry in messages if not all(entry.translations)]
    assert empty == []


def test_plural_entries_have_every_form(messages):
    incomplete = [
        str(entry)
        for entry in messages
        if entry.msgid_plural is not None and sorted(entry.plurals) != list(range(NPLURALS))
    ]
    assert incomplete == []
    stray = [str(entry) for entry in messages if entry.msgid_plural is None and entry.plurals]
    assert stray == []


def test_placeholders_match(messages):
    """Same %(name)s / %(count)d tokens, type included: a swap would break the formatting."""
    mismatched = []
    for entry in messages:
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural is not None:
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
        for translation in entry.translations:
            if set(PLACEHOLDER.findall(translation or "")) != expected:
                mismatched.append(f"{entry} -> {translation!r}")
    assert mismatched == []


def test_billion_is_never_billon(messages):
    """A Spanish billón is 10**12: an English billion is "mil millones"."""
    wrong = [
        f"{entry} -> {entry.translations!r}"
        for entry in messages
        if "billion" in (entry.msgid + (entry.msgid_plural or "")).lower()
        and any(re.search(r"bill[oó]n", t or "", re.IGNORECASE) for t in entry.translations)
    ]
    assert wrong == []


def test_url_paths_are_ascii_and_keep_their_shape(messages):
    paths = [entry for entry in messages if entry.msgctxt == "URL path"]
    assert paths
    for entry in paths:
        assert entry.msgstr.isascii(), entry
        # The same ending as the English path: "/" for pages, ".pdf" for a document.
        assert entry.msgstr.endswith("/") == entry.msgid.endswith("/"), entry
        assert entry.msgstr.rsplit(".", 1)[-1] == entry.msgid.rsplit(".", 1)[-1] or (
            entry.msgid.endswith("/")
        ), entry
        assert not entry.msgstr.startswith("/"), entry
        assert entry.msgstr.count("/") == entry.msgid.count("/"), entry
        assert ("<slug:slug>" in entry.msgstr) == ("<slug:slug>" in entry.msgid), entry


@pytest.fixture(scope="module")
def compiled():
    assert MO_PATH.exists(), "run: manage.py compilemessages -l es --ignore=.venv"
    with MO_PATH.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_mo_matches_the_po(compiled, messages):
    """The .mo holds one entry per translated message plus the header: not stale."""
    translated = [entry for entry in messages if all(entry.translations)]
    # GNUTranslations stores the header under "" and each plural form under (msgid, n).
    singular = {key for key in compiled._catalog if isinstance(key, str) and key}
    plural = {key[0] for key in compiled._catalog if isinstance(key, tuple)}
    assert len(singular) + len(plural) == len(translated)
    for entry in translated:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            assert compiled._catalog.get(key) == entry.msgstr, entry
        else:
            for index, form in enumerate(entry.translations):
                assert compiled._catalog.get((key, index)) == form, entry


def test_sample_lookups(compiled):
    assert compiled.gettext("Meetings") == "Reuniones"
    assert compiled.gettext("Skip to main content") == "Saltar al contenido principal"
    assert compiled.pgettext("URL path", "meetings/") == "reuniones/"
    assert compiled.pgettext("URL path", "pages/<slug:slug>/") == "paginas/<slug:slug>/"
    assert compiled.ngettext("%(n)s meeting", "%(n)s meetings", 1) == "%(n)s reunión"
    assert compiled.ngettext("%(n)s meeting", "%(n)s meetings", 3) == "%(n)s reuniones"
    billion = compiled.ngettext("%(value)s billion", "%(value)s billion", 500)
    assert billion % {"value": "500"} == "500 mil millones"
    trillion = compiled.ngettext("%(value)s trillion", "%(value)s trillion", 2)
    assert trillion % {"value": "2"} == "2 billones"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Re-extract the strings from a copy of the sources: none may be missing or untranslated.

    Needs GNU gettext (xgettext); CI installs it, elsewhere the test skips without it.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is required in CI to check the catalogue")
        pytest.skip("GNU gettext is not installed")
    root = Path(__file__).resolve().parent.parent
    for name in ("manage.py",):
        shutil.copy(root / name, tmp_path / name)
    for name in ("hled", "dialogue", "security", "consultations", "api", "templates", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "hled.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    extracted = parse_po(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")
    problems = [
        f"{entry}: {'fuzzy' if 'fuzzy' in entry.flags else 'untranslated'}"
        for entry in extracted
        if not entry.is_header and ("fuzzy" in entry.flags or not all(entry.translations))
    ]
    assert not problems, "run `make messages` and translate:\n" + "\n".join(problems)
