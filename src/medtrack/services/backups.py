"""Use cases: back up the database while others may write, and restore a checked backup."""

from __future__ import annotations

from pathlib import Path

from medtrack.errors import BadInput
from medtrack.storage.backup import restore_backup, write_backup
from medtrack.storage.repository import Database


def backup(database: Path, target: str, force: bool = False) -> Path:
    if not target or not target.strip():
        raise BadInput("backup needs a file path, e.g. medtrack backup ~/medtrack-backup.db")
    Database(database).dispose()  # opens (and checks) the database first: exit 2/4 if unusable
    path = Path(target).expanduser()
    write_backup(database, path, force=force)
    return path


def restore(database: Path, source: str) -> Path:
    """Check the backup, keep the current database beside it, then bring the backup in."""
    path = Path(source).expanduser()
    kept = restore_backup(path, database)
    Database(database).dispose()  # migrates an older backup's schema (after its own backup)
    return kept
