"""The one way the command line and the screen get a database: they never import storage."""

from __future__ import annotations

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.location import Location
from medtrack.storage.database import Database
from medtrack.storage.opening import upgrade_schema

__all__ = ["Database", "open_database", "upgrade_database"]


def open_database(path: Location, *, create: bool = False, patient: str | None = None,
                  by: str | None = None, clock: Clock = REAL_CLOCK) -> Database:
    """The medtrack database at `path`, migrated and checked (exit 2 or 4 when it cannot be),
    seen as one patient's (`patient`: a number, UUID or name; None: the only one), with `by`
    entering what is written (None: the database user).

    A fixed `clock` (MEDTRACK_NOW) opens only a database made under a fixed clock, and marks
    one it creates so; any other database is refused (exit 2) before anything is written."""
    return Database(path, create=create, patient=patient, by=by, clock=clock)


def upgrade_database(path: Location, clock: Clock = REAL_CLOCK) -> tuple[int, int]:
    """Apply the schema migrations (SQLite or PostgreSQL): the version found and the version now.
    A PostgreSQL schema made here under a fixed clock is marked so."""
    return upgrade_schema(path, fixed_clock=clock.fixed)

