"""Property: no sequence of doses, skips and prescription or plan changes re-judges a night that
is already recorded (issue 9).

Runs against the services (the same functions the CLI and the screen call) on a fresh SQLite
file per example, with the clock moving forward night by night. After every step:

- every recorded night keeps the scheduled dose it had when it was recorded, in the calendar
  (what exports and the screen use) as in the schedule itself;
- no dose taken as scheduled is ever an excess;
- a refused change writes nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends import Locations, location_of, query
from medtrack.clock import fixed_clock
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.errors import BadInput, Refused
from medtrack.services.calendar import calendar_month
from medtrack.services.dosing import DoseRequest, log_dose, skip_night
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile
from medtrack.services.taper import PlanAction, PlanChange, PlanRequest, change_plan, set_plan
from medtrack.storage.database import Database
from medtrack.storage.work import Work

BERLIN = ZoneInfo("Europe/Berlin")
FIRST = dt.date(2026, 11, 1)
DAYS = 20

night_index = st.integers(0, DAYS - 1)
start_offset = st.one_of(st.none(), st.integers(-DAYS, 5))  # None: the default (tonight)
dose_mg = st.sampled_from(["0.25mg", "0.5mg", "0.75mg", "1mg", "1.5mg"])
steps = st.lists(st.sampled_from([1000, 750, 500, 250, 0]), min_size=1, max_size=4).map(
    lambda ds: sorted(set(ds), reverse=True))
action = st.one_of(
    st.tuples(st.just("log")),
    st.tuples(st.just("skip")),
    st.tuples(st.just("prescribe"), dose_mg, start_offset),
    st.tuples(st.just("plan"), start_offset, steps, st.integers(1, 6)),
    st.tuples(st.just("hold"), start_offset, st.integers(1, 5)),
    st.tuples(st.just("step-back"), start_offset),
)
script = st.lists(st.tuples(night_index, action), min_size=1, max_size=12).map(
    lambda xs: sorted(xs, key=lambda x: x[0]))


pytestmark = pytest.mark.slow  # a long property test


def night_at(index: int, hour: int = 22, minute: int = 40) -> dt.datetime:
    day = FIRST + dt.timedelta(days=index)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def recorded(path: Path | str) -> dict[str, int | None]:
    """Night -> the scheduled dose stored with its record (read with sqlite3, not medtrack)."""
    rows = query(path, "SELECT night, scheduled_ug FROM record WHERE kind IN ('dose', 'skip')"
                       " AND NOT voided ORDER BY id")
    found: dict[str, int | None] = {}
    for night, scheduled in rows:
        found.setdefault(night, scheduled)
    return found


def schedule(db: Database, night: str) -> int | None:
    """What the prescriptions and plan versions in force schedule for a night now."""
    day = dt.date.fromisoformat(night)
    with db.unit_of_work(Work.READ) as repo:
        return scheduled_ug(regimen_on(repo.regimens(), day), day)


def calendar(db: Database, now: dt.datetime) -> dict[str, dict[str, object]]:
    nights: dict[str, dict[str, object]] = {}
    for month in ("2026-10", "2026-11", "2026-12"):
        for n in calendar_month(db, now, month).nights:
            nights[n.night.isoformat()] = {"scheduled": n.scheduled_ug, "state": n.state}
    return nights


def run_step(db: Database, index: int, step: tuple[Any, ...]) -> None:
    kind = step[0]
    now = night_at(index, 22, 40)

    def start(off: int | None) -> str | None:
        return None if off is None else (FIRST + dt.timedelta(days=index + off)).isoformat()

    if kind == "log":
        log_dose(db, now, DoseRequest())
    elif kind == "skip":
        skip_night(db, now)
    elif kind == "prescribe":
        prescribe(db, now, PrescriptionRequest(dose=step[1], prescriber="Dr. Weiss", start=start(step[2])))
    elif kind == "plan":
        first = dt.date.fromisoformat(start(step[1]) or now.date().isoformat())
        text = ",".join(f"{first + dt.timedelta(days=i * step[3])}={ug}ug" if ug else
                        f"{first + dt.timedelta(days=i * step[3])}=0" for i, ug in enumerate(step[2]))
        set_plan(db, now, PlanRequest(prescriber="Dr. Weiss", steps=text, reason="changed"))
    elif kind == "hold":
        change_plan(db, now, PlanChange(action=PlanAction.HOLD, reason="slower", at=start(step[1]), days=str(step[2])))
    else:
        change_plan(db, now, PlanChange(action=PlanAction.STEP_BACK, reason="too fast", at=start(step[1])))


@settings(max_examples=60, deadline=None)
@given(script)
def test_no_change_re_judges_a_recorded_night(locations: Locations, steps_: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = locations.new(Path(folder))
        set_up = dt.datetime(2026, 10, 31, 12, 0, tzinfo=BERLIN)
        init_profile(location_of(path), set_up, ProfileChanges(name="Ada", born="1970-05-01",
                                                  zone="Europe/Berlin"), "Europe/Berlin",
                     clock=fixed_clock(set_up))
        db = Database(location_of(path))
        try:
            prescribe(db, set_up, PrescriptionRequest(dose="1mg", prescriber="Dr. Weiss", start=FIRST.isoformat()))
            for index, step in steps_:
                before_rows = recorded(path)
                before = calendar(db, night_at(index))
                try:
                    run_step(db, index, step)
                except (BadInput, Refused):
                    assert recorded(path) == before_rows  # a refusal writes no record
                after = calendar(db, night_at(index))
                for night, scheduled in recorded(path).items():
                    # the calendar shows the dose the night was recorded with, and never an excess
                    assert after[night]["scheduled"] == scheduled, (night, step)
                    assert after[night]["state"] != "excess", (night, step)
                    assert schedule(db, night) == scheduled, (night, step)  # the plan itself
                    if night in before_rows:
                        assert before[night] == after[night], (night, step)
        finally:
            db.dispose()
