"""Property: no sequence of log, skip, void and zone-change attempts breaks the dose invariants.

Runs against the services layer (the same functions the CLI and the screen call) with an
injected clock, on a fresh SQLite file per example. After every step the database is read with
sqlite3 directly and must hold:

- at most one counted planned dose (not voided, not already-taken) per night;
- no counted planned dose within 12 hours of, or on the same night as, a counted dose recorded
  before it, nor on a night skipped before it;
- no planned dose above the night's scheduled dose or the monograph ceiling (2 mg, adult);
- a refused or bad attempt writes nothing.

Already-taken doses record what happened and may break any rule; they are only held to
"recorded as such".
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from backends import Locations, location_of, query_dicts
from medtrack.clock import fixed_clock
from medtrack.core.model import DoseEntry
from medtrack.errors import BadInput, Refused
from medtrack.services.dosing import DoseRequest, log_dose, skip_night, void_record
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile, set_profile
from medtrack.storage.database import Database

UTC = dt.UTC
FIRST_NIGHT = dt.date(2026, 11, 1)
NIGHTS = 10
SET_UP = dt.datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2026, 11, 13, 12, 0, tzinfo=UTC)  # after every generated moment
CEILING_UG = 2000  # adult, born 1970
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Auckland", "Europe/London")


def scheduled_ug(night: dt.date) -> int | None:
    """What the two prescriptions of the set-up schedule: 1 mg from 11-01, 0.5 mg from 11-06."""
    if night < FIRST_NIGHT:
        return None
    return 1000 if night < dt.date(2026, 11, 6) else 500


# A moment, relative to the profile's zone when the step runs: a night and minutes after noon.
# Most fall in the evening, near the window (20:30-23:30 for bedtime 22:30).
minutes_after_noon = st.one_of(st.integers(8 * 60 + 30, 11 * 60 + 30), st.integers(8 * 60, 12 * 60),
                               st.integers(0, 24 * 60 - 1))
doses = st.sampled_from([None, None, None, "0.5mg", "500ug", "0.25 mg", "1mg", "0.75mg", "1.5mg",
                         "2mg", "2.5mg", "100mg"])
log_step = st.tuples(st.just("log"), st.integers(0, NIGHTS - 1), minutes_after_noon, doses,
                     st.sampled_from([False, False, False, False, True]))
skip_step = st.tuples(st.just("skip"), st.integers(-1, NIGHTS - 1))
void_step = st.tuples(st.just("void"), st.integers(1, 12))
zone_step = st.tuples(st.just("zone"), st.sampled_from(ZONES))
steps = st.lists(st.one_of(log_step, log_step, log_step, skip_step, void_step, zone_step),
                 min_size=6, max_size=30)


def rows(path: Path | str) -> list[dict[str, Any]]:
    return query_dicts(path, "SELECT * FROM record ORDER BY id")


def check_invariants(path: Path | str) -> None:
    records = rows(path)
    counted = [r for r in records if r["kind"] == "dose" and not r["voided"]]
    planned = [r for r in counted if not r["already_taken"]]
    skips = [r for r in records if r["kind"] == "skip" and not r["voided"]]
    nights = [r["night"] for r in planned]
    assert len(nights) == len(set(nights)), f"two planned doses for one night: {planned}"
    for dose in planned:
        night = dt.date.fromisoformat(dose["night"])
        scheduled = scheduled_ug(night)
        assert scheduled is not None, f"a planned dose on a night with nothing scheduled: {dose}"
        assert dose["dose_ug"] <= scheduled, f"above the scheduled dose: {dose}"
        assert dose["dose_ug"] <= CEILING_UG, f"above the ceiling: {dose}"
        assert dose["scheduled_ug"] == scheduled, dose
        for other in counted:
            if other["id"] < dose["id"]:  # counted now, so counted when `dose` was recorded
                assert abs(other["at_utc"] - dose["at_utc"]) >= 12 * 3600, (
                    f"two counted doses less than 12 h apart: {other} {dose}")
                assert other["night"] != dose["night"], f"second dose of a night: {other} {dose}"
        for skip in skips:
            if skip["id"] < dose["id"]:
                assert skip["night"] != dose["night"], f"a dose on a skipped night: {skip} {dose}"
    for pair in (planned + skips):
        same = [r for r in planned + skips if r["night"] == pair["night"]]
        assert len(same) == 1, f"a dose and a skip (or two) for one night: {same}"


def run_step(db: Database, path: Path | str, step: tuple[Any, ...], zone: str) -> str:
    """Run one step; returns the profile's zone after it."""
    before = rows(path)
    try:
        if step[0] == "log":
            _, night_index, minutes, dose, already_taken = step
            tz = ZoneInfo(zone)
            noon = dt.datetime.combine(FIRST_NIGHT + dt.timedelta(days=night_index), dt.time(12),
                                       tzinfo=tz)
            at = (noon.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(tz)
            note = "it happened" if already_taken else None
            entry = DoseEntry.ALREADY_TAKEN if already_taken else DoseEntry.TO_TAKE
            log_dose(db, NOW, DoseRequest(dose=dose, at=at.isoformat(), note=note, entry=entry))
        elif step[0] == "skip":
            night = FIRST_NIGHT + dt.timedelta(days=step[1])
            skip_night(db, NOW, night.isoformat(), None)
        elif step[0] == "void":
            void_record(db, NOW, step[1], "entered in error")
        else:
            set_profile(db, NOW, ProfileChanges(zone=step[1]))
            zone = step[1]
    except (BadInput, Refused) as error:
        event(f"{step[0]}: {type(error).__name__}")
        assert rows(path) == before, f"a refused {step} wrote something"
        return zone
    event(f"{step[0]}: recorded")
    return zone


def play(script: list[tuple[Any, ...]], locations: Locations | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = locations.new(Path(folder)) if locations else Path(folder) / "medtrack.db"
        init_profile(location_of(path), SET_UP, ProfileChanges(name="Ada", born="1970-05-01",
                                                  zone="Europe/Berlin", bedtime="22:30",
                                                  wake="06:30"), "UTC", clock=fixed_clock(SET_UP))
        db = Database(location_of(path))
        try:
            prescribe(db, SET_UP, PrescriptionRequest(
                dose="1mg", prescriber="Dr. Weiss", start=FIRST_NIGHT.isoformat()))
            prescribe(db, SET_UP, PrescriptionRequest(dose="0.5mg", prescriber="Dr. Weiss", start="2026-11-06"))
            zone = "Europe/Berlin"
            for step in script:
                zone = run_step(db, path, step, zone)
                check_invariants(path)
        finally:
            db.dispose()


@settings(max_examples=30, deadline=None, database=None)
@given(steps)
# Berlin 23:00, then Tokyo: the next Tokyo evening is only hours later (the 12-hour net)
@example([("log", 2, 11 * 60, None, False), ("zone", "Asia/Tokyo"), ("log", 3, 9 * 60, None, False),
          ("log", 3, 9 * 60 + 30, "0.5mg", False), ("log", 4, 9 * 60, None, False)])
# a second dose, an already-taken one, a void, then a planned one on the freed night
@example([("log", 0, 10 * 60, None, False), ("log", 0, 10 * 60 + 20, "1mg", True),
          ("log", 0, 10 * 60 + 30, None, False), ("void", 1, ), ("log", 0, 10 * 60 + 40, None, False),
          ("void", 2), ("log", 0, 11 * 60, "0.5mg", False)])
# skips, a dose on a skipped night, a void of the skip
@example([("skip", 1), ("log", 1, 9 * 60, None, False), ("void", 1), ("log", 1, 9 * 60, None, False),
          ("skip", 1), ("log", 6, 9 * 60, "1mg", False), ("log", 6, 9 * 60, "0.5mg", False)])
@pytest.mark.slow
def test_no_sequence_of_attempts_breaks_the_dose_invariants(locations, script):
    play(script, locations)


def test_the_invariant_checker_sees_a_violation():
    """Negative control: the checker fails on a database where the rules were bypassed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "medtrack.db"
        init_profile(path, SET_UP, ProfileChanges(name="Ada", born="1970-05-01",
                                                  zone="Europe/Berlin"), "UTC", clock=fixed_clock(SET_UP))
        Database(path).dispose()
        with closing(sqlite3.connect(path)) as conn:
            conn.execute(
                "INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, "
                "recorded_at_utc, patient_id) VALUES ('dose', '2026-11-02', 1, 'UTC', 3000, 1000, 1, 1)")
            conn.commit()
        try:
            check_invariants(path)
        except AssertionError as error:
            assert "above the scheduled dose" in str(error)
        else:
            raise AssertionError("the checker missed a 3 mg dose scheduled at 1 mg")
