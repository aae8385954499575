"""The SQLite engine (a private file, its pragmas, BEGIN IMMEDIATE for writers), the schema version
this medtrack makes, and a database error in the user's words. Opening a database and bringing it
up to that version is opening.py: the migrations (and the backups they write first) use what is
here, so this module never imports them."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlmodel import create_engine

from medtrack.errors import BadInput, MedtrackError, StorageProblem
from medtrack.i18n import _
from medtrack.location import Location, ServerUrl
from medtrack.storage import postgres
from medtrack.storage.clock_mark import CLOCK_SCHEMA as CLOCK_SCHEMA  # re-exported
from medtrack.storage.clock_mark import SCHEMA_VERSION as SCHEMA_VERSION
from medtrack.storage.clock_mark import fixed_clock_refused as fixed_clock_refused
from medtrack.storage.pg_schema import FUTURE_MESSAGE
from medtrack.storage.refusals import TWELVE_HOURS_TRIGGER, one_per_night, refused_change, twelve_hours
from medtrack.storage.work import Work

BUSY_TIMEOUT_MS = 5000
_PRAGMAS = (
    f"busy_timeout={BUSY_TIMEOUT_MS}",
    "synchronous=FULL",
    "foreign_keys=ON",
    "trusted_schema=OFF",
    "cell_size_check=ON",
)


# SQLite's primary result codes (https://sqlite.org/rescode.html), by what they mean to a user.
BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT}
NO_ACCESS = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
             sqlite3.SQLITE_AUTH}
NO_SPACE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR}


def sqlite_code(error: BaseException) -> int | None:
    """The primary SQLite result code of a driver error (wrapped by SQLAlchemy or not)."""
    driver = getattr(error, "orig", None) or error
    code = getattr(driver, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def storage_problem(error: BaseException, path: Location) -> MedtrackError:
    """Turn a database error into one clear sentence for the user, by SQLite's result code
    (or PostgreSQL's SQLSTATE)."""
    if isinstance(path, ServerUrl):
        return postgres.classify(error, path)
    code = sqlite_code(error)
    driver = getattr(error, "orig", None) or error
    detail = str(driver)
    if code == sqlite3.SQLITE_CONSTRAINT:  # the schema's safety net: by the extended code
        extended = getattr(driver, "sqlite_errorcode", None)
        if extended == sqlite3.SQLITE_CONSTRAINT_UNIQUE and "record.night" in detail:
            return one_per_night()
        if extended == sqlite3.SQLITE_CONSTRAINT_TRIGGER and detail == TWELVE_HOURS_TRIGGER:
            return twelve_hours()
        if extended == sqlite3.SQLITE_CONSTRAINT_TRIGGER and detail == FUTURE_MESSAGE:
            return dated_in_future()
        return refused_change(detail)
    if code in BUSY:
        return StorageProblem(_("the database {path} is busy (another medtrack is writing); nothing was "
                                "written, try again in a moment").format(
                                  path=path))
    if code in DAMAGED:
        return StorageProblem(_("the database {path} is damaged (not a valid medtrack database); it was "
                                "left untouched: restore it from a backup").format(
                                  path=path))
    if code in NO_ACCESS:
        return StorageProblem(_("the database {path} cannot be written or opened (check its permissions "
                                "and its folder's); nothing was written").format(
                                  path=path))
    if code in NO_SPACE:
        return StorageProblem(_("the disk holding {path} is full or failing; nothing was written").format(
                                  path=path))
    return StorageProblem(_("the database {path} could not be used ({detail}); nothing was written").format(
                              path=path, detail=detail))


def dated_in_future() -> BadInput:
    """The schema refused an entry dated later than the real clock (the services refuse one
    first; this is the net below them)."""
    return BadInput(_("an entry cannot be dated later than the real clock: this database keeps the "
                    "real clock; nothing was written"))


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # pysqlite's implicit BEGIN would start transactions lazily as DEFERRED; we emit our own.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _on_connect_without_shm(dbapi_conn: sqlite3.Connection, record: object) -> None:
    # Before the first read: SQLite then keeps the WAL index in this connection's memory and
    # never makes the -shm file, holding the database exclusively while the connection is open.
    dbapi_conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    _on_connect(dbapi_conn, record)


def _on_begin(conn: Connection) -> None:
    # Writers take the write lock *before* reading what they check, so two processes can
    # never both pass the same check; readers use a deferred BEGIN and never block a writer.
    conn.exec_driver_sql("BEGIN" if Work.of(conn) is Work.READ else "BEGIN IMMEDIATE")


def make_engine(path: Path, *, shm: bool = True) -> Engine:
    """An engine on the SQLite file. With `shm=False` no -shm file is needed beside it (for a
    disk with no room for one): each connection then holds the file exclusively, so none is
    kept open in a pool beyond the transaction that uses it."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                           **({} if shm else {"poolclass": NullPool}))
    event.listen(engine, "connect", _on_connect if shm else _on_connect_without_shm)
    event.listen(engine, "begin", _on_begin)
    return engine


def create_private_file(path: Path) -> None:
    """Create the database file 0600 (SQLite gives -wal and -shm the same mode); folders 0700."""
    missing = [p for p in path.parents if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    os.close(fd)


def make_private(path: Path) -> str | None:
    """Tighten an existing database file other users may open (and its -wal and -shm, which
    SQLite makes with the file's mode) to 0600 where this user owns it: a sentence for the user
    saying what was found, or None when it was private already."""
    try:
        found = path.stat()
    except OSError:
        return None  # opening it says what is wrong
    if not stat.S_ISREG(found.st_mode) or not found.st_mode & 0o077:
        return None
    was = f"the database {path} was open to other users (mode {stat.S_IMODE(found.st_mode):04o})"
    if found.st_uid != os.geteuid():
        return f"{was} and belongs to another user: ask its owner to make it private (chmod 600)"
    try:
        os.chmod(path, 0o600)
        for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(FileNotFoundError):
                if stat.S_ISREG(side.lstat().st_mode):
                    os.chmod(side, 0o600)
    except OSError as error:
        return f"{was} and could not be made private ({error.strerror}): make it private (chmod 600)"
    return f"{was}; medtrack made it private (0600)"
