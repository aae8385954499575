"""Schema migrations: an older database is upgraded with every record kept, after a backup."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medtrack.storage.engine import SCHEMA_VERSION, create_private_file, make_engine
from medtrack.storage.migrate import upgrade

NOW = "2026-11-25T22:40:00+01:00"


def real_clock_env(db: Path) -> dict[str, str]:
    """A command's environment on the real clock: a database made before schema 7 kept the mark
    of a fixed clock was made under the real one, and refuses MEDTRACK_NOW."""
    env = {k: v for k, v in os.environ.items() if k != "MEDTRACK_NOW"}
    env["MEDTRACK_DB"] = str(db)
    return env


def mark_fixed_clock(db: Path) -> None:
    """What the owner of a migrated test file does to replay a fixed evening on it (MEDTRACK_NOW):
    mark it as a test's database, as one made under a fixed clock is."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE database_clock SET fixed = 1")


def build_schema_1(path: Path) -> None:
    """A database as medtrack's first schema made it, with a profile, a prescription and records."""
    create_private_file(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    engine = make_engine(path)
    upgrade(engine, path, from_version=0, to_version=1)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO profile_version (recorded_at_utc, name, born, zone, bedtime, wake, liver,"
                     " renal, pregnant, breastfeeding, conditions, min_sleep_min, change) VALUES "
                     "(1764000000, 'Ada Öl 😀', '1970-05-01', 'Europe/Berlin', '22:30', '06:30', 'none',"
                     " 0, 0, 0, '', 420, 'created')")
        conn.execute("INSERT INTO regimen (kind, created_at_utc, prescriber, start_night) VALUES "
                     "('prescription', 1764000000, 'Dr. Weiss', '2026-11-01')")
        conn.execute("INSERT INTO regimen_step (regimen_id, start_night, dose_ug) VALUES (1, '2026-11-01', 1000)")
        for day in range(1, 6):
            at = 1761944400 + 86400 * day  # 2026-11-0x around 22:00 local
            conn.execute("INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, note, "
                         "recorded_at_utc) VALUES ('dose', ?, ?, 'Europe/Berlin', 1000, 1000, ?, ?)",
                         (f"2026-11-{day:02d}", at, f"night {day} [bold]", at))
        conn.execute("INSERT INTO record (kind, night, at_utc, zone, voids, note, recorded_at_utc) VALUES "
                     "('void', '2026-11-03', 1762300000, 'Europe/Berlin', 3, 'wrong night', 1762300000)")
        conn.execute("UPDATE record SET voided = 1 WHERE id = 3")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


SCHEMA_1_RECORD = ("id, kind, night, at_utc, zone, dose_ug, scheduled_ug, already_taken, voided, "
                   "voids, note, acknowledged, rule, recorded_at_utc")


SCHEMA_1_REGIMEN = ("id, kind, created_at_utc, prescriber, start_night, acknowledged, acknowledged_ids,"
                    " version, change, reason, round_ug")


def columns(conn: sqlite3.Connection, table: str) -> str:
    """The table's columns but those schema 6 adds (the patient, who recorded it) and schema 10
    (the profile's language)."""
    names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return ", ".join(n for n in names if n not in ("patient_id", "recorded_by", "language"))


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, with the record columns schema 1 had (later ones are added)."""
    with sqlite3.connect(path) as conn:
        found = {t: conn.execute(f"SELECT {columns(conn, t)} FROM {t} ORDER BY id").fetchall()
                 for t in ("profile_version", "regimen_step", "symptom")}
        found["regimen"] = conn.execute(f"SELECT {SCHEMA_1_REGIMEN} FROM regimen ORDER BY id").fetchall()
        found["record"] = conn.execute(f"SELECT {SCHEMA_1_RECORD} FROM record ORDER BY id").fetchall()
        return found


@pytest.mark.slow
def test_old_schema_is_migrated_keeping_every_record(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    build_schema_1(db)
    before = dump(db)
    out = subprocess.run([sys.executable, "-m", "medtrack", "history", "--json"], env=real_clock_env(db),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    history = json.loads(out.stdout)
    assert [r["note"] for r in history] == [f"night {d} [bold]" for d in range(1, 6)]
    assert [r["voided"] for r in history] == [False, False, True, False, False]
    assert dump(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # schema 3: no old void states that a dose was not taken
        assert conn.execute("SELECT count(*) FROM record WHERE not_taken != 0").fetchone()[0] == 0
        # schema 4: the patient gets its stable id once; no old record is imported history
        (patient_id,), = conn.execute("SELECT uuid FROM patient").fetchall()
        assert len(patient_id) == 36
        assert conn.execute("SELECT count(*) FROM record WHERE imported != 0").fetchone()[0] == 0
        # schema 6: every row belongs to that one patient; nobody is named as having entered them
        for table in ("profile_version", "regimen", "record"):
            assert conn.execute(f"SELECT DISTINCT patient_id FROM {table}").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM record WHERE recorded_by IS NOT NULL").fetchone()[0] == 0
        # schema 7: made before the mark was kept, so under the real clock
        assert conn.execute("SELECT fixed FROM database_clock").fetchall() == [(0,)]
        # schema 10: every profile version made before it follows the environment's language
        assert conn.execute("SELECT language FROM profile_version").fetchall() == [("",)]
        log = conn.execute("SELECT from_version, to_version, backup FROM migration_log").fetchall()
    assert [(f, t) for f, t, _ in log] == [(1, SCHEMA_VERSION)]
    backup = Path(log[0][2])
    assert backup.exists() and backup.parent == tmp_path
    assert oct(backup.stat().st_mode & 0o777) == oct(0o600)
    assert dump(backup) == before  # the backup is the database as it was before the migration


@pytest.mark.slow
def test_migrated_database_accepts_new_doses(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    build_schema_1(db)
    subprocess.run([sys.executable, "-m", "medtrack", "db", "upgrade"], env=real_clock_env(db), check=True,
                   capture_output=True)
    mark_fixed_clock(db)
    env = dict(os.environ, MEDTRACK_DB=str(db), MEDTRACK_NOW=NOW)
    out = subprocess.run([sys.executable, "-m", "medtrack", "log", "--json"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["night"] == "2026-11-25"


@pytest.mark.slow
def test_current_schema_opens_without_alembic(tmp_path: Path) -> None:
    """Checking the version at start-up is cheap: no alembic import unless a migration is due."""
    env = dict(os.environ, MEDTRACK_DB=str(tmp_path / "m.db"), MEDTRACK_NOW=NOW)
    subprocess.run([sys.executable, "-m", "medtrack", "init", "--name", "A", "--born", "1970-01-01"],
                   env=env, check=True, capture_output=True)
    code = ("import sys, io, contextlib\nfrom medtrack.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['status']) == 0\n"
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_db_upgrade_migrates_an_old_file_explicitly(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    build_schema_1(db)
    before = dump(db)
    env = real_clock_env(db)
    for expected in (f"from version 1 to {SCHEMA_VERSION}", f"up to date (version {SCHEMA_VERSION})"):
        out = subprocess.run([sys.executable, "-m", "medtrack", "db", "upgrade"], env=env,
                             capture_output=True, text=True)
        assert out.returncode == 0 and expected in out.stdout, out
    assert dump(db) == before


@pytest.mark.slow
def test_schema_9_gains_the_language_each_old_version_following_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "nine.db"
    build_schema_1(db)
    engine = make_engine(db)
    upgrade(engine, db, from_version=1, to_version=9)
    engine.dispose()
    with sqlite3.connect(db) as conn:
        assert "language" not in [row[1] for row in conn.execute("PRAGMA table_info(profile_version)")]
    env = real_clock_env(db)
    out = subprocess.run([sys.executable, "-m", "medtrack", "profile", "--json"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["language"] == ""
    out = subprocess.run([sys.executable, "-m", "medtrack", "profile", "set", "--language", "ja"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "language: auto -> ja" in out.stdout, out
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT language, change FROM profile_version ORDER BY id").fetchall() == [
            ("", "created"), ("ja", "language: auto -> ja")]
        # the schema itself holds the codes: a language medtrack does not speak cannot be written
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute("INSERT INTO profile_version (patient_id, recorded_at_utc, name, born, zone, bedtime, "
                         "wake, liver, renal, pregnant, breastfeeding, conditions, min_sleep_min, change, "
                         "language) SELECT patient_id, recorded_at_utc, name, born, zone, bedtime, wake, "
                         "liver, renal, pregnant, breastfeeding, conditions, min_sleep_min, 'by hand', 'fr' "
                         "FROM profile_version WHERE id = 1")
