"""The schema's own safety net and the storage problems (exit 4), on databases made by the CLI.

The invariants are checked with sqlite3 directly, bypassing every rule above the schema: the
database itself must refuse deletes, edits other than voiding, a second planned dose for a
night and a planned dose within 12 hours of another.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from medtrack.storage.engine import SCHEMA_VERSION

pytestmark = pytest.mark.sqlite_only  # raw sqlite3 on the file; test_postgres.py is the server's twin

IN_WINDOW = "2026-11-25T22:40+01:00"  # 21:40 UTC, night of 2026-11-25 in Berlin
DOSE_AT = 1795642800  # 2026-11-25T21:40:00Z
HOUR = 3600


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A raw connection in autocommit mode (explicit BEGIN/ROLLBACK where wanted)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        yield conn
    finally:
        conn.close()


def insert_record(conn: sqlite3.Connection, *, kind: str = "dose", night: str = "2026-11-25",
                  at_utc: int = DOSE_AT, dose_ug: int | None = 1000, already_taken: int = 0,
                  voided: int = 0, voids: int | None = None) -> int:
    cursor = conn.execute(
        "INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, already_taken, "
        "voided, voids, note, recorded_at_utc, patient_id) VALUES (?, ?, ?, 'Europe/Berlin', ?, 1000, ?, ?, "
        "?, NULL, ?, 1)", (kind, night, at_utc, dose_ug, already_taken, voided, voids, at_utc))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def records(path: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM record ORDER BY id").fetchall()


@pytest.fixture
def logged(patient, db_path: Path) -> Path:
    """The standard patient with tonight's 1 mg logged at 22:40 Berlin (record 1)."""
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    assert record["id"] == 1
    patient.close()
    with connect(db_path) as conn:
        assert conn.execute("SELECT at_utc, night, voided FROM record WHERE id = 1").fetchone() == (
            DOSE_AT, "2026-11-25", 0)
    return db_path


def snapshot(path: Path) -> tuple[bytes, set[str]]:
    return path.read_bytes(), {p.name for p in path.parent.iterdir()}


def assert_untouched(path: Path, before: tuple[bytes, set[str]]) -> None:
    data, names = before
    assert path.read_bytes() == data, "the database file changed"
    # a read-only look at a WAL database may leave empty -wal/-shm behind, nothing else
    new = {p.name for p in path.parent.iterdir()} - names
    assert new <= {f"{path.name}-wal", f"{path.name}-shm"}, new
    wal = Path(f"{path}-wal")
    if wal.name in new:
        assert wal.stat().st_size == 0


# -- append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    "DELETE FROM record", "DELETE FROM record WHERE id = 1", "DELETE FROM profile_version",
    "DELETE FROM regimen", "DELETE FROM regimen_step",
])
@pytest.mark.slow
def test_delete_is_refused(logged, query):
    before = records(logged)
    with connect(logged) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(query)
    assert records(logged) == before


@pytest.mark.parametrize("assignment", [
    "note = 'edited'", "dose_ug = 500", "dose_ug = 2000", "at_utc = at_utc + 60",
    "night = '2026-11-24'", "zone = 'UTC'", "already_taken = 1", "kind = 'skip'", "id = 99",
    "recorded_at_utc = 0", "scheduled_ug = 2000", "rule = 'x'", "acknowledged = 'x'",
    "voided = 1, note = 'sneaky'", "voided = 1, dose_ug = 2000",
])
@pytest.mark.slow
def test_update_other_than_voiding_is_refused(logged, assignment):
    before = records(logged)
    with connect(logged) as conn, pytest.raises(sqlite3.IntegrityError, match="only change"):
        conn.execute(f"UPDATE record SET {assignment} WHERE id = 1")
    assert records(logged) == before


