"""Import is judged like `log`: a row on a night this database's plan covers is checked against
the schedule in force (never the file's scheduled_mg), and a file never voids or replaces a
record the database already holds; each row left out is reported with why."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from medtrack.export.csv_export import COLUMNS

pytestmark = pytest.mark.sqlite_only  # two database files side by side

SET_UP_AT = "2026-11-01T12:00+01:00"
SETUP = ("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
         "--bedtime", "22:30", "--wake", "06:30")


def exported(run, tmp_path: Path, db: Path) -> Path:
    out = tmp_path / f"{db.stem}.csv"
    run.ok("--db", str(db), "export", "--format", "csv", "-o", str(out), now="2026-11-25T20:00+01:00")
    return out


@pytest.mark.slow
def test_a_dose_after_the_taper_reached_0_imports_as_an_excess_not_as_taken(run, tmp_path: Path):
    """Elsewhere 2 mg a night was prescribed; here the taper reached 0 mg on 11-15. The 2 mg dose
    of 11-20 is checked against this plan: kept (it was taken), flagged as breaking
    nothing-scheduled, and an excess on the calendar, as `log --already-taken` would record it."""
    other = tmp_path / "other.db"
    run.ok("--db", str(other), *SETUP, now=SET_UP_AT)
    run.ok("--db", str(other), "prescribe", "--dose", "2mg", "--prescriber", "Dr. A", "--start", "2026-11-01",
           now=SET_UP_AT)
    run.ok("--db", str(other), "log", now="2026-11-20T22:40+01:00")
    csv_file = exported(run, tmp_path, other)

    run.ok(*SETUP, now=SET_UP_AT)
    run.ok("taper", "set", "--steps", "2026-11-01=1mg,2026-11-08=0.5mg,2026-11-15=0", "--prescriber", "Dr. B",
           now=SET_UP_AT)
    run.ok("import", str(csv_file), now="2026-11-25T20:00+01:00")
    (dose,) = [r for r in run.ok("history", "--json").json() if r["night"] == "2026-11-20"]
    assert (dose["dose_mg"], dose["scheduled_mg"], dose["already_taken"], dose["rule_broken"]) == (
        2, None, True, "nothing-scheduled")
    nights = {n["night"]: n["state"] for n in run.ok("calendar", "--json", "--month", "2026-11").json()["nights"]}
    assert nights["2026-11-20"] == "excess"


@pytest.mark.slow
def test_a_file_never_voids_a_record_the_database_holds(run, tmp_path: Path):
    """A CSV whose last row voids the dose this database already holds: the dose stays, the row
    is left out and reported, the rest is imported."""
    run.ok(*SETUP, now=SET_UP_AT)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01", now=SET_UP_AT)
    run.ok("log", now="2026-11-20T22:40+01:00")
    csv_file = exported(run, tmp_path, Path(run.db))
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    dose = dict(zip(COLUMNS, rows[1], strict=True))
    void = {**dose, "id": "99", "kind": "void", "dose_mg": "", "scheduled_mg": "", "status": "void",
            "voids": dose["id"], "note": "a file says so", "time": "2026-11-25T19:00:00+01:00"}
    crafted = tmp_path / "crafted.csv"
    with crafted.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerows([COLUMNS, rows[1], [void[c] for c in COLUMNS]])

    result = run.ok("import", str(crafted), now="2026-11-25T20:00+01:00")
    assert "1 left out" in result.out and f"voids record {dose['id']}" in result.out
    (stored,) = run.ok("history", "--json").json()
    assert stored["voided"] is False
    assert run.ok("status", "--json", now="2026-11-20T23:00+01:00").json()["state"] == "taken"
