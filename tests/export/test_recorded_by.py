"""Who entered each record and symptom, in every export that shows history (CSV, XLSX, PDF, FHIR),
and read back by `import`: a file's names are kept, whoever imports it; a file without them (or a
row entered before medtrack kept them) is entered by the importer. The iCalendar is a schedule,
not a history: it names nobody.

The standard patient (tests/conftest.py) logs the night of 11-24 with --by, the night of 11-25
and a symptom with MEDTRACK_USER; everything else is entered by the default recorder the runner
sets (MEDTRACK_USER), never by the machine's login name.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from exporthist import build_plan
from openpyxl import load_workbook
from test_csv_export_import import rows_of
from test_fhir_export import validate_with_r4b
from test_pdf import lines_of, make_data, render
from test_xlsx_export import table

from medtrack.export.csv_export import BEFORE_RECORDER, COLUMNS
from medtrack.export.fhir import bundle

KIM, LEE = "Nurse Kim", "Nurse Lee"
IMPORTER = "Importer"
EXPORT_AT = "2026-11-26T12:00+01:00"


def recorder() -> str:
    """Who enters a record without --by in these tests (tests/conftest.py sets MEDTRACK_USER)."""
    return os.environ["MEDTRACK_USER"]


@pytest.fixture
def ward(patient):
    """#1 the night of 11-24 by Kim (--by); #2 the night of 11-25 by Lee (MEDTRACK_USER), a
    headache by Lee the next morning; #3 a skip of 11-23 by the default recorder."""
    default = recorder()
    patient.ok("log", "--by", KIM, now="2026-11-24T22:40+01:00")
    patient.monkeypatch.setenv("MEDTRACK_USER", LEE)
    patient.ok("log", now="2026-11-25T22:40+01:00")
    patient.ok("symptom", "headache", "--severity", "2", now="2026-11-26T08:00+01:00")
    patient.monkeypatch.setenv("MEDTRACK_USER", default)
    patient.ok("skip", "--night", "2026-11-23", now="2026-11-26T08:05+01:00")
    patient.now = EXPORT_AT
    return patient


def export(run: Any, fmt: str, path: Path, *extra: str, db: Path | None = None) -> bytes:
    run.ok("export", "--format", fmt, "-o", str(path), "--force", *extra, **({"db": db} if db else {}))
    return path.read_bytes()


def csv_records(data: bytes) -> list[dict[str, str]]:
    header, *body = rows_of(data)
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.mark.slow
def test_history_json_names_them(ward):
    assert [(r["id"], r["recorded_by"]) for r in ward.ok("history", "--json").json()] == [
        (3, recorder()), (1, KIM), (2, LEE)]


@pytest.mark.slow
def test_the_csv_names_them_in_a_last_column(ward, tmp_path: Path):
    data = export(ward, "csv", tmp_path / "h.csv")
    assert tuple(rows_of(data)[0]) == COLUMNS and COLUMNS[-1] == "recorded_by"
    assert COLUMNS[:-1] == BEFORE_RECORDER  # the earlier columns keep their places
    assert [(r["id"], r["recorded_by"]) for r in csv_records(data)] == [("1", KIM), ("2", LEE), ("3", recorder())]


@pytest.mark.slow
def test_the_workbook_names_them_on_records_and_symptoms(ward, tmp_path: Path):
    export(ward, "xlsx", tmp_path / "h.xlsx")
    book = load_workbook(tmp_path / "h.xlsx")
    assert [(r["id"], r["recorded by"]) for r in table(book["Records"])] == [(3, recorder()), (1, KIM), (2, LEE)]
    assert [(r["symptom"], r["recorded by"]) for r in table(book["Symptoms"])] == [("Headache", LEE)]
    assert all(row[-1].data_type == "s" for row in book["Records"].iter_rows(min_row=2))


@pytest.mark.slow
def test_the_pdf_names_them_beside_each_record_and_symptom(ward, tmp_path: Path):
    lines = lines_of(export(ward, "pdf", tmp_path / "h.pdf"), tmp_path)
    assert "# Night Local time Dose Sched. Status Flags By Note" in lines
    assert f"1 2026-11-24 2026-11-24 22:40 1 mg 1 mg taken {KIM}" in lines
    assert f"2 2026-11-25 2026-11-25 22:40 1 mg 1 mg taken {LEE}" in lines
    assert f"3 2026-11-23 2026-11-26 08:05 1 mg skipped {recorder()}" in lines
    assert f"2026-11-26 08:00 Headache 2/5 no {LEE}" in lines


@pytest.mark.slow
def test_fhir_names_the_performer_and_who_observed(ward, tmp_path: Path):
    raw = export(ward, "fhir", tmp_path / "h.json")
    data = json.loads(raw)
    validate_with_r4b(raw, data)
    found = {e["resource"]["identifier"][0]["value"]: e["resource"] for e in data["entry"]
             if e["resource"]["resourceType"] == "MedicationAdministration"}
    assert {n: r["performer"] for n, r in found.items()} == {
        "1": [{"actor": {"display": KIM}}], "2": [{"actor": {"display": LEE}}],
        "3": [{"actor": {"display": recorder()}}]}
    (headache,) = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert headache["performer"] == [{"display": LEE}]


