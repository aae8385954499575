"""The PDF report: deterministic bytes, real extractable Unicode text, every section, and speed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from medtrack.core.calendar import CalendarNight, NightState
from medtrack.core.decide import Decider, ProfileHistory, night_states
from medtrack.core.model import Profile, Record, RecordKind, Regimen, Step, Symptom
from medtrack.core.schedule import segments
from medtrack.core.timeline import Timeline
from medtrack.export.data import ExportData
from medtrack.export.pdf import write_pdf
from medtrack.monograph import load_monograph

BERLIN = ZoneInfo("Europe/Berlin")
NAME = "Zoë Ångström 😀"
NOTE = "=SUM(1) [bold] 😴 café"
PILL_NOTE = "Hände zittern 💊 **not bold**"  # 💊 is not in DejaVu: drawn with the emoji font
NURSE = "Nurse Kim"  # who entered every record but the skip (entered before medtrack kept who)
FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=BERLIN)


def at(day: int, hour: int = 22, minute: int = 30) -> dt.datetime:
    """An instant in November 2026, Berlin time."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def regimens() -> tuple[Regimen, ...]:
    steps = (Step(FIRST, 1000), Step(dt.date(2026, 11, 8), 750), Step(dt.date(2026, 11, 15), 500),
             Step(dt.date(2026, 11, 29), 0))
    held = steps[:2] + (Step(dt.date(2026, 11, 22), 500), Step(dt.date(2026, 12, 6), 0))
    return (
        Regimen("prescription", 1, 1, "Dr. Weiß", (Step(dt.date(2026, 10, 1), 1000),), at(1, 10, 0)),
        Regimen("plan", 2, 2, "Dr. Weiß", steps, at(1, 11, 0), round_ug=250, version=1, change="created"),
        Regimen("plan", 3, 3, "Dr. Weiß", held, at(14, 11, 0), round_ug=250, version=2, change="hold",
                reason="withdrawal symptoms at 0.75 mg"),
    )


def records() -> tuple[Record, ...]:
    out: list[Record] = []

    def add(kind: str, day: int, **fields: Any) -> None:
        fields.setdefault("recorded_by", None if kind == "skip" else NURSE)
        out.append(Record(len(out) + 1, RecordKind(kind), dt.date(2026, 11, day), fields.pop("when", at(day)),
                          "Europe/Berlin", **fields))

    for day in range(1, 21):
        scheduled = 1000 if day < 8 else 750
        if day == 4:
            add("skip", day, scheduled_ug=scheduled, note="late dinner")
        elif day not in (6, 12):  # 6 and 12 are missed
            add("dose", day, dose_ug=scheduled, scheduled_ug=scheduled, note=NOTE if day == 3 else None)
    add("dose", 10, dose_ug=500, scheduled_ug=750, already_taken=True, rule="one-dose-per-night",
        note=PILL_NOTE, when=at(10, 23, 40))
    add("dose", 16, dose_ug=750, scheduled_ug=750, voided=True, void_reason="logged twice by mistake",
        when=at(16, 22, 35))
    add("void", 16, voids=len(out), note="logged twice by mistake", when=at(17, 8))
    return tuple(out)


def symptoms() -> tuple[Symptom, ...]:
    return (
        Symptom(1, "Headache", "headache", 2, at(3, 8), "Europe/Berlin", dt.date(2026, 11, 2), None, False),
        Symptom(2, "Withdrawal symptoms", "withdrawal-symptoms", 3, at(9, 8), "Europe/Berlin",
                dt.date(2026, 11, 8), "Ängste am Morgen 😟", False, recorded_by=NURSE),
        Symptom(3, "Hypotension", "hypotension", 4, at(13, 9), "Europe/Berlin", dt.date(2026, 11, 12),
                "dizzy when standing up", True, recorded_by=NURSE),
    )


def make_data(name: str = NAME, recs: tuple[Record, ...] | None = None) -> ExportData:
    """The small November history (records() unless `recs` are given), nights worked out from them."""
    profile = Profile(name=name, born=dt.date(1960, 3, 1), zone="Europe/Berlin")
    mono, regs, recs = load_monograph(), regimens(), records() if recs is None else recs
    nights = night_states(mono, profile, list(regs), [r for r in recs if r.kind != "void"], FIRST, LAST, NOW)
    tonight = Decider(mono, ProfileHistory.of(profile), Timeline(regs), NOW).decide(
        LAST, [r for r in recs if r.night == LAST])
    return ExportData(generated_at=NOW, patient_id="2f6c1c1e-0000-4000-8000-000000000001",
                      tonight=LAST, first=FIRST, last=LAST, clipped=False, profile=profile, drug=mono,
                      regimens=regs, records=recs, nights=tuple(nights), symptoms=symptoms(),
                      schedule=tuple(segments(regs, FIRST, None)), decision=tonight)


