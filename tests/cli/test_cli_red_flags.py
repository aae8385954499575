"""Withdrawal red flags (seizures, hallucinations, delirium or severe confusion, thoughts of
self-harm or suicide) are urgent at any severity, through the real `medtrack` command: the
message after logging, the journal, `status` (text and --json), a row forged as not urgent, the
PDF's page one, the workbook, FHIR and the ward. A word medtrack does not know ("wobbly") stays
an ordinary journal entry.

The standard patient (tests/conftest.py) is in Berlin on 1 mg; unless a call says otherwise it
is 2026-11-25 20:00 there (the night of 2026-11-25).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from backends import location_of, query_dicts
from medtrack.core.drug import RedFlag
from medtrack.services.database import open_database
from medtrack.services.ward import ward
from medtrack.withdrawal import load_withdrawal
from one_truth_views import pdftotext_page_one

WITHDRAWAL = load_withdrawal()
FLAGS = {flag.id: flag for flag in WITHDRAWAL.red_flags}
SEIZURES = FLAGS["seizures"]
# Every word of every red flag, as typed: its name and each alias (and a few other spellings).
TYPED = [(flag.id, term) for flag in WITHDRAWAL.red_flags for term in (flag.name, *flag.aliases)] + [
    ("seizures", "FIT"), ("seizures", "  Convulsions "), ("self-harm", "Self_Harm"), ("delirium", "Severe-Confusion")]
TAPER = ("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every",
         "2w", "--prescriber", "Dr. Weiss")  # tonight (11-25) is in the first step (11-15 .. 11-28)


def flag(flag_id: str) -> RedFlag:
    return FLAGS[flag_id]


def warnings(run: Any, now: str | None = None) -> list[str]:
    found: list[str] = run.ok("status", "--json", now=now).json()["warnings"]
    return found


def urgent(run: Any, now: str | None = None) -> list[str]:
    """The urgent lines of `status --json` (beside the night's other warnings), which come first."""
    found = warnings(run, now)
    lines = [w for w in found if w.startswith("URGENT")]
    assert found[: len(lines)] == lines
    return lines


def urgent_line(name: str, at: str, advice: str) -> str:
    return f"URGENT: {name}, noted {at}. {advice}"


@pytest.mark.parametrize("flag_id,typed", TYPED)
def test_a_red_flag_symptom_is_urgent_at_any_severity_and_says_who_to_contact(patient, flag_id: str, typed: str):
    result = patient("symptom", typed, "--severity", "1", "--json")
    assert result.code == 0, result
    entry = result.json()
    # stored under the red flag's own name; it is not a monograph side effect, so no side effect id
    assert (entry["name"], entry["side_effect"], entry["severity"]) == (flag(flag_id).name, None, 1)
    assert entry["urgent"] is True
    assert entry["message"] == flag(flag_id).advice
    (listed,) = patient.ok("symptoms", "--json").json()
    assert (listed["name"], listed["urgent"], listed["message"]) == (flag(flag_id).name, True, flag(flag_id).advice)


@pytest.mark.parametrize("flag_id,typed", [("seizures", "fit"), ("hallucinations", "hearing voices"),
                                           ("delirium", "delirious"), ("self-harm", "suicidal")])
def test_the_symptom_command_says_urgent_in_words_and_an_unknown_word_stays_ordinary(patient, flag_id: str,
                                                                                     typed: str):
    result = patient.ok("symptom", typed)  # no severity: urgent all the same
    assert f"Journal: {flag(flag_id).name} at 2026-11-25 20:00" in result.out
    assert f"URGENT: {flag(flag_id).advice}" in result.out
    ordinary = patient.ok("symptom", "wobbly", "--severity", "5")
    assert "URGENT" not in ordinary.out and "Journal: wobbly, severity 5" in ordinary.out
    text = patient.ok("symptoms").out
    assert [("  URGENT" in line, line.split(" ", 3)[-1].split(",")[0]) for line in text.splitlines()] == [
        (True, f"{flag(flag_id).name}  URGENT"), (False, "wobbly (severity 5)")]
    listed = patient.ok("symptoms", "--json").json()
    assert [(s["name"], s["side_effect"], s["urgent"], s.get("message")) for s in listed] == [
        (flag(flag_id).name, None, True, flag(flag_id).advice), ("wobbly", None, False, None)]


@pytest.mark.slow
def test_status_warns_of_a_red_flag_tonight_and_last_night_only(patient):
    patient.ok("symptom", "wobbly", "--severity", "5", now="2026-11-25T19:00+01:00")
    patient.ok("symptom", "convulsion", "--severity", "2", now="2026-11-25T19:30+01:00")
    line = urgent_line("Seizures", "2026-11-25 19:30", SEIZURES.advice)
    assert urgent(patient) == [line]
    assert not [w for w in warnings(patient) if "wobbly" in w]
    text = patient.ok("status").out
    assert f"! {line}" in text.splitlines() and "wobbly" not in text
    assert urgent(patient, "2026-11-26T20:00+01:00") == [line]  # tonight is the night after
    assert urgent(patient, "2026-11-27T20:00+01:00") == []


def test_status_names_each_red_flag_once_with_its_latest_time(patient):
    patient.ok("symptom", "fit", now="2026-11-25T08:00+01:00")  # the morning: the night of 11-24
    patient.ok("symptom", "hallucinations", now="2026-11-25T12:30+01:00")
    patient.ok("symptom", "seizures", now="2026-11-25T19:00+01:00")
    assert [w.split(". ", 1)[0] for w in urgent(patient)] == [
        "URGENT: Hallucinations, noted 2026-11-25 12:30", "URGENT: Seizures, noted 2026-11-25 19:00"]


def test_status_after_a_red_flag_in_a_taper_step_says_urgent_and_suggests_a_hold(patient):
    """Before, `symptom seizure --severity 5` got only the hold suggestion: now the urgent words come first."""
    patient.ok(*TAPER, now="2026-11-10T12:00+01:00")
    plan = patient.ok("taper", "show", "--json").json()
    patient.ok("symptom", "seizure", "--severity", "5", now="2026-11-24T21:00+01:00")
    found = warnings(patient)
    assert found[0] == urgent_line("Seizures", "2026-11-24 21:00", SEIZURES.advice)
    assert [w for w in found if "hold" in w.lower()] == [
        "Severe symptoms during this taper step (Seizures): talk to your prescriber about holding the current "
        "step before the next reduction. Do not change the plan yourself."]
    assert patient.ok("taper", "show", "--json").json() == plan  # medtrack changes no plan by itself


@pytest.mark.sqlite_only  # a raw INSERT into the file itself
def test_symptoms_and_status_read_a_fit_forged_as_not_urgent_as_urgent(patient, db_path: Path, tmp_path: Path):
    patient.ok("symptom", "headache", "--severity", "2")
    patient.close()
    (written,) = query_dicts(db_path, "SELECT * FROM symptom")
    forged = {**{k: v for k, v in written.items() if k != "id"}, "name": "fit", "effect_id": None, "urgent": 0}
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(f"INSERT INTO symptom ({', '.join(forged)}) VALUES ({', '.join('?' for _ in forged)})",
                     tuple(forged.values()))
    assert query_dicts(db_path, "SELECT name, urgent FROM symptom ORDER BY id") == [
        {"name": "Headache", "urgent": 0}, {"name": "fit", "urgent": 0}]
    listed = patient.ok("symptoms", "--json").json()
    assert [(s["name"], s["urgent"]) for s in listed] == [("Headache", False), ("fit", True)]
    assert listed[1]["message"] == SEIZURES.advice
    assert urgent(patient) == [urgent_line("fit", "2026-11-25 20:00", SEIZURES.advice)]


@pytest.fixture
def journal(patient) -> Any:
    """A red flag and an unknown word in the journal."""
    patient.ok("symptom", "fits", "--severity", "2", "--note", "in the bathroom", now="2026-11-20T21:10+01:00")
    patient.ok("symptom", "wobbly", "--severity", "4", now="2026-11-21T21:00+01:00")
    return patient


@pytest.mark.slow
def test_the_pdf_page_one_lists_a_red_flag_symptom_as_urgent(journal, tmp_path: Path):
    target = tmp_path / "report.pdf"
    journal.ok("export", "--format", "pdf", "-o", str(target))
    page = " ".join(pdftotext_page_one(target).split())
    assert "Urgent 1: night 2026-11-20 Seizures 2/5" in page
    assert "Urgent symptom: Seizures 2/5, logged 2026-11-20 21:10: in the bathroom" in page
    assert "wobbly" not in page.split("Exceptions", 1)[1]


def test_the_workbook_and_fhir_mark_a_red_flag_symptom_urgent(journal, tmp_path: Path):
    journal.ok("export", "--format", "xlsx", "-o", str(tmp_path / "report.xlsx"))
    book = load_workbook(tmp_path / "report.xlsx")
    head, *rows = ([c.value for c in row] for row in book["Symptoms"].iter_rows())
    assert [(r[head.index("symptom")], r[head.index("urgent")]) for r in rows] == [
        ("Seizures", "yes"), ("wobbly", "no")]
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["urgent symptoms"] == 1

    journal.ok("export", "--format", "fhir", "-o", str(tmp_path / "report.json"))
    bundle = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    flags = {e["resource"]["code"]["text"]: [x["valueCoding"]["code"] for x in e["resource"]["extension"]
                                             if "valueCoding" in x]
             for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
             and e["resource"]["code"].get("text") in ("Seizures", "wobbly")}
    assert flags == {"Seizures": ["urgent"], "wobbly": []}


class Patient:
    """`run` for one patient of several (--patient NUMBER)."""

    def __init__(self, run: Any, number: str) -> None:
        self.run, self.number = run, number

    def ok(self, *argv: str, now: str | None = None) -> Any:
        return self.run.ok("--patient", self.number, *argv, now=now)


def test_the_ward_shows_a_red_flag_for_its_patient_only(run, db_path, monkeypatch):
    """Two patients on one database: Bert's convulsion shows in Bert's row, Ada's 'wobbly' nowhere."""
    ids = iter(("5f0c7d1e-9a4b-4c2d-8e6f-000000000001", "5f0c7d1e-9a4b-4c2d-8e6f-000000000002"))
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: next(ids))
    for number, name in enumerate(("Ada Muster", "Bert Brandt"), 1):
        more = ("--add-patient",) if number > 1 else ()
        run.ok("init", "--name", name, "--born", "1950-05-01", "--tz", "Europe/Berlin", *more,
               now="2026-11-01T12:00+01:00")
        run.ok("--patient", str(number), "prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss",
               "--start", "2026-11-01", now="2026-11-01T12:00+01:00")
    run.ok("--patient", "1", "symptom", "wobbly", "--severity", "5", now="2026-11-25T19:00+01:00")
    run.ok("--patient", "2", "symptom", "convulsions", "--severity", "1", now="2026-11-25T19:10+01:00")
    line = urgent_line("Seizures", "2026-11-25 19:10", SEIZURES.advice)
    assert urgent(Patient(run, "2")) == [line]
    assert urgent(Patient(run, "1")) == []
    run.close()
    db = open_database(location_of(db_path))
    try:
        rows = {row.name: row for row in ward(db, dt.datetime.fromisoformat("2026-11-25T20:00+01:00"))}
    finally:
        db.dispose()
    assert rows["Bert Brandt"].urgent == (line,)
    assert rows["Ada Muster"].urgent == ()
