"""Restore checks what it restores: the schema of the file, and the prescriber lock it replaces.

- A backup whose safety net was edited out by hand (the one-dose-a-night index and the 12-hour
  trigger dropped, a trigger added that voids every new dose, the PIN row deleted) is refused
  (exit 2, one line naming what differs), and the database is left exactly as it was: a second
  dose two minutes after the first is still refused.
- A file with medtrack's table names but other columns is refused the same way.
- A backup of an older schema medtrack made (tests/data/demo-2y-schema5.db) is restored and
  brought up to date. Made before schema 7 kept the mark of a fixed clock, it keeps the real
  clock: it is restored on the real clock (`real=`), and MEDTRACK_NOW is refused on it after.
- Restoring over a database with a prescriber lock needs its PIN (exit 3 without it), and the
  lock survives the restore even when the backup has none, or an older one.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import raw, rows, snapshot

from medtrack.storage.engine import SCHEMA_VERSION

pytestmark = pytest.mark.sqlite_only

NOW = "2026-11-25T20:00+01:00"
TONIGHT = "2026-11-25T22:40+01:00"
SCHEMA_5 = Path(__file__).parent.parent / "data" / "demo-2y-schema5.db"
PIN = "4821"


def edit(path: Path, sql: str) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(sql)
    return path


def lock_row(path: Path) -> list[tuple[Any, ...]]:
    with raw(path) as conn:
        return conn.execute("SELECT patient_id, pin_hash, failures FROM prescriber_lock").fetchall()


def kept_copies(db: Path) -> list[Path]:
    return list(db.parent.glob(f"{db.name}.replaced-*"))


@pytest.fixture
def backup(patient, db_path: Path, tmp_path: Path) -> Path:
    """A backup of the standard patient, taken before anything else happens."""
    target = tmp_path / "saved" / "backup.db"
    target.parent.mkdir()
    patient.ok("backup", str(target), now=NOW)
    patient.close()
    return target


@pytest.mark.slow
def test_a_backup_with_its_safety_net_edited_out_is_refused_and_changes_nothing(patient, db_path, tmp_path):
    patient.ok("lock", "--pin", PIN, now=NOW)
    saved = tmp_path / "saved.db"
    patient.ok("backup", str(saved), now=NOW)
    crafted = edit(Path(shutil.copyfile(saved, tmp_path / "crafted.db")), """
        DROP INDEX record_one_per_night;
        DROP TRIGGER record_twelve_hours;
        CREATE TRIGGER record_void_each_dose AFTER INSERT ON record WHEN NEW.kind = 'dose'
            BEGIN UPDATE record SET voided = 1 WHERE id = NEW.id; END;
        DELETE FROM prescriber_lock;
    """)
    patient.close()
    before = snapshot(db_path)

    result = patient("restore", str(crafted), now=NOW)
    patient.close()

    assert result.code == 2, result
    for words in ("record_one_per_night", "record_twelve_hours", "record_void_each_dose",
                  "nothing was replaced"):
        assert words in result.err, (words, result.err)
    assert snapshot(db_path) == before and not kept_copies(db_path)
    assert patient.ok("log", now=TONIGHT).out.startswith("Dose recorded")
    second = patient("log", now="2026-11-25T22:42+01:00")
    assert second.code == 3, second
    assert len(lock_row(db_path)) == 1 and lock_row(db_path)[0][1] is not None


@pytest.mark.slow
def test_a_file_with_medtracks_table_names_but_other_columns_is_refused(patient, db_path, backup, tmp_path):
    with raw(backup) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    other = edit(tmp_path / "other-columns.db", "".join(
        f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, entry TEXT); "
        f"INSERT INTO {name} (entry) VALUES ('x'); " for name in names) + f"PRAGMA user_version = {SCHEMA_VERSION};")
    before = snapshot(db_path)

    result = patient("restore", str(other), now=NOW)
    patient.close()

    assert result.code == 2, result
    assert "columns" in result.err and "nothing was replaced" in result.err, result.err
    assert snapshot(db_path) == before and not kept_copies(db_path)
    assert patient.ok("status", "--json", now=NOW).json()["state"] == "not_yet"


@pytest.mark.slow
def test_a_backup_of_an_older_schema_is_restored_and_brought_up_to_date(patient, db_path, tmp_path):
    old = tmp_path / "demo-schema5.db"
    shutil.copyfile(SCHEMA_5, old)
    patient.close()

    patient.ok("restore", str(old), real=NOW)
    patient.close()

    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(f"{SCHEMA_VERSION:04d}",)]
        assert conn.execute("SELECT fixed FROM database_clock").fetchall() == [(0,)]  # the backup's: real
    assert len(rows(db_path)) == 689
    assert patient.ok("patients", "--json", real=NOW).json()[0]["name"] == "Alex Demo"
    assert len(kept_copies(db_path)) == 1
    assert patient("patients", now=NOW).code == 2  # a fixed clock no longer opens it


@pytest.mark.slow
def test_an_older_backup_restored_over_a_locked_database_keeps_the_lock(patient, db_path, tmp_path):
    """The schema-5 demo has a lock of its own, set on 2026-11-26; this database's lock is
    newer: it is the one the restored (and migrated) database keeps."""
    later = "2026-11-27T15:00+01:00"
    patient.ok("lock", "--pin", PIN, now=later)
    patient.close()
    old = tmp_path / "demo-schema5.db"
    shutil.copyfile(SCHEMA_5, old)
    current_lock = lock_row(db_path)

    refused = patient("restore", str(old), real=later)
    assert refused.code == 3 and "prescriber lock" in refused.err, refused
    patient.ok("restore", "--pin", PIN, str(old), real=later)
    patient.close()

    assert lock_row(db_path) == current_lock
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert patient("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", real=later).code == 3
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--pin", PIN, real=later)


@pytest.mark.slow
def test_a_restore_over_a_locked_database_needs_the_pin_and_keeps_the_lock(patient, db_path, backup):
    patient.ok("lock", "--pin", PIN, now=NOW)  # after the backup: the backup has no lock
    patient.close()
    current_lock = lock_row(db_path)
    before = snapshot(db_path)

    for argv in (("restore", str(backup)), ("restore", "--pin", "1234", str(backup))):
        refused = patient(*argv, now=NOW)
        patient.close()
        assert refused.code == 3, refused
        assert "prescriber lock" in refused.err, refused
        assert not kept_copies(db_path)
    assert rows(db_path, "profile_version") == rows(backup, "profile_version")
    assert snapshot(db_path)[1] == before[1]

    patient.ok("restore", "--pin", PIN, str(backup), now=NOW)
    patient.close()

    assert len(kept_copies(db_path)) == 1
    assert [(p, h) for p, h, _ in lock_row(db_path)] == [(p, h) for p, h, _ in current_lock]
    refused = patient("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", now=NOW)
    assert refused.code == 3 and "prescriber lock" in refused.err, refused
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--pin", PIN, now=NOW)


@pytest.mark.slow
def test_a_backup_with_an_older_pin_does_not_bring_the_old_pin_back(patient, db_path, tmp_path):
    patient.ok("lock", "--pin", "1111", now=NOW)
    saved = tmp_path / "saved.db"
    patient.ok("backup", str(saved), now=NOW)
    patient.ok("lock", "--pin", PIN, "--old-pin", "1111", now="2026-11-25T21:00+01:00")
    patient.close()

    patient.ok("restore", "--pin", PIN, str(saved), now="2026-11-25T21:05+01:00")
    patient.close()

    assert patient("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--pin", "1111",
                   now=NOW).code == 3
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--pin", PIN, now=NOW)
