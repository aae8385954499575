"""The withdrawal check-in through the `medtrack` command: recorded with the step in force,
listed, voided with a reason, and the trend of the step in force told by `status`."""

from __future__ import annotations

from typing import Any as Runner  # the `run` fixture (tests/conftest.py)

import pytest

PLAN = ("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
        "--prescriber", "Dr. Weiss", "--reason", "agreed taper")
# The plan keeps 1 mg until its first cut, on the night of 29 November (0.75 mg).
BEFORE = ("2026-11-20T20:00+01:00", "2026-11-24T20:00+01:00")
AFTER = ("2026-11-30T20:00+01:00", "2026-12-02T20:00+01:00")
STATUS_AT = "2026-12-02T20:05+01:00"


@pytest.fixture
def tapering(patient: Runner) -> Runner:
    patient.ok(*PLAN, now="2026-11-10T12:00+01:00")
    return patient


def test_a_check_in_is_kept_with_every_item_and_the_step_in_force(tapering: Runner) -> None:
    out = tapering.ok("checkin", "anxiety=2", "tremor=mild", "--note", "shaky hands", now=AFTER[0]).out
    assert "Check-in #1 for the night of 2026-11-30" in out and "anxiety moderate" in out and "tremor mild" in out
    listed = tapering.ok("checkins", "--json", now=AFTER[0]).json()
    assert len(listed) == 1
    entry = listed[0]
    assert entry["ratings"]["anxiety"] == 2 and entry["ratings"]["tremor"] == 1 and entry["total"] == 3
    assert set(entry["ratings"]) >= {"anxiety", "tremor", "sleep", "sweating"}  # every item, unnamed ones none
    assert entry["ratings"]["sleep"] == 0
    assert (entry["step_night"], entry["step_mg"]) == ("2026-11-29", 0.75)
    assert entry["note"] == "shaky hands" and entry["voided"] is False


@pytest.mark.parametrize("argv", [("checkin",), ("checkin", "anxiety=4"), ("checkin", "wobbly=1"),
                                  ("checkin", "anxiety=1", "anxiety=2"), ("checkin", "--none", "anxiety=1"),
                                  ("checkin", "--void", "1")])
def test_bad_check_ins_are_one_line_exit_2_and_nothing_is_written(tapering: Runner, argv: tuple[str, ...]) -> None:
    result = tapering(*argv, now=AFTER[0])
    assert result.code == 2, result
    assert tapering.ok("checkins", "--json", now=AFTER[0]).json() == []


def test_all_none_is_a_check_in_too(tapering: Runner) -> None:
    out = tapering.ok("checkin", "--none", now=AFTER[0]).out
    assert "no symptoms" in out and "total 0" in out


def test_a_check_in_entered_in_error_is_voided_with_a_reason_and_stays_marked(tapering: Runner) -> None:
    tapering.ok("checkin", "anxiety=3", now=AFTER[0])
    tapering.ok("checkin", "--void", "1", "--reason", "entered for the wrong person", now=AFTER[0])
    entry = tapering.ok("checkins", "--json", now=AFTER[0]).json()[0]
    assert entry["voided"] is True and entry["void_reason"] == "entered for the wrong person"
    assert "VOIDED" in tapering.ok("checkins", now=AFTER[0]).out
    again = tapering("checkin", "--void", "1", "--reason", "twice", now=AFTER[0])
    assert again.code == 2 and "already voided" in again.err


def rate(run: Runner, moments: tuple[str, ...], *ratings: str) -> None:
    for moment in moments:
        run.ok("checkin", *ratings, now=moment)


def test_check_ins_clearly_higher_since_the_step_are_told_by_status(tapering: Runner) -> None:
    rate(tapering, BEFORE, "anxiety=1")
    rate(tapering, AFTER, "anxiety=2", "tremor=2", "sleep=2")
    status = tapering.ok("status", "--json", now=STATUS_AT).json()
    message = ("Your check-ins are higher since the step on 29 November 2026: talk to your prescriber "
               "about holding this step.")
    assert message in status["warnings"]
    assert status["checkin_trend"]["rises"] is True
    assert (status["checkin_trend"]["baseline_mean"], status["checkin_trend"]["after_mean"]) == (1, 6)
    assert message in tapering.ok("status", now=STATUS_AT).out


def test_a_steady_taper_says_nothing_and_a_severe_item_says_so_at_once(tapering: Runner) -> None:
    rate(tapering, BEFORE, "anxiety=1")
    rate(tapering, AFTER, "anxiety=1", "tremor=1")
    status = tapering.ok("status", "--json", now=STATUS_AT).json()
    assert status["checkin_trend"] is None
    assert not [w for w in status["warnings"] if "check-in" in w]
    tapering.ok("checkin", "sleep=3", now="2026-12-02T20:02+01:00")
    status = tapering.ok("status", "--json", now=STATUS_AT).json()
    assert status["checkin_trend"]["severe"] is True
    assert any("rated a symptom severe" in w and "holding this step" in w for w in status["warnings"])


def test_a_check_in_says_the_trend_when_it_is_recorded(tapering: Runner) -> None:
    rate(tapering, BEFORE, "anxiety=1")
    tapering.ok("checkin", "anxiety=2", "tremor=2", "sleep=2", now=AFTER[0])
    out = tapering.ok("checkin", "anxiety=2", "tremor=2", "sleep=2", now=AFTER[1]).out
    assert "higher since the step on 29 November 2026" in out


def test_the_items_are_listed_with_what_they_mean(tapering: Runner) -> None:
    items = tapering.ok("checkins", "--items", "--json", now=AFTER[0]).json()
    assert {"anxiety", "tremor", "sleep"} <= {i["id"] for i in items}
    assert all(i["description"] for i in items)


def test_the_prescriber_sets_the_rise_with_the_plan(patient: Runner) -> None:
    """With --trend-rise 2 a rise of 3 points is told; the default (4) would stay quiet."""
    patient.ok(*PLAN, "--trend-rise", "2", now="2026-11-10T12:00+01:00")
    rate(patient, BEFORE, "anxiety=1")
    rate(patient, AFTER, "anxiety=2", "tremor=2")
    status = patient.ok("status", "--json", now=STATUS_AT).json()
    assert status["checkin_trend"]["rises"] is True
    bad = patient(*PLAN, "--trend-rise", "0", "--reason", "again", now="2026-11-10T12:00+01:00")
    assert bad.code == 2 and "--trend-rise" in bad.err


def test_the_default_rise_stays_quiet_for_three_points(tapering: Runner) -> None:
    rate(tapering, BEFORE, "anxiety=1")
    rate(tapering, AFTER, "anxiety=2", "tremor=2")
    assert tapering.ok("status", "--json", now=STATUS_AT).json()["checkin_trend"] is None
