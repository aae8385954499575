"""Many patients in one database: choosing one, keeping each one's rules, plan, lock and records
apart, and who entered each record. Runs on SQLite and (MEDTRACK_TEST_BACKEND=postgres) on a server."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from backends import query
from medtrack.storage.engine import SCHEMA_VERSION

TONIGHT = "2026-11-25T22:40+01:00"


@pytest.fixture
def two(run):
    """Ada (Berlin, 1 mg) and Bruno (New York, 0.5 mg, born 1950: the 1 mg ceiling from 65)."""
    numbers = itertools.count(1)
    run.monkeypatch.setattr("medtrack.storage.repository.new_patient_id",
                            lambda: f"5f0c7d1e-9a4b-4c2d-8e6f-{next(numbers):012d}")
    set_up = "2026-11-01T12:00+01:00"
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=set_up)
    run.ok("init", "--name", "Bruno Beispiel", "--born", "1950-02-03", "--tz", "America/New_York",
           "--add-patient", now=set_up)
    run.ok("--patient", "Ada Muster", "prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss",
           "--start", "2026-11-01", now=set_up)
    run.ok("--patient", "2", "prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Roth",
           "--start", "2026-11-01", now=set_up)
    return run


def test_a_database_with_one_patient_needs_no_choice(patient):
    assert patient.ok("status", "--json").json()["state"] == "not_yet"
    assert patient.ok("patients", "--json").json() == [
        {"number": 1, "name": "Ada Muster", "id": "5f0c7d1e-9a4b-4c2d-8e6f-0123456789ab"}]


@pytest.mark.slow
def test_init_on_a_database_with_a_patient_adds_one_only_when_asked(patient, db_path):
    before = query(db_path, "SELECT count(*) FROM profile_version")
    result = patient("init", "--name", "Bruno Beispiel", "--born", "1950-02-03")
    assert result.code == 2
    assert "--add-patient" in result.err and "profile set" in result.err
    assert query(db_path, "SELECT count(*) FROM profile_version") == before
    assert query(db_path, "SELECT count(*) FROM patient") == [(1,)]


def test_the_same_name_is_never_added_twice(two, db_path):
    result = two("init", "--name", "  ada   MUSTER ", "--born", "1970-05-01", "--add-patient")
    assert result.code == 2 and "already has a profile for Ada Muster (patient 1)" in result.err
    assert query(db_path, "SELECT count(*) FROM patient") == [(2,)]


def test_with_several_patients_every_command_asks_which_one(two):
    for argv in (("status",), ("log",), ("history",), ("export", "--format", "csv", "-o", "-")):
        result = two(*argv, now=TONIGHT)
        assert result.code == 2, result
        assert "holds 2 patients (1 Ada Muster, 2 Bruno Beispiel)" in result.err
        assert "--patient" in result.err
    listed = two.ok("patients").out
    assert "1  Ada Muster" in listed and "2  Bruno Beispiel" in listed


@pytest.mark.parametrize("chosen", ["1", "Ada Muster", "ada muster", "5f0c7d1e-9a4b-4c2d-8e6f-000000000001"])
def test_a_patient_is_chosen_by_number_name_or_id(two, chosen):
    status = two.ok("--patient", chosen, "status", "--json", now=TONIGHT).json()
    assert status["zone"] == "Europe/Berlin" and status["scheduled_mg"] == 1


def test_the_choice_can_come_after_the_command_or_from_the_environment(two):
    assert two.ok("status", "--json", "--patient", "Bruno Beispiel", now=TONIGHT).json()["scheduled_mg"] == 0.5
    two.monkeypatch.setenv("MEDTRACK_PATIENT", "2")
    assert two.ok("status", "--json", now=TONIGHT).json()["zone"] == "America/New_York"
    # the option wins over the environment
    assert two.ok("--patient", "1", "status", "--json", now=TONIGHT).json()["zone"] == "Europe/Berlin"


@pytest.mark.parametrize("chosen", ["3", "Carla", "0", "5f0c7d1e-9a4b-4c2d-8e6f-000000000009",
                                    "99999999999999999999999", "²", "-1"])
@pytest.mark.slow
def test_an_unknown_patient_is_bad_input_and_lists_who_is_there(two, chosen, db_path):
    before = query(db_path, "SELECT count(*) FROM record")
    result = two("--patient", chosen, "log", now=TONIGHT)
    assert result.code == 2
    assert f"no patient '{chosen}'" in result.err and "1 Ada Muster, 2 Bruno Beispiel" in result.err
    assert query(db_path, "SELECT count(*) FROM record") == before


def test_an_empty_choice_is_bad_input(two):
    result = two("--patient", " ", "status")
    assert result.code == 2 and "--patient needs a number or a name" in result.err


@pytest.mark.slow
def test_each_patient_keeps_their_own_night_records_and_rules(two, db_path):
    # Both take tonight's dose at the same moment: one dose a night is per patient.
    two.ok("--patient", "1", "log", now=TONIGHT)
    two.ok("--patient", "2", "log", now="2026-11-25T22:40-05:00")
    assert two("--patient", "1", "log", now="2026-11-25T23:00+01:00").code == 3
    # Bruno's ceiling is 1 mg (from 65): 1.5 mg is refused for him naming his limit.
    refused = two("--patient", "2", "prescribe", "--dose", "1.5mg", "--prescriber", "Dr. Roth",
                  "--start", "2026-12-01", now=TONIGHT)
    assert refused.code == 3 and "1 mg" in refused.err
    ada = two.ok("--patient", "1", "history", "--json").json()
    bruno = two.ok("--patient", "2", "history", "--json").json()
    assert [r["dose_mg"] for r in ada] == [1] and [r["dose_mg"] for r in bruno] == [0.5]
    assert query(db_path, "SELECT patient_id, dose_ug FROM record ORDER BY patient_id") == [(1, 1000), (2, 500)]


@pytest.mark.slow
def test_nothing_of_one_patient_shows_in_the_others_status_calendar_or_export(two, tmp_path):
    two.ok("--patient", "1", "log", "--note", "ADA-ONLY", now=TONIGHT)
    two.ok("--patient", "1", "symptom", "dizziness", "--severity", "2", "--note", "ADA-SYMPTOM", now=TONIGHT)
    two.ok("--patient", "1", "stock", "add", "30x1mg", now=TONIGHT)
    bruno = two.ok("--patient", "2", "status", "--json", now="2026-11-25T20:00-05:00").json()
    assert bruno["state"] == "not_yet" and bruno["taken_mg"] is None and bruno["stock"] is None
    calendar = two.ok("--patient", "2", "calendar", "--month", "2026-11", "--json").json()
    assert "ADA" not in str(calendar)
    assert not any("taken" in str(night.get("state", "")) for night in calendar.get("nights", []))
    for fmt in ("csv", "fhir"):
        out = two.ok("--patient", "2", "export", "--format", fmt, "-o", "-", now=TONIGHT).out
        assert "ADA-ONLY" not in out and "ADA-SYMPTOM" not in out and "Ada Muster" not in out
        assert "Bruno Beispiel" in out or fmt == "csv"
    assert two.ok("--patient", "2", "symptoms", "--json").json() == []


@pytest.mark.slow
def test_each_patient_has_their_own_prescriber_lock(two):
    two.ok("--patient", "1", "lock", "--pin", "4711", now=TONIGHT)
    refused = two("--patient", "1", "prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss",
                  "--start", "2026-12-01", now=TONIGHT)
    assert refused.code == 3 and "PIN" in refused.err
    two.ok("--patient", "2", "prescribe", "--dose", "0.25mg", "--prescriber", "Dr. Roth",
           "--start", "2026-12-01", now=TONIGHT)


def test_a_void_can_only_cancel_a_record_of_the_same_patient(two):
    two.ok("--patient", "1", "log", now=TONIGHT)
    result = two("--patient", "2", "void", "1", "--reason", "wrong bed", now=TONIGHT)
    assert result.code == 2 and "no dose or skip record with id 1" in result.err
    assert two.ok("--patient", "1", "history", "--json").json()[0]["voided"] is False


def test_who_recorded_each_entry_is_kept(two, db_path):
    two.ok("--patient", "1", "log", "--by", "Nurse Kim", now=TONIGHT)
    two.monkeypatch.setenv("MEDTRACK_USER", "Nurse Lee")
    two.ok("--patient", "2", "log", now="2026-11-25T22:40-05:00")
    two.ok("--patient", "2", "symptom", "headache", now="2026-11-25T22:50-05:00")
    two.monkeypatch.delenv("MEDTRACK_USER")
    two.ok("--patient", "1", "void", "1", "--reason", "entered twice", "--not-taken", now=TONIGHT)
    rows = query(db_path, "SELECT kind, recorded_by FROM record ORDER BY id")
    assert rows[:2] == [("dose", "Nurse Kim"), ("dose", "Nurse Lee")]
    assert rows[2][0] == "void" and rows[2][1]  # the database user (the login name on SQLite)
    assert query(db_path, "SELECT recorded_by FROM symptom") == [("Nurse Lee",)]


@pytest.mark.slow
def test_an_empty_recorder_is_bad_input(two, db_path):
    result = two("--patient", "1", "log", "--by", "", now=TONIGHT)
    assert result.code == 2 and "--by needs the name" in result.err
    assert query(db_path, "SELECT count(*) FROM record") == [(0,)]


@pytest.mark.sqlite_only
@pytest.mark.slow
def test_a_two_year_file_from_schema_5_moves_over_without_losing_a_record(run, tmp_path):
    """The demo made by medtrack with schema 5 (tests/data, 2 years, a stock entry and a PIN
    lock), migrated on open: every row kept as it was, all of it the one patient's. Made before
    schema 7 kept the mark of a fixed clock, it is migrated on the real clock, and keeps it."""
    import shutil
    import sqlite3
    from contextlib import closing

    db = tmp_path / "demo.db"
    shutil.copyfile(Path(__file__).parent.parent / "data" / "demo-2y-schema5.db", db)
    db.chmod(0o600)
    tables = ("patient", "profile_version", "regimen", "regimen_step", "record", "symptom", "stock")

    def rows(table: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(db)) as conn:
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                     if r[1] not in ("patient_id", "recorded_by", "entered_by", "trend_rise", "language")]
            return conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id").fetchall()

    before = {t: rows(t) for t in tables}
    lock_before = query(db, "SELECT pin_hash, failures FROM prescriber_lock")
    assert query(db, "PRAGMA user_version") == [(5,)] and len(before["record"]) == 689
    assert run("status", db=db, now="2026-11-27T15:00+01:00").code == 2  # MEDTRACK_NOW: refused, untouched
    assert query(db, "PRAGMA user_version") == [(5,)] and not list(tmp_path.glob("demo.db.schema5-*.bak"))
    status = run.ok("status", "--json", db=db, real="2026-11-27T15:00+01:00").json()
    assert status["state"] == "not_yet" and status["previous_night"] != "no record"
    assert {t: rows(t) for t in tables} == before
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(db, "SELECT fixed FROM database_clock") == [(0,)]
    # The rest replays the demo's evening under MEDTRACK_NOW: its owner marks it a demo's.
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE database_clock SET fixed = 1")
    for table in ("profile_version", "regimen", "record", "symptom", "stock"):
        assert query(db, f"SELECT DISTINCT patient_id FROM {table}") == [(1,)], table
    assert query(db, "SELECT patient_id, pin_hash, failures FROM prescriber_lock") == [(1, *lock_before[0])]
    assert len(run.ok("history", "--json", db=db).json()) == len(
        [r for r in before["record"] if r[1] in ("dose", "skip")])
    assert run.ok("patients", "--json", db=db).json()[0]["name"] == "Alex Demo"
    # the lock still guards the plan, and tonight's dose is still one
    assert run("prescribe", "--dose", "1mg", "--prescriber", "X", db=db, now="2026-11-27T15:00+01:00").code == 3
    run.ok("log", db=db, now="2026-11-27T22:30+01:00")
    assert run("log", db=db, now="2026-11-27T22:45+01:00").code == 3
    assert list(tmp_path.glob("demo.db.schema5-*.bak")), "the old file is backed up before migrating"
