"""Backups and restores: consistent copies of a live database, and restores that cannot hurt.

- `medtrack backup FILE` while another process writes doses and symptoms as fast as it can:
  every copy is sound, opens as a normal medtrack database, is 0600, and is a moment of the
  record (its rows are exactly the first rows of the final database: nothing torn, nothing
  out of order). Data still in the WAL is in the copy (a file copy would lose it).
- An existing FILE is kept unless --force.
- `medtrack restore FILE` refuses damaged and foreign files (exit 2), leaving the database as it
  was; a good restore keeps the replaced database beside it; a restore killed half way leaves
  the old or the new database, never a mix.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest
from reliability_helpers import (
    PYTHON,
    assert_clean_failure,
    cli_env,
    integrity,
    raw,
    rows,
    rule_violations,
    run_cli,
    snapshot,
)

NOW = "2026-11-25T12:00+01:00"

WRITER = r"""
import datetime as dt, sys, pathlib, time
from zoneinfo import ZoneInfo
from medtrack.services.dosing import DoseRequest, log_dose
from medtrack.services.symptoms import log_symptom
from medtrack.storage.database import Database
db = Database(pathlib.Path(sys.argv[1]))
stop = pathlib.Path(sys.argv[2])
now = dt.datetime(2099, 1, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))  # every night is past
night = dt.date(2025, 1, 1)
written = 0
while not stop.exists() and written < 20000:
    at = dt.datetime.combine(night, dt.time(21, 40), tzinfo=ZoneInfo("Europe/Berlin"))
    log_dose(db, now, DoseRequest(at=at.isoformat(), note="written during a backup " * 20))
    log_symptom(db, now, "drowsiness", "2", at=(at + dt.timedelta(hours=10)).isoformat(), note="x" * 500)
    night += dt.timedelta(days=1)
    written += 1
    time.sleep(0.001)
db.dispose()
print(written)
"""


pytestmark = pytest.mark.slow  # backups and restores against other processes


@pytest.fixture
def busy(patient, db_path: Path) -> Path:
    """The standard patient on 1 mg since 2025 (so a writer can log night after night)."""
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2025-01-01",
               now="2025-01-01T12:00+01:00")
    patient.close()
    return db_path


def count(path: Path, table: str = "record") -> int:
    with raw(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_backups_taken_while_another_process_writes_are_consistent_moments(busy, run, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    stop = tmp_path / "stop"
    writer = subprocess.Popen([PYTHON, "-c", WRITER, str(busy), str(stop)], env=cli_env(busy, NOW),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while count(busy) < 10:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        taken = []
        for i in range(4):
            before = count(busy)
            target = folder / f"medtrack-{i}.db"
            proc = run_cli(busy, "backup", str(target), now=NOW)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.startswith("Backup written:") and proc.stderr == ""
            taken.append((target, before))
        assert writer.poll() is None, "the writer stopped before the last backup: make it write longer"
    finally:
        stop.touch()
        _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    final_records, final_symptoms = rows(busy), rows(busy, "symptom")
    sizes = []
    for target, before in taken:
        assert integrity(target) == "ok", target
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        copy_records, copy_symptoms = rows(target), rows(target, "symptom")
        assert len(copy_records) >= before
        assert copy_records == final_records[:len(copy_records)], "the copy is not a moment of the record"
        assert copy_symptoms == final_symptoms[:len(copy_symptoms)]
        assert len(copy_symptoms) in (len(copy_records), len(copy_records) - 1)  # dose, then symptom
        history = run.ok("history", "--json", db=target, now=NOW).json()  # a normal medtrack database
        assert len(history) == len(copy_records)
        assert rule_violations(target) == []
        sizes.append(len(copy_records))
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0], sizes  # the writer really ran in between
    assert sorted(p.name for p in folder.iterdir()) == [t.name for t, _ in taken]  # no temp files


def test_a_backup_holds_what_is_still_in_the_wal(patient, db_path, tmp_path):
    patient.ok("log", "--note", "only in the WAL so far", now="2026-11-25T22:40+01:00")
    # the in-process engine is still open: the dose sits in medtrack.db-wal, not in medtrack.db
    assert Path(f"{db_path}-wal").stat().st_size > 0
    shutil.copyfile(db_path, tmp_path / "cp-copy.db")
    proc = run_cli(db_path, "backup", str(tmp_path / "backup.db"))
    assert proc.returncode == 0, proc.stderr
    assert [r["note"] for r in rows(tmp_path / "backup.db")] == ["only in the WAL so far"]
    assert rows(tmp_path / "cp-copy.db") == []  # what a plain file copy would have kept


def test_an_existing_file_is_kept_without_force(patient_db, tmp_path):
    target = tmp_path / "backup.db"
    target.write_bytes(b"last month's backup")
    proc = run_cli(patient_db, "backup", str(target))
    assert_clean_failure(proc, 2, "already exists", "--force")
    assert target.read_bytes() == b"last month's backup"
    proc = run_cli(patient_db, "backup", "--force", str(target))
    assert proc.returncode == 0, proc.stderr
    assert integrity(target) == "ok" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert rows(target, "profile_version") == rows(patient_db, "profile_version")


# -- restore -------------------------------------------------------------------------------------


def sqlite_file(path: Path, sql: str) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(sql)
    return path


def foreign_files(folder: Path, good: Path) -> dict[str, Path]:
    made: dict[str, Path] = {}
    made["empty"] = folder / "empty.db"
    made["empty"].write_bytes(b"")
    made["text"] = folder / "notes.txt"
    made["text"].write_text("not a database\n" * 100)
    made["folder"] = folder / "a-folder"
    made["folder"].mkdir()
    made["missing"] = folder / "missing.db"
    made["other-sqlite"] = sqlite_file(folder / "other.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
    made["no-profile"] = sqlite_file(folder / "no-profile.db", "".join(
        f"CREATE TABLE {name}(id INTEGER PRIMARY KEY);" for name in
        ("profile_version", "regimen", "regimen_step", "record", "symptom")))
    made["truncated"] = folder / "truncated.db"
    data = good.read_bytes()
    made["truncated"].write_bytes(data[: len(data) // 2 + 123])
    made["scrambled"] = folder / "scrambled.db"
    made["scrambled"].write_bytes(data)
    with raw(made["scrambled"]) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'record'").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(made["scrambled"], "r+b") as file:
        file.seek((root - 1) * page)
        file.write(random.Random(1).randbytes(page))
    made["header-only"] = folder / "header.db"
    made["header-only"].write_bytes(data[:100] + b"\0" * 4000)
    made["newer"] = folder / "newer.db"
    made["newer"].write_bytes(data)
    with raw(made["newer"], read_only=False) as conn:
        conn.execute("PRAGMA user_version = 99")
    return made


@pytest.fixture
def two_states(patient, db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A backup with one dose (night 23), then the live database moves on (night 24)."""
    patient.ok("log", "--note", "in the backup", now="2026-11-23T22:40+01:00")
    patient.close()
    backup = tmp_path / "saved" / "backup.db"
    backup.parent.mkdir()
    assert run_cli(db_path, "backup", str(backup)).returncode == 0
    patient.ok("log", "--note", "after the backup", now="2026-11-24T22:40+01:00")
    patient.close()
    return db_path, backup


