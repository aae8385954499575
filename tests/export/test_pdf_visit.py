"""The PDF's page one is the visit (issue 22), read back with poppler's pdftotext: urgent symptoms
and the newest exceptions first on any period, adherence for the last 30 nights beside the whole
period, tonight's step and the next, at most what fits and then "N more exceptions, page K"; the
default period is the one a visit needs (since the previous report to the doctor, else the last
90 nights) and page one says which; the plan-versions table stays inside the margins, one warning
to a line.

Histories are made through the CLI (`medtrack demo`, then what a patient or nurse types) under a
fixed clock: the demo's evening of 2026-11-25 in Berlin, when tonight's dose is due.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from backends import query

DEMO_NOW = "2026-11-25T21:00+01:00"  # the demo's tonight (2026-11-25), its dose due
TONIGHT = dt.date(2026, 11, 25)
A4_WIDTH_PT, MARGIN_PT = 595.28, 15 / 25.4 * 72  # the page and its margins (15 mm)
EXCEPTION = re.compile(r"^(\d{4}-\d\d-\d\d) (.*)$")
_TEMPLATES: dict[str, bytes] = {}


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return subprocess.run([tool, *args], capture_output=True, check=True).stdout.decode("utf-8", "replace")


def pages_of(pdf: Path) -> list[list[str]]:
    """Each page's lines as laid out (a table row or label and value on one line), spaces collapsed."""
    return [[" ".join(line.split()) for line in page.splitlines() if line.strip()]
            for page in poppler("pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-").split("\f")[:-1]]


def export_pdf(run: Any, path: Path, *argv: str, now: str = DEMO_NOW) -> Any:
    return run.ok("export", "--format", "pdf", "-o", str(path), *argv, now=now)


def demo(run: Any, years: int) -> Any:
    """`run` on the demo patient with `years` of history (made once through the CLI, then copied)."""
    key = f"demo-{years}"
    if key in _TEMPLATES and isinstance(run.db, Path):
        fd = os.open(run.db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_TEMPLATES[key])
        return run
    run.ok("demo", "--years", str(years), now=DEMO_NOW)
    run.close()
    if isinstance(run.db, Path) and not Path(f"{run.db}-wal").exists():
        _TEMPLATES[key] = run.db.read_bytes()
    return run


def first_night(run: Any) -> str:
    return str(run.ok("history", "--json", now=DEMO_NOW).json()[0]["night"])


def night_of(exception: str) -> str:
    """The night an exception line starts with."""
    found = EXCEPTION.match(exception)
    assert found is not None, exception
    return found.group(1)


def exceptions_on(lines: list[str]) -> list[str]:
    """The exception lines of a page (night, then what), in the order they are printed."""
    if not any(line.startswith("Exceptions") for line in lines):
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("Exceptions"))
    found = []
    for line in lines[start + 1:]:
        if EXCEPTION.match(line):
            found.append(line)
        elif found and not line.startswith(("medtrack report", "Scheduled and taken")) and \
                not re.match(r"\d+ more exceptions?, page \d+$", line):
            found[-1] += " " + line  # a long exception goes on on the next line
        else:
            break
    return found


# -- any period: what matters is on page one ---------------------------------------------------------


