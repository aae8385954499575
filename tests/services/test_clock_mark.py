"""The fixed-clock mark read with the standard library alone (storage/clock_mark.py), which the
screen asks before its first frame: it says what opening the database would say, or that it
cannot tell (then the screen opens the database, as before)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from medtrack.clock import REAL_CLOCK, Clock, fixed_clock
from medtrack.errors import BadInput
from medtrack.services.clock_check import check_clock
from medtrack.services.database import open_database
from medtrack.storage.clock_mark import SCHEMA_VERSION, file_clock_mark

NOW = dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def made(path: Path, clock: Clock) -> Path:
    open_database(path, create=True, clock=clock).dispose()
    return path


def test_the_mark_is_read_from_the_file_and_nothing_is_written_beside_it(tmp_path: Path) -> None:
    assert file_clock_mark(made(tmp_path / "fixed.db", fixed_clock(NOW))) is True
    assert file_clock_mark(made(tmp_path / "real.db", REAL_CLOCK)) is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fixed.db", "real.db"]  # no -shm, no -wal


def test_what_it_cannot_tell_is_left_to_opening_the_database(tmp_path: Path) -> None:
    assert file_clock_mark(tmp_path / "none.db") is None
    assert file_clock_mark(tmp_path) is None  # a folder
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert file_clock_mark(tmp_path / "junk.db") is None
    older = made(tmp_path / "older.db", fixed_clock(NOW))
    with closing(sqlite3.connect(older)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    assert file_clock_mark(older) is None  # a migration is due: opening it migrates first
    # The mark written but still only in the write-ahead log (a writer holds the file open).
    fresh = tmp_path / "fresh.db"
    with closing(sqlite3.connect(fresh)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("CREATE TABLE database_clock (id INTEGER PRIMARY KEY, fixed BOOLEAN NOT NULL)")
        conn.execute("INSERT INTO database_clock VALUES (1, 1)")
        conn.commit()
        assert file_clock_mark(fresh) is None


def test_the_screens_check_refuses_as_opening_does(tmp_path: Path) -> None:
    real = made(tmp_path / "real.db", REAL_CLOCK)
    with pytest.raises(BadInput) as refused:
        check_clock(real, fixed_clock(NOW))
    with pytest.raises(BadInput) as opening:
        open_database(real, clock=fixed_clock(NOW))
    assert refused.value.message == opening.value.message
    check_clock(made(tmp_path / "fixed.db", fixed_clock(NOW)), fixed_clock(NOW))  # no refusal
    check_clock(tmp_path / "none.db", fixed_clock(NOW))  # no database yet: the set-up makes it
    check_clock(real, REAL_CLOCK)
