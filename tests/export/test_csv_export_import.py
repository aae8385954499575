"""CSV export and import: formula neutralising (OWASP CSV injection), the round trip into a fresh
database, idempotent re-import, rule refusals (exit 3, nothing written) and bad files (exit 2 with
the row number, nothing written)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from exporthist import (
    NOTE_ACCENTS,
    NOTE_CR,
    NOTE_FORMULA,
    NOTE_QUOTE,
    NOTE_TAB,
    build_plan,
)

from medtrack.export.csv_export import COLUMNS, neutralise, restore

# The standard patient of tests/conftest.py (`patient`): Berlin, born 1970-05-01, 1 mg from 11-01.
PATIENT_SETUP = [
    ("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
     "--bedtime", "22:30", "--wake", "06:30"),
    ("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01"),
]
PATIENT_SET_UP_AT = "2026-11-01T12:00+01:00"

# note as typed -> the cell a spreadsheet gets
INJECTIONS = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
    ("+49 30 1234", "'+49 30 1234"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\rcmd", "'\rcmd"),
    ("'already quoted", "''already quoted"),
    ("''two", "'''two"),
    ("'", "''"),
    ("'=1", "''=1"),
    ("plain text", "plain text"),
    ("a=1 then -2", "a=1 then -2"),
    ("Ärger 😀", "Ärger 😀"),
]


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so spreadsheets decode it"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_csv(run: Any, path: Path, *extra: str, db: Path | None = None) -> bytes:
    run.ok("export", "--format", "csv", "-o", str(path), *extra, **({"db": db} if db else {}))
    return path.read_bytes()


def without_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "id"} for r in records]


def fresh_history_db(run: Any, tmp_path: Path) -> Path:
    fresh = tmp_path / "fresh.db"
    build_plan(run, fresh)
    return fresh


def history_json(run: Any, db: Path | None = None) -> list[dict[str, Any]]:
    records = run.ok("history", "--json", **({"db": db} if db else {})).json()
    assert isinstance(records, list)
    return records


# -- neutralising ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,cell", INJECTIONS)
def test_neutralise_adds_exactly_one_quote_and_restore_removes_it(typed: str, cell: str):
    assert neutralise(typed) == cell
    assert restore(cell) == typed


@pytest.mark.slow
def test_the_exported_cells_are_neutralised_and_import_gives_the_text_back(patient, tmp_path: Path):
    for day, (typed, _) in enumerate(INJECTIONS, start=1):
        patient.ok("log", f"--note={typed}", now=f"2026-11-{day:02d}T22:30+01:00")
    data = export_csv(patient, tmp_path / "notes.csv")
    rows = rows_of(data)
    assert tuple(rows[0]) == COLUMNS
    notes = [r[COLUMNS.index("note")] for r in rows[1:]]
    assert notes == [cell for _, cell in INJECTIONS]
    for row in rows[1:]:  # no other cell starts like a formula either
        for cell in row[:COLUMNS.index("note")] + row[COLUMNS.index("note") + 1:]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "'")), row
    fresh = tmp_path / "fresh.db"
    for argv in PATIENT_SETUP:
        patient.ok(*argv, now=PATIENT_SET_UP_AT, db=fresh)
    patient.ok("import", str(tmp_path / "notes.csv"), db=fresh)
    assert [r["note"] for r in history_json(patient, fresh)] == [typed for typed, _ in INJECTIONS]


# -- the export itself -------------------------------------------------------------------------


@pytest.mark.slow
def test_one_row_per_record_in_recording_order(history, tmp_path: Path):
    rows = rows_of(export_csv(history, tmp_path / "h.csv"))
    assert tuple(rows[0]) == COLUMNS
    body = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    assert [r["id"] for r in body] == [str(i) for i in range(1, 10)]
    assert [r["kind"] for r in body] == ["dose", "skip", "dose", "dose", "dose", "void", "dose",
                                          "dose", "dose"]
    assert body[5]["voids"] == "5" and body[4]["status"] == "voided"
    assert body[1]["status"] == "skipped" and body[1]["dose_mg"] == ""
    assert [r["already_taken"] for r in body].count("yes") == 1 and body[7]["already_taken"] == "yes"
    # local time with the offset of that night: summer time before 2026-10-25, winter after
    assert body[2]["time"] == "2026-10-24T22:30:00+02:00"
    assert body[3]["time"] == "2026-10-25T22:30:00+01:00"
    assert body[7]["night"] == "2026-10-27" and body[7]["time"] == "2026-10-28T00:10:00+01:00"
    assert body[0]["note"] == NOTE_ACCENTS
    assert body[1]["note"] == "'" + NOTE_FORMULA
    assert body[2]["note"] == "'" + NOTE_QUOTE
    assert body[3]["note"] == "'" + NOTE_TAB
    assert body[8]["note"] == "'" + NOTE_CR


# -- round trip ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_round_trip_into_a_fresh_database_gives_the_same_history(history, tmp_path: Path):
    original = history_json(history)
    exported = export_csv(history, tmp_path / "backup.csv")
    fresh = fresh_history_db(history, tmp_path)
    result = history.ok("import", str(tmp_path / "backup.csv"), db=fresh)
    assert "9" in result.out
    copied = history_json(history, fresh)
    assert without_ids(copied) == without_ids(original)
    assert any(r["voided"] for r in copied) and any(r["already_taken"] for r in copied)
    # and its export is the same file again
    assert export_csv(history, tmp_path / "again.csv", db=fresh) == exported


@pytest.mark.slow
def test_round_trip_when_the_new_ids_differ(history, tmp_path: Path):
    """The void is re-applied to the dose it cancels, whatever id that dose gets now."""
    original = history_json(history)
    export_csv(history, tmp_path / "backup.csv")
    fresh = fresh_history_db(history, tmp_path)
    history.ok("log", "--note", "before the import", now="2026-10-05T22:30+02:00", db=fresh)
    history.ok("import", str(tmp_path / "backup.csv"), db=fresh)
    copied = history_json(history, fresh)
    assert copied[0]["note"] == "before the import"
    assert [r["id"] for r in copied[1:]] != [r["id"] for r in original]
    assert without_ids(copied[1:]) == without_ids(original)


@pytest.mark.slow
def test_importing_the_same_file_twice_adds_nothing(history, tmp_path: Path):
    export_csv(history, tmp_path / "backup.csv")
    fresh = fresh_history_db(history, tmp_path)
    first = history.ok("import", str(tmp_path / "backup.csv"), db=fresh)
    after_first = history_json(history, fresh)
    second = history.ok("import", str(tmp_path / "backup.csv"), db=fresh)
    assert "Imported 9 record(s)" in first.out
    assert "Imported 0 record(s)" in second.out and "9 already present" in second.out
    assert history_json(history, fresh) == after_first
    # and into the database it came from
    again = history.ok("import", str(tmp_path / "backup.csv"))
    assert "Imported 0 record(s)" in again.out


# -- refusals and bad files ------------------------------------------------------------------------


def _with_row(data: bytes, row: list[str]) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerow(row)
    return data + text.getvalue().encode("utf-8")


def csv_row(**values: str) -> list[str]:
    """A row in the column order of medtrack's CSV (missing columns empty)."""
    return [values.get(column, "") for column in COLUMNS]