def test_restore_refuses_damaged_and_foreign_files_and_leaves_the_database(two_states, patient, tmp_path):
    db, backup = two_states
    before = snapshot(db)
    names = sorted(p.name for p in db.parent.iterdir())
    for kind, path in foreign_files(tmp_path / "saved", backup).items():
        result = patient("restore", str(path), now=NOW)
        assert result.code == 2, (kind, result)
        patient.close()
        assert snapshot(db) == before, kind
        assert sorted(p.name for p in db.parent.iterdir()) == names, kind  # no kept copy either


def test_a_good_restore_brings_the_backup_back_and_keeps_the_replaced_database(two_states, patient):
    db, backup = two_states
    replaced_history = patient.ok("history", "--json", now=NOW).json()
    result = patient.ok("restore", str(backup), now=NOW)
    patient.close()
    kept = [p for p in db.parent.iterdir() if p.name.startswith(f"{db.name}.replaced-")]
    assert len(kept) == 1, list(db.parent.iterdir())
    assert kept[0].name in result.out
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert integrity(db) == "ok" and integrity(kept[0]) == "ok"
    assert [r["note"] for r in rows(db)] == ["in the backup"]
    assert patient.ok("history", "--json", db=kept[0], now=NOW).json() == replaced_history
    # the restored database is a working one: the night after the backup is free again
    patient.ok("log", "--note", "again", now="2026-11-24T22:45+01:00")
    patient.close()
    assert rule_violations(db) == [] and integrity(db) == "ok"


RESTORE_CHILD = r"""
import os, runpy, sys, time
import medtrack.cli, medtrack.cli.parser, medtrack.cli.admin_cmds, medtrack.services.backups
import medtrack.storage.backup, medtrack.storage.repository, medtrack.storage.schema_check
medtrack.storage.schema_check.known_schema(6)  # built once per process (~1 s): the kills land across the swap

ready, gate, source = sys.argv[1], sys.argv[2], sys.argv[3]
open(ready, "w").close()
while not os.path.exists(gate):
    time.sleep(0.0005)
sys.argv = ["medtrack", "restore", source]
runpy.run_module("medtrack", run_name="__main__", alter_sys=True)
"""


