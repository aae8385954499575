"""Opening a PostgreSQL database: one writer at a time, snapshot readers, errors by SQLSTATE.

SQLite's BEGIN IMMEDIATE becomes a lock taken before the first check of every write transaction:
a row lock on the patient for one patient's writes (the repository takes it), a database-wide
advisory lock for the rest (adding a patient, migrations). Two processes can never both pass the
same check, and readers (REPEATABLE READ: one snapshot, like a SQLite read transaction) never wait.
"""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

from medtrack.errors import BadInput, MedtrackError, Refused, StorageProblem
from medtrack.i18n import _
from medtrack.location import ServerUrl
from medtrack.storage.pg_schema import CHECK_STATE, ONE_PER_NIGHT_CHECK
from medtrack.storage.refusals import (
    ONE_PER_NIGHT_INDEX,
    TWELVE_HOURS_TRIGGER,
    one_per_night,
    refused_change,
    server_check,
    twelve_hours,
)
from medtrack.storage.work import Work

# The lock writes that are not one patient's take (adding a patient, migrations). An arbitrary constant:
# "medtrack" in ASCII, so a DBA can recognise it in pg_locks.
WRITE_LOCK = 0x6D65647472616368
WAIT_MS = 5000  # as long as SQLite's busy timeout: then "busy, try again" (exit 4)
CONNECT_TIMEOUT_S = 5



def _on_begin(conn: Connection) -> None:
    work = Work.of(conn)
    if work is Work.READ:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    elif work is Work.WRITE_DATABASE:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
    # Work.WRITE_PATIENT: the unit of work locks its patient's row (lock_patient) once it knows which


def lock_patient(conn: Connection, patient: int) -> None:
    """One patient's writes, one at a time: a row lock on the patient, taken before any check
    (nurses at different beds never wait for each other). SQLite needs none: BEGIN IMMEDIATE
    has already made this the only writer of the file."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT id FROM patient WHERE id = %(id)s FOR UPDATE", {"id": patient})


def make_engine(location: ServerUrl) -> Engine:
    engine = create_engine(location.url, pool_pre_ping=True, connect_args={
        "connect_timeout": CONNECT_TIMEOUT_S,
        # a lock wait longer than this is "busy"; a silent server is not waited on for ever
        "options": f"-c lock_timeout={WAIT_MS} -c idle_in_transaction_session_timeout=60000",
        "application_name": "medtrack",
    })
    event.listen(engine, "begin", _on_begin)
    return engine


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error (wrapped by SQLAlchemy or not); None for a connection
    that failed before the server said anything."""
    driver = getattr(error, "orig", None) or error
    state = getattr(driver, "sqlstate", None)
    return state if isinstance(state, str) else None


def _primary_message(error: BaseException) -> str:
    driver: Any = getattr(error, "orig", None) or error
    diag = getattr(driver, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary) if primary else str(driver).strip().splitlines()[0] if str(driver).strip() else ""


def _constraint(error: BaseException) -> str | None:
    driver: Any = getattr(error, "orig", None) or error
    return getattr(getattr(driver, "diag", None), "constraint_name", None)


def classify(error: BaseException, location: ServerUrl) -> MedtrackError:
    """One clear sentence for the user (and the exit code), by the error's SQLSTATE."""
    state = sqlstate(error) or ""
    detail = _primary_message(error)
    if state == "23505" and _constraint(error) == ONE_PER_NIGHT_INDEX:
        return one_per_night()
    if state in ("P0001", CHECK_STATE) and detail == TWELVE_HOURS_TRIGGER:
        return twelve_hours()
    if state == CHECK_STATE and ONE_PER_NIGHT_CHECK in detail:
        return one_per_night()
    if state == CHECK_STATE:  # one of the server's own checks (pg_schema.server_checks)
        return server_check(detail)
    if isinstance(error, exc.DataError) and "NUL (0x00)" in detail:
        # SQLite keeps a NUL character in text; PostgreSQL's text type cannot hold one.
        return BadInput(_("the text contains a NUL character (\\x00), which a PostgreSQL database "
                        "cannot store: remove it; nothing was written"))
    if state.startswith("23") or state == "P0001":
        return refused_change(detail)
    if state in ("40001", "40P01", "55P03", "57014"):
        return StorageProblem(_("the database {location} is busy (another medtrack is writing); nothing "
                                "was written, try again in a moment").format(
                                  location=location))
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or (
            not state and isinstance(error, exc.OperationalError | exc.InterfaceError)):
        return StorageProblem(_("the connection to the database server {location} failed or was lost "
                                "({detail}); nothing was written").format(
                                  location=location, detail=detail))
    if state.startswith("53"):
        return StorageProblem(_("the database server {location} is out of disk space or memory; nothing "
                                "was written").format(
                                  location=location))
    if state == "42501":  # the server refused what this login's role may not do: a rule, not a fault
        return Refused("role-permissions", _("refused (role permissions): the database login {login} may not do this "
                                             "({detail}); nothing was written. Ask whoever looks after the ward's "
                                             "database if this is part of your work.").format(
                                               login=login_of(location), detail=detail))
    if state.startswith("28"):
        return StorageProblem(_("the database {location} cannot be used with this role's privileges "
                                "({detail}); nothing was written").format(
                                  location=location, detail=detail))
    if state == "3D000":
        return StorageProblem(_("there is no database {location} on the server: create it first "
                                "(createdb), then run medtrack init").format(
                                  location=location))
    if state.startswith("XX"):
        return StorageProblem(_("the database {location} is damaged ({detail}); it was left untouched: "
                                "restore it from a dump").format(
                                  location=location, detail=detail))
    return StorageProblem(_("the database {location} could not be used ({detail}); nothing was "
                            "written").format(
                              location=location, detail=detail))


def login_of(location: ServerUrl) -> str:
    """The login a server database is used with: the URL's user, else this system's user (a
    Unix-socket login without a user name is the operating system's)."""
    try:
        user = make_url(location.url).username
    except exc.ArgumentError:  # a URL that reached the server parses; this is for words only
        user = None
    return user or getpass.getuser()


def schema_version(conn: Connection) -> int:
    """The schema version from Alembic's own table (0: an empty database)."""
    if conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar() is None:
        return 0
    revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return int(revision) if revision else 0
