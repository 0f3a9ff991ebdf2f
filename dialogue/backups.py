"""Backups of the database and the uploaded media, and their restore (`manage.py backup`,
`manage.py restore`).

A backup is a directory `hled-<UTC time>/` holding

- `database.dump` (PostgreSQL: `pg_dump --format=custom --no-owner`) or `database.sqlite3`
  (SQLite: the online backup API, a consistent copy of a database in use);
- `media.tar.gz`, every file under MEDIA_ROOT;
- `manifest.json`, written last: the database vendor, each file's size and SHA-256, and the
  number of rows of every table, counted in the same snapshot the dump was taken from.

A directory without a manifest, with a missing or altered file, or made from another kind of
database is refused by `restore` before anything changes. The directory is written under a
`.partial` name and renamed once complete, so an interrupted backup never looks like one.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT = 1


class BackupError(Exception):
    """A backup that cannot be made, or one that must not be restored."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def quote(name):
    return connection.ops.quote_name(name)


def count_rows(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def libpq_environment():
    """The connection settings of the database in use, as the PG* variables of libpq."""
    config = connection.settings_dict
    environ = {**os.environ, "PGDATABASE": config["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD")):  # fmt: skip
        if config.get(key):
            environ[variable] = str(config[key])
    for variable, option in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert")):
        if config.get("OPTIONS", {}).get(option):
            environ[variable] = str(config["OPTIONS"][option])
    environ.pop("PGOPTIONS", None)
    return environ


def run(command):
    try:
        subprocess.run(command, env=libpq_environment(), check=True, capture_output=True)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools).") from error
    except subprocess.CalledProcessError as error:
        output = error.stderr.decode(errors="replace").strip()
        raise BackupError(f"{command[0]} failed: {output}") from error


def dump_postgresql(target):
    """pg_dump of the snapshot the row counts are read from (an exported snapshot)."""
    connection.ensure_connection()
    with connection.connection.transaction(), connection.connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={target}"])  # fmt: skip
        return count_rows(cursor, connection.introspection.table_names(cursor))


def dump_sqlite(target):
    """The online backup API: a consistent copy even while the site writes."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        tables = [
            row[0]
            for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return count_rows(cursor, tables)
    finally:
        copy.close()


def archive_media(target):
    root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(target, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(root).as_posix())
                    files += 1
    return files


def create(directory):
    """Write a complete backup into a new directory under `directory`; return its path."""
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    created = datetime.now(UTC)
    final = Path(directory) / f"hled-{created:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists.")
    partial = final.with_name(final.name + ".partial")
    partial.mkdir(parents=True)
    try:
        database_file = partial / DATABASE_FILES[vendor]
        dump = dump_postgresql if vendor == "postgresql" else dump_sqlite
        tables = dump(database_file)
        media_files = archive_media(partial / MEDIA)
        manifest = {
            "format": FORMAT,
            "created": created.isoformat(),
            "vendor": vendor,
            "files": {
                path.name: {"bytes": path.stat().st_size, "sha256": sha256(path)}
                for path in (database_file, partial / MEDIA)
            },
            "media_files": media_files,
            "tables": tables,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def check(directory):
    """The manifest of a complete, unaltered backup for this kind of database, or BackupError."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory.")
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{directory} has no {MANIFEST}: the backup is incomplete.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{directory / MANIFEST} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST} is not a manifest this version can read.")
    vendor = manifest.get("vendor")
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup is of a {vendor} database; this site uses {connection.vendor}."
        )
    expected = {DATABASE_FILES[vendor], MEDIA}
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != expected:
        raise BackupError(f"The manifest must list exactly {', '.join(sorted(expected))}.")
    for name, facts in files.items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{path} is missing: the backup is incomplete.")
        if path.stat().st_size != facts.get("bytes") or sha256(path) != facts.get("sha256"):
            raise BackupError(f"{path} does not match the manifest (altered or truncated).")
    if not isinstance(manifest.get("tables"), dict):
        raise BackupError("The manifest has no row counts.")
    return manifest


def restore_postgresql(source):
    connection.close()  # hold no lock on what pg_restore drops
    database = connection.settings_dict["NAME"]
    run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", f"--dbname={database}", str(source)])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def restore_sqlite(source):
    connection.close()
    connection.ensure_connection()
    backup = sqlite3.connect(source)
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()


def restore_media(archive_path):
    """Replace MEDIA_ROOT with the archive's files (unpacked beside it first)."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=root.parent))
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(unpacked, filter="data")
        if root.exists():
            shutil.rmtree(root)
        unpacked.rename(root)
    except BaseException:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise


def restore(directory):
    """Restore a backup `check()` accepts; return the row counts that differ (none)."""
    directory = Path(directory)
    manifest = check(directory)
    source = directory / DATABASE_FILES[manifest["vendor"]]
    if manifest["vendor"] == "postgresql":
        restore_postgresql(source)
    else:
        restore_sqlite(source)
    restore_media(directory / MEDIA)
    with connection.cursor() as cursor:
        counts = count_rows(cursor, manifest["tables"])
    return {
        table: (expected, counts[table])
        for table, expected in manifest["tables"].items()
        if counts[table] != expected
    }
