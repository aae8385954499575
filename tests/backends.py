"""Which database the tests run on (MEDTRACK_TEST_BACKEND), fresh databases on it, and reading
one straight, bypassing medtrack: shared by conftest.py and the tests (import from here, not
from conftest, which is ambiguous with the folders' own conftest modules)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pg_server import Server

BACKEND = os.environ.get("MEDTRACK_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"MEDTRACK_TEST_BACKEND={BACKEND!r}: give sqlite or postgres")
ON_POSTGRES = BACKEND == "postgres"


class Locations:
    """Fresh, empty databases for the backend under test."""

    def __init__(self, server: Server | None) -> None:
        self.server = server

    def new(self, folder: Path) -> Path | str:
        if self.server is None:
            return folder / "medtrack.db"
        return self.server.create_database()


def location_of(db: Path | str) -> Any:
    """What medtrack's services take for a test database: the path, or the parsed URL."""
    from medtrack.location import parse_location

    return db if isinstance(db, Path) else parse_location(db)


def query(location: Path | str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query read straight from the database (either backend), bypassing medtrack.
    Write the query with `?` placeholders; booleans come back as 0/1 on both."""
    if isinstance(location, Path):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(location)) as conn:
            return conn.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(location.replace("+psycopg", "")) as conn:
        rows = conn.execute(sql.replace("?", "%s"), params).fetchall()
    return [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows]


def query_dicts(location: Path | str, sql: str) -> list[dict[str, Any]]:
    """Like `query`, as dicts by column name."""
    if isinstance(location, Path):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(location)) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql)]
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(location.replace("+psycopg", ""), row_factory=dict_row) as conn:
        return [{k: int(v) if isinstance(v, bool) else v for k, v in r.items()} for r in conn.execute(sql)]


SCHEMA_5_DEMO = Path(__file__).parent / "data" / "demo-2y-schema5.db"


def fixed_clock_copy(source: Path, target: Path) -> Path:
    """A copy of a prepared file that tests replay under MEDTRACK_NOW, marked as made under a
    fixed clock.

    tests/data/demo-2y-schema5.db is a demo medtrack made under a fixed clock before schema 7
    kept that mark; migrated, it keeps the real clock, as every older database does, and refuses
    MEDTRACK_NOW. Its owner (whoever can write the file) marks the copy as a demo's, as the
    demo itself would have: the copy is opened once to migrate it, then the mark is written
    with sqlite3. Tests about the migration itself open it under the real clock instead.
    """
    import shutil
    import sqlite3
    from contextlib import closing

    from medtrack.storage.database import Database

    shutil.copyfile(source, target)
    target.chmod(0o600)
    Database(target).dispose()  # migrated under the real clock: the mark is there, unset
    with closing(sqlite3.connect(target)) as conn, conn:
        conn.execute("UPDATE database_clock SET fixed = 1 WHERE id = 1")
    return target
