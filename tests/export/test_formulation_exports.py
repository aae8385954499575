"""Formulations, dispensing, stock and the end of the taper in the exports (issue 11).

The patient (built once through the real CLI, then copied): Berlin, 0.5 mg from the night of
2026-10-01 made from 1 mg tablets (halves) and 0.5 mg tablets (quarters); 30 × 1 mg tablets
added before the first night; 31 nights logged (½ tablet of 1 mg each). On the morning of
2026-10-31, after 30 nights, 15 tablets are expected and 13 counted: off by 2, flagged. Then a
10 % plan from 0.5 mg every 14 days from 2026-11-01 (0.5, 0.375, 0.25, 0.125 mg, then 0),
saved with the preview's warnings. Exports are made at 2026-11-01 20:00 CET.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar
from openpyxl import load_workbook

from medtrack.services.export import gather
from medtrack.storage.database import Database

SET_UP = "2026-09-30T12:00+02:00"
COUNTED_AT = "2026-10-31T10:00+01:00"
PLANNED_AT = "2026-10-31T11:00+01:00"
EXPORT_AT = "2026-11-01T20:00+01:00"
TABLETS = ("--tablet", "1mg:half", "--tablet", "0.5mg:quarter")
FORMULATION = "1 mg tablet (halves allowed), 0.5 mg tablet (quarters allowed)"
FLAGGED_ROW = (250, 222, 220)

_TEMPLATE: dict[str, bytes] = {}


def _night(day: int) -> str:
    """22:30 on an October night, with the offset of the day (CET from the 25th)."""
    return f"2026-10-{day:02d}T22:30{'+01:00' if day >= 25 else '+02:00'}"


def build(run: Any) -> None:
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           "--bedtime", "22:30", "--wake", "06:30", now=SET_UP)
    run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-10-01",
           *TABLETS, now=SET_UP)
    run.ok("stock", "add", "30x1mg", "--note", "pharmacy", now=SET_UP)
    for day in range(1, 31):
        run.ok("log", now=_night(day))
    counted = run.ok("stock", "count", "13x1mg", "--note", "carer count", now=COUNTED_AT)
    assert "differs" in counted.out  # 15 expected: flagged
    run.ok("taper", "set", "--start", "2026-11-01", "--from", "0.5mg", "--step", "10%", "--every", "14d",
           "--prescriber", "Dr. Weiss", now=PLANNED_AT)
    run.ok("log", now=_night(31))


@pytest.fixture
def stocked(run: Any) -> Any:
    """`run` on a database holding the patient above (built once, then copied)."""
    if "db" in _TEMPLATE:
        fd = os.open(run.db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_TEMPLATE["db"])
    else:
        build(run)
        run.close()
        if not Path(f"{run.db}-wal").exists():
            _TEMPLATE["db"] = run.db.read_bytes()
    run.now = EXPORT_AT
    return run


def export(run: Any, fmt: str, path: Path) -> bytes:
    run.ok("export", "--format", fmt, "-o", str(path))
    return path.read_bytes()


def pdftotext(path: Path, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8", "replace")


def flat(text: str) -> str:
    return " ".join(text.split())


def layout_lines(path: Path) -> list[str]:
    return [flat(line) for line in pdftotext(path, "-layout").splitlines() if line.strip()]


def saved_warnings(run: Any) -> list[str]:
    (version,) = run.ok("taper", "history", "--json").json()
    assert version["warnings"], "the plan was saved with the preview's warnings"
    return [w["text"] for w in version["warnings"]]


# -- the data the exporters get ----------------------------------------------------------


@pytest.mark.slow
def test_gather_carries_the_stock_and_dispensing_as_the_cli_shows_them(stocked):
    data = gather(Database(stocked.db), dt.datetime.fromisoformat(EXPORT_AT))
    assert [e.kind for e in data.stock_entries] == ["add", "count"]
    count = data.stock_entries[1]
    assert (count.amount, count.expected, count.flagged) == (13 * 4, 15 * 4, True)  # quarter tablets
    assert data.stock is not None and data.dispensing is not None
    (level,) = data.stock.levels
    assert level.key == ("tablet", 1000) and level.amount == 12 * 4 + 2  # 12.5 tablets after the 31st night
    shown = stocked.ok("taper", "show", "--json").json()["dispense"]
    assert [n.to_json() if n else None for _, n in data.dispensing.per_step] == shown["per_step"]
    assert data.dispensing.upcoming.to_json() == shown["next"]
    assert data.completion is None


# -- PDF -----------------------------------------------------------------------------------


@pytest.fixture
def pdf(stocked, tmp_path: Path) -> Path:
    path = tmp_path / "report.pdf"
    export(stocked, "pdf", path)
    return path


def test_the_pdf_gives_each_dose_as_taken(pdf: Path):
    first = flat(pdftotext(pdf, "-f", "1", "-l", "1"))
    assert "Tonight 2026-11-01: 0.5 mg (½ tablet of 1 mg), step 1 of 5" in first
    assert "Next step 0.375 mg (¾ tablet of 0.5 mg) from 2026-11-15" in first
    lines = layout_lines(pdf)
    assert f"Made from {FORMULATION}" in lines
    assert "1 2026-11-01 2026-11-14 0.5 mg ½ tablet of 1 mg ◀ tonight" in lines
    assert "2 2026-11-15 2026-11-28 0.375 mg ¾ tablet of 0.5 mg" in lines
    assert "4 2026-12-13 2026-12-26 0.125 mg ¼ tablet of 0.5 mg" in lines
    assert "5 2026-12-27 onwards 0 mg (stopped) none" in lines
    assert "Taper complete" not in first  # a plan still running


def test_the_pdf_shows_each_versions_formulation_and_the_warnings_the_prescriber_saw(stocked, pdf: Path):
    """Under the version's row, the warnings its prescriber saw, each starting a line of its own
    (a long one goes on on the next line, never beside another)."""
    text = flat(pdftotext(pdf))
    saw = text[text.index("Warnings the prescriber saw:"):text.index("To dispense")]
    warnings = saved_warnings(stocked)
    for warning in warnings:
        assert f"! {warning}" in saw
    lines = layout_lines(pdf)
    assert "Version When By Formulation Change Reason" in lines
    assert "1 2026-10-31 11:00 Dr. Weiss 1 mg tablet (halves allowed), 0.5 created" in lines
    marked = [line for line in lines if line.startswith("! ")]
    assert len(marked) == len(warnings)
    for line, warning in zip(marked, warnings, strict=True):
        assert warning.startswith(line[2:]), (line, warning)


@pytest.mark.slow
def test_the_pdf_says_what_to_dispense_with_the_numbers_of_taper_show(stocked, pdf: Path):
    lines = layout_lines(pdf)
    assert "1 2026-11-01 2026-11-14 14 0.5 mg 7 × 1 mg tablets" in lines
    assert "2 2026-11-15 2026-11-28 14 0.375 mg 11 × 0.5 mg tablets" in lines  # 10.5 rounded up
    assert "3 2026-11-29 2026-12-12 14 0.25 mg 7 × 0.5 mg tablets" in lines
    assert "4 2026-12-13 2026-12-26 14 0.125 mg 4 × 0.5 mg tablets" in lines  # 3.5 rounded up
    assert ("Next 28 nights 7 × 1 mg tablets + 11 × 0.5 mg tablets (the nights of 2026-11-01 to 2026-11-28)"
            in lines)
    shown = stocked.ok("taper", "show").out
    assert "step 2 (2026-11-15 to 2026-11-28): 11 × 0.5 mg tablets" in shown
    assert "For the next 28 nights from 2026-11-01: 7 × 1 mg tablets + 11 × 0.5 mg tablets" in shown


@pytest.mark.slow
def test_the_pdf_shows_the_stock_and_every_count_the_flagged_one_on_page_one(stocked, pdf: Path):
    first = flat(pdftotext(pdf, "-f", "1", "-l", "1"))
    assert ("2026-10-30 Stock count off: 13 × 1 mg tablets counted at 2026-10-31 10:00, 15 × 1 mg tablets "
            "expected: carer count") in first
    assert "Exceptions (1), the newest first" in first  # nothing else: every night was logged
    text = flat(pdftotext(pdf))
    stock = text[text.index("Stock Left now"):text.index("Symptom journal")]
    assert "Left now 12.5 × 1 mg tablets" in stock
    assert "Lasts to the end of the plan (56 more nights)" in stock
    assert "Flagged 1 count off by more than half a tablet" in stock
    assert "Not in stock 0.5 mg tablets: the plan uses them" in stock
    assert pdf.read_bytes() == export(stocked, "pdf", pdf.with_name("again.pdf"))  # the same bytes again
    lines = layout_lines(pdf)
    assert "2026-09-30 12:00 added 1 mg tablets 30 pharmacy" in lines
    assert "2026-10-31 10:00 count 1 mg tablets 13 15 2 tablets fewer: FLAGGED carer count" in lines


@pytest.mark.slow
def test_the_flagged_count_is_highlighted(pdf: Path, tmp_path: Path):
    pytest.importorskip("PIL")
    from PIL import Image

    boxes = pdftotext(pdf, "-bbox")
    pages = boxes.split("<page ")[1:]
    page, top = next((number, float(found.group(1))) for number, body in enumerate(pages, start=1)
                     if (found := re.search(r'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="[0-9.]+">FLAGGED</word>',
                                            body)))
    pharmacy = re.search(r'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="[0-9.]+">pharmacy</word>', pages[page - 1])
    assert pharmacy is not None
    added = float(pharmacy.group(1))
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    assert image.getpixel((44, round(top + 2))) == FLAGGED_ROW  # left of the row's text, inside its fill
    assert image.getpixel((44, round(added + 2))) == (255, 255, 255)


@pytest.mark.slow
def test_a_plan_that_reached_0_says_the_taper_is_complete(run, tmp_path: Path):
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP)
    run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-10-01", *TABLETS,
           now=SET_UP)
    run.ok("taper", "set", "--steps", "2026-10-01=0.5mg,2026-10-08=0.25mg,2026-10-15=0",
           "--prescriber", "Dr. Weiss", now=SET_UP)
    run.now = "2026-10-20T20:00+02:00"
    path = tmp_path / "done.pdf"
    export(run, "pdf", path)
    first = flat(pdftotext(path, "-f", "1", "-l", "1"))
    assert "Taper complete: no flunitrazepam since the night of 2026-10-15 (6 drug-free nights)" in first
    assert first.index("Taper complete") < first.index("Tonight 2026-10-20")
    book = load_workbook(io.BytesIO(export(run, "xlsx", tmp_path / "done.xlsx")))
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    complete = summary["taper complete since"]
    assert isinstance(complete, dt.datetime) and complete.date() == dt.date(2026, 10, 15)
    assert summary["drug-free nights"] == 6
    # a dose recorded after the end: the report does not claim none was taken
    run.ok("log", "0.25mg", "--already-taken", "--note", "could not sleep", now="2026-10-18T22:30+02:00")
    export(run, "pdf", path := tmp_path / "dosed.pdf")
    first = flat(pdftotext(path, "-f", "1", "-l", "1"))
    assert ("Taper complete since the night of 2026-10-15; the last dose was recorded on the night of "
            "2026-10-18 (2 drug-free nights since then)") in first


# -- XLSX -----------------------------------------------------------------------------------


def table(sheet: Any) -> list[dict[str, Any]]:
    head = [c.value for c in sheet[1]]
    return [dict(zip(head, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def book(stocked, tmp_path: Path) -> Any:
    export(stocked, "xlsx", tmp_path / "report.xlsx")
    return load_workbook(tmp_path / "report.xlsx")


def test_the_plan_sheet_gives_as_taken_formulation_and_warnings(stocked, book):
    rows = table(book["Plan"])
    plan = [r for r in rows if r["version"] == "plan v1"]
    assert [r["as taken"] for r in plan] == ["½ tablet of 1 mg", "¾ tablet of 0.5 mg", "½ tablet of 0.5 mg",
                                            "¼ tablet of 0.5 mg", None]  # the 0 mg step: nothing to take
    assert {r["formulation"] for r in rows} == {FORMULATION}
    assert plan[0]["warnings"] == "; ".join(saved_warnings(stocked))
    (prescription,) = [r for r in rows if r["version"] == "prescription"]
    assert prescription["as taken"] == "½ tablet of 1 mg" and prescription["warnings"] is None


def test_the_stock_sheet_lists_every_addition_and_count(book):
    sheet = book["Stock"]
    rows = table(sheet)
    assert [(r["kind"], r["what"], r["amount"], r["expected"], r["flagged"], r["note"]) for r in rows] == [
        ("add", "1 mg tablets", 30, None, "no", "pharmacy"),
        ("count", "1 mg tablets", 13, 15, "yes", "carer count")]
    assert rows[0]["date"] == dt.datetime(2026, 9, 30, 12, 0) and rows[1]["zone"] == "Europe/Berlin"
    assert sheet.freeze_panes == "A2"
    fills = [row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)]
    assert fills[1].endswith("FDE2E1") and not fills[0].endswith("FDE2E1")  # the flagged count stands out
    summary = {r["what"]: r["value"] for r in table(book["Summary"])}
    assert summary["stock left: 1 mg tablets"] == 12.5
    assert summary["flagged stock counts"] == 1


def test_the_records_sheet_gives_each_dose_as_taken(book):
    rows = table(book["Records"])
    assert len(rows) == 31
    assert {r["as taken"] for r in rows} == {"½ tablet of 1 mg"}


def test_a_history_without_a_formulation_has_no_as_taken_and_no_stock_sheet(history, tmp_path: Path):
    export(history, "xlsx", tmp_path / "plain.xlsx")
    plain = load_workbook(tmp_path / "plain.xlsx")
    assert "Stock" not in plain.sheetnames
    assert {r["as taken"] for r in table(plain["Records"])} == {None}
    assert {r["formulation"] for r in table(plain["Plan"])} == {None}


# -- FHIR -----------------------------------------------------------------------------------


def fhir(run: Any, tmp_path: Path, name: str = "bundle.json") -> dict[str, Any]:
    raw = export(run, "fhir", tmp_path / name)
    Bundle.model_validate_json(raw)
    bundle = json.loads(raw)
    assert isinstance(bundle, dict)
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    return bundle


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_names_the_tablets_and_each_dosage_as_taken(stocked, tmp_path: Path):
    bundle = fhir(stocked, tmp_path)
    (medication,) = resources(bundle, "Medication")
    assert medication["form"] == {"coding": [{"system": "http://snomed.info/sct", "code": "385055001",
                                              "display": "Tablet"}], "text": FORMULATION}
    (ingredient,) = medication["ingredient"]
    assert ingredient["itemCodeableConcept"]["coding"][0]["code"] == "N05CD03"
    assert "strength" not in ingredient  # two strengths: one would be wrong for the other
    prescription, plan = resources(bundle, "MedicationRequest")
    assert prescription["dosageInstruction"][0]["text"] == (
        "0.5 mg orally at bedtime, once a night (½ tablet of 1 mg)")
    assert [i["text"] for i in plan["dosageInstruction"]][1] == (
        "0.375 mg orally at bedtime, once a night (¾ tablet of 0.5 mg)")
    administration = resources(bundle, "MedicationAdministration")[0]
    assert administration["dosage"]["text"] == "½ tablet of 1 mg"


@pytest.mark.parametrize(("made_with", "form", "denominator", "per_unit"), [
    (("--tablet", "1mg:half"), "385055001",
     {"value": 1, "unit": "tablet", "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm",
      "code": "TAB"}, 1),
    (("--liquid", "0.1mg/ml"), "385023001",
     {"value": 1, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"}, 0.1),
])
def test_fhir_gives_the_strength_of_one_product(run, tmp_path: Path, made_with, form, denominator, per_unit):
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP)
    run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-10-01", *made_with,
           now=SET_UP)
    run.now = "2026-10-05T20:00+02:00"
    (medication,) = resources(fhir(run, tmp_path), "Medication")
    assert medication["form"]["coding"][0]["code"] == form
    (ingredient,) = medication["ingredient"]
    assert ingredient["strength"] == {
        "numerator": {"value": per_unit, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"},
        "denominator": denominator}


# -- iCalendar ----------------------------------------------------------------------------------


def test_the_calendar_reminders_say_the_dose_as_taken(stocked, tmp_path: Path):
    calendar = Calendar.from_ical(export(stocked, "ics", tmp_path / "plan.ics"))
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert "Flunitrazepam 0.5 mg (½ tablet of 1 mg)" in summaries
    assert "Flunitrazepam 0.375 mg (¾ tablet of 0.5 mg)" in summaries
    assert "Taper step: Flunitrazepam 0.375 mg (¾ tablet of 0.5 mg) from tonight" in summaries