def test_a_restore_killed_half_way_leaves_the_old_or_the_new_database(busy, tmp_path):
    # a backup with many records, and a live database that moved on since
    subprocess.run([PYTHON, "-c", WRITER.replace("written < 20000", "written < 150"), str(busy),
                    str(tmp_path / "never")], env=cli_env(busy, NOW), check=True, capture_output=True)
    backup = tmp_path / "backup.db"
    assert run_cli(busy, "backup", str(backup)).returncode == 0
    assert run_cli(busy, "log", now="2026-11-25T22:40+01:00").returncode == 0
    assert not Path(f"{busy}-wal").exists()
    old_file, old, new = busy.read_bytes(), rows(busy), rows(backup)
    assert old != new
    rng = random.Random(5)
    outcomes = []
    for i in range(6):
        for path in busy.parent.glob(f"{busy.name}*"):  # back to the moved-on database
            path.unlink()
        busy.write_bytes(old_file)
        busy.chmod(0o600)
        ready, gate = tmp_path / f"ready{i}", tmp_path / f"gate{i}"
        proc = subprocess.Popen([PYTHON, "-c", RESTORE_CHILD, str(ready), str(gate), str(backup)],
                                env=cli_env(busy, NOW), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.002)
        gate.touch()
        delay = rng.uniform(0, 0.04)  # the file is swapped about 25 ms after the gate
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, -signal.SIGKILL), err
        assert integrity(busy) == "ok"
        after = rows(busy)
        assert after in (old, new), "a restore killed half way left a mix of two databases"
        if proc.returncode == 0:
            assert after == new
        outcomes.append((round(delay, 3), proc.returncode, "new" if after == new else "old"))
    print(outcomes)  # how the kills fell (shown with -s)


# -- restore against another writer ---------------------------------------------------------------

INSERT_DOSE = (
    "INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, already_taken, voided, "
    "voids, note, recorded_at_utc, patient_id) VALUES ('dose', '2026-11-25', 1795642800, 'Europe/Berlin', "
    "1000, 1000, 0, 0, NULL, 'logged while the restore waited', 1795642800, 1)")


def test_a_restore_against_a_held_write_lock_is_exit_4_promptly(two_states):
    db, backup = two_states
    before = snapshot(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another medtrack is in the middle of a write
        try:
            proc = run_cli(db, "restore", str(backup), timeout=8)
        except subprocess.TimeoutExpired:
            raise AssertionError("`medtrack restore` still waiting after 8 s") from None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clean_failure(proc, 4, "busy")
    assert snapshot(db) == before


def test_a_dose_committed_while_a_restore_waits_is_not_lost(two_states):
    """A restore started while another process writes waits for the write lock; the dose that
    process commits is in the kept copy of the replaced database, never lost between them."""
    db, backup = two_states
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    restore = subprocess.Popen([PYTHON, "-m", "medtrack", "restore", str(backup)], env=cli_env(db, NOW),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # the restore is started and waiting for the lock
        assert restore.poll() is None, restore.communicate()
        assert not list(db.parent.glob(f"{db.name}.replaced-*"))  # nothing kept before the lock
        holder.execute(INSERT_DOSE)
        holder.execute("COMMIT")
    finally:
        holder.close()
    out, err = restore.communicate(timeout=60)
    assert restore.returncode == 0, err
    places = [db, *db.parent.glob(f"{db.name}.replaced-*")]
    kept_somewhere = [p.name for p in places if "logged while the restore waited" in
                      {r["note"] for r in rows(p)}]
    assert kept_somewhere, f"restore exit {restore.returncode} ({out or err}); the dose is nowhere"


# -- bugs: the database itself as the target of a file command -------------------------------------


def test_restoring_a_backup_file_onto_itself_is_refused_promptly(patient_db, tmp_path):
    copy = tmp_path / "copy.db"
    assert run_cli(patient_db, "backup", str(copy)).returncode == 0
    before = snapshot(copy)
    try:
        proc = run_cli(copy, "restore", str(copy), timeout=6)
    except subprocess.TimeoutExpired:
        raise AssertionError("`medtrack --db B restore B` was still running after 6 s") from None
    assert proc.returncode in (0, 2), proc
    assert snapshot(copy)[0] == before[0]


def test_a_backup_onto_the_database_by_another_spelling_is_refused(patient_db, tmp_path):
    (tmp_path / "sub").mkdir()
    before = snapshot(patient_db)
    proc = run_cli(patient_db, "backup", "--force", str(tmp_path / "sub" / ".." / patient_db.name))
    assert proc.returncode == 2, proc
    assert snapshot(patient_db) == before


@pytest.mark.parametrize("fmt", ["csv", "ics"])
def test_an_export_cannot_overwrite_the_database(patient, db_path, fmt):
    patient.ok("log", now="2026-11-25T22:40+01:00")
    patient.close()
    before = snapshot(db_path)
    result = patient("export", "--format", fmt, "-o", str(db_path), "--force", now=NOW)
    patient.close()
    assert result.code == 2, result
    assert snapshot(db_path) == before
