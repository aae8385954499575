"""Issue 9 through the real entry point: plan changes never rewrite the past, the newest version
wins, a plan goes down, and a recent dose is voided only as "not taken".

The standard patient (`patient` fixture) lives in Europe/Berlin, bedtime 22:30, wake 06:30
(window 20:30-23:30), on 1 mg from the night of 2026-11-01. Times are Berlin (+01:00).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backends import query

SET_UP_AT = "2026-11-01T12:00+01:00"
IN_WINDOW = "2026-11-25T22:40+01:00"
LATER = "2026-11-25T23:20+01:00"
PLAN = ("--from", "0.5mg", "--step", "0.25mg", "--every", "2w", "--prescriber", "Dr. Weiss")


def sql(path: Path | str, text: str) -> list[tuple[Any, ...]]:
    return query(path, text)


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sql(path, f"SELECT * FROM {t} ORDER BY id")
            for t in ("record", "regimen", "regimen_step", "profile_version")}


def status(run: Any, now: str) -> dict[str, Any]:
    data = run.ok("status", "--json", now=now).json()
    assert isinstance(data, dict)
    return data


def log_nights(run, first: int, last: int) -> None:
    """1 mg taken at 22:40 on the nights of November `first`..`last`, as scheduled."""
    for day in range(first, last + 1):
        run.ok("log", now=f"2026-11-{day:02d}T22:40+01:00")


# -- a change never alters a recorded night ---------------------------------------------------


def test_a_plan_backdated_over_logged_nights_is_refused_naming_the_night(patient, db_path):
    log_nights(patient, 19, 22)
    before = tables(db_path)
    result = patient("taper", "set", "--start", "2026-11-19", *PLAN, now="2026-11-23T12:00+01:00")
    assert result.code == 2
    assert "2026-11-19" in result.err and "already recorded" in result.err
    assert "2026-11-23" in result.err  # the first night it may start
    assert tables(db_path) == before  # nothing written
    month = patient.ok("calendar", "--month", "2026-11", "--json", now="2026-11-23T12:00+01:00").json()
    states = {n["night"]: n["state"] for n in month["nights"]}
    assert [states[f"2026-11-{d}"] for d in (19, 20, 21, 22)] == ["taken"] * 4
    # from the night it names, the same plan is accepted
    patient.ok("taper", "set", "--start", "2026-11-23", *PLAN, now="2026-11-23T12:00+01:00")


def test_a_change_may_start_in_the_past_over_nights_with_nothing_recorded(patient):
    log_nights(patient, 19, 20)
    patient.ok("taper", "set", "--start", "2026-11-21", *PLAN, now="2026-11-23T12:00+01:00")
    month = patient.ok("calendar", "--month", "2026-11", "--json", now="2026-11-23T12:00+01:00").json()
    nights = {n["night"]: n for n in month["nights"]}
    assert nights["2026-11-20"]["state"] == "taken" and nights["2026-11-20"]["scheduled_mg"] == 1
    assert nights["2026-11-21"]["scheduled_mg"] == 0.5  # entering a plan late


def test_a_change_that_keeps_the_dose_of_recorded_nights_is_accepted(patient):
    log_nights(patient, 19, 22)
    patient.ok("taper", "set", "--steps", "2026-11-15=1mg,2026-12-01=0.5mg,2026-12-15=0",
               "--prescriber", "Dr. Weiss", now="2026-11-23T12:00+01:00")


def test_an_explicit_start_over_tonight_once_logged_is_refused(patient, db_path):
    """Logging 1 mg, then a plan from tonight at 0.5 mg, used to make status call the
    patient's dose an excess and talk of emergency services."""
    patient.ok("log", now=IN_WINDOW)
    before = tables(db_path)
    result = patient("taper", "set", "--start", "2026-11-25", *PLAN, now=LATER)
    assert result.code == 2 and "2026-11-25" in result.err and "2026-11-26" in result.err
    assert tables(db_path) == before
    data = status(patient, LATER)
    assert data["state"] == "taken" and data["excess"] is False
    assert not any("More than" in w for w in data["warnings"])