@pytest.fixture(scope="module")
def data() -> ExportData:
    return make_data()


def render(data: ExportData) -> bytes:
    stream = io.BytesIO()
    write_pdf(data, stream)
    return stream.getvalue()


def pdftotext(pdf: bytes, tmp_path: Path, *, layout: bool) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """The extracted text as one line: wrapped cells and paragraphs read on, whitespace collapsed."""
    return " ".join(pdftotext(pdf, tmp_path, layout=False).split())


def lines_of(pdf: bytes, tmp_path: Path) -> list[str]:
    """The extracted lines, laid out as on the page (a table row on a line), whitespace collapsed."""
    return [" ".join(line.split()) for line in pdftotext(pdf, tmp_path, layout=True).splitlines()]


@pytest.fixture(scope="module")
def report(data: ExportData) -> bytes:
    return render(data)


@pytest.fixture
def text(report: bytes, tmp_path: Path) -> str:
    return text_of(report, tmp_path)


@pytest.fixture
def lines(report: bytes, tmp_path: Path) -> list[str]:
    return lines_of(report, tmp_path)


@pytest.mark.slow
def test_is_a_deterministic_a4_pdf(data: ExportData, report: bytes) -> None:
    assert report.startswith(b"%PDF-")
    assert report.rstrip().endswith(b"%%EOF")
    assert render(data) == report
    assert b"/MediaBox [0 0 595.28 841.89]" in report  # A4 portrait
    assert report.count(b"/FontFile2") == 3  # DejaVu, DejaVu Bold and Noto Emoji, embedded


def test_header_names_patient_period_drug_prescriber(lines: list[str]) -> None:
    assert "Flunitrazepam treatment report" in lines
    assert f"Patient {NAME}" in lines  # accents and the emoji, as typed
    assert "Born 1960-03-01 (age 66)" in lines
    assert "Period nights 2026-11-01 to 2026-11-20 (20 nights)" in lines
    assert "Drug Flunitrazepam (ATC N05CD03), at bedtime" in lines
    assert "Prescriber Dr. Weiß" in lines
    assert "Generated 2026-11-21 09:00 CET (Europe/Berlin)" in lines


def test_plan_steps_and_versions(lines: list[str]) -> None:
    assert "Current plan: taper plan version 2" in lines
    assert "1 2026-11-01 2026-11-07 1 mg" in lines
    assert "2 2026-11-08 2026-11-21 0.75 mg ◀ tonight" in lines
    assert "3 2026-11-22 2026-12-05 0.5 mg" in lines
    assert "4 2026-12-06 onwards 0 mg (stopped)" in lines
    assert "1 2026-11-01 11:00 Dr. Weiß created" in lines
    assert "2 2026-11-14 11:00 Dr. Weiß hold withdrawal symptoms at 0.75 mg" in lines


@pytest.mark.slow
def test_without_a_plan_the_prescriptions_are_shown(data: ExportData, tmp_path: Path) -> None:
    prescription = data.regimens[:1]
    tonight = Decider(data.drug, ProfileHistory.of(data.profile), Timeline(prescription), NOW).decide(LAST)
    only = dataclasses.replace(data, regimens=prescription, schedule=tuple(segments(prescription, FIRST, None)),
                               decision=tonight)
    lines = lines_of(render(only), tmp_path)
    assert "Prescriptions (no taper plan)" in lines
    assert "2026-10-01 1 mg Dr. Weiß 2026-11-01 10:00" in lines
    assert not any("taper plan version" in line for line in lines)


def test_adherence_figures(data: ExportData, text: str, lines: list[str]) -> None:
    counts = data.adherence()
    assert counts == {"taken": 16, "missed": 2, "skipped": 1, "excess": 1, "already_taken": 1, "voided": 1}
    # one line per figure (count, per cent, what), in this order; a period of 30 nights or fewer
    # has one column, no "last 30 nights" beside it
    found = [lines.index(line) for line in (
        "Period",
        "16 (80.0%) taken as scheduled",
        "2 (10.0%) missed: neither a dose nor a skip recorded",
        "1 (5.0%) skipped: recorded as not taken",
        "1 (5.0%) excess: a second dose, or more than scheduled",
        "1 of 18 (5.6%) doses recorded as already taken despite a rule (of the doses)",
        "1 of 20 (5.0%) records voided: corrections by the patient (of the doses and skips)")]
    assert found == sorted(found)
    assert "Adherence: 20 nights due" in lines
    assert not any("Last 30 nights" in line for line in lines)


def test_chart_is_drawn_with_a_legend_and_step_labels(lines: list[str]) -> None:
    start = lines.index("Scheduled and taken dose per night")
    chart = lines[start:lines.index("Symptom journal by taper step")]
    assert "scheduled dose dose taken missed skipped excess step change (new dose)" in chart
    assert "2 Nov 9 Nov 16 Nov" in chart  # weekly date ticks
    assert any("0.75 mg" in line for line in chart)  # the step change in the period, with its new dose
    assert {"missed", "skipped", "excess"} <= set(chart)  # the lanes