@pytest.mark.slow
def test_a_two_year_historys_urgent_symptom_tonights_excess_and_flagged_count_are_on_page_one(run, tmp_path):
    """The whole two years asked for: the exceptions, oldest first before, put the urgent symptom of
    September, tonight's excess and last week's flagged count on page 2. Now the urgent symptom
    leads, then the newest: tonight's excess, then the count."""
    demo(run, 2)
    run.ok("stock", "add", "30x0.25mg", "--note", "pharmacy", now="2026-11-10T10:00+01:00")
    assert "differs" in run.ok("stock", "count", "10x0.25mg", "--note", "nurse count",
                               now="2026-11-20T10:00+01:00").out
    run.ok("symptom", "respiratory depression", "--severity", "4", "--at", "2026-09-10 08:00",
           "--note", "woke gasping", now=DEMO_NOW)
    run.ok("log", now=DEMO_NOW)
    run.ok("log", "0.25mg", "--already-taken", "--at", "2026-11-25 21:30", "--note", "a second one by mistake",
           now="2026-11-25T21:35+01:00")
    pdf = tmp_path / "two-years.pdf"
    export_pdf(run, pdf, "--from", first_night(run), now="2026-11-25T21:40+01:00")

    pages = pages_of(pdf)
    urgent = "2026-09-09 Urgent symptom: Respiratory depression 4/5, logged 2026-09-10 08:00"
    excess = "2026-11-25 Excess: 0.5 mg taken in 2 doses"
    count = "2026-11-19 Stock count off: 10 × 0.25 mg tablets counted at 2026-11-20 10:00"
    for wanted in (urgent, excess, count):
        assert any(line.startswith(wanted) for line in pages[0]), wanted
    first = exceptions_on(pages[0])
    heading = next(line for line in pages[0] if line.startswith("Exceptions ("))
    counted = re.match(r"Exceptions \((\d+)\)", heading)
    assert counted is not None, heading
    total = int(counted.group(1))
    assert total > len(first) > 10, (total, first)  # a page one full of exceptions, and more after it
    assert first[0].startswith(urgent)
    assert first[1].startswith(excess)
    assert first[2].startswith("2026-11-25 Recorded as already taken:")
    assert any(line.startswith(count) for line in first[3:6]), first[:6]
    nights = [night_of(line) for line in first[1:]]
    assert nights == sorted(nights, reverse=True)  # after the urgent symptom, the newest first
    assert "Period nights 2024-11-25 to 2026-11-25 (731 nights): as asked: from 2024-11-25" in pages[0]


@pytest.fixture
def ten_years(run):
    return demo(run, 10)


@pytest.mark.slow
def test_ten_years_page_one_is_the_visit_and_says_where_the_rest_go_on(ten_years, tmp_path):
    run = ten_years
    pdf = tmp_path / "ten-years.pdf"
    export_pdf(run, pdf, "--from", first_night(run))
    pages = pages_of(pdf)
    page_one = pages[0]

    # tonight's step and the next, as `status` and `taper show` give them
    status = run.ok("status", "--json", now=DEMO_NOW).json()
    plan = run.ok("taper", "show", "--json", now=DEMO_NOW).json()
    step = next(i for i, s in enumerate(plan["steps"], start=1)
                if s["start"] <= str(TONIGHT) and (s["end"] is None or str(TONIGHT) <= s["end"]))
    tonight = next(line for line in page_one if line.startswith("Tonight "))
    assert tonight.startswith(f"Tonight {TONIGHT}: {status['scheduled_mg']:g} mg, step {step} of "
                              f"{len(plan['steps'])} (nights {plan['steps'][step - 1]['start']} to")
    following = status["next_change"]
    assert f"Next step {following['dose_mg']:g} mg (stop) from {following['night']}" in page_one

    # adherence: the last 30 nights beside the whole period, counted here from `history`
    records = run.ok("history", "--json", now=DEMO_NOW).json()
    taken = {r["night"] for r in records if r["kind"] == "dose" and not r["voided"]}
    skipped = {r["night"] for r in records if r["kind"] == "skip" and not r["voided"]}
    last_30 = [str(TONIGHT - dt.timedelta(days=d)) for d in range(30, 0, -1)]  # tonight is still open
    whole = [str(TONIGHT - dt.timedelta(days=d)) for d in range(3650, 0, -1)]

    def line(nights: list[str]) -> str:
        count = sum(n in taken for n in nights)
        return f"{count} ({100 * count / len(nights):.1f}%)"

    assert "Last 30 nights Whole period" in page_one
    assert f"{line(last_30)} {line(whole)} taken as scheduled" in page_one
    missed = [n for n in whole if n not in taken and n not in skipped]
    assert f"({100 * len(missed) / 3650:.1f}%) missed: neither a dose nor a skip recorded" in " ".join(page_one)
    assert f"Last 30 nights: {last_30[0]} to {last_30[-1]}; whole period" in " ".join(page_one)

    # the newest exceptions first: each missed run of nights and the one correction, counted here
    runs: list[list[str]] = []
    for night in missed:
        if runs and dt.date.fromisoformat(runs[-1][-1]) + dt.timedelta(days=1) == dt.date.fromisoformat(night):
            runs[-1].append(night)
        else:
            runs.append([night])
    void = next(r for r in records if r["voided"])
    expected = sorted([run_[0] for run_ in runs] + [void["night"]], reverse=True)
    shown = exceptions_on(page_one)
    assert f"Exceptions ({len(expected)}), the newest first" in page_one
    assert [night_of(e) for e in shown] == expected[:len(shown)]
    assert shown[0].startswith(f"{void['night']} Correction (void)")
    assert len(shown) >= 20

    # "N more exceptions, page K": K is the page the list goes on, with the next one
    (more,) = [m for line in page_one if (m := re.fullmatch(r"(\d+) more exceptions, page (\d+)", line))]
    count, page = int(more.group(1)), int(more.group(2))
    assert count == len(expected) - len(shown)
    assert page > 1 and f"Exceptions, continued ({count} more, in the order of page one)" in pages[page - 1]
    assert not any(line.startswith("Exceptions, continued") for lines in pages[:page - 1] for line in lines)
    after = pages[page - 1][pages[page - 1].index(f"Exceptions, continued ({count} more, in the order of page one)"):]
    go_on = [line for line in after + [line for lines in pages[page:] for line in lines] if EXCEPTION.match(line)]
    continued = [night_of(line) for line in go_on][:count]
    assert continued == expected[len(shown):]  # every other exception, once, in page one's order
    # the dose chart follows page one at once (it was on page 4, after 162 exceptions oldest first)
    assert "Scheduled and taken dose per night" in pages[1]


