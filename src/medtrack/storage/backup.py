"""Writing a backup through SQLite's online backup API (a file copy of a WAL database loses data).

Restoring one is restore.py; the migrations write one first, so this never imports them."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from medtrack.errors import StorageProblem
from medtrack.i18n import _
from medtrack.storage.engine import BUSY_TIMEOUT_MS, storage_problem
from medtrack.storage.files import check_target, move_into_place, remove_quietly, temp_beside


def connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


class Deadline:
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


def copy_database(source: Path, dest: sqlite3.Connection, deadline: Deadline, *, pages: int = -1) -> None:
    with contextlib.closing(connect(source, read_only=True)) as src:
        src.backup(dest, pages=pages, progress=deadline, sleep=0.05)


def write_backup(source: Path, target: Path, *, force: bool) -> None:
    """A consistent copy of a live database, checked, 0600, moved into place only when complete."""
    check_target(target, force, protect=source)
    temp = temp_beside(target)
    try:
        with contextlib.closing(sqlite3.connect(temp)) as dest:
            copy_database(source, dest, Deadline())
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
        raise StorageProblem(_("the backup to {target} failed ({strerror}); nothing was written").format(
                                 target=target, strerror=error.strerror)) from error