def test_a_default_start_moves_to_tomorrow_when_tonight_is_recorded(patient, db_path):
    patient.ok("log", now=IN_WINDOW)
    out = patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", now=LATER).out
    assert "Tonight (2026-11-25) is already recorded" in out
    assert "from the night of 2026-11-26" in out
    assert sql(db_path, "SELECT start_night FROM regimen ORDER BY id DESC LIMIT 1") == [("2026-11-26",)]
    tonight = status(patient, LATER)
    assert tonight["scheduled_mg"] == 1 and tonight["excess"] is False
    tomorrow = status(patient, "2026-11-26T22:40+01:00")
    assert tomorrow["scheduled_mg"] == 0.5
    assert tomorrow["dose_change"] == {"from_mg": 1, "to_mg": 0.5}
    shown = patient.ok("status", now="2026-11-26T22:40+01:00").out
    assert "Your dose changes tonight: 0.5 mg (was 1 mg)." in shown


def test_a_default_start_stays_tonight_when_nothing_is_recorded_or_nothing_changes(patient, db_path):
    out = patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", now=IN_WINDOW).out
    assert "already recorded" not in out and "from the night of 2026-11-25" in out
    patient.ok("log", now=LATER)
    out = patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss",
                     now="2026-11-25T23:25+01:00").out
    assert "already recorded" not in out  # the same dose: tonight is not altered


def test_step_back_moves_to_tomorrow_and_hold_keeps_tonight(patient, db_path):
    patient.ok("taper", "set", "--steps", "2026-11-20=1mg,2026-11-24=0.75mg,2026-12-10=0",
               "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
    patient.ok("log", now=IN_WINDOW)  # 0.75 mg, as scheduled
    out = patient.ok("taper", "step-back", "--reason", "could not sleep", now=LATER).out
    assert "starts with tomorrow night (2026-11-26)" in out
    assert status(patient, LATER)["scheduled_mg"] == 0.75
    assert status(patient, "2026-11-26T22:40+01:00")["scheduled_mg"] == 1
    out = patient.ok("taper", "hold", "--days", "7", "--reason", "withdrawal", now=LATER).out
    assert "already recorded" not in out  # a hold leaves tonight's dose as it is


@pytest.mark.slow
def test_an_explicit_hold_or_step_back_over_recorded_nights(patient):
    patient.ok("taper", "set", "--steps", "2026-11-15=1mg,2026-11-20=0.75mg,2026-12-10=0",
               "--prescriber", "Dr. Weiss", now="2026-11-15T12:00+01:00")
    for day in (20, 21, 22):
        patient.ok("log", now=f"2026-11-{day}T22:40+01:00")
    # holding the 0.75 mg step from the 20th changes no recorded night
    patient.ok("taper", "hold", "--days", "3", "--at", "2026-11-20", "--reason", "slow",
               now="2026-11-23T12:00+01:00")
    # stepping back from the 20th would make those nights 1 mg
    result = patient("taper", "step-back", "--at", "2026-11-20", "--reason", "bad week",
                     now="2026-11-23T12:00+01:00")
    assert result.code == 2 and "2026-11-20" in result.err and "2026-11-23" in result.err


# -- the newest version decides -----------------------------------------------------------------


def test_a_plan_starting_before_the_prescription_is_followed(run):
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP_AT)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-25",
           now="2026-11-25T12:00+01:00")
    run.ok("taper", "set", "--start", "2026-11-01", "--from", "1mg", "--step", "0.25mg", "--every",
           "2w", "--prescriber", "Dr. Weiss", now="2026-11-25T12:00+01:00")
    assert status(run, "2026-11-25T22:40+01:00")["scheduled_mg"] == 0.75  # 11-15 .. 11-28
    january = status(run, "2027-01-05T22:40+01:00")
    assert january["state"] == "no_dose" and january["scheduled_mg"] is None  # plan ended 12-27
    shown = run.ok("taper", "hold", "--days", "7", "--reason", "withdrawal symptoms",
                   now="2026-11-25T12:30+01:00")
    assert "2026-12-06" in shown.out  # the 0.75 mg step lasts 7 nights longer


