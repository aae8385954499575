"""Backups and restores through SQLite's online backup API (a file copy of a WAL database loses data)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from medtrack.errors import BadInput, StorageProblem
from medtrack.storage.engine import BUSY_TIMEOUT_MS, SCHEMA_VERSION, storage_problem
from medtrack.storage.files import (
    check_target,
    move_into_place,
    remove_quietly,
    same_file,
    temp_beside,
)

REQUIRED_TABLES = {"profile_version", "regimen", "regimen_step", "record", "symptom"}


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


class _Deadline:
    """A progress callback for Connection.backup: Python retries a busy database for ever,
    so give up after the busy timeout (exit 4), and run `first_step` once the copy began."""

    def __init__(self, first_step: Callable[[], object] | None = None) -> None:
        self.until = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        self.first_step = first_step

    def __call__(self, status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            if time.monotonic() > self.until:
                busy = sqlite3.OperationalError("database is locked")
                busy.sqlite_errorcode = status  # as SQLite reports it
                raise busy
            return
        if self.first_step is not None:
            step, self.first_step = self.first_step, None
            step()


def copy_database(source: Path, dest: sqlite3.Connection, deadline: _Deadline, *, pages: int = -1) -> None:
    with contextlib.closing(_connect(source, read_only=True)) as src:
        src.backup(dest, pages=pages, progress=deadline, sleep=0.05)


def write_backup(source: Path, target: Path, *, force: bool) -> None:
    """A consistent copy of a live database, checked, 0600, moved into place only when complete."""
    check_target(target, force, protect=source)
    temp = temp_beside(target)
    try:
        with contextlib.closing(sqlite3.connect(temp)) as dest:
            copy_database(source, dest, _Deadline())
            dest.execute("PRAGMA journal_mode=DELETE")
            result = dest.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed")
        move_into_place(temp, target)
    except sqlite3.Error as error:
        remove_quietly(temp)
        raise storage_problem(error, source) from error
    except OSError as error:
        remove_quietly(temp)
        raise StorageProblem(f"the backup to {target} failed ({error.strerror}); nothing was written") from error


def check_backup(path: Path) -> int:
    """A file fit to restore: a sound SQLite file with medtrack's tables and a known schema."""
    if not path.is_file():
        raise BadInput(f"{path} is not a file: give the path of a medtrack backup")
    try:
        with contextlib.closing(_connect(path, read_only=True)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            profiles = conn.execute("SELECT count(*) FROM profile_version").fetchone()[0] if \
                "profile_version" in tables else 0
    except sqlite3.Error as error:
        raise BadInput(f"{path} is not a medtrack backup ({error})") from None
    if result != "ok":
        raise BadInput(f"{path} is damaged (integrity check: {result}); it was not restored")
    if not tables >= REQUIRED_TABLES or not profiles:
        raise BadInput(f"{path} is not a medtrack backup (no medtrack records in it)")
    if version > SCHEMA_VERSION:
        raise BadInput(f"{path} was made by a newer medtrack (schema {version}); it was not restored")
    return version


def restore_backup(backup: Path, database: Path) -> Path:
    """Replace the database with a checked backup; the replaced one is kept beside it.

    The backup API holds the database's write lock from its first step to its last; the copy
    of the replaced database is read in that first step, so no dose committed by another
    process can fall between the kept copy and the restore.
    """
    check_backup(backup)
    if database.exists() and same_file(backup, database):
        raise BadInput(f"{backup} is the database itself: nothing to restore")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
    kept = database.with_name(f"{database.name}.replaced-{stamp}")
    existed = database.exists()
    if not existed:
        fd = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    try:
        with contextlib.closing(_connect(database, read_only=False)) as dest:
            if dest.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dest.execute("PRAGMA journal_mode=WAL")  # readers (the kept copy) see the old state
            keep = (lambda: write_backup(database, kept, force=False)) if existed else None
            copy_database(backup, dest, _Deadline(keep), pages=1)
            if dest.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dest.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise storage_problem(error, database) from error
    return kept
