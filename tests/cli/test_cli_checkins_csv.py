"""The withdrawal check-ins leave in a CSV of their own (`export --table checkins`), which a
spreadsheet reads and `medtrack import` reads back: every check-in with its ratings, step, note,
who entered it and its void, never doubled, and a bad file writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from typing import Any as Runner  # the `run` / `patient` fixtures (tests/conftest.py)

import pytest

from backends import Locations

PLAN = ("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
        "--prescriber", "Dr. Weiss", "--reason", "agreed taper")
LATER = "2026-12-03T12:00+01:00"
SAME_PATIENT = ("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
                "--bedtime", "22:30", "--wake", "06:30")


@pytest.fixture
def checked_in(patient: Runner) -> Runner:
    """Three check-ins around the first cut (29 Nov), one voided, one by a named nurse."""
    patient.ok(*PLAN, now="2026-11-10T12:00+01:00")
    patient.ok("checkin", "anxiety=1", "--note", "=calm enough", now="2026-11-24T20:00+01:00")
    patient.ok("--by", "Nurse Kim", "checkin", "anxiety=2", "tremor=3", now="2026-11-30T20:00+01:00")
    patient.ok("checkin", "sleep=2", now="2026-12-01T20:00+01:00")
    patient.ok("checkin", "--void", "3", "--reason", "entered for the wrong day", now="2026-12-01T20:10+01:00")
    return patient


def _export(run: Runner, tmp_path: Path) -> Path:
    target = tmp_path / "checkins.csv"
    run.ok("export", "--format", "csv", "--table", "checkins", "-o", str(target), now=LATER)
    return target


def _other_database(run: Runner, locations: Locations, tmp_path: Path) -> Path | str:
    folder = tmp_path / "other"
    folder.mkdir()
    other = locations.new(folder)
    run.ok(*SAME_PATIENT, now="2026-11-01T12:00+01:00", db=other)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now="2026-11-01T12:00+01:00", db=other)
    return other


def _comparable(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in ("id", "entered_by")} for e in entries]



@pytest.mark.slow
def test_a_spreadsheet_reads_one_row_per_check_in_with_each_item_rated(checked_in: Runner, tmp_path: Path) -> None:
    target = _export(checked_in, tmp_path)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r["night"] for r in rows] == ["2026-11-24", "2026-11-30", "2026-12-01"]
    assert rows[1]["anxiety"] == "2" and rows[1]["tremor"] == "3" and rows[1]["total"] == "5"
    assert rows[1]["step_night"] == "2026-11-29" and rows[1]["step_mg"] == "0.75"
    assert rows[1]["recorded_by"] == "Nurse Kim"
    assert rows[0]["note"] == "'=calm enough"  # a spreadsheet shows it, never runs it
    assert rows[2]["status"] == "voided" and rows[2]["void_reason"] == "entered for the wrong day"
    assert rows[2]["voided_at"].startswith("2026-12-01T20:10")
    assert rows[0]["status"] == "checked in" and rows[0]["voided_at"] == ""


@pytest.mark.slow
def test_import_brings_every_check_in_back_once(checked_in: Runner, tmp_path: Path, locations: Locations) -> None:
    target = _export(checked_in, tmp_path)
    other = _other_database(checked_in, locations, tmp_path)
    out = checked_in.ok("import", str(target), now=LATER, db=other).out
    assert "Imported 3 check-in(s); 0 already present." in out
    before = checked_in.ok("checkins", "--json", now=LATER).json()
    after = checked_in.ok("checkins", "--json", now=LATER, db=other).json()
    assert _comparable(after) == _comparable(before)
    again = checked_in.ok("import", str(target), now=LATER, db=other).out
    assert "Imported 0 check-in(s); 3 already present." in again
    assert len(checked_in.ok("checkins", "--json", now=LATER, db=other).json()) == 3


def test_a_check_in_voided_in_the_file_never_voids_a_stored_one(checked_in: Runner, tmp_path: Path) -> None:
    target = _export(checked_in, tmp_path)
    text = target.read_text(encoding="utf-8-sig").splitlines()
    fields = next(csv.reader([text[0]]))
    cells = next(csv.reader([text[1]]))
    cells[fields.index("status")], cells[fields.index("void_reason")] = "voided", "not mine"
    cells[fields.index("voided_at")] = "2026-11-25T08:00:00+01:00"
    text[1] = ",".join(f'"{c}"' for c in cells)
    target.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    out = checked_in.ok("import", str(target), now=LATER).out
    assert "Imported 0 check-in(s); 2 already present; 1 left out:" in out
    assert "never changes a stored check-in" in out
    assert checked_in.ok("checkins", "--json", now=LATER).json()[0]["voided"] is False


@pytest.mark.parametrize(("column", "value", "said"), [
    ("anxiety", "4", "the rating of anxiety is '4'"),
    ("total", "9", "is not the sum of the ratings"),
    ("time", "2026-12-09T20:00:00+01:00", "in the future"),
    ("night", "2026-11-23", "does not match the time"),
    ("zone", "Mars/Olympus", "not a known time zone"),
])
@pytest.mark.slow
def test_a_bad_row_is_one_line_exit_2_and_nothing_is_imported(checked_in: Runner, tmp_path: Path,
                                                                locations: Locations, column: str,
                                                                value: str, said: str) -> None:
    target = _export(checked_in, tmp_path)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    rows[3][rows[0].index(column)] = value  # the last row: the first two are fine
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8-sig")
    other = _other_database(checked_in, locations, tmp_path)
    result = checked_in("import", str(target), now=LATER, db=other)
    assert result.code == 2 and said in result.err and "row 4" in result.err
    assert checked_in.ok("checkins", "--json", now=LATER, db=other).json() == []


def test_a_table_is_chosen_for_the_csv_only(checked_in: Runner, tmp_path: Path) -> None:
    result = checked_in("export", "--format", "pdf", "--table", "checkins", "-o", str(tmp_path / "r.pdf"),
                        now=LATER)
    assert result.code == 2 and "CSV only" in result.err
    unknown = checked_in("export", "--format", "csv", "--table", "stock", "-o", str(tmp_path / "s.csv"),
                         now=LATER)
    assert unknown.code == 2 and "records, checkins" in unknown.err
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "s.csv").exists()
