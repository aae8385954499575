"""XLSX export read back with openpyxl (the independent reader): sheets, types, text kept as typed.

Uses the fixed small history of exporthist.py (exported at 2026-10-30 12:00 Berlin) and, for
notes that look like numbers, dates or formulas, the standard patient of tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from exporthist import END_OF_TAPER, NOTE_FORMULA, STEPS, check_golden
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

TRICKY = ["0042", "1/2", "=1+1", "3.10", "1e5", "TRUE", "2026-11-05", "+49 30 1234"]


def export_xlsx(run: Any, path: Path, *extra: str) -> Any:
    run.ok("export", "--format", "xlsx", "-o", str(path), *extra)
    return load_workbook(path)  # not read-only: cell types and number formats are checked


def table(sheet: Any) -> list[dict[str, Any]]:
    head = [c.value for c in sheet[1]]
    return [dict(zip(head, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def book(history, tmp_path: Path) -> Any:
    return export_xlsx(history, tmp_path / "report.xlsx")


@pytest.mark.slow
def test_the_workbook_has_the_four_sheets_with_frozen_headers(book):
    assert set(book.sheetnames) == {"Records", "Symptoms", "Plan", "Summary"}
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        widths = [sheet.column_dimensions[c].width for c in "AB"]
        assert all(w and w >= 8 for w in widths), sheet.title


@pytest.mark.slow
def test_doses_are_numbers_and_nights_are_dates(book):
    rows = table(book["Records"])
    doses = [r for r in rows if r["kind"] == "dose"]
    assert [r["dose_mg"] for r in doses][:3] == [1, 0.75, 0.75]
    assert all(isinstance(r["dose_mg"], (int, float)) for r in doses)
    assert all(isinstance(r["night"], dt.datetime) for r in rows)  # a date cell
    assert rows[0]["night"].date() == dt.date(2026, 10, 20)
    assert rows[0]["time"] == dt.datetime(2026, 10, 20, 22, 35) and rows[0]["zone"] == "Europe/Berlin"
    late = next(r for r in rows if r["already_taken"] == "yes")
    assert late["rule"] == "dose-window"


@pytest.mark.slow
def test_the_records_are_sorted_by_night_with_the_void_beside_its_dose(book):
    rows = table(book["Records"])
    assert [r["night"] for r in rows] == sorted(r["night"] for r in rows)
    void = next(i for i, r in enumerate(rows) if r["kind"] == "void")
    assert rows[void - 1]["id"] == rows[void]["voids"]
    assert rows[void]["status"] == "void, not taken"


def test_a_formula_note_stays_text(book):
    cells = [row[11] for row in book["Records"].iter_rows(min_row=2)]
    formula = next(c for c in cells if c.value == NOTE_FORMULA)
    assert formula.data_type == "s"


@pytest.mark.slow
def test_notes_that_look_like_numbers_dates_or_formulas_stay_as_typed(patient, tmp_path: Path):
    for day, note in enumerate(TRICKY, start=1):
        patient.ok("log", f"--note={note}", now=f"2026-11-{day:02d}T22:30+01:00")
    book = export_xlsx(patient, tmp_path / "notes.xlsx")
    cells = [row[11] for row in book["Records"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == TRICKY
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.slow
def test_the_plan_sheet_lists_every_version_with_its_steps_who_when_and_why(book):
    rows = table(book["Plan"])
    versions = {r["version"] for r in rows}
    assert versions == {"prescription", "plan v1", "plan v2"}
    v2 = [r for r in rows if r["version"] == "plan v2"]
    assert [(r["from night"].date().isoformat(), r["dose_mg"]) for r in v2] == [
        (start, dose) for start, _, dose in STEPS] + [(END_OF_TAPER, 0)]  # the final 0 mg step
    assert v2[0]["why"] == "withdrawal symptoms: sleeps badly"
    assert v2[0]["by"] == "Dr. Weiß" and isinstance(v2[0]["written (UTC)"], dt.datetime)
    assert v2[0]["in force from"].date() == dt.date(2026, 10, 28)


@pytest.mark.slow
def test_symptoms_and_the_summary(book):
    symptoms = table(book["Symptoms"])
    assert [s["severity"] for s in symptoms] == [4, 3]
    assert [s["urgent"] for s in symptoms] == ["no", "yes"]
    summary = {r["what"]: r["value"] for r in table(book["Summary"])}
    assert summary["patient"] == "Zoë Ångström"
    assert summary["voided"] == 1 and summary["already taken"] == 1
    assert summary["urgent symptoms"] == 1


def rendered(book: Any) -> bytes:
    """What a reader of the workbook sees, one line a cell: value, type, number format, bold,
    fill and the quote prefix; each sheet's frozen panes and column widths (the properties'
    `modified`, openpyxl's save time on this machine's clock, is left out)."""
    lines = [f"sheets {book.sheetnames}; created {book.properties.created}; by {book.properties.creator}"]
    for sheet in book.worksheets:
        widths = {letter: d.width for letter, d in sorted(sheet.column_dimensions.items())}
        lines.append(f"== {sheet.title} {sheet.dimensions} frozen {sheet.freeze_panes} widths {widths}")
        for row in sheet.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.fill_type else "-"
                lines.append(f"{c.coordinate} {c.value!r} {c.data_type} {c.number_format!r} "
                             f"bold={c.font.b} fill={fill} quoted={c.quotePrefix}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.slow
def test_the_workbook_matches_the_golden_rendering(book):
    """Every cell as openpyxl reads it back; made by the writer before it stopped asking the
    sheet for its size once a row, and unchanged since."""
    check_golden("history.xlsx.txt", rendered(book))


SIZE_READS = ("max_row", "max_column", "min_row", "min_column")  # each reads every cell


@pytest.mark.slow
def test_the_writer_never_asks_a_sheet_for_its_size_once_a_row(history, tmp_path: Path):
    """Linear time without a timer: a sheet is asked for its size (a read of every cell) as
    often for the whole history as for two nights of it: not once a row (today, never)."""
    asked = [0]

    def counting(read: property) -> property:
        def counted(sheet: Worksheet) -> Any:
            asked[0] += 1
            return read.__get__(sheet)
        return property(counted)

    reads = {}
    with pytest.MonkeyPatch.context() as patch:
        for name in SIZE_READS:
            patch.setattr(Worksheet, name, counting(getattr(Worksheet, name)))
        for label, period in (("all", ()), ("part", ("--from", "2026-10-24", "--to", "2026-10-25"))):
            asked[0] = 0
            history.ok("export", "--format", "xlsx", "-o", str(tmp_path / f"{label}.xlsx"), *period)
            reads[label] = asked[0]
    rows = {label: len(table(load_workbook(tmp_path / f"{label}.xlsx")["Records"])) for label in reads}
    assert rows["all"] >= 2 * rows["part"] > 0
    assert reads["all"] == reads["part"]


def test_xlsx_needs_a_file_name_ending_in_xlsx(history, tmp_path: Path):
    wrong = history("export", "--format", "xlsx", "-o", str(tmp_path / "report.csv"))
    assert wrong.code == 2 and ".xlsx" in wrong.err
    stdout = history("export", "--format", "xlsx", "-o", "-")
    assert stdout.code == 2 and not (tmp_path / "report.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "fhir", "ics"])
@pytest.mark.slow
def test_text_formats_go_to_stdout_with_dash(history, tmp_path: Path, fmt: str, monkeypatch):
    name = {"csv": "r.csv", "fhir": "r.json", "ics": "r.ics"}[fmt]
    history.ok("export", "--format", fmt, "-o", str(tmp_path / name))
    monkeypatch.chdir(tmp_path)
    printed = history.ok("export", "--format", fmt, "-o", "-").out
    assert printed == (tmp_path / name).read_bytes().decode("utf-8")  # the same bytes
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("fmt", "name"), [("pdf", "report.csv"), ("csv", "report.pdf"),
                                           ("fhir", "report.ics"), ("ics", "report.json")])
def test_the_format_and_the_file_name_must_agree(history, tmp_path: Path, fmt: str, name: str):
    result = history("export", "--format", fmt, "-o", str(tmp_path / name))
    assert result.code == 2 and "does not fit" in result.err
    assert not (tmp_path / name).exists()
