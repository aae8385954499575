"""The one way the command line and the screen get a database: they never import storage."""

from __future__ import annotations

import contextlib

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import NoProfile
from medtrack.location import Location
from medtrack.storage.database import Database
from medtrack.storage.opening import upgrade_schema

__all__ = ["Database", "check_clock", "open_database", "upgrade_database"]


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


def check_clock(path: Location, clock: Clock) -> None:
    """Before the screen opens: a fixed clock on a database kept on the real clock is refused
    (exit 2), as every command refuses it. No database yet is no refusal: the screen's set-up
    makes it under this clock."""
    if not clock.fixed:
        return
    with contextlib.suppress(NoProfile):
        open_database(path, clock=clock).dispose()