SECOND_DOSE = csv_row(id="10", kind="dose", night="2026-10-29", time="2026-10-29T23:00:00+01:00",
                      zone="Europe/Berlin", dose_mg="0.75", scheduled_mg="0.75", status="taken",
                      already_taken="no", note="a second dose")
ABOVE_SCHEDULE = csv_row(id="10", kind="dose", night="2026-10-28", time="2026-10-28T22:30:00+01:00",
                         zone="Europe/Berlin", dose_mg="2", scheduled_mg="0.75", status="taken",
                         already_taken="no", note="more than scheduled")
SKIP_AFTER_DOSE = csv_row(id="10", kind="skip", night="2026-10-29", time="2026-10-29T23:00:00+01:00",
                          zone="Europe/Berlin", scheduled_mg="0.75", status="skipped",
                          already_taken="no", note="skipped after all")


@pytest.mark.parametrize("row", [SECOND_DOSE, ABOVE_SCHEDULE, SKIP_AFTER_DOSE],
                         ids=["second-dose", "above-schedule", "skip-after-dose"])
@pytest.mark.slow
def test_a_row_the_rules_refuse_stops_the_import_with_nothing_written(history, tmp_path: Path, row):
    crafted = tmp_path / "crafted.csv"
    crafted.write_bytes(_with_row(export_csv(history, tmp_path / "backup.csv"), row))
    fresh = fresh_history_db(history, tmp_path)
    result = history("import", str(crafted), db=fresh)
    assert result.code == 3, result
    assert "row 11" in result.err
    assert history_json(history, fresh) == []  # not even the 9 good rows before it


