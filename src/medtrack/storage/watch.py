"""Whether the database changed since the last look: a version cheap enough to ask every second.

- SQLite: `PRAGMA data_version` (a few microseconds: it reads the WAL index header, never a
  table). It changes when *another* connection commits, and its value means something only on
  the connection that asked before, so one small connection is kept open for watching alone
  (the engine's pooled connections take turns, and a connection's own commits never change it).
- PostgreSQL: the text of `pg_current_snapshot()` (no table read, no privilege, no schema of its
  own). A snapshot is exactly what a reader can see: the same snapshot twice means nothing was
  committed in between, and every commit (or abort) changes it. It moves for commits in the
  server's other databases too: a spare re-read at most once a look, never a missed change.

Neither costs more as the history grows. `None` means "cannot tell now" (busy, connection lost):
the caller asks again later.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from medtrack.location import Location
from medtrack.storage.work import Work


class Watch(Protocol):
    def version(self) -> Hashable | None:
        """The database's version now (None: cannot tell now)."""

    def close(self) -> None:
        """Let go of what the watch holds (it then answers None)."""


class FileWatch:
    """One small read-only connection to the SQLite file, asked for its data version; safe to
    use from any thread (one question at a time)."""

    def __init__(self, path: Path) -> None:
        # mode=rw never creates a file (a missing one is an error); a write-protected file opens
        # read-only, which is all data_version needs. timeout=0: a busy file answers at once.
        uri = f"{path.absolute().as_uri()}?mode=rw"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            self._conn.execute("PRAGMA query_only=ON")
        except sqlite3.Error:
            self.close()
            raise

    def version(self) -> int | None:
        with self._lock:
            if self._conn is None:
                return None
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:  # busy (a writer's lock in rollback-journal mode), or gone
                return None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class ServerWatch:
    """The server's current snapshot, read through the engine's pool (a reconnect after a lost
    connection or a server restart is the pool's, as for every read)."""

    def __init__(self, engine: Engine) -> None:
        self._engine: Engine | None = Work.READ.on(engine)

    def version(self) -> str | None:
        engine = self._engine
        if engine is None:
            return None
        try:
            with engine.connect() as conn:
                snapshot = conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar()
                conn.rollback()
        except exc.SQLAlchemyError:
            return None
        return str(snapshot)

    def close(self) -> None:
        self._engine = None  # the engine is the database's: it is disposed with it


def open_watch(engine: Engine, location: Location) -> Watch | None:
    """A watch on the database the engine opened (None: this one cannot be watched, e.g. a
    SQLite file held exclusively by each connection because its disk had no room for the
    shared-memory file; the caller then re-reads now and then instead)."""
    if not isinstance(location, Path):
        return ServerWatch(engine)
    try:
        with Work.READ.on(engine).connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA locking_mode").scalar()
            conn.rollback()
    except exc.SQLAlchemyError:
        return None
    if str(mode).lower() == "exclusive":  # a second connection would lock the engine's out
        return None
    try:
        return FileWatch(location)
    except sqlite3.Error:
        return None
