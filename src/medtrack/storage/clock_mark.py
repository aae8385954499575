"""The schema version this medtrack makes, and whether a database was made under a fixed clock
(MEDTRACK_NOW), with the standard library alone: the screen asks before its first frame, which
never waits for the database library (engine.py re-exports the versions and the refusal)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location

SCHEMA_VERSION = 10
CLOCK_SCHEMA = 7  # the first schema that keeps whether the database was made under a fixed clock
T = TypeVar("T")


def fixed_clock_refused(path: Location) -> BadInput:
    return BadInput(_("MEDTRACK_NOW is only for databases made under a fixed clock (the demo, "
                      "the tests); {path} keeps the real clock, so nothing was written").format(
                        path=path),
                    hint=_("unset MEDTRACK_NOW to use it"))


def _peek(path: Path, mode: str, read: Callable[[sqlite3.Connection], T | None]) -> T | None:
    """What `read` finds in a SQLite file at this medtrack's schema version, opened read-only
    with the standard library (`mode`: "immutable=1" or "mode=ro"); None when there is no such
    file, it has another schema version, or anything fails."""
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)) as conn:
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return None
            return read(conn)
    except (sqlite3.Error, OSError, ValueError):
        return None


def file_clock_mark(path: Path) -> bool | None:
    """The fixed-clock mark of a SQLite file at this medtrack's schema version, as opening it
    would read it: True, made under a fixed clock; False, kept on the real clock. None when this
    cannot tell as surely (no such file, another schema version, the mark not in the file
    itself yet, any error): then open the database to know.

    The file is read as immutable: nothing is locked or written, not even the -shm index beside
    it, and what is still only in its write-ahead log is not seen. The mark is written with the
    schema, in the same transaction, and never changed: found in the file, it is the mark."""

    def mark(conn: sqlite3.Connection) -> bool | None:
        row = conn.execute("SELECT fixed FROM database_clock WHERE id = 1").fetchone()
        return bool(row[0]) if row is not None else None

    return _peek(path, "immutable=1", mark)


def file_language(path: Path) -> str | None:
    """The language the only patient's newest profile version asks for ('' for none), read
    with the standard library as the screen starts (its words are fixed when it is composed).
    None when this cannot tell: no such file, another schema version, several patients (the
    ward speaks the environment's language), any error. Read-only, and it sees what is still
    only in the write-ahead log: a language chosen a moment ago counts."""

    def language(conn: sqlite3.Connection) -> str | None:
        if conn.execute("SELECT count(*) FROM patient").fetchone()[0] != 1:
            return None
        row = conn.execute("SELECT language FROM profile_version ORDER BY id DESC LIMIT 1").fetchone()
        return str(row[0]) if row is not None else None

    return _peek(path, "mode=ro", language)
