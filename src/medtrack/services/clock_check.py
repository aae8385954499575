"""MEDTRACK_NOW before the screen opens, as every command checks it, without making the first
frame wait for the database library when the file itself tells (storage/clock_mark.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from medtrack.clock import Clock
from medtrack.errors import NoProfile
from medtrack.location import Location
from medtrack.storage.clock_mark import file_clock_mark, file_language, fixed_clock_refused


def check_clock(path: Location, clock: Clock) -> None:
    """Before the screen opens: a fixed clock on a database kept on the real clock is refused
    (exit 2), as every command refuses it. No database yet is no refusal: the screen's set-up
    makes it under this clock. A SQLite file at this schema version is asked directly; any
    other database is opened (and so migrated) as a command opens it."""
    if not clock.fixed:
        return
    mark = file_clock_mark(path) if isinstance(path, Path) else None
    if mark is not None:
        if not mark:
            raise fixed_clock_refused(path)
        return
    from medtrack.services.database import open_database  # the database library: only now

    with contextlib.suppress(NoProfile):
        open_database(path, clock=clock).dispose()


def screen_language(path: Location, patient: str | None) -> str | None:
    """The profile's language for the screen, before its first frame (None: the environment's).
    Only a SQLite file with one patient tells; a ward, a server or --patient keep the
    environment's language (the nurse's, not a patient's)."""
    if patient is not None or not isinstance(path, Path):
        return None
    return file_language(path) or None