# -- the period a visit needs ------------------------------------------------------------------------


@pytest.fixture
def long_patient(run):
    """A Berlin patient on 1 mg since 2026-06-01, with a dose on the night of 2026-08-20 (before the
    last 90 nights) and one on 2026-09-01 (within them); tonight is 2026-11-25."""
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           now="2026-06-01T12:00+02:00")
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-06-01",
           now="2026-06-01T12:00+02:00")
    run.ok("log", "--note", "early summer", now="2026-08-20T22:30+02:00")
    run.ok("log", "--note", "in the last 90", now="2026-09-01T22:30+02:00")
    run.ok("log", now="2026-11-24T22:30+01:00")
    return run


def period_line(pdf: Path) -> str:
    page_one = " ".join(pages_of(pdf)[0])
    period = re.search(r"Period (nights .*?) Drug ", page_one)
    assert period is not None, page_one
    return period.group(1)


def reports(run: Any) -> list[tuple[Any, ...]]:
    return query(run.db, "SELECT format, first_night, last_night, basis, recorded_by FROM doctor_report ORDER BY id")


@pytest.mark.slow
def test_with_no_earlier_report_the_pdf_covers_the_last_90_nights_and_says_so(long_patient, tmp_path):
    run = long_patient
    pdf = tmp_path / "visit.pdf"
    out = export_pdf(run, pdf, now="2026-11-25T20:00+01:00").out
    assert ("Period: nights 2026-08-28 to 2026-11-25 (90 nights), the last 90 nights (no earlier report "
            "to the doctor is recorded)") in out
    assert period_line(pdf) == ("nights 2026-08-28 to 2026-11-25 (90 nights): the last 90 nights (no earlier "
                                "report to the doctor is recorded)")
    text = " ".join(line for page in pages_of(pdf) for line in page)
    assert "in the last 90" in text and "early summer" not in text
    assert reports(run) == [("pdf", "2026-08-28", "2026-11-25", "recent", "tester")]