def test_voiding_is_the_one_update_allowed_and_cannot_be_undone(logged):
    with connect(logged) as conn:
        conn.execute("UPDATE record SET voided = 1 WHERE id = 1")
        assert conn.execute("SELECT voided FROM record WHERE id = 1").fetchone() == (1,)
        with pytest.raises(sqlite3.IntegrityError, match="only change"):
            conn.execute("UPDATE record SET voided = 0 WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="only change"):
            conn.execute("UPDATE record SET voided = 1 WHERE id = 1")  # 1 -> 1 is no voiding


def test_a_void_record_cannot_be_changed_or_voided(patient, db_path):
    patient.ok("log", now=IN_WINDOW)
    patient.ok("void", "1", "--reason", "typo", "--not-taken", now=IN_WINDOW)
    patient.close()
    with connect(db_path) as conn:
        ((void_id,),) = conn.execute("SELECT id FROM record WHERE kind = 'void'").fetchall()
        for assignment in ("voided = 1", "note = 'other reason'", "voids = NULL", "not_taken = 0"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(f"UPDATE record SET {assignment} WHERE id = ?", (void_id,))
        with pytest.raises(sqlite3.IntegrityError):  # a second void of the same record
            insert_record(conn, kind="void", dose_ug=None, voids=1, at_utc=DOSE_AT + HOUR)


def test_profile_and_regimen_rows_cannot_be_edited(logged):
    with connect(logged) as conn:
        for query in ("UPDATE profile_version SET born = '1950-01-01'",
                      "UPDATE regimen SET prescriber = 'someone'",
                      "UPDATE regimen_step SET dose_ug = 2000"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(query)


# -- one planned dose per night, 12 hours apart ----------------------------------------------


@pytest.mark.parametrize("kind, dose_ug", [("dose", 1000), ("dose", 500), ("skip", None)])
def test_a_second_planned_record_for_a_night_fails_on_the_unique_index(logged, kind, dose_ug):
    # 12 h 20 min later is still the same night (11:00 Berlin next morning), so only the
    # unique index can refuse it.
    before = records(logged)
    with connect(logged) as conn, pytest.raises(sqlite3.IntegrityError,
                                                match="UNIQUE constraint failed: record.patient_id, record.night"):
        insert_record(conn, kind=kind, dose_ug=dose_ug, at_utc=DOSE_AT + 12 * HOUR + 20 * 60)
    assert records(logged) == before


def test_already_taken_and_voided_records_are_outside_the_unique_index(logged):
    with connect(logged) as conn:
        conn.execute("BEGIN")
        insert_record(conn, already_taken=1, at_utc=DOSE_AT + HOUR)  # the truth is always kept
        conn.execute("ROLLBACK")
        conn.execute("UPDATE record SET voided = 1 WHERE id = 1")
        insert_record(conn, at_utc=DOSE_AT + 12 * HOUR + 20 * 60)  # the night is free again


@pytest.mark.parametrize("offset, night", [
    (11 * HOUR + 59 * 60, "2026-11-26"), (-11 * HOUR, "2026-11-24"), (60, "2026-11-26"),
    (0, "2026-11-26"),
])
def test_a_planned_dose_within_12_hours_fails_on_the_trigger(logged, offset, night):
    before = records(logged)
    with connect(logged) as conn, pytest.raises(sqlite3.IntegrityError, match="12 hours"):
        insert_record(conn, night=night, at_utc=DOSE_AT + offset)
    assert records(logged) == before


def test_the_12_hour_trigger_ignores_voided_doses_and_allows_exactly_12_hours(logged):
    with connect(logged) as conn:
        conn.execute("BEGIN")
        insert_record(conn, night="2026-11-26", at_utc=DOSE_AT + 12 * HOUR)
        insert_record(conn, night="2026-11-24", at_utc=DOSE_AT - 12 * HOUR)
        conn.execute("ROLLBACK")
        conn.execute("UPDATE record SET voided = 1 WHERE id = 1")
        insert_record(conn, night="2026-11-26", at_utc=DOSE_AT + HOUR)


@pytest.mark.parametrize("kind, dose_ug", [
    ("dose", 0), ("dose", -1000), ("dose", 100_001), ("skip", 1000),
    ("dose", None),
])
def test_check_constraints_on_amounts(logged, kind, dose_ug):
    with connect(logged) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        insert_record(conn, kind=kind, dose_ug=dose_ug, night="2026-12-01",
                      at_utc=DOSE_AT + 6 * 24 * HOUR)


# -- files ---------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_and_created_folders_0700_whatever_the_umask(run, tmp_path):
    db = tmp_path / "a" / "b" / "medtrack.db"
    old = os.umask(0)
    try:
        run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", db=db,
               now="2026-11-01T12:00+01:00")
        run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", db=db,
               now="2026-11-01T12:00+01:00")
        run.ok("log", db=db, now="2026-11-01T22:40+01:00")
        # the in-process engines still hold their connections: -wal and -shm are present now
        present = [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
        assert len(present) == 3, present
        for path in present:
            assert mode(path) == 0o600, path
        assert mode(tmp_path / "a") == 0o700
        assert mode(tmp_path / "a" / "b") == 0o700
        run.close()
        with connect(db) as conn:  # WAL was set when the file was created
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        os.umask(old)


def test_an_existing_folder_keeps_its_mode(run, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", db=folder / "m.db")
    assert mode(folder) == 0o755
    assert mode(folder / "m.db") == 0o600


# -- storage problems: exit 4, the file untouched ----------------------------------------------

COMMANDS = [
    ["status"], ["status", "--json"], ["log", "--at", "2026-11-25 22:40"], ["history", "--json"],
    ["profile"], ["profile", "set", "--bedtime", "22:00"], ["skip"],
    ["prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss"], ["void", "1", "--reason", "x"],
    ["init", "--name", "Other", "--born", "1980-01-01", "--tz", "UTC"],
]


def test_a_newer_schema_gives_exit_4_and_is_left_byte_identical(logged, patient):
    with connect(logged) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = snapshot(logged)
    for argv in COMMANDS:
        result = patient(*argv, now="2026-11-25T23:00+01:00")
        assert result.code == 4, result
        assert "newer medtrack" in result.err and "untouched" in result.err
        assert_untouched(logged, before)


@pytest.mark.parametrize("damage", ["header", "garbage"])
def test_a_corrupt_file_gives_exit_4_and_is_left_byte_identical(logged, patient, damage):
    if damage == "header":
        with open(logged, "r+b") as file:
            file.write(b"this is no db!!\x00")
    else:
        logged.write_bytes(b"PK\x03\x04 not a database at all " * 200)
    before = snapshot(logged)
    for argv in COMMANDS:
        result = patient(*argv, now="2026-11-25T23:00+01:00")
        assert result.code == 4, result
        assert "damaged" in result.err
        assert_untouched(logged, before)


def test_init_on_an_existing_empty_file_makes_it_private(run, tmp_path):
    db = tmp_path / "touched.db"
    db.touch()
    os.chmod(db, 0o644)
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", db=db)
    assert mode(db) == 0o600
    run.close()
    with connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
@pytest.mark.parametrize("where", ["/proc/medtrack-test/medtrack.db", "/proc/medtrack.db"])
def test_an_unwritable_location_gives_exit_4(run, where):
    result = run("init", "--name", "Ada", "--born", "1970-05-01", db=where)
    assert result.code == 4
    assert "cannot create" in result.err


def test_a_folder_in_place_of_the_database_is_bad_input(run, tmp_path):
    folder = tmp_path / "dir.db"
    folder.mkdir()
    assert run("status", db=folder).code == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only file")
def test_a_read_only_database_gives_exit_4(logged, patient):
    os.chmod(logged, 0o400)
    try:
        before = snapshot(logged)
        result = patient("log", now=IN_WINDOW.replace("22:40", "23:00"))
        assert result.code == 4
        assert_untouched(logged, before)
    finally:
        os.chmod(logged, 0o600)


def run_process(db: Path, *argv: str, now: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
    env.update(MEDTRACK_DB=str(db), MEDTRACK_NOW=now, TZ="UTC")
    return subprocess.run([sys.executable, "-m", "medtrack", *argv], env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_a_busy_database_gives_exit_4_quickly_and_works_after_release(patient, db_path):
    patient.close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        started = time.monotonic()
        busy = run_process(db_path, "log", now=IN_WINDOW)
        elapsed = time.monotonic() - started
        assert busy.returncode == 4, busy
        lines = busy.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("medtrack:"), busy.stderr
        assert "busy" in busy.stderr and "Traceback" not in busy.stderr
        assert elapsed < 10, elapsed
        assert busy.stdout == ""
        # a reader is not blocked by a writer
        assert run_process(db_path, "status", "--json", now=IN_WINDOW).returncode == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert records(db_path) == []
    done = run_process(db_path, "log", "--json", now=IN_WINDOW)
    assert done.returncode == 0, done
    assert '"dose_mg": 1' in done.stdout
    assert len(records(db_path)) == 1
