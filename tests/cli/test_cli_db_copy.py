"""`medtrack db copy SOURCE TARGET`: a patient's whole record moves between databases, and the
copy reads exactly as the source (status, history, the plan's versions, every export).

The source is the demo's year with a void, symptoms, stock received and counted, check-ins (one
voided), a profile change and a PIN lock, made through the real CLI. Copies go to a new SQLite
file and, where PostgreSQL 15 is installed, into a ward's database as its owner and back.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from backends import query

NOW = "2026-11-25T22:00+01:00"
LATER = "2026-11-25T22:05+01:00"
JSON_VIEWS = (("status", "--json"), ("history", "--json"), ("taper", "history", "--json"),
              ("checkins", "--json"), ("stock", "--json"), ("symptoms", "--json"), ("profile", "--json"))
FORMATS = ("pdf", "csv", "fhir", "ics", "xlsx")
pytestmark = pytest.mark.slow  # whole databases, every export


def rich_source(run: Any, path: Path | str) -> Path | str:
    """The demo's year, then one of every kind of row a patient can have."""
    run.ok("demo", "--years", "1", now=NOW, db=path)
    run.ok("stock", "add", "30x1mg", "--note", "pharmacy", now=NOW, db=path)
    run.ok("stock", "count", "29x1mg", now=NOW, db=path)
    run.ok("checkin", "anxiety=2", "tremor=1", now=NOW, db=path)
    first = run.ok("checkin", "--json", "sleep=3", now=NOW, db=path).json()
    run.ok("checkin", "--void", str(first["id"]), "--reason", "entered twice", now=NOW, db=path)
    run.ok("symptom", "headache", "--severity", "2", now=NOW, db=path)
    run.ok("profile", "set", "--bedtime", "22:45", now=NOW, db=path)
    # a version in another language, then back to the environment's (the views stay in one)
    run.ok("profile", "set", "--language", "de", now=NOW, db=path)
    run.ok("profile", "set", "--language", "auto", now=NOW, db=path)
    run.ok("lock", "--pin", "4711", now=NOW, db=path)
    return path


def views(run: Any, path: Path | str) -> dict[str, Any]:
    return {" ".join(argv): run.ok(*argv, now=LATER, db=path).json() for argv in JSON_VIEWS}


def exports(run: Any, path: Path | str, folder: Path) -> dict[str, Any]:
    """Each export's bytes (the workbook's cells: its file keeps the time it was written)."""
    found: dict[str, Any] = {}
    for fmt in FORMATS:
        target = folder / f"{fmt}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}.{fmt}"
        run.ok("export", "--format", fmt, "-o", str(target), "--from", "2026-01-01", now=LATER, db=path)
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
            found[fmt] = {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book}
        else:
            found[fmt] = target.read_bytes()
    return found


def test_a_copy_into_a_new_file_reads_exactly_as_the_source(run, tmp_path):
    source = rich_source(run, tmp_path / "home.db")
    copied = run.ok("db", "copy", str(source), str(tmp_path / "moved.db"), now=NOW)
    assert "Copied Alex Demo" in copied.out and "as patient 1" in copied.out
    assert views(run, tmp_path / "moved.db") == views(run, source)
    assert exports(run, tmp_path / "moved.db", tmp_path) == exports(run, source, tmp_path)
    for table in ("record", "symptom", "stock", "checkin", "profile_version", "regimen", "regimen_step",
                  "prescriber_lock"):
        assert query(tmp_path / "moved.db", f"SELECT count(*) FROM {table}") == \
            query(source, f"SELECT count(*) FROM {table}"), table
    who = "SELECT recorded_by, entered_by, recorded_at_utc FROM record ORDER BY id"
    assert query(tmp_path / "moved.db", who) == query(source, who)
    versions = "SELECT language, change FROM profile_version ORDER BY id"
    assert query(tmp_path / "moved.db", versions) == query(source, versions)
    assert ("de", "language: auto -> de") in query(source, versions)
    # The PIN lock came along: a prescription change without it is refused in the copy.
    refused = run("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. X", now=LATER, db=tmp_path / "moved.db")
    assert refused.code == 3 and "PIN" in refused.err


def test_a_target_that_holds_the_patient_is_refused_and_left_as_it_was(run, tmp_path):
    source = rich_source(run, tmp_path / "home.db")
    run.ok("db", "copy", str(source), str(tmp_path / "moved.db"), now=NOW)
    before = (tmp_path / "moved.db").read_bytes()
    again = run("db", "copy", str(source), str(tmp_path / "moved.db"), now=NOW)
    assert again.code == 2 and "already holds Alex Demo" in again.err and "nothing was written" in again.err
    assert (tmp_path / "moved.db").read_bytes() == before


