"""Use cases: back up the database while others may write, and restore a checked backup."""

from __future__ import annotations

from pathlib import Path

from medtrack.errors import BadInput
from medtrack.location import Location, ServerUrl
from medtrack.storage.backup import restore_backup, write_backup
from medtrack.storage.repository import Database


def _file_only(database: Location, what: str) -> Path:
    """Backups and restores copy a SQLite file; a server's database has its own tools."""
    if isinstance(database, ServerUrl):
        tool = "pg_dump" if what == "backup" else "pg_restore"
        raise BadInput(f"medtrack {what} copies a SQLite file; {database} is a PostgreSQL database: "
                       f"use the server's {tool} instead (e.g. {tool} --help)")
    return database


def backup(database: Location, target: str, force: bool = False) -> Path:
    file = _file_only(database, "backup")
    if not target or not target.strip():
        raise BadInput("backup needs a file path, e.g. medtrack backup ~/medtrack-backup.db")
    Database(file).dispose()  # opens (and checks) the database first: exit 2/4 if unusable
    path = Path(target).expanduser()
    write_backup(file, path, force=force)
    return path


def restore(database: Location, source: str) -> Path:
    """Check the backup, keep the current database beside it, then bring the backup in."""
    file = _file_only(database, "restore")
    path = Path(source).expanduser()
    kept = restore_backup(path, file)
    Database(file).dispose()  # migrates an older backup's schema (after its own backup)
    return kept
