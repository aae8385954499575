"""Restoring a backup: the file checked first (sound, medtrack's own schema, the clock it keeps),
brought up to the current schema in a private copy, then copied over the database in one step."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from medtrack.errors import BadInput, StorageProblem
from medtrack.i18n import _
from medtrack.storage.backup import Deadline, connect, copy_database, write_backup
from medtrack.storage.engine import CLOCK_SCHEMA, SCHEMA_VERSION, fixed_clock_refused, storage_problem
from medtrack.storage.files import remove_quietly, same_file
from medtrack.storage.opening import open_engine  # migrates: alembic only when due
from medtrack.storage.schema_check import schema_problem

REQUIRED_TABLES = {"profile_version", "regimen", "regimen_step", "record", "symptom"}


def check_backup(path: Path) -> int:
    """A file fit to restore: a sound SQLite file with exactly the schema medtrack's migrations
    make for its version (no index, trigger or column added, dropped or changed by hand)."""
    if not path.is_file():
        raise BadInput(_("{path} is not a file: give the path of a medtrack backup").format(
                           path=path))
    try:
        with contextlib.closing(connect(path, read_only=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if result != "ok":
                raise BadInput(_("{path} is damaged (integrity check: {result}); it was not restored").format(
                                   path=path, result=result))
            if not tables >= REQUIRED_TABLES:
                raise BadInput(_("{path} is not a medtrack backup (no medtrack records in it)").format(
                                   path=path))
            if version > SCHEMA_VERSION:
                raise BadInput(_("{path} was made by a newer medtrack (schema {version}); it was not "
                                 "restored").format(
                                   path=path, version=version))
            problem = schema_problem(conn, version)
            if problem:
                raise BadInput(_("{path} {problem}; nothing was replaced").format(
                                   path=path, problem=problem))
            profiles = conn.execute("SELECT count(*) FROM profile_version").fetchone()[0]
    except sqlite3.Error as error:
        raise BadInput(_("{path} is not a medtrack backup ({error})").format(
                           path=path, error=error)) from None
    if not profiles:
        raise BadInput(_("{path} is not a medtrack backup (no medtrack records in it)").format(
                           path=path))
    return version


def restore_backup(backup: Path, database: Path, authorise: Callable[[], object] | None = None, *,
                   fixed_clock: bool = False) -> Path:
    """Replace the database with a checked backup; the replaced one is kept beside it.

    `authorise` runs once the file passed its checks, before anything is written (the PIN of
    the database's prescriber lock). An older schema is brought up to date, and the current
    prescriber locks are carried over, in a private copy beside the database first: the
    database is only ever replaced by a finished, checked file.

    The restored database keeps the backup's clock (see `_check_clocks`): a backup made under a
    fixed clock never replaces a database kept on the real clock, and under a fixed clock
    (`fixed_clock`) only such a backup is restored.

    The backup API holds the database's write lock from its first step to its last; the copy
    of the replaced database is read in that first step, so no dose committed by another
    process can fall between the kept copy and the restore.
    """
    version = check_backup(backup)
    if database.exists() and same_file(backup, database):
        raise BadInput(_("{backup} is the database itself: nothing to restore").format(
                           backup=backup))
    _check_clocks(backup, database, fixed_clock=fixed_clock)
    if authorise is not None:
        authorise()
    existed = database.exists()
    locks = _current_locks(database) if existed and database.stat().st_size else []
    prepared = _prepare(backup, database, locks) if version < SCHEMA_VERSION or locks else None
    try:
        return _replace(prepared or backup, database, existed)
    finally:
        if prepared is not None:
            remove_quietly(prepared)


def _replace(source: Path, database: Path, existed: bool) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
    kept = database.with_name(f"{database.name}.replaced-{stamp}")
    if not existed:
        fd = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    try:
        with contextlib.closing(connect(database, read_only=False)) as dest:
            if dest.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dest.execute("PRAGMA journal_mode=WAL")  # readers (the kept copy) see the old state
            keep = (lambda: write_backup(database, kept, force=False)) if existed else None
            copy_database(source, dest, Deadline(keep), pages=1)
            if dest.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dest.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise storage_problem(error, database) from error
    return kept


# -- the clock a restored database keeps ----------------------------------------------------------


def _clock_mark(path: Path) -> bool | None:
    """Whether a database file carries the fixed-clock mark (one older than the mark does not);
    None when its row was deleted by hand (the schema's check of entries then reads no mark)."""
    try:
        with contextlib.closing(connect(path, read_only=True)) as conn:
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < CLOCK_SCHEMA:
                return False
            row = conn.execute("SELECT fixed FROM database_clock WHERE id = 1").fetchone()
    except sqlite3.Error as error:
        raise storage_problem(error, path) from error
    return bool(row[0]) if row else None


def _check_clocks(backup: Path, database: Path, *, fixed_clock: bool) -> None:
    """The restored database keeps the backup's mark, so refuse what would change the clock a
    database is kept on.

    A backup made under a fixed clock (a demo, a test) over a database kept on the real clock
    would let MEDTRACK_NOW date entries, void doses and run out lockouts by a clock set by hand,
    and would bring the demo's made-up times, perhaps later than the real clock, among real
    records; keeping the database's own mark instead would still bring those times in. So it is
    refused: the database is left as it was. Under a fixed clock, a database or a backup kept on
    the real clock is refused, as opening it is: the restored database would refuse that clock.
    """
    current_real = (database.is_file() and database.stat().st_size > 0
                    and not _clock_mark(database))
    if fixed_clock and current_real:
        raise fixed_clock_refused(database)
    backup_fixed = _clock_mark(backup)
    if backup_fixed is None:
        raise BadInput(_("{backup} has lost the row saying which clock it keeps (deleted by "
                         "hand): without it no entry is checked against the real clock; nothing "
                         "was replaced").format(
                           backup=backup))
    if fixed_clock and not backup_fixed:
        raise fixed_clock_refused(backup)
    if backup_fixed and current_real:
        raise BadInput(_("{backup} was made under a fixed clock (MEDTRACK_NOW: a demo or a test) "
                         "and {database} keeps the real clock: a demo's backup never replaces it; "
                         "nothing was replaced").format(
                           backup=backup, database=database))


# -- what a restore keeps of the database it replaces -----------------------------------------

_LOCK_COLUMNS = "pin_hash, failures, locked_until_utc, changed_at_utc"


@dataclass(frozen=True)
class _Lock:
    """One patient's prescriber lock row, with who the patient is (number and stable id)."""

    patient_id: int
    patient_uuid: str
    row: tuple[str, int, int | None, int]  # _LOCK_COLUMNS


def _current_locks(database: Path) -> list[_Lock]:
    """The PIN locks of the database a restore replaces (opened, so migrated, before this)."""
    try:
        with contextlib.closing(connect(database, read_only=True)) as conn:
            found = conn.execute(
                f"SELECT p.id, p.uuid, {_LOCK_COLUMNS} FROM prescriber_lock l "
                "JOIN patient p ON p.id = l.patient_id WHERE l.pin_hash IS NOT NULL").fetchall()
    except sqlite3.Error as error:
        raise storage_problem(error, database) from error
    return [_Lock(r[0], r[1], (r[2], r[3], r[4], r[5])) for r in found]


def _carry_locks(conn: sqlite3.Connection, locks: Sequence[_Lock]) -> None:
    """Give the restored database the current PIN locks its own do not supersede.

    A restore must never be a way around the prescriber: a backup taken before the lock was
    set (or changed), or one whose lock row was deleted by hand, would otherwise bring back a
    database where the limits can be loosened without the PIN, or with an old PIN the
    prescriber has since replaced. Only a later lock in the backup (set after this one) wins.
    Patients are matched by their stable id, else by number: a backup older than schema 4
    got its id when it was migrated, and a lock put on the wrong one only asks for a PIN the
    person restoring has just given.
    """
    for lock in locks:
        patient = (conn.execute("SELECT id FROM patient WHERE uuid = ?", (lock.patient_uuid,)).fetchone()
                   or conn.execute("SELECT id FROM patient WHERE id = ?", (lock.patient_id,)).fetchone())
        if patient is None:
            continue  # this patient is not in the backup: nobody's limits to guard
        own = conn.execute("SELECT pin_hash, changed_at_utc FROM prescriber_lock WHERE patient_id = ?",
                           patient).fetchone()
        if own is not None and own[0] is not None and own[1] >= lock.row[3]:
            continue
        conn.execute("DELETE FROM prescriber_lock WHERE patient_id = ?", patient)
        conn.execute(f"INSERT INTO prescriber_lock (patient_id, {_LOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                     (patient[0], *lock.row))


def _prepare(backup: Path, database: Path, locks: Sequence[_Lock]) -> Path:
    """A private copy of the backup beside the database, brought up to the current schema (its
    migration keeps a copy of the old schema beside it, as opening an old database does), with
    the current locks carried over, and checked again: what the database is replaced with."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
    temp = database.with_name(f"{database.name}.restoring-{stamp}")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        with contextlib.closing(sqlite3.connect(temp, isolation_level=None)) as dest:
            copy_database(backup, dest, Deadline())
            dest.execute("PRAGMA journal_mode=DELETE")
        open_engine(temp).dispose()
        with contextlib.closing(sqlite3.connect(temp, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            _carry_locks(conn, locks)
            conn.execute("COMMIT")
        if check_backup(temp) != SCHEMA_VERSION:
            raise StorageProblem(_("{backup} could not be brought up to schema {schema_version}; nothing "
                                   "was replaced").format(
                                     backup=backup, schema_version=SCHEMA_VERSION))
    except sqlite3.Error as error:
        remove_quietly(temp)
        raise storage_problem(error, database) from error
    except OSError as error:
        remove_quietly(temp)
        raise StorageProblem(_("cannot write in {parent} ({strerror}); nothing was replaced").format(
                                 parent=database.parent, strerror=error.strerror)) from error
    except BaseException:
        remove_quietly(temp)
        raise
    return temp
