"""The one way the command line and the screen get a database: they never import storage."""

from __future__ import annotations

from medtrack.location import Location
from medtrack.storage.engine import upgrade_schema
from medtrack.storage.repository import Database

__all__ = ["Database", "open_database", "upgrade_database"]


def open_database(path: Location, *, create: bool = False, patient: str | None = None,
                  by: str | None = None) -> Database:
    """The medtrack database at `path`, migrated and checked (exit 2 or 4 when it cannot be),
    seen as one patient's (`patient`: a number, UUID or name; None: the only one), with `by`
    entering what is written (None: the database user)."""
    return Database(path, create=create, patient=patient, by=by)


def upgrade_database(path: Location) -> tuple[int, int]:
    """Apply the schema migrations (SQLite or PostgreSQL): the version found and the version now."""
    return upgrade_schema(path)