def test_symptoms_grouped_by_taper_step(lines: list[str]) -> None:
    first = "Step: 1 mg nightly · nights 2026-11-01 to 2026-11-07 · taper plan v2 — 1 entry"
    second = "Step: 0.75 mg nightly · nights 2026-11-08 to 2026-11-21 · taper plan v2 — 2 entries"
    headache = "2026-11-03 08:30 Headache 2/5 no not known"  # entered before medtrack kept who
    withdrawal = f"2026-11-09 08:30 Withdrawal symptoms 3/5 no {NURSE} Ängste am Morgen 😟"
    urgent = f"2026-11-13 09:30 Hypotension 4/5 URGENT {NURSE} dizzy when standing up"
    found = [lines.index(line) for line in (first, headache, second, withdrawal, urgent)]
    assert found == sorted(found)


def test_records_table_notes_flags_and_voids(data: ExportData, text: str, lines: list[str]) -> None:
    assert f"3 2026-11-03 2026-11-03 22:30 1 mg 1 mg taken {NURSE} {NOTE}" in lines  # '[bold]' is no markup
    assert "4 2026-11-04 2026-11-04 22:30 1 mg skipped not known late dinner" in lines
    assert (f"19 2026-11-10 2026-11-10 23:40 0.5 mg 0.75 mg taken already taken, against {NURSE} "
            "Hände zittern 💊 **not") in lines  # 💊 comes from the emoji font
    assert "already taken, against the rule 'one dose per night'" in text  # the rule in words
    assert f"20 2026-11-16 2026-11-16 22:35 0.75 mg 0.75 mg voided VOID: logged twice by {NURSE}" in lines
    assert "VOID: logged twice by mistake" in text
    assert f"21 2026-11-16 2026-11-17 08:30 void cancels #20 {NURSE} logged twice by mistake" in lines
    ids = [int(line.split()[0]) for line in lines if re.match(r"\d+ 2026-11-\d\d 2026-11-\d\d \d\d:\d\d", line)]
    assert sorted(ids) == [r.id for r in data.records]  # every record, once
    assert ids[8:11] == [9, 19, 10]  # by night: #19, the night of the 10th recorded late, before the 11th
    assert ids[-7:] == [14, 20, 21, 15, 16, 17, 18]  # the void #21 right after the dose #20 it cancels


def test_disclaimer_and_call_the_doctor_at_the_end(data: ExportData, text: str) -> None:
    disclaimer = " ".join(data.drug.guidance["disclaimer"].split())
    call = " ".join(data.drug.guidance["call_doctor"].split())
    assert f"{call} {disclaimer}" in text
    assert text.index(disclaimer) > text.index("cancels #20")


def test_no_symptoms_and_no_records(data: ExportData, tmp_path: Path) -> None:
    empty = dataclasses.replace(data, records=(), symptoms=())
    text = text_of(render(empty), tmp_path)
    assert "No symptoms were logged in this period." in text
    assert "No records in this period." in text


def test_long_and_hostile_user_text_wraps_onto_more_pages(data: ExportData, tmp_path: Path) -> None:
    long_note = "word " * 4000 + "x" * 3000 + "\x00\t\r\n" + "<b>[i]</b> {nb} 👍🏽"
    recs = data.records + (dataclasses.replace(data.records[0], id=99, note=long_note),)
    pdf = render(dataclasses.replace(data, records=recs))
    assert "<b>[i]</b> {nb} 👍🏽" in text_of(pdf, tmp_path)
    assert pdf.count(b"/Type /Page\n") > 4


@pytest.mark.slow
def test_ten_years_render_as_an_aggregated_chart(data: ExportData, tmp_path: Path) -> None:
    first = LAST - dt.timedelta(days=3649)
    nights: list[CalendarNight] = []
    recs: list[Record] = []
    for i in range(3650):
        night = first + dt.timedelta(days=i)
        state = "missed" if i % 17 == 0 else "skipped" if i % 29 == 0 else "taken"
        nights.append(CalendarNight(night, 1000, 1000 if state == "taken" else None, NightState(state), False))
        kind = {"taken": "dose", "skipped": "skip"}.get(state)
        if kind:
            recs.append(Record(len(recs) + 1, RecordKind(kind), night,
                               dt.datetime.combine(night, dt.time(22, 30), BERLIN), "Europe/Berlin",
                               1000 if kind == "dose" else None, 1000, note=NOTE if i % 50 == 0 else None))
    big = dataclasses.replace(data, first=first, nights=tuple(nights), records=tuple(recs))
    pdf = render(big)  # its speed is measured by bench/run.py, not asserted here
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path)
    assert "one bar per 28 nights" in text and "The last 112 nights, night by night" in text
