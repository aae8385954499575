"""The ward (services.ward): every patient's tonight on a database made through the CLI, in the
same state `medtrack --patient N status --json` gives, sorted by who is due soonest, nothing of
one patient in another's row, and no patient ever dropped.

The clock is fixed (MEDTRACK_NOW for the CLI, `NOW` for the service); TZ is UTC.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from backends import location_of, query
from medtrack.core.model import Patient, Profile
from medtrack.services.database import open_database
from medtrack.services.ward import Unjudged, WardRow, judge, order, ward
from medtrack.storage.ward import WardPatient

NOW_TEXT = "2026-11-25T23:10+01:00"  # Berlin; 22:10 UTC; 12:10 on 26 November at Kiritimati (+14)
NOW = dt.datetime.fromisoformat(NOW_TEXT)
SET_UP = "2026-11-01T12:00+01:00"
BERLIN = "Europe/Berlin"

# name: (init options, prescribed dose or None); the comment is the state at NOW.
PATIENTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "Ada Muster": (("--bedtime", "22:30", "--wake", "06:30"), "1mg"),  # due, latest 23:30
    "Bert Brandt": (("--bedtime", "22:00", "--wake", "06:15"), "0.5mg"),  # due, latest 23:15
    "Carla Cruz": (("--bedtime", "01:30", "--wake", "08:45"), "0.75mg"),  # not yet, from 23:30
    "Kai Kiritimati": (("--tz", "Pacific/Kiritimati"), "0.25mg"),  # not yet (night of the 26th)
    "Dora Dahl": ((), "1mg"),  # taken at 22:05
    "Emil Ernst": ((), "1mg"),  # skipped
    "Franz Frost": (("--condition", "glaucoma"), None),  # contraindicated
    "Gina Gold": ((), None),  # no prescription
    "Hans Hart": (("--bedtime", "21:00", "--wake", "05:00"), "1mg"),  # too late after 22:00
    "Ivy Iversen": ((), "1mg"),  # a dose logged and voided: due again
}
ORDER = ["Bert Brandt", "Ada Muster", "Ivy Iversen", "Carla Cruz", "Kai Kiritimati",
         "Dora Dahl", "Emil Ernst", "Franz Frost", "Gina Gold", "Hans Hart"]


@pytest.fixture
def many(run, monkeypatch) -> dict[str, int]:
    """The ten patients above, made through the CLI; their numbers by name."""
    ids = (f"5f0c7d1e-9a4b-4c2d-8e6f-{n:012d}" for n in itertools.count(1))
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: next(ids))
    numbers: dict[str, int] = {}
    for name, (options, dose) in PATIENTS.items():
        extra = () if not numbers else ("--add-patient",)
        zone = () if "--tz" in options else ("--tz", BERLIN)
        run.ok("init", "--name", name, "--born", "1950-05-01", *zone, *options, *extra, now=SET_UP)
        numbers[name] = len(numbers) + 1
        if dose is not None:
            run.ok("--patient", name, "prescribe", "--dose", dose, "--prescriber", "Dr. Weiss",
                   "--start", "2026-11-01", now=SET_UP)
    run.ok("--patient", "Dora Dahl", "log", now="2026-11-25T22:05+01:00")
    run.ok("--patient", "Emil Ernst", "skip", "--note", "asleep already", now="2026-11-25T21:00+01:00")
    voided = run.ok("--patient", "Ivy Iversen", "log", "--json", now="2026-11-25T22:50+01:00").json()
    run.ok("--patient", "Ivy Iversen", "void", str(voided["id"]), "--reason", "dropped it",
           "--not-taken", now="2026-11-25T22:55+01:00")
    # Kai's last night (the 25th where Kai is), logged before Berlin's evening: not Kai's tonight.
    run.ok("--patient", "Kai Kiritimati", "log", now="2026-11-25T21:00+14:00")
    run.close()
    return numbers


def rows_of(db_path: Path | str) -> list[WardRow]:
    db = open_database(location_of(db_path))
    try:
        return ward(db, NOW)
    finally:
        db.dispose()


def status_of(run, number: int) -> dict[str, Any]:
    found: dict[str, Any] = run.ok("--patient", str(number), "status", "--json", now=NOW_TEXT).json()
    return found


@pytest.mark.slow
def test_the_ward_sorts_due_soonest_then_not_yet_then_the_rest_by_name(many, db_path):
    rows = rows_of(db_path)
    assert [r.name for r in rows] == ORDER
    assert [r.number for r in rows] == [many[name] for name in ORDER]
    words = {r.name: r.words for r in rows}
    assert words == {
        "Bert Brandt": "Due now", "Ada Muster": "Due now", "Ivy Iversen": "Due now",
        "Carla Cruz": "Not yet (from 23:30)", "Kai Kiritimati": "Not yet (from 20:30)",
        "Dora Dahl": "Taken at 22:05", "Emil Ernst": "Skipped", "Franz Frost": "Contraindicated",
        "Gina Gold": "No prescription", "Hans Hart": "Too late tonight",
    }


@pytest.mark.slow
def test_every_row_says_what_status_says_for_that_patient(many, run, db_path):
    for row in rows_of(db_path):
        status = status_of(run, row.number)
        assert row.state == status["state"], row.name
        assert row.night is not None and row.night.isoformat() == status["night"], row.name
        shown = status["taken_mg"] if status["state"] == "taken" else status["may_take_mg"]
        assert (row.scheduled_ug or 0) == round((shown or 0) * 1000), row.name
        assert row.window_opens is not None and row.latest_dose_at is not None
        assert row.window_opens.isoformat(timespec="seconds") == status["window_opens"], row.name
        assert row.latest_dose_at.isoformat(timespec="seconds") == status["latest_dose_at"], row.name
        taken = row.taken_at.isoformat(timespec="seconds") if row.taken_at else None
        assert taken == status["taken_at"], row.name


@pytest.mark.slow
def test_nothing_of_one_patient_shows_in_anothers_row(many, db_path):
    rows = {r.name: r for r in rows_of(db_path)}
    assert [name for name, r in rows.items() if r.taken_at is not None] == ["Dora Dahl"]
    assert rows["Dora Dahl"].taken_at == dt.datetime.fromisoformat("2026-11-25T22:05+01:00")
    assert {name: r.dose for name, r in rows.items()} == {
        "Ada Muster": "1 mg", "Bert Brandt": "0.5 mg", "Carla Cruz": "0.75 mg", "Kai Kiritimati": "0.25 mg",
        "Dora Dahl": "1 mg", "Emil Ernst": "", "Franz Frost": "", "Gina Gold": "", "Hans Hart": "",
        "Ivy Iversen": "1 mg"}  # no number beside "skipped" or "too late": nothing may be taken
    assert {name: r.window for name, r in rows.items() if name in ("Ada Muster", "Bert Brandt", "Carla Cruz",
                                                                     "Kai Kiritimati", "Hans Hart")} == {
        "Ada Muster": "20:30–23:30", "Bert Brandt": "20:00–23:15", "Carla Cruz": "23:30–01:45",
        "Kai Kiritimati": "20:30–23:30", "Hans Hart": "19:00–22:00"}  # each in the patient's own zone
    assert rows["Kai Kiritimati"].night == dt.date(2026, 11, 26)  # Kai's 25th (a dose) is last night
    assert rows["Ada Muster"].night == dt.date(2026, 11, 25)


@pytest.mark.slow
def test_a_dose_logged_since_the_last_read_shows_at_the_next(many, run, db_path):
    assert rows_of(db_path)[0].name == "Bert Brandt"
    run.ok("--patient", "Bert Brandt", "log", now="2026-11-25T23:05+01:00")
    rows = {r.name: r for r in rows_of(db_path)}
    assert rows["Bert Brandt"].words == "Taken at 23:05"
    assert rows_of(db_path)[0].name == "Ada Muster"


@pytest.mark.slow
def test_the_ward_reads_a_few_queries_whatever_the_number_of_patients(many, db_path):
    """Batched: the same handful of statements for ten patients as for one."""
    from sqlalchemy import event

    db = open_database(location_of(db_path))
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        assert len(ward(db, NOW)) == len(PATIENTS)
    finally:
        db.dispose()
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects  # patients and profiles, regimens and steps, records, symptoms


@pytest.mark.sqlite_only
@pytest.mark.slow
def test_a_patient_whose_profile_cannot_be_judged_is_still_listed(many, db_path):
    """A newer profile version in a zone this machine does not know (written straight to the
    file): the patient stays on the ward, in words, and everyone else is judged as before."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("INSERT INTO profile_version (patient_id, recorded_at_utc, name, born, zone, bedtime, wake, "
                     "liver, renal, pregnant, breastfeeding, conditions, min_sleep_min, change) SELECT patient_id, "
                     "recorded_at_utc + 1, name, born, 'Mars/Olympus_Mons', bedtime, wake, liver, renal, pregnant, "
                     "breastfeeding, conditions, min_sleep_min, 'moved' FROM profile_version WHERE name = 'Gina Gold'")
        conn.commit()
    rows = rows_of(db_path)
    assert len(rows) == len(PATIENTS)
    gina = next(r for r in rows if r.name == "Gina Gold")
    assert gina.state == Unjudged.UNKNOWN and gina.words == "Unknown: check profile"
    assert [r.name for r in rows if r.state != Unjudged.UNKNOWN][:5] == ORDER[:5]
    assert query(db_path, "SELECT count(*) FROM patient") == [(len(PATIENTS),)]


def test_a_patient_without_a_profile_is_listed_too():
    patient = WardPatient(Patient(7, "5f0c7d1e-9a4b-4c2d-8e6f-000000000007", None), None)
    row = judge(patient, None, [], [], NOW)
    assert (row.number, row.name, row.words, row.dose, row.window) == (7, "Patient 7", "No profile yet", "", "")
    odd = WardPatient(Patient(8, "5f0c7d1e-9a4b-4c2d-8e6f-000000000008", "Olga"),
                      Profile(name="Olga", born=dt.date(1950, 1, 1), zone="Nowhere/Atlantis"))
    assert judge(odd, None, [], [], NOW).state == Unjudged.UNKNOWN
    assert order(row)[0] == order(judge(odd, None, [], [], NOW))[0] == 2  # with the rest, by name
