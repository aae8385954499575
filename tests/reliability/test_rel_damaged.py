"""Files medtrack must not use and must not touch: newer, damaged, unreadable, or not files at all.

Already covered in tests/services/test_storage.py and not repeated here: the busy database
(exit 4 quickly, works after release), a garbage header or garbage file, a folder in place of
the database, /proc as an unwritable location, a read-only file.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import (
    assert_clean_failure,
    integrity,
    raw,
    run_cli,
    snapshot,
)

IS_ROOT = os.geteuid() == 0
LATER = "2026-11-25T23:00+01:00"

# Every command that opens the database, in a form that would work on a sound one.
COMMANDS = [
    ["status"], ["status", "--json"], ["log"], ["log", "0.5mg", "--already-taken", "--note", "x"],
    ["skip", "--night", "2026-11-24"], ["history", "--json"], ["profile"], ["profile", "--json"],
    ["profile", "set", "--tz", "UTC"], ["prescribe", "--dose", "1mg", "--prescriber", "Dr. X"],
    ["void", "1", "--reason", "x"], ["lock", "--pin", "4821"], ["symptom", "headache"],
    ["symptoms", "--json"], ["taper", "show"], ["taper", "history", "--json"],
    ["taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
     "--prescriber", "Dr. X"],
    ["taper", "hold", "--days", "3", "--reason", "x"], ["calendar", "--month", "2026-11", "--json"],
    ["export", "--format", "csv", "-o", "{out}/report.csv"], ["import", "{out}/import.csv"],
    ["backup", "{out}/backup.db"], ["init", "--name", "B", "--born", "1980-01-01", "--tz", "UTC"],
    ["demo"],
]


def argv_in(folder: Path, argv: list[str]) -> list[str]:
    return [a.replace("{out}", str(folder)) for a in argv]


@pytest.fixture
def logged(patient, db_path: Path) -> Path:
    """The standard patient with one dose (record 1) and a symptom, closed."""
    patient.ok("log", now="2026-11-24T22:40+01:00")
    patient.ok("symptom", "headache", now="2026-11-25T09:00+01:00")
    patient.close()
    return db_path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "import.csv").write_text(  # a well-formed medtrack CSV with one new dose
        "id,kind,night,time,dose_mg,scheduled_mg,status,already_taken,voids,note\n"
        "7,dose,2026-11-23,2026-11-23T22:40:00+01:00,1,1,taken,no,,\n")
    return folder


def assert_untouched(db: Path, before: tuple[bytes, int], out: Path) -> None:
    assert snapshot(db) == before, "the database file was changed or replaced"
    extra = {p.name for p in db.parent.iterdir()} - {db.name, "out"}
    assert extra <= {f"{db.name}-wal", f"{db.name}-shm"}, extra  # a reader's empty WAL at most
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert sorted(p.name for p in out.iterdir()) == ["import.csv"], "something was written"


# -- a database from a newer medtrack ---------------------------------------------------------------


@pytest.mark.slow
def test_a_database_from_a_newer_medtrack_is_exit_4_for_every_command_and_left_as_it_is(
        logged, patient, out):
    with raw(logged, read_only=False) as conn:
        conn.execute("PRAGMA user_version = 99")
    before = snapshot(logged)
    for argv in COMMANDS:
        result = patient(*argv_in(out, argv), now=LATER)
        assert result.code == 4, result
        assert "newer medtrack" in result.err and "99" in result.err and "untouched" in result.err
        patient.close()
        assert_untouched(logged, before, out)


@pytest.mark.slow
def test_a_newer_database_in_a_real_process(logged, out):
    with raw(logged, read_only=False) as conn:
        conn.execute("PRAGMA user_version = 99")
    before = snapshot(logged)
    for argv in (["log"], ["backup", f"{out}/b.db"]):
        assert_clean_failure(run_cli(logged, *argv, now=LATER), 4, "newer medtrack")
        assert_untouched(logged, before, out)


# -- damaged files -----------------------------------------------------------------------------


def truncate_half(db: Path) -> None:
    size = db.stat().st_size
    with open(db, "r+b") as file:
        file.truncate(size // 2 + 100)  # not even on a page boundary


def scramble_record_table(db: Path) -> None:
    """Overwrite the root page of the `record` table with seeded random bytes."""
    with raw(db) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'record'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    noise = random.Random(root).randbytes(page_size)
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(noise)


# The commands that must read the record table (a damaged symptom page need not stop `status`).
RECORD_COMMANDS = [["status", "--json"], ["log"], ["skip", "--night", "2026-11-24"],
                   ["history", "--json"], ["void", "1", "--reason", "x"],
                   ["calendar", "--month", "2026-11", "--json"],
                   ["export", "--format", "csv", "-o", "{out}/report.csv"]]


@pytest.mark.parametrize("damage", [truncate_half, scramble_record_table], ids=["truncated", "scrambled"])
@pytest.mark.slow
def test_a_damaged_file_is_exit_4_and_left_as_it_is(logged, patient, out, damage):
    damage(logged)
    before = snapshot(logged)
    commands = COMMANDS if damage is truncate_half else RECORD_COMMANDS
    for argv in commands:
        result = patient(*argv_in(out, argv), now=LATER)
        assert result.code == 4, result
        assert "damaged" in result.err, result.err
        patient.close()
        assert_untouched(logged, before, out)


def test_a_backup_of_a_damaged_database_is_refused_not_reported_as_written(logged, patient, out):
    scramble_record_table(logged)
    before = snapshot(logged)
    target = out / "b.db"
    result = patient("backup", str(target), now=LATER)
    patient.close()
    assert snapshot(logged) == before
    assert result.code == 4 and "damaged" in result.err, result
    assert not target.exists()


# -- files and folders medtrack cannot use ----------------------------------------------------------


def test_a_new_database_under_a_file_is_exit_4_and_creates_nothing(run, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("my notes\n")
    result = run("init", "--name", "A", "--born", "1970-05-01", "--tz", "UTC", db=blocker / "m.db")
    assert result.code == 4, result
    assert "cannot create" in result.err
    assert blocker.read_text() == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.skipif(IS_ROOT, reason="root reads and writes whatever the mode bits say")
def test_an_unreadable_database_is_exit_4_and_left_as_it_is(logged, patient, out):
    os.chmod(logged, 0)
    try:
        for argv in (["status"], ["log"], ["history", "--json"], ["backup", "{out}/b.db"]):
            result = patient(*argv_in(out, argv), now=LATER)
            assert result.code == 4, result
            assert "cannot be written or opened" in result.err
    finally:
        os.chmod(logged, 0o600)
    assert integrity(logged) == "ok"


@pytest.mark.skipif(IS_ROOT, reason="root writes into a read-only folder")
def test_a_new_database_in_an_unwritable_folder_is_exit_4(run, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("init", "--name", "A", "--born", "1970-05-01", "--tz", "UTC", db=folder / "m.db")
        assert result.code == 4 and "cannot create" in result.err, result
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


def test_a_character_device_is_refused(run):
    result = run("status", db="/dev/null")
    assert result.code in (2, 4), result


@pytest.mark.slow
def test_a_named_pipe_in_place_of_the_database_does_not_hang(tmp_path):
    pipe = tmp_path / "medtrack.db"
    os.mkfifo(pipe)
    try:
        proc = run_cli(pipe, "status", timeout=6)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"`medtrack --db FIFO status` still running after 6 s: {error}") from None
    assert proc.returncode in (2, 4), proc