def test_one_patient_of_several_is_copied_and_the_others_stay(run, tmp_path, monkeypatch):
    ids = iter(("5f0c7d1e-9a4b-4c2d-8e6f-000000000001", "5f0c7d1e-9a4b-4c2d-8e6f-000000000002"))
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: next(ids))
    ward = tmp_path / "ward.db"
    for number, name in enumerate(("Ada Muster", "Bert Brandt"), 1):
        more = ("--add-patient",) if number > 1 else ()
        run.ok("init", "--name", name, "--born", "1950-01-01", "--tz", "Europe/Berlin", *more, now=NOW, db=ward)
        run.ok("--patient", str(number), "prescribe", "--dose", "1mg", "--prescriber", "Dr. W", now=NOW, db=ward)
    run.ok("--patient", "Bert Brandt", "log", now=NOW, db=ward)
    out = run.ok("db", "copy", str(ward), str(tmp_path / "bert.db"), "--patient", "Bert Brandt", now=NOW).out
    assert out.count("Copied") == 1 and "Bert Brandt" in out
    assert [p["name"] for p in run.ok("patients", "--json", now=NOW, db=tmp_path / "bert.db").json()] == ["Bert Brandt"]
    assert run.ok("status", "--json", now=NOW, db=tmp_path / "bert.db").json()["state"] == "taken"


def test_a_demo_is_never_copied_into_a_database_on_the_real_clock(run, tmp_path):
    source = tmp_path / "demo.db"
    run.ok("demo", now=NOW, db=source)
    refused = run("db", "copy", str(source), str(tmp_path / "real.db"), real="2026-11-25T22:00+01:00")
    assert refused.code == 2 and "fixed clock" in refused.err
    assert not (tmp_path / "real.db").exists(), "no file is made for a refused copy"


@pytest.mark.parametrize("argv", [["db", "copy", "a.db", "a.db"], ["db", "copy", "", "b.db"],
                                  ["db", "copy", "missing.db", "b.db"]],
                         ids=["same", "empty", "missing"])
def test_bad_sources_are_one_line_and_write_nothing(run, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    result = run(*argv, now=NOW)
    assert result.code == 2, result
    assert not (tmp_path / "b.db").exists()


@pytest.mark.postgres
def test_a_patient_moves_into_a_ward_on_postgresql_and_back(run, tmp_path, pg_server):
    source = rich_source(run, tmp_path / "home.db")
    ward = pg_server.create_database("copy")
    run.ok("db", "copy", str(source), ward, now=NOW)  # as the ward's owner
    assert views(run, ward) == views(run, source)
    who = "SELECT recorded_by, entered_by, recorded_at_utc, at_utc FROM record ORDER BY at_utc, recorded_at_utc, kind"
    assert query(ward, who) == query(source, who), "who entered each row, and when, is kept"
    back = tmp_path / "back.db"
    run.ok("db", "copy", ward, str(back), now=NOW)
    assert views(run, back) == views(run, source)
    assert exports(run, back, tmp_path) == exports(run, source, tmp_path)
    versions = "SELECT language, change FROM profile_version ORDER BY id"
    assert query(ward, versions) == query(back, versions) == query(source, versions)
    # The server's stamping is on again for everyone else: a dose logged now is the owner's.
    run.ok("--by", "Anna", "symptom", "nausea", "--severity", "1", now=LATER, db=ward)
    stamped = query(ward, "SELECT entered_by FROM symptom ORDER BY id DESC LIMIT 1")
    assert stamped == [(pg_server.role,)]


@pytest.mark.postgres
def test_only_the_wards_owner_may_copy_a_patient_in(run, tmp_path, pg_server, monkeypatch):
    import psycopg

    source = rich_source(run, tmp_path / "home.db")
    ward = pg_server.create_database("copyrole")
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: "5f0c7d1e-9a4b-4c2d-8e6f-00000000000f")
    run.ok("init", "--name", "Ward Keeper", "--born", "1950-01-01", "--tz", "Europe/Berlin", now=NOW, db=ward)
    run.ok("db", "roles", "--apply", now=NOW, db=ward)
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prescriber_copy') "
                     "THEN CREATE ROLE prescriber_copy LOGIN; END IF; END $$")
        conn.execute("GRANT medtrack_prescriber TO prescriber_copy")
    as_prescriber = ward.replace(f"//{pg_server.role}@", "//prescriber_copy@")
    refused = run("db", "copy", str(source), as_prescriber, now=NOW)
    assert refused.code == 3 and "role permissions" in refused.err, refused
    assert [p["name"] for p in json.loads(run.ok("patients", "--json", now=NOW, db=ward).out)] == ["Ward Keeper"]