def test_a_newer_prescription_replaces_the_plan_and_a_hold_is_then_refused(patient, db_path):
    patient.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg",
               "--every", "2w", "--prescriber", "Dr. Weiss", now=IN_WINDOW)
    patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-28",
               now=IN_WINDOW)
    assert status(patient, "2026-12-20T22:40+01:00")["scheduled_mg"] == 0.5
    before = tables(db_path)
    result = patient("taper", "hold", "--days", "7", "--at", "2026-12-05", "--reason", "x",
                     now=IN_WINDOW)
    assert result.code == 2 and "newer prescription" in result.err
    assert tables(db_path) == before


# -- a plan goes down ----------------------------------------------------------------------------


def test_explicit_steps_that_rise_are_refused_naming_the_step(patient, db_path):
    before = tables(db_path)
    result = patient("taper", "set", "--steps", "2026-12-01=0.75mg,2026-12-15=1mg,2027-01-05=0",
                     "--prescriber", "Dr. Weiss")
    assert result.code == 2
    assert "rises from 0.75 mg on 2026-12-01 to 1 mg on 2026-12-15" in result.err
    assert tables(db_path) == before


def test_explicit_steps_out_of_order_name_them_in_the_right_order(patient):
    result = patient("taper", "set", "--steps", "2026-12-15=1mg,2026-12-01=0.75mg",
                     "--prescriber", "Dr. Weiss")
    assert result.code == 2 and "2026-12-15 must come after 2026-12-01" in result.err
    result = patient("taper", "set", "--steps", "2026-12-01=1mg,2026-12-01=0.75mg",
                     "--prescriber", "Dr. Weiss")
    assert result.code == 2 and "two steps start on 2026-12-01" in result.err


# -- a correction cannot quietly make room for another dose -------------------------------------


def test_voiding_a_recent_dose_needs_not_taken(patient, db_path):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    before = tables(db_path)
    result = patient("void", str(record["id"]), "--reason", "typo", now=LATER)
    assert result.code == 3
    assert "recent dose" in result.err and "12 hours" in result.err
    assert "the record is true and stays" in result.err and "--not-taken" in result.err
    assert tables(db_path) == before
    assert status(patient, LATER)["state"] == "taken"


def test_a_recent_void_as_not_taken_reopens_the_night_and_says_so(patient):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    patient.ok("void", str(record["id"]), "--reason", "dropped the tablet", "--not-taken", now=LATER)
    data = status(patient, LATER)
    assert data["state"] == "due"
    assert "A 1 mg dose recorded at 22:40 was voided as not taken: dropped the tablet" in data["warnings"]
    assert "voided as not taken" in patient.ok("status", now=LATER).out
    patient.ok("log", now="2026-11-25T23:25+01:00")
    # the next night no longer carries it
    assert not any("voided" in w for w in status(patient, "2026-11-26T22:40+01:00")["warnings"])


def test_an_older_dose_voids_as_before(patient):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    out = patient.ok("void", str(record["id"]), "--reason", "wrong night",
                     now="2026-11-26T10:41+01:00").out
    assert f"Record #{record['id']} is void" in out and "not taken" not in out


def test_a_skip_is_not_a_dose_that_was_not_taken(patient):
    patient.ok("skip", now=IN_WINDOW)
    assert patient("void", "1", "--reason", "x", "--not-taken", now=LATER).code == 2
    patient.ok("void", "1", "--reason", "changed my mind", now=LATER)


# -- a time typed as HH:MM means tonight ---------------------------------------------------------


@pytest.mark.parametrize(("typed", "taken_at"), [
    ("22:35", "2026-11-25T22:35:00+01:00"), ("00:10", "2026-11-26T00:10:00+01:00")])
def test_a_bare_time_means_tonight(patient, typed, taken_at):
    rec = patient.ok("log", "--already-taken", "--at", typed, "--note", "forgot to log",
                     "--json", now="2026-11-26T00:20+01:00").json()
    assert rec["taken_at"] == taken_at and rec["night"] == "2026-11-25"
