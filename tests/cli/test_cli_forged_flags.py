"""A row written straight into a patient's file with sqlite3 cannot forge a judgement: a count
stored as "not flagged, as expected" that hides a loss, or a serious side effect stored as "not
urgent", shows flagged (with what was really expected) and urgent in `medtrack stock`, `status
--json`, `symptoms` and the workbook, because those are worked out when read."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from backends import query_dicts

SET_UP = "2026-11-01T12:00+01:00"
COUNTED_AT = dt.datetime(2026, 11, 11, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
LATER = "2026-11-11T20:00+01:00"
pytestmark = pytest.mark.sqlite_only  # a raw INSERT into the file itself


def insert(path: Path, table: str, row: dict[str, Any]) -> None:
    """What someone with sqlite3 and the file can do: INSERT any values, bypassing medtrack."""
    names = ", ".join(row)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))


def like(path: Path, table: str, **values: Any) -> dict[str, Any]:
    """A row medtrack wrote (the first of `table`), without its id, with `values` instead."""
    (written, *_) = query_dicts(path, f"SELECT * FROM {table} ORDER BY id")
    return {**{k: v for k, v in written.items() if k != "id"}, **values}


@pytest.fixture
def stocked(run, db_path: Path) -> Any:
    """30 × 1 mg tablets on 1 November, half a tablet taken on each of the ten nights after: 25
    tablets are left on 11 November."""
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP)
    run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           "--tablet", "1mg:half", now=SET_UP)
    run.ok("stock", "add", "30x1mg", now="2026-11-01T13:00+01:00")
    for day in range(10):
        run.ok("log", now=f"{dt.date(2026, 11, 1 + day).isoformat()}T22:40+01:00")
    run.close()
    return run


def forge_a_count_that_hides_a_loss(path: Path) -> None:
    """15 tablets counted (10 gone), stored as expected and not flagged."""
    insert(path, "stock", like(path, "stock", kind="count", amount=60, expected=60, flagged=0,
                               at_utc=int(COUNTED_AT.timestamp()), note="all as expected",
                               recorded_at_utc=int(COUNTED_AT.timestamp())))


@pytest.mark.slow
def test_a_forged_count_shows_flagged_with_the_real_expected_amount(stocked, db_path: Path, tmp_path: Path):
    forge_a_count_that_hides_a_loss(db_path)
    assert [(r["kind"], r["expected"], r["flagged"]) for r in query_dicts(db_path, "SELECT * FROM stock")] == [
        ("add", None, 0), ("count", 60, 0)]  # what the file says

    text = stocked.ok("stock", now=LATER).out
    assert ("The count of 2026-11-11 (15 × 1 mg tablets) differs from the 25 × 1 mg tablets expected"
            in text)
    shown = stocked.ok("stock", "--json", now=LATER).json()
    assert shown["flagged_counts"] == [{"at": "2026-11-11T12:00:00+01:00", "counted": "15 × 1 mg tablets",
                                        "expected": "25 × 1 mg tablets", "since": "the delivery on 2026-11-01",
                                        "since_at": "2026-11-01T13:00:00+01:00"}]
    assert shown["levels"][0]["last_count_flagged"] is True

    status = stocked.ok("status", "--json", now=LATER).json()
    assert status["stock"]["flagged_counts"] == shown["flagged_counts"]

    stocked.ok("export", "--format", "xlsx", "-o", str(tmp_path / "report.xlsx"), now=LATER)
    book = load_workbook(tmp_path / "report.xlsx")
    head, *rows = ([c.value for c in row] for row in book["Stock"].iter_rows())
    sheet = [dict(zip(head, row, strict=True)) for row in rows]
    assert [(r["kind"], r["amount"], r["expected"], r["flagged"]) for r in sheet] == [
        ("add", 30, None, "no"), ("count", 15, 25, "yes")]
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["flagged stock counts"] == 1


@pytest.mark.slow
def test_a_forged_count_sets_the_level_but_a_later_count_is_still_judged_from_the_delivery(stocked, db_path: Path):
    """The forged row's amount is a fact like any other: it sets what is left. But a count is
    judged against what is expected since the delivery, so the next count of the same 15 tablets
    is flagged too: the loss cannot be counted away."""
    forge_a_count_that_hides_a_loss(db_path)
    again = stocked.ok("stock", "count", "15x1mg", now=LATER)
    assert "25 × 1 mg tablets expected since the delivery on 2026-11-01" in again.out
    assert "differs from the 25 × 1 mg tablets expected" in again.out
    shown = stocked.ok("stock", "--json", now=LATER).json()
    assert [c["expected"] for c in shown["flagged_counts"]] == ["25 × 1 mg tablets"] * 2
    assert shown["levels"][0]["left"] == 15.0


@pytest.fixture
def journal(patient, db_path: Path) -> Any:
    patient.ok("symptom", "headache", "--severity", "2", now="2026-11-25T23:00+01:00")
    patient.close()
    return patient


@pytest.mark.parametrize(("name", "effect_id"), [
    ("Respiratory depression", "respiratory-depression"),
    ("Respiratory depression", None),  # stored as free text, without the id
    ("Low blood pressure", None),  # an alias of hypotension
])
def test_a_forged_serious_symptom_shows_urgent(journal, db_path: Path, tmp_path: Path, name: str,
                                               effect_id: str | None):
    insert(db_path, "symptom", like(db_path, "symptom", name=name, effect_id=effect_id, severity=1,
                                    urgent=0, note="slept badly"))
    assert query_dicts(db_path, "SELECT urgent FROM symptom ORDER BY id") == [{"urgent": 0}, {"urgent": 0}]

    text = journal.ok("symptoms").out
    (line,) = [line for line in text.splitlines() if name in line]
    assert "URGENT" in line
    headache = [line for line in text.splitlines() if "Headache" in line]
    assert headache and "URGENT" not in headache[0]
    listed = journal.ok("symptoms", "--json").json()
    assert [(s["name"], s["urgent"]) for s in listed] == [("Headache", False), (name, True)]
    assert "contact your doctor now" in listed[1]["message"]

    journal.ok("export", "--format", "xlsx", "-o", str(tmp_path / "report.xlsx"))
    book = load_workbook(tmp_path / "report.xlsx")
    head, *rows = ([c.value for c in row] for row in book["Symptoms"].iter_rows())
    assert [(r[head.index("symptom")], r[head.index("urgent")]) for r in rows] == [
        ("Headache", "no"), (name, "yes")]
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["urgent symptoms"] == 1