@pytest.mark.slow
def test_after_a_report_the_next_covers_the_nights_since_and_the_same_day_gives_the_same(long_patient, tmp_path):
    run = long_patient
    export_pdf(run, tmp_path / "visit.pdf", now="2026-11-25T20:00+01:00")
    again = tmp_path / "again.pdf"
    export_pdf(run, again, now="2026-11-25T20:30+01:00")  # written again for the same visit
    assert period_line(again).startswith("nights 2026-08-28 to 2026-11-25 (90 nights): the last 90 nights")
    run.ok("log", now="2026-11-25T22:30+01:00")
    run.ok("symptom", "headache", "--severity", "2", now="2026-12-20T09:00+01:00")
    later = tmp_path / "later.pdf"
    out = export_pdf(run, later, now="2026-12-20T10:00+01:00").out
    words = "since the last report to the doctor, written on 2026-11-25"
    assert f"Period: nights 2026-11-25 to 2026-12-19 (25 nights), {words}" in out  # 10:00: last night
    assert period_line(later) == f"nights 2026-11-25 to 2026-12-19 (25 nights): {words}"
    assert [r[1:4] for r in reports(run)] == [("2026-08-28", "2026-11-25", "recent"),
                                              ("2026-08-28", "2026-11-25", "recent"),
                                              ("2026-11-25", "2026-12-19", "since_report")]


@pytest.mark.slow
def test_from_and_to_choose_the_nights_and_the_page_says_they_were_asked(long_patient, tmp_path):
    run = long_patient
    pdf = tmp_path / "asked.pdf"
    out = export_pdf(run, pdf, "--from", "2026-08-01", "--to", "2026-09-30").out
    assert "Period: nights 2026-08-01 to 2026-09-30 (61 nights), as asked: 2026-08-01 to 2026-09-30" in out
    assert period_line(pdf) == "nights 2026-08-01 to 2026-09-30 (61 nights): as asked: 2026-08-01 to 2026-09-30"
    text = " ".join(line for page in pages_of(pdf) for line in page)
    assert "early summer" in text and "in the last 90" in text
    assert reports(run) == [("pdf", "2026-08-01", "2026-09-30", "asked", "tester")]
    later = tmp_path / "later.pdf"
    export_pdf(run, later, "--from", "2026-06-01", now="2026-12-01T20:00+01:00")
    assert period_line(later) == "nights 2026-06-01 to 2026-12-01 (184 nights): as asked: from 2026-06-01"


@pytest.mark.slow
def test_a_failed_export_and_the_other_formats_are_not_the_doctors_report(long_patient, tmp_path, monkeypatch):
    run = long_patient
    assert run("export", "--format", "pdf", "-o", str(tmp_path / "missing" / "visit.pdf")).code == 2
    import medtrack.export.pdf as pdf_module

    def broken(data: Any, stream: Any) -> None:
        stream.write(b"%PDF-half")
        raise RuntimeError("crashed half way")

    with monkeypatch.context() as patched:
        patched.setattr(pdf_module, "write_pdf", broken)
        crashed = run("export", "--format", "pdf", "-o", str(tmp_path / "crash.pdf"))
    assert crashed.code == 1 and not (tmp_path / "crash.pdf").exists()
    for fmt, name in (("csv", "r.csv"), ("xlsx", "r.xlsx"), ("fhir", "r.json"), ("ics", "r.ics")):
        run.ok("export", "--format", fmt, "-o", str(tmp_path / name), now="2026-11-25T20:00+01:00")
    assert reports(run) == []
    # the other formats keep the whole record by default
    assert "early summer" in (tmp_path / "r.csv").read_text("utf-8-sig")
    assert "2026-08-20" in (tmp_path / "r.json").read_text("utf-8")
    pdf = tmp_path / "visit.pdf"
    export_pdf(run, pdf, now="2026-12-01T20:00+01:00")
    assert period_line(pdf).startswith("nights 2026-09-03 to 2026-12-01 (90 nights): the last 90 nights")


