"""Backups: `manage.py backup` then `manage.py restore` brings back every row and every uploaded
file; an incomplete or altered backup is refused and changes nothing. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL (pg_dump / pg_restore)."""

import json
import shutil
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dialogue import backups
from dialogue.models import Document, Meeting

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def row_counts():
    with connection.cursor() as cursor:
        return backups.count_rows(cursor, connection.introspection.table_names(cursor))


@pytest.fixture
def site_data(settings, tmp_path):
    """The demo records and one uploaded document file, committed."""
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    call_command("loaddata", "hled_demo", verbosity=0)
    document = Document.objects.first()
    document.url = ""  # a link or a file, not both
    document.file.save("report.pdf", ContentFile(PDF))
    return document


def back_up():
    out = StringIO()
    call_command("backup", stdout=out)
    (path,) = backups.Path(backups.settings.BACKUP_DIR).iterdir()
    return path, out.getvalue()


def restore(path):
    out = StringIO()
    call_command("restore", str(path), interactive=False, stdout=out)
    return out.getvalue()


def test_a_backup_restores_every_row_and_every_file(site_data, settings):
    before = row_counts()
    assert before["dialogue_meeting"] > 0
    path, output = back_up()
    assert f"to {path}" in output
    database_file = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert sorted(p.name for p in path.iterdir()) == sorted(
        [database_file, "media.tar.gz", "manifest.json"]
    )
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["tables"] == before
    assert manifest["media_files"] == 1

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not Meeting.objects.exists()

    output = restore(path)
    assert "Restored" in output
    assert " s." in output  # the time it took
    assert row_counts() == before
    document = Document.objects.get(pk=site_data.pk)
    assert document.file.name == site_data.file.name
    with default_storage.open(document.file.name) as file:
        assert file.read() == PDF


def test_restore_refuses_a_backup_without_manifest_and_changes_nothing(site_data):
    path, _ = back_up()
    (path / "manifest.json").unlink()
    Group.objects.create(name="Made after the backup")  # a restore would remove it
    before = row_counts()
    with pytest.raises(CommandError, match="no manifest.json: the backup is incomplete"):
        restore(path)
    assert row_counts() == before
    assert Group.objects.filter(name="Made after the backup").exists()
    assert default_storage.exists(site_data.file.name)


@pytest.mark.parametrize("damage", ["truncate", "remove"])
def test_restore_refuses_a_damaged_database_file(site_data, damage):
    path, _ = back_up()
    (database_file,) = path.glob("database.*")
    if damage == "truncate":
        database_file.write_bytes(database_file.read_bytes()[:100])
        message = "does not match the manifest"
    else:
        database_file.unlink()
        message = "is missing: the backup is incomplete"
    Group.objects.create(name="Made after the backup")  # a restore would remove it
    before = row_counts()
    with pytest.raises(CommandError, match=message):
        restore(path)
    assert row_counts() == before
    assert Group.objects.filter(name="Made after the backup").exists()


def test_restore_refuses_a_backup_of_another_kind_of_database(site_data):
    path, _ = back_up()
    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["vendor"] = "mysql"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="backup is of a mysql database"):
        restore(path)


def test_restore_refuses_what_is_not_a_backup(site_data, tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        restore(tmp_path / "nowhere")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json")
    with pytest.raises(CommandError, match="is not valid JSON"):
        restore(tmp_path / "broken")
