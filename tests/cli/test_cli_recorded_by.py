"""Who entered each record and symptom, as `history` and `symptoms` show it (text and --json):
--by, else MEDTRACK_USER (tests/conftest.py fixes it for every test), and "not known" for what was
entered before medtrack kept it (schema 5)."""

from __future__ import annotations

import os

import pytest

from backends import SCHEMA_5_DEMO, fixed_clock_copy

TONIGHT = "2026-11-25T22:40+01:00"
MORNING = "2026-11-26T08:00+01:00"


def recorder() -> str:
    """Who enters a record without --by in these tests (tests/conftest.py sets MEDTRACK_USER)."""
    return os.environ["MEDTRACK_USER"]


@pytest.fixture
def entered(patient):
    """Tonight's dose by Nurse Kim (--by), a symptom by Nurse Lee (MEDTRACK_USER) and, the next
    morning, a skip of the night before by the default recorder."""
    patient.ok("log", "--by", "Nurse Kim", now=TONIGHT)
    default = recorder()
    patient.monkeypatch.setenv("MEDTRACK_USER", "Nurse Lee")
    patient.ok("symptom", "headache", "--severity", "2", now=MORNING)
    patient.monkeypatch.setenv("MEDTRACK_USER", default)
    patient.ok("skip", "--night", "2026-11-24", now=MORNING)
    return patient


@pytest.mark.slow
def test_history_json_names_who_entered_each_record(entered):
    records = entered.ok("history", "--json").json()
    assert [(r["kind"], r["recorded_by"]) for r in records] == [("skip", recorder()), ("dose", "Nurse Kim")]


def test_log_json_names_who_entered_it_as_history_does(patient):
    logged = patient.ok("log", "--by", "Nurse Kim", "--json", now=TONIGHT).json()
    assert logged["recorded_by"] == "Nurse Kim"
    assert patient.ok("history", "--json").json() == [logged]


def test_history_text_names_who_entered_each_record(entered):
    skip, dose = entered.ok("history").out.splitlines()
    assert skip == f"#2 night 2026-11-24: skipped (recorded 2026-11-26 08:00 CET), by {recorder()}"
    assert dose == "#1 night 2026-11-25: 1 mg at 2026-11-25 22:40 CET, by Nurse Kim"


def test_symptoms_name_who_entered_them(entered):
    assert [e["recorded_by"] for e in entered.ok("symptoms", "--json").json()] == ["Nurse Lee"]
    assert entered.ok("symptoms").out == "#1 2026-11-26 08:00 Headache (severity 2), by Nurse Lee\n"


def test_a_void_keeps_the_record_by_whoever_entered_it(entered):
    entered.ok("void", "1", "--by", "Dr. Weiss", "--reason", "wrong patient", "--not-taken", now=MORNING)
    dose = entered.ok("history", "--json").json()[1]
    assert dose["voided"] is True and dose["recorded_by"] == "Nurse Kim"


def test_a_recorder_name_cannot_fake_a_line_of_output(patient):
    patient.ok("log", "--by", "Kim\n#9 night 2026-11-25: 2 mg", now=TONIGHT)
    out = patient.ok("history").out
    assert len(out.splitlines()) == 1, out
    assert "by Kim #9 night" in out  # --by collapses the line break to a space


@pytest.mark.sqlite_only
def test_records_from_before_schema_6_are_by_someone_not_known(run, tmp_path):
    db = fixed_clock_copy(SCHEMA_5_DEMO, tmp_path / "demo.db")  # replayed under MEDTRACK_NOW
    records = run.ok("history", "--json", "--from", "2026-11-01", db=db).json()
    assert records and all(r["recorded_by"] is None for r in records)
    assert all(line.count(", by (not known)") == 1
               for line in run.ok("history", "--from", "2026-11-01", db=db).out.splitlines())
    assert {e["recorded_by"] for e in run.ok("symptoms", "--json", db=db).json()} == {None}
    assert ", by (not known)" in run.ok("symptoms", db=db).out
    run.ok("log", db=db, now="2026-11-27T22:30+01:00")
    assert run.ok("history", "--json", "--from", "2026-11-27", db=db).json()[-1]["recorded_by"] == recorder()