@pytest.mark.sqlite_only
@pytest.mark.slow
def test_the_reports_written_are_append_only(long_patient, tmp_path):
    import sqlite3
    from contextlib import closing

    run = long_patient
    export_pdf(run, tmp_path / "visit.pdf")
    run.close()
    with closing(sqlite3.connect(run.db)) as conn:
        for sql in ("UPDATE doctor_report SET first_night = '2026-01-01'", "DELETE FROM doctor_report"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    assert len(reports(run)) == 1


# -- the plan-versions table -------------------------------------------------------------------------


@pytest.fixture
def warned_plan(run):
    """Two plan versions from split tablets, saved with the warnings their preview gave (one of
    them 242 characters long)."""
    tablets = ("--tablet", "1mg:half", "--tablet", "0.5mg:quarter")
    now = "2026-11-26T22:40-05:00"
    run.ok("init", "--name", "Ada Muster", "--born", "1958-04-02", "--tz", "America/New_York", now=now)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", *tablets, now=now)
    for step, every, reason in (("10%", "14d", "gentle"), ("25%", "7d", "faster")):
        run.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", step, "--every", every,
               *tablets, "--prescriber", "Dr. Weiss", "--reason", reason, now=now)
    run.now = now
    return run


@pytest.mark.slow
def test_the_plan_versions_stay_inside_the_margins_one_warning_to_a_line(warned_plan, tmp_path):
    run = warned_plan
    pdf = tmp_path / "plan.pdf"
    run.ok("export", "--format", "pdf", "-o", str(pdf))
    boxes = poppler("pdftotext", "-enc", "UTF-8", "-bbox", str(pdf), "-")
    page = next(body for body in boxes.split("<page ")[1:] if ">Formulation</word>" in body)
    words = re.findall(r'xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>', page)
    right = A4_WIDTH_PT - MARGIN_PT
    outside = [(word, float(x_max)) for x_min, x_max, word in words
               if float(x_max) > right + 0.5 or float(x_min) < MARGIN_PT - 0.5]
    assert not outside, outside  # the header's "saw" ended at 592 pt
    header = [w for w in words if w[2] in ("Version", "Formulation", "Reason")]
    assert len(header) >= 3 and max(float(x_max) for _, x_max, _ in header) <= right

    lines = [line for p in pages_of(pdf) for line in p]
    history = run.ok("taper", "history", "--json").json()
    warnings = [w["text"] for version in sorted(history, key=lambda v: v["version"]) for w in version["warnings"]]
    assert len(warnings) >= 8
    marked = [i for i, line in enumerate(lines) if line.startswith("! ")]
    assert len(marked) == len(warnings)  # each warning starts a line of its own
    for i, warning in zip(marked, warnings, strict=True):
        ends = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(("! ", "2 ", "To dispense"))
                     or lines[j].startswith("Warnings the prescriber saw")), len(lines))
        assert " ".join(lines[i:ends]) == f"! {warning}", lines[i:ends]  # and nothing else on its lines
        if len(warning) <= 100:
            assert ends == i + 1  # a short warning is one line


@pytest.mark.sqlite_only
@pytest.mark.slow
def test_a_database_that_cannot_be_written_keeps_the_report_and_says_it_was_not_noted(long_patient, tmp_path):
    """The PDF is what the patient takes to the doctor: a database that can only be read (here a
    write-protected file) still gives it, and says that the next report will not start from it."""
    from file_faults import write_protected

    run = long_patient
    run.close()
    pdf = tmp_path / "visit.pdf"
    with write_protected(run.db):
        result = run("export", "--format", "pdf", "-o", str(pdf), now="2026-11-25T20:00+01:00")
    assert result.code == 0, result
    assert pdf.read_bytes().startswith(b"%PDF-")
    (said,) = result.err.splitlines()
    assert said.startswith("medtrack: noting the report in the database failed (") and \
        said.endswith("so the next report will not start from it"), said
    assert reports(run) == []
