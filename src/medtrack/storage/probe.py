"""Whether the database can be read and written now, found without writing anything.

SQLite: `PRAGMA quick_check(1)` in a read transaction, stopped after CHECK_SECONDS (a big file
is then taken as sound: the check must never hold up the screen or `status`), then the write
probe: BEGIN IMMEDIATE, an UPDATE that matches no row, ROLLBACK. BEGIN IMMEDIATE alone succeeds
on a write-protected file (SQLite opens it read-only and says so only at the first write), so
the probe makes SQLite start writing; no row is touched and nothing reaches the file or the WAL.

PostgreSQL: the server's own word, from the catalogue: a standby or a read-only default makes
every transaction read-only; a login without INSERT on `record` cannot record a dose. A damaged
page on a server is the server's to find (its checksums); there is no cheap check of it here.
"""

from __future__ import annotations

import sqlite3
import time
from enum import StrEnum
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from medtrack.errors import MedtrackError
from medtrack.location import Location
from medtrack.storage.engine import BUSY, BUSY_TIMEOUT_MS, DAMAGED, NO_ACCESS, sqlite_code, storage_problem
from medtrack.storage.work import Work

CHECK_SECONDS = 0.5
CHECK_EVERY = 1000  # SQLite instructions between looks at the time (a call into Python each)
# A statement that makes SQLite take the file for writing and changes nothing: no row matches.
WRITE_PROBE = "UPDATE database_clock SET fixed = fixed WHERE 0"


class Fault(StrEnum):
    """Why the database cannot be used for recording."""

    DAMAGED = "damaged"  # SQLite's check found damage
    READ_ONLY = "read_only"  # the file (or the server) takes no writes
    NOT_PERMITTED = "not_permitted"  # this login may read but not record
    UNWRITABLE = "unwritable"  # a write failed for another reason (the disk, the folder)


def probe(engine: Engine, location: Location) -> Fault | None:
    """The fault that stops a record being written (None: none found). A busy database is no
    fault (another medtrack is writing); an error that stops reading at all is raised, in the
    words every command uses (a MedtrackError)."""
    try:
        if isinstance(location, Path):
            return _damage(engine) or _write_fault(engine)
        return _server_fault(engine)
    except MedtrackError:
        raise
    except exc.SQLAlchemyError as error:
        raise storage_problem(error, location) from error


def _driver(conn: Connection) -> sqlite3.Connection:
    driver = conn.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        raise TypeError(f"a SQLite engine with a {type(driver).__name__} connection")
    return driver


def _damage(engine: Engine) -> Fault | None:
    with Work.READ.on(engine).connect() as conn:
        driver = _driver(conn)
        deadline = time.monotonic() + CHECK_SECONDS
        driver.set_progress_handler(lambda: int(time.monotonic() > deadline), CHECK_EVERY)
        try:
            found = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA quick_check(1)")]
        except exc.DatabaseError as error:
            if sqlite_code(error) == sqlite3.SQLITE_INTERRUPT:
                return None  # too big to check quickly: taken as sound (each write still checks)
            if sqlite_code(error) in DAMAGED:
                return Fault.DAMAGED
            raise
        finally:
            driver.set_progress_handler(None, 0)
            conn.rollback()
    return None if found == ["ok"] else Fault.DAMAGED


def _write_fault(engine: Engine, *, again: bool = True) -> Fault | None:
    try:
        with engine.connect() as conn:  # the engine's BEGIN IMMEDIATE, as every write's
            # Another writer holding the file is no fault: ask once instead of waiting out the
            # busy timeout (`status` and the screen used to wait 5 s behind any writer).
            driver = _driver(conn)
            driver.execute("PRAGMA busy_timeout=0")
            try:
                conn.exec_driver_sql(WRITE_PROBE)
            finally:
                try:
                    conn.rollback()
                finally:
                    driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except exc.SQLAlchemyError as error:
        code = sqlite_code(error)
        if code in BUSY:
            return None
        if code in DAMAGED:
            return Fault.DAMAGED
        if code in NO_ACCESS:
            if again:  # a connection SQLite opened read-only stays so: try fresh ones once
                engine.dispose()
                return _write_fault(engine, again=False)
            return Fault.READ_ONLY
        return Fault.UNWRITABLE
    return None


def _server_fault(engine: Engine) -> Fault | None:
    with Work.READ.on(engine).connect() as conn:
        read_only, may_record = conn.exec_driver_sql(
            "SELECT current_setting('transaction_read_only') = 'on' OR pg_is_in_recovery(), "
            "has_table_privilege('record', 'INSERT')").one()
        conn.rollback()
    if read_only:
        return Fault.READ_ONLY
    return None if may_record else Fault.NOT_PERMITTED