@pytest.mark.slow
def test_a_refused_dose_recorded_as_already_taken_is_imported(history, tmp_path: Path):
    crafted = tmp_path / "crafted.csv"
    row = list(SECOND_DOSE)
    row[COLUMNS.index("already_taken")] = "yes"
    crafted.write_bytes(_with_row(export_csv(history, tmp_path / "backup.csv"), row))
    fresh = fresh_history_db(history, tmp_path)
    history.ok("import", str(crafted), db=fresh)
    copied = history_json(history, fresh)
    assert without_ids(copied[:-1]) == without_ids(history_json(history))  # the 8 doses and skips
    last = copied[-1]
    assert last["already_taken"] is True and last["rule_broken"] == "one-dose-per-night"
    assert last["note"] == "a second dose"


def _edit(data: bytes, number: int, column: str, value: str) -> bytes:
    rows = rows_of(data)
    rows[number - 1][COLUMNS.index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _drop_cell(data: bytes, number: int, extra: bool = False) -> bytes:
    rows = rows_of(data)
    rows[number - 1] = rows[number - 1] + [""] if extra else rows[number - 1][:-1]
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


BAD_FILES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "wrong-header": (lambda d: _edit(d, 1, "note", "notes"), "row 1"),
    "no-header": (lambda d: b"", "row 1"),
    "bad-night": (lambda d: _edit(d, 4, "night", "2026-02-30"), "row 4"),
    "bad-time": (lambda d: _edit(d, 5, "time", "yesterday"), "row 5"),
    "time-without-offset": (lambda d: _edit(d, 5, "time", "2026-10-25T22:30:00"), "row 5"),
    "cell-missing": (lambda d: _drop_cell(d, 3), "row 3"),
    "cell-added": (lambda d: _drop_cell(d, 9, extra=True), "row 9"),
    "bad-kind": (lambda d: _edit(d, 6, "kind", "pill"), "row 6"),
    "bad-dose": (lambda d: _edit(d, 2, "dose_mg", "lots"), "row 2"),
    "bad-already-taken": (lambda d: _edit(d, 2, "already_taken", "maybe"), "row 2"),
    "void-without-target": (lambda d: _edit(d, 7, "voids", ""), "row 7"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
@pytest.mark.slow
def test_a_bad_file_is_exit_2_naming_the_row_and_writes_nothing(history, tmp_path: Path, name: str):
    spoil, words = BAD_FILES[name]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(spoil(export_csv(history, tmp_path / "backup.csv")))
    fresh = fresh_history_db(history, tmp_path)
    result = history("import", str(bad), db=fresh)
    assert result.code == 2, result
    assert words in result.err, result
    assert history_json(history, fresh) == []


def test_a_file_that_is_not_utf8_names_the_row(history, tmp_path: Path):
    data = export_csv(history, tmp_path / "backup.csv")
    lines = data.split(b"\r\n")
    lines[3] = lines[3].replace(b"quoted", "quot\xe9d".encode("latin-1"))  # row 4: record #3
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"\r\n".join(lines))
    fresh = fresh_history_db(history, tmp_path)
    result = history("import", str(bad), db=fresh)
    assert result.code == 2, result
    assert history_json(history, fresh) == []
    assert "row 4" in result.err, result


def test_a_file_that_is_not_utf8_is_bad_input_and_writes_nothing(history, tmp_path: Path):
    data = export_csv(history, tmp_path / "backup.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(data.replace(NOTE_ACCENTS.encode(), "Müdigkeit".encode("latin-1")))
    fresh = fresh_history_db(history, tmp_path)
    result = history("import", str(bad), db=fresh)
    assert result.code == 2 and "UTF-8" in result.err, result
    assert history_json(history, fresh) == []


def test_importing_a_missing_file_is_bad_input(patient, tmp_path: Path):
    result = patient("import", str(tmp_path / "nowhere.csv"))
    assert result.code == 2, result


# -- issue 10: zone and rule, the BOM, imported history, the earlier layout --------------------


def test_the_csv_carries_zone_and_rule_and_a_void_as_not_taken(history, tmp_path: Path):
    header, *body = rows_of(export_csv(history, tmp_path / "report.csv"))
    rows = [dict(zip(header, r, strict=True)) for r in body]
    assert {r["zone"] for r in rows} == {"Europe/Berlin"}
    late = next(r for r in rows if r["already_taken"] == "yes")
    assert late["rule"] == "dose-window"
    assert all(r["rule"] == "" for r in rows if r["already_taken"] == "no")
    assert next(r for r in rows if r["kind"] == "void")["status"] == "void, not taken"


def test_the_round_trip_keeps_rule_zone_and_not_taken(history, tmp_path: Path):
    data = export_csv(history, tmp_path / "backup.csv")
    fresh = fresh_history_db(history, tmp_path)
    (tmp_path / "import.csv").write_bytes(data)
    history.ok("import", str(tmp_path / "import.csv"), db=fresh)
    assert without_ids(history_json(history, fresh)) == without_ids(history_json(history))
    again = export_csv(history, tmp_path / "again.csv", db=fresh)
    assert rows_of(again)[1:] == rows_of(data)[1:]  # the same rows, ids included


@pytest.mark.slow
def test_an_export_in_the_earlier_layout_still_imports(history, tmp_path: Path):
    """Files written before the zone and rule columns (no BOM either) come back too."""
    from medtrack.export.csv_export import EARLIER_COLUMNS

    header, *body = rows_of(export_csv(history, tmp_path / "backup.csv"))
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(EARLIER_COLUMNS)
    for row in body:
        cells = dict(zip(header, row, strict=True))
        writer.writerow([cells[c] for c in EARLIER_COLUMNS])
    (tmp_path / "old.csv").write_bytes(out.getvalue().encode("utf-8"))
    fresh = fresh_history_db(history, tmp_path)
    history.ok("import", str(tmp_path / "old.csv"), db=fresh)
    assert [(r["night"], r["dose_mg"], r["voided"]) for r in history_json(history, fresh)] == [
        (r["night"], r["dose_mg"], r["voided"]) for r in history_json(history)]


def test_history_imports_into_a_profile_without_that_prescription(history, run, tmp_path: Path):
    """A new database with only a profile: the rows become imported history, flagged as such,
    and still only one dose a night (issue 10)."""
    data = export_csv(history, tmp_path / "backup.csv")
    (tmp_path / "import.csv").write_bytes(data)
    bare = tmp_path / "bare.db"
    run.ok("init", "--name", "Zoë Ångström", "--born", "1961-11-10", "--tz", "Europe/Berlin",
           now="2026-10-01T12:00+02:00", db=bare)
    result = run.ok("import", str(tmp_path / "import.csv"), db=bare)
    assert "Imported 9 record(s)" in result.out
    copied = history_json(run, bare)
    assert all(r["imported"] for r in copied)
    assert [(r["night"], r["dose_mg"], r["voided"]) for r in copied] == [
        (r["night"], r["dose_mg"], r["voided"]) for r in history_json(history)]
    assert "imported" in run.ok("history", db=bare).out
    # a second dose on an imported night is still refused, also as imported history
    crafted = tmp_path / "crafted.csv"
    crafted.write_bytes(_with_row(data, SECOND_DOSE))
    bare2 = tmp_path / "bare2.db"
    run.ok("init", "--name", "Zoë", "--born", "1961-11-10", "--tz", "Europe/Berlin",
           now="2026-10-01T12:00+02:00", db=bare2)
    refused = run("import", str(crafted), db=bare2)
    assert refused.code == 3 and "one dose per night" in refused.err
    assert history_json(run, bare2) == []