@pytest.mark.slow
def test_the_calendar_names_nobody(ward, tmp_path: Path):
    text = export(ward, "ics", tmp_path / "h.ics").decode("utf-8")
    assert KIM not in text and LEE not in text


# -- not known: entered before medtrack kept who ------------------------------------------------------


def test_fhir_leaves_out_whom_it_does_not_know():
    """The report's November data: the skip and the headache were entered by someone not known."""
    data = make_data()
    made = bundle(data)
    validate_with_r4b(json.dumps(made).encode(), made)
    by_id = {r.id: r for r in data.records}
    symptoms = {s.name: s for s in data.symptoms}
    for entry in made["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "MedicationAdministration":
            record = by_id[int(resource["identifier"][0]["value"])]
            assert ("performer" in resource) == (record.recorded_by is not None), record
        elif resource["resourceType"] == "Observation":
            symptom = symptoms[resource["code"]["text"]]
            assert resource.get("performer") == ([{"display": symptom.recorded_by}] if symptom.recorded_by else None)
        elif resource["resourceType"] == "AdverseEvent":
            symptom = symptoms[resource["event"]["text"]]
            assert resource.get("recorder") == ({"display": symptom.recorded_by} if symptom.recorded_by else None)
    kinds = {e["resource"]["resourceType"] for e in made["entry"]}
    assert {"Observation", "AdverseEvent"} <= kinds


@pytest.mark.slow
def test_the_pdf_says_not_known(tmp_path: Path):
    data = make_data()
    unknown = dataclasses.replace(data.records[0], recorded_by=None)
    lines = lines_of(render(dataclasses.replace(data, records=(unknown,))), tmp_path)
    assert "1 2026-11-01 2026-11-01 22:30 1 mg 1 mg taken not known" in lines


# -- import -------------------------------------------------------------------------------------------


def fresh_db(run: Any, tmp_path: Path) -> Path:
    """The standard patient's profile and prescription, in a new database."""
    fresh = tmp_path / "fresh.db"
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           "--bedtime", "22:30", "--wake", "06:30", now="2026-11-01T12:00+01:00", db=fresh)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now="2026-11-01T12:00+01:00", db=fresh)
    return fresh


def imported(run: Any, tmp_path: Path, data: bytes) -> list[tuple[str, str | None]]:
    """Import `data` as IMPORTER into a fresh database: each record's night and who entered it."""
    (tmp_path / "in.csv").write_bytes(data)
    fresh = fresh_db(run, tmp_path)
    run.monkeypatch.setenv("MEDTRACK_USER", IMPORTER)
    run.ok("import", str(tmp_path / "in.csv"), db=fresh)
    return [(r["night"], r["recorded_by"]) for r in run.ok("history", "--json", db=fresh).json()]


@pytest.mark.slow
def test_import_keeps_who_entered_each_record(ward, tmp_path: Path):
    data, default = export(ward, "csv", tmp_path / "h.csv"), recorder()
    assert imported(ward, tmp_path, data) == [("2026-11-23", default), ("2026-11-24", KIM), ("2026-11-25", LEE)]


@pytest.mark.slow
def test_a_void_keeps_who_entered_it_too(history, tmp_path: Path):
    """The fixed history: the void #6 was entered by Nurse Kim; the record it voids was not."""
    data = export(history, "csv", tmp_path / "h.csv")
    (tmp_path / "in.csv").write_bytes(data)
    fresh = tmp_path / "fresh.db"
    build_plan(history, fresh)
    history.monkeypatch.setenv("MEDTRACK_USER", IMPORTER)
    history.ok("import", str(tmp_path / "in.csv"), db=fresh)
    again = csv_records(export(history, "csv", tmp_path / "again.csv", db=fresh))
    assert [(r["kind"], r["recorded_by"]) for r in again] == [
        (r["kind"], r["recorded_by"]) for r in csv_records(data)]
    assert ("void", "Nurse Kim") in [(r["kind"], r["recorded_by"]) for r in again]


def _rewrite(data: bytes, columns: tuple[str, ...], **changed: str) -> bytes:
    """The export with only `columns`, and the named cells of every row changed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in csv_records(data):
        writer.writerow([changed.get(c, row[c]) for c in columns])
    return out.getvalue().encode("utf-8")


@pytest.mark.slow
def test_a_file_from_before_the_column_is_entered_by_the_importer(ward, tmp_path: Path):
    data = _rewrite(export(ward, "csv", tmp_path / "h.csv"), BEFORE_RECORDER)
    assert [who for _, who in imported(ward, tmp_path, data)] == [IMPORTER] * 3


@pytest.mark.slow
def test_an_empty_cell_is_entered_by_the_importer(ward, tmp_path: Path):
    data = _rewrite(export(ward, "csv", tmp_path / "h.csv"), COLUMNS, recorded_by="  ")
    assert [who for _, who in imported(ward, tmp_path, data)] == [IMPORTER] * 3


@pytest.mark.slow
def test_a_name_like_a_formula_is_neutralised_and_comes_back(patient, tmp_path: Path):
    name = '=HYPERLINK("x")'
    patient.ok("log", f"--by={name}", now="2026-11-24T22:40+01:00")
    data = export(patient, "csv", tmp_path / "h.csv")
    assert csv_records(data)[0]["recorded_by"] == "'" + name
    assert imported(patient, tmp_path, data) == [("2026-11-24", name)]
