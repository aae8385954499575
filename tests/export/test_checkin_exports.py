"""The withdrawal check-ins in the prescriber's exports: the PDF's page one, the XLSX sheets and
the FHIR Questionnaire with its responses, each read back with its own independent reader
(pdftotext, openpyxl, fhir.resources R4B plus the reference and value-set checks of the FHIR tests).

The patient (tests/conftest.py): Berlin, 1 mg from the night of 2026-11-01; a taper from
2026-11-15 cutting 0.25 mg every two weeks, so the first cut (to 0.75 mg) is on the night of
2026-11-29. Check-ins: total 1 on 25 and 27 November (the baseline of that step), 6 on
30 November and 6 on 2 December (anxiety severe), and one on 3 December voided as entered twice.
The step's baseline is 1.0 and its after 6.0: higher. Exports are made on 2026-12-03 at 21:00.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from openpyxl import load_workbook
from test_fhir_export import OBSERVATION_STATUS, broken_references, resources, validate_with_r4b

from medtrack.services.export import gather
from medtrack.storage.database import Database
from medtrack.withdrawal import load_withdrawal

PLANNED_AT = "2026-11-10T20:00+01:00"
EXPORT_AT = "2026-12-03T21:00+01:00"
CHECKINS = [("2026-11-25", ["anxiety=1"]), ("2026-11-27", ["anxiety=1"]),
            ("2026-11-30", ["anxiety=2", "tremor=2", "sleep=2"]), ("2026-12-02", ["anxiety=3", "tremor=2", "sleep=1"]),
            ("2026-12-03", ["anxiety=2"])]
VOIDED = 5
REASON = "entered twice"
STEP_LINE = ("Step of 29 Nov 2026 to 0.75 mg: baseline 1.0 (2 check-ins), after 6.0 (2 check-ins) — higher; "
             "rated severe: Anxiety on 2 Dec 2026")
# R4 required bindings (hl7.org/fhir/R4/valueset-*.html).
QUESTIONNAIRE_STATUS = {"draft", "active", "retired", "unknown"}
RESPONSE_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
              "url", "choice", "open-choice", "attachment", "reference", "quantity"}
SUPPORT_LINK = "http://hl7.org/fhir/StructureDefinition/questionnaire-supportLink"
CITATION = "http://hl7.org/fhir/StructureDefinition/cqf-citation"

_TEMPLATE: dict[str, bytes] = {}


def build(run: Any) -> None:
    run.ok("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
           "--prescriber", "Dr. Weiss", "--reason", "plan agreed", now=PLANNED_AT)
    for night, ratings in CHECKINS:
        run.ok("checkin", *ratings, now=f"{night}T20:00+01:00")
    run.ok("checkin", "--void", str(VOIDED), "--reason", REASON, now="2026-12-03T20:30+01:00")


@pytest.fixture
def tapering(patient: Any) -> Any:
    """The patient above (built once through the CLI, then copied), the clock at EXPORT_AT."""
    if isinstance(patient.db, str) or "db" not in _TEMPLATE:
        build(patient)
        patient.close()
        if not isinstance(patient.db, str) and not Path(f"{patient.db}-wal").exists():
            _TEMPLATE["db"] = patient.db.read_bytes()
    else:
        os.unlink(patient.db)
        fd = os.open(patient.db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_TEMPLATE["db"])
    patient.now = EXPORT_AT
    return patient


def export(run: Any, fmt: str, path: Path, *extra: str) -> Path:
    run.ok("export", "--format", fmt, "-o", str(path), *extra)
    return path


def page_one(path: Path, *args: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", *args, str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    return " ".join(out.split())


def fhir(run: Any, path: Path, *extra: str) -> dict[str, Any]:
    raw = export(run, "fhir", path, *extra).read_bytes()
    bundle = json.loads(raw)
    assert isinstance(bundle, dict)
    validate_with_r4b(raw, bundle)
    assert broken_references(bundle) == []
    return bundle


def table(sheet: Any) -> list[dict[str, Any]]:
    head = [c.value for c in sheet[1]]
    return [dict(zip(head, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]


# -- what the exporters get ----------------------------------------------------------------


@pytest.mark.slow
def test_gather_carries_the_periods_checkins_and_each_steps_trend(tapering):
    data = gather(Database(tapering.db), dt.datetime.fromisoformat(EXPORT_AT))
    assert [c.id for c in data.checkins] == [1, 2, 3, 4, 5]
    assert [c.voided for c in data.checkins] == [False] * 4 + [True]
    start, step = data.trends
    assert (start.step_night, start.dose_ug) == (dt.date(2026, 11, 1), 1000)
    assert (step.step_night, step.dose_ug) == (dt.date(2026, 11, 29), 750)
    assert [c.id for c in step.baseline] == [1, 2] and [c.id for c in step.after] == [3, 4]  # not the void
    assert (step.baseline_mean, step.after_mean, step.rises, step.severe) == (1.0, 6.0, True, True)


# -- PDF -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_page_one_shows_the_checkins_chart_and_each_steps_baseline_and_after(tapering, tmp_path: Path):
    text = page_one(export(tapering, "pdf", tmp_path / "report.pdf"))
    expected = ["Summary", "Symptoms none logged in this period", "Withdrawal check-ins",
                "4 check-ins, each rating 14 withdrawal symptoms from 0 (none) to 3 (severe)",
                "Start on 1 Nov 2026 at 1 mg: after 1.0 (2 check-ins); no baseline before the first dose",
                STEP_LINE, f"Voided, not counted: #{VOIDED} of 3 Dec 2026 (total 2): {REASON}",
                "Adherence:", "Exceptions"]
    found = [text.find(part) for part in expected]
    assert -1 not in found, [part for part, at in zip(expected, found, strict=True) if at == -1]
    assert found == sorted(found)
    chart = text[text.index("Withdrawal check-ins"):text.index("Start on 1 Nov 2026")]
    # the totals' scale, the dose in force at the left, the step night's new dose, a date per night
    assert "total" in chart and " 6 " in chart and " 0 " in chart
    assert chart.index("1 mg") < chart.index("0.75 mg")
    assert all(f"{d} Nov" in chart for d in range(24, 31)) and "3 Dec" in chart
    for words in ("total of a check-in", "an item rated severe", "voided, not counted", "step night (new dose)"):
        assert words in chart


@pytest.mark.slow
def test_the_chart_marks_the_step_night_where_its_date_is(tapering, tmp_path: Path):
    """Read the words' boxes: the step's dose label starts at the dashed line at the start of
    29 Nov, so just left of that night's date label (centred on the night) and right of 28 Nov's."""
    pdf = export(tapering, "pdf", tmp_path / "report.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           check=True).stdout.decode("utf-8", "replace")
    words = [(float(x), float(y), w) for x, y, w in
             re.findall(r'xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="[0-9.]+" yMax="[0-9.]+">([^<]*)</word>', boxes)]
    heading_y = next(y for x, y, w in words if w == "check-ins")
    label_x, label_y = min(((x, y) for x, y, w in words if w == "0.75" and y > heading_y), key=lambda p: p[1])
    days = [(x, y, w) for (x, y, w), (_, _, month) in zip(words, words[1:], strict=False)
            if y > label_y and month == "Nov" and w.isdigit()]
    axis_y = min(y for _, y, _ in days)  # the dates under the chart, above the lines per step
    dates = {w: x for x, y, w in days if y == axis_y}
    assert dates["28"] < label_x < dates["29"]


def test_no_checkin_section_without_checkins(patient, tmp_path: Path):
    text = page_one(export(patient, "pdf", tmp_path / "report.pdf"))
    assert "Summary" in text and "Adherence" in text
    assert "check-in" not in text.lower()


@pytest.mark.slow
def test_a_period_before_the_checkins_has_no_section(tapering, tmp_path: Path):
    text = page_one(export(tapering, "pdf", tmp_path / "report.pdf", "--to", "2026-11-20"))
    assert "check-in" not in text.lower()


@pytest.mark.slow
def test_a_later_period_keeps_the_steps_baseline_from_before_it(tapering, tmp_path: Path):
    text = page_one(export(tapering, "pdf", tmp_path / "report.pdf", "--from", "2026-11-29"))
    assert STEP_LINE in text
    assert "2 check-ins, each rating" in text  # only the period's are drawn and counted
    assert "Start on" not in text


# -- XLSX ----------------------------------------------------------------------------------


def test_the_checkins_sheet_has_every_checkin_typed_with_its_step_and_the_void(tapering, tmp_path: Path):
    book = load_workbook(export(tapering, "xlsx", tmp_path / "report.xlsx"))
    items = [i.id for i in load_withdrawal().items]
    sheet = book["Check-ins"]
    head = [c.value for c in sheet[1]]
    assert head == ["id", "night", "time", "zone", *items, "total", "step night", "step dose_mg", "note", "voided",
                    "void reason", "recorded by"]
    rows = table(sheet)
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5]
    fourth = rows[3]
    assert fourth["night"] == dt.datetime(2026, 12, 2) and sheet["B5"].number_format == "yyyy-mm-dd"
    assert fourth["time"] == dt.datetime(2026, 12, 2, 20, 0) and fourth["zone"] == "Europe/Berlin"
    assert (fourth["anxiety"], fourth["tremor"], fourth["sleep"], fourth["nausea"], fourth["total"]) == (3, 2, 1, 0, 6)
    assert fourth["step night"] == dt.datetime(2026, 11, 29) and fourth["step dose_mg"] == 0.75
    assert rows[0]["step night"] == dt.datetime(2026, 11, 1) and rows[0]["step dose_mg"] == 1
    assert fourth["voided"] == "no" and fourth["recorded by"] == "tester"
    assert (rows[4]["voided"], rows[4]["void reason"]) == ("yes", REASON)
    assert all(isinstance(r[i], int) for r in rows for i in items)


def test_the_steps_sheet_and_the_summary_give_baseline_after_and_the_rise(tapering, tmp_path: Path):
    book = load_workbook(export(tapering, "xlsx", tmp_path / "report.xlsx"))
    start, step = table(book["Check-in steps"])
    assert start["what"] == "start" and start["step night"] == dt.datetime(2026, 11, 1)
    assert (step["what"], step["step night"], step["dose_mg"]) == ("step", dt.datetime(2026, 11, 29), 0.75)
    assert (step["baseline check-ins"], step["baseline mean total"]) == (2, 1.0)
    assert (step["after check-ins"], step["after mean total"]) == (2, 6.0)
    assert (step["higher"], step["verdict"], step["rated severe"]) == ("yes", "higher", "Anxiety on 2 Dec 2026")
    summary = {r["what"]: r["value"] for r in table(book["Summary"])}
    assert summary["check-ins"] == 4 and summary["check-ins voided"] == 1
    assert summary["steps with check-ins higher after"] == "2026-11-29 to 0.75 mg"
    items = table(book["Check-in items"])
    assert [r["item"] for r in items] == [i.id for i in load_withdrawal().items]
    assert items[0]["ratings"] == "0 none, 1 mild, 2 moderate, 3 severe"
    assert all(r["source"] and r["link"] for r in items)


def test_no_checkin_sheets_without_checkins(patient, tmp_path: Path):
    book = load_workbook(export(patient, "xlsx", tmp_path / "report.xlsx"))
    assert not [name for name in book.sheetnames if "Check-in" in name]
    assert "check-ins" not in {r["what"] for r in table(book["Summary"])}


# -- FHIR ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_questionnaire_lists_every_item_with_its_scale_and_source(tapering, tmp_path: Path):
    bundle = fhir(tapering, tmp_path / "bundle.json")
    (form,) = resources(bundle, "Questionnaire")
    assert form["status"] in QUESTIONNAIRE_STATUS
    withdrawal = load_withdrawal()
    ratings = [i for i in form["item"] if i["type"] == "choice"]
    assert [i["linkId"] for i in ratings] == [i.id for i in withdrawal.items]
    sources = {s.id: s for s in withdrawal.sources}
    for item, listed in zip(ratings, withdrawal.items, strict=True):
        assert item["text"] == listed.name
        assert [(o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in item["answerOption"]] == [
            ("0", "none"), ("1", "mild"), ("2", "moderate"), ("3", "severe")]
        cites = {e["url"]: e for e in item["extension"]}
        assert cites[SUPPORT_LINK]["valueUri"] == sources[listed.source].url
        assert sources[listed.source].title in cites[CITATION]["valueString"]
    assert all(i["type"] in ITEM_TYPES for i in form["item"])
    assert "American Society of Addiction Medicine" in form["description"]


def test_a_response_per_checkin_the_voided_one_entered_in_error(tapering, tmp_path: Path):
    bundle = fhir(tapering, tmp_path / "bundle.json")
    (form,) = resources(bundle, "Questionnaire")
    responses = resources(bundle, "QuestionnaireResponse")
    (patient,) = resources(bundle, "Patient")
    assert [r["identifier"]["value"] for r in responses] == ["1", "2", "3", "4", "5"]
    assert [r["status"] for r in responses] == ["completed"] * 4 + ["entered-in-error"]
    assert all(r["status"] in RESPONSE_STATUS and r["questionnaire"] == form["url"] for r in responses)
    assert all(r["subject"]["reference"] == f"urn:uuid:{patient['id']}" for r in responses)
    fourth = responses[3]
    assert fourth["authored"] == "2026-12-02T20:00:00+01:00" and fourth["author"] == {"display": "tester"}
    answers = {i["linkId"]: i["answer"][0] for i in fourth["item"]}
    assert answers["anxiety"]["valueCoding"]["code"] == "3" and answers["anxiety"]["valueCoding"]["display"] == "severe"
    assert answers["nausea"]["valueCoding"]["code"] == "0"
    assert answers["total"] == {"valueInteger": 6}
    assert answers["step-night"] == {"valueDate": "2026-11-29"}
    assert answers["step-dose"]["valueQuantity"]["value"] == 0.75
    linked = {i["linkId"] for i in form["item"]}
    assert all(i["linkId"] in linked for r in responses for i in r["item"])
    assert [e["valueString"] for e in responses[4]["extension"]] == [REASON]


def test_each_step_is_an_observation_of_baseline_and_after_derived_from_the_responses(tapering, tmp_path: Path):
    bundle = fhir(tapering, tmp_path / "bundle.json")
    (start, step) = resources(bundle, "Observation")
    assert step["status"] in OBSERVATION_STATUS and step["effectiveDateTime"] == "2026-11-29"
    values = {c["code"]["coding"][0]["code"]: c for c in step["component"]}
    assert values["step-dose"]["valueQuantity"]["value"] == 0.75
    assert values["baseline-checkins"]["valueInteger"] == 2
    assert values["baseline-mean-total"]["valueQuantity"]["value"] == 1.0
    assert values["after-checkins"]["valueInteger"] == 2
    assert values["after-mean-total"]["valueQuantity"]["value"] == 6.0
    assert values["higher"]["valueBoolean"] is True and values["severe"]["valueBoolean"] is True
    assert step["note"] == [{"text": STEP_LINE}]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    assert [by_url[d["reference"]]["identifier"]["value"] for d in step["derivedFrom"]] == ["1", "2", "3", "4"]
    assert start["effectiveDateTime"] == "2026-11-01"


def test_a_later_period_cites_the_baseline_before_it_by_identifier(tapering, tmp_path: Path):
    bundle = fhir(tapering, tmp_path / "bundle.json", "--from", "2026-11-29")
    assert [r["identifier"]["value"] for r in resources(bundle, "QuestionnaireResponse")] == ["3", "4", "5"]
    (step,) = resources(bundle, "Observation")
    derived = step["derivedFrom"]
    assert [d["identifier"]["value"] for d in derived[:2]] == ["1", "2"] and "reference" not in derived[0]
    assert all("reference" in d for d in derived[2:])


@pytest.mark.slow
def test_no_questionnaire_without_checkins(patient, tmp_path: Path):
    bundle = fhir(patient, tmp_path / "bundle.json")
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert not kinds & {"Questionnaire", "QuestionnaireResponse", "Observation"}
    Bundle.model_validate(bundle)
