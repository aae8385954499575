"""Opening the database: the SQLite file (made private, set up by engine.py) or a PostgreSQL
server (postgres.py), brought up to the current schema version (migrate.py, only when due)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from medtrack.errors import BadInput, NoProfile, StorageProblem
from medtrack.i18n import _
from medtrack.location import Location, ServerUrl
from medtrack.storage import postgres
from medtrack.storage.engine import (
    CLOCK_SCHEMA,
    NO_SPACE,
    SCHEMA_VERSION,
    create_private_file,
    fixed_clock_refused,
    make_engine,
    sqlite_code,
    storage_problem,
)
from medtrack.storage.work import Work


def _user_version(engine: Engine) -> int:
    """The schema version from the file header, on the connection medtrack will use anyway
    (cheap: no alembic import unless a migration is due). The first read of the file."""
    with Work.READ.on(engine).connect() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar()
        conn.rollback()
    return int(version or 0)


def _open_file(path: Path) -> tuple[Engine, int]:
    """An engine on an existing database file and its schema version.

    The first reader after the last connection closed makes the 32 KiB -shm file beside the
    database; on a full disk that fails, and then this process keeps the WAL index itself, so
    what only reads needs no free space (a write still fails there, as it must)."""
    engine = make_engine(path)
    try:
        return engine, _user_version(engine)
    except exc.SQLAlchemyError as error:
        engine.dispose()
        if sqlite_code(error) not in NO_SPACE:
            raise storage_problem(error, path) from error
    engine = make_engine(path, shm=False)
    try:
        return engine, _user_version(engine)
    except exc.SQLAlchemyError as error:
        engine.dispose()
        raise storage_problem(error, path) from error


def _server_version(engine: Engine, location: ServerUrl) -> int:
    try:
        with Work.READ.on(engine).connect() as conn:
            version = postgres.schema_version(conn)
            conn.rollback()
    except exc.SQLAlchemyError as error:
        engine.dispose()
        raise postgres.classify(error, location) from error
    return version


def open_engine(path: Location, *, create: bool = False, fixed_clock: bool = False) -> Engine:
    """Open an existing medtrack database (or create a new one when `create`), up to date.

    Under a fixed clock (`fixed_clock`: MEDTRACK_NOW), a new database is marked as made under
    one, in the transaction that creates its schema; an existing database must carry that mark,
    or it is refused before anything is written (exit 2)."""
    if isinstance(path, ServerUrl):
        return _open_server(path, create=create, fixed_clock=fixed_clock)
    empty = path.is_file() and path.stat().st_size == 0
    if not path.exists() or empty:
        if not create:
            raise NoProfile(_("there is no medtrack database at {path} yet: set one up first").format(
                                path=path),
                            hint=_("start with: medtrack init --name NAME --born YYYY-MM-DD"))
        try:
            if empty:  # a file someone made for us: private, like one we create
                os.chmod(path, 0o600)
            else:
                create_private_file(path)
            with contextlib.closing(sqlite3.connect(path)) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
        except OSError as error:
            raise StorageProblem(_("cannot create the database {path}: {strerror}").format(
                                     path=path, strerror=error.strerror)) from error
        except sqlite3.Error as error:
            raise storage_problem(error, path) from error
    elif path.is_dir():
        raise BadInput(_("{path} is a folder, not a database file").format(
                           path=path),
                       hint=_("give the database file's path with --db PATH or MEDTRACK_DB"))
    elif not path.is_file():
        raise BadInput(_("{path} is not a regular file (a device or a pipe?), not a database file").format(
                           path=path),
                       hint=_("give the database file's path with --db PATH or MEDTRACK_DB"))
    engine, version = _open_file(path)
    return _up_to_date(engine, path, version, fixed_clock=fixed_clock)


def _open_server(location: ServerUrl, *, create: bool, fixed_clock: bool) -> Engine:
    """A PostgreSQL database: the server and the (empty) database are made by its admin;
    medtrack creates its schema in it on `init` (or `db upgrade`)."""
    engine = postgres.make_engine(location)
    version = _server_version(engine, location)
    if version == 0 and not create:
        engine.dispose()
        raise NoProfile(_("the database {location} holds no medtrack data yet: set one up first").format(
                            location=location),
                        hint=_("start with: medtrack init --name NAME --born YYYY-MM-DD"))
    return _up_to_date(engine, location, version, fixed_clock=fixed_clock)


def _up_to_date(engine: Engine, path: Location, version: int, *, fixed_clock: bool) -> Engine:
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise StorageProblem(_("the database {path} was made by a newer medtrack (schema {version}, "
                               "this one knows {schema_version}); it was left untouched").format(
                                 path=path, version=version, schema_version=SCHEMA_VERSION))
    if fixed_clock and version > 0 and not _made_under_fixed_clock(engine, path, version):
        engine.dispose()
        raise fixed_clock_refused(path)
    if version < SCHEMA_VERSION:
        from medtrack.storage.migrate import (
            upgrade,  # alembic only when a migration is due
        )

        upgrade(engine, path, from_version=version, fixed_clock=fixed_clock)
    return engine


def _made_under_fixed_clock(engine: Engine, path: Location, version: int) -> bool:
    """Whether an existing database carries the fixed-clock mark. One older than the mark was
    made under the real clock (its migration keeps it so)."""
    if version < CLOCK_SCHEMA:
        return False
    try:
        with Work.READ.on(engine).connect() as conn:
            fixed = conn.execute(text("SELECT fixed FROM database_clock WHERE id = 1")).scalar()
            conn.rollback()
    except exc.SQLAlchemyError as error:
        engine.dispose()
        raise storage_problem(error, path) from error
    return bool(fixed)


def upgrade_schema(path: Location, *, fixed_clock: bool = False) -> tuple[int, int]:
    """Bring a database's schema up to date, as opening it does: (version found, version now).

    A PostgreSQL database may be empty (its admin made it): it gets the whole schema (marked as
    made under a fixed clock when `fixed_clock`). A SQLite file must exist (`medtrack init`
    makes one).
    """
    if isinstance(path, ServerUrl):
        engine = postgres.make_engine(path)
        before = _server_version(engine, path)
        engine.dispose()
        open_engine(path, create=True, fixed_clock=fixed_clock).dispose()
        return before, SCHEMA_VERSION
    before = 0
    if path.is_file():
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                before = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error:
            pass  # opening it below says what is wrong, in the usual words
    open_engine(path, fixed_clock=fixed_clock).dispose()
    return before, SCHEMA_VERSION
