"""Profile changes that loosen a limit need the prescriber's PIN once the plan is locked.

Through the real `medtrack` command. The standard patient (tests/conftest.py `patient`) lives in
Berlin, bedtime 22:30, wake 06:30, 7 h minimum sleep: the window of a night is 20:30-23:30. The
plan is locked with PIN 1234. A change that widens the dose window (earlier bedtime, later wake),
moves the zone, changes the birth date or can lift a contraindication or caution (a condition
removed, a lower liver level, renal impairment, pregnancy or breastfeeding cleared) is refused
without the PIN (exit 3, the prescriber lock named, nothing written); a change that only
tightens (a new condition, a later bedtime, an earlier wake, the name) needs none.

Tests hash the PIN at a cheap scrypt cost (tests/conftest.py); in use a check takes about half a
second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backends import query

PIN = "1234"
WRONG = "4321"
LOCKED_AT = "2026-11-20T12:00+01:00"
EVENING = "2026-11-25T21:00+01:00"  # tonight's window (20:30-23:30) is open


def _lock(run: Any) -> None:
    run.ok("lock", "--pin", PIN, now=LOCKED_AT)


def _profile(run: Any, now: str = EVENING) -> dict[str, Any]:
    data: dict[str, Any] = run.ok("profile", "--json", now=now).json()
    return data


def _versions(db: Path | str) -> int:
    return int(query(db, "SELECT count(*) FROM profile_version")[0][0])


def _failures(db: Path | str) -> int:
    return int(query(db, "SELECT failures FROM prescriber_lock")[0][0])


def _refused_without_pin(run: Any, db: Path | str, *argv: str, now: str = EVENING) -> None:
    """Refused by the prescriber lock, nothing written, and a missing PIN is no failure."""
    before, versions = _profile(run, now), _versions(db)
    result = run("profile", "set", *argv, now=now)
    assert result.code == 3, result
    assert "prescriber lock" in result.err and "PIN" in result.err, result
    assert "--pin" in result.err, result  # the hint says how to give it
    assert _profile(run, now) == before
    assert _versions(db) == versions
    assert _failures(db) == 0


# -- the two reported scenarios --------------------------------------------------------------------


@pytest.mark.slow
def test_a_later_wake_needs_the_pin_and_the_late_dose_stays_refused(patient, db_path):
    _lock(patient)
    # 02:00 is past tonight's latest time (23:30): refused before and after the attempt
    assert patient("log", now="2026-11-26T02:00+01:00").code == 3
    _refused_without_pin(patient, db_path, "--wake", "11:30", now="2026-11-25T22:00+01:00")
    result = patient("profile", "set", "--wake", "11:30", now="2026-11-25T22:00+01:00")
    assert "later wake time" in result.err, result  # names what loosens
    late = patient("log", now="2026-11-26T02:00+01:00")
    assert late.code == 3 and "too late" in late.err, late
    assert _profile(patient, "2026-11-26T02:00+01:00")["wake"] == "06:30"
    assert query(db_path, "SELECT count(*) FROM record") == [(0,)]


@pytest.mark.slow
def test_a_later_wake_with_the_right_pin_is_accepted(patient, db_path):
    _lock(patient)
    changed = patient.ok("profile", "set", "--wake", "11:30", "--pin", PIN, now="2026-11-26T02:00+01:00")
    assert "wake: 06:30 -> 11:30" in changed.out
    assert _profile(patient)["wake"] == "11:30"
    # the night of 25 November closed at 23:30 under the old profile: it stays closed ...
    assert patient("log", now="2026-11-26T02:05+01:00").code == 3
    # ... and from the next night on the prescriber's wider window holds (latest 04:30)
    patient.ok("log", now="2026-11-27T02:00+01:00")
    assert query(db_path, "SELECT count(*) FROM record WHERE kind = 'dose'") == [(1,)]


@pytest.mark.slow
def test_a_zone_move_needs_the_pin_so_one_new_york_night_keeps_one_dose(run, db_path):
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "America/New_York",
           "--bedtime", "22:00", "--wake", "06:30", now="2026-11-01T12:00-05:00")
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now="2026-11-01T12:00-05:00")
    _lock(run)
    run.ok("log", now="2026-11-25T22:00-05:00")
    # Karachi is 10 hours ahead: 10:06 in New York (the same New York night) would be 20:06 there,
    # inside a Karachi window that opens at 20:00
    _refused_without_pin(run, db_path, "--tz", "Asia/Karachi", now="2026-11-26T10:00-05:00")
    assert _profile(run, "2026-11-26T10:00-05:00")["zone"] == "America/New_York"
    second = run("log", now="2026-11-26T10:06-05:00")
    assert second.code == 3, second
    assert query(db_path, "SELECT count(*) FROM record WHERE kind = 'dose'") == [(1,)]


# -- each loosening change ------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "words"), [
    (("--born", "1970-06-01"), "birth date"),
    (("--tz", "Europe/Vienna"), "time zone"),
    (("--bedtime", "22:00"), "earlier bedtime"),
    (("--wake", "07:00"), "later wake time"),
], ids=["born", "zone", "earlier-bedtime", "later-wake"])
@pytest.mark.slow
def test_a_loosening_change_needs_the_pin(patient, db_path, argv, words):
    _lock(patient)
    _refused_without_pin(patient, db_path, *argv)
    assert words in patient("profile", "set", *argv, now=EVENING).err


@pytest.mark.parametrize(("tighten", "loosen", "words"), [
    (("--condition", "glaucoma"), ("--no-conditions",), "glaucoma"),
    (("--condition", "glaucoma"), ("--condition", "myasthenia-gravis"), "glaucoma"),
    (("--liver", "severe"), ("--liver", "mild"), "liver"),
    (("--renal",), ("--no-renal",), "renal"),
    (("--pregnant",), ("--no-pregnant",), "pregnan"),
    (("--breastfeeding",), ("--no-breastfeeding",), "breastfeeding"),
], ids=["no-conditions", "condition-replaced", "liver-lower", "renal", "pregnant", "breastfeeding"])
@pytest.mark.slow
def test_lifting_a_contraindication_or_caution_needs_the_pin(patient, db_path, tighten, loosen, words):
    _lock(patient)
    patient.ok("profile", "set", *tighten, now=EVENING)  # tightening: no PIN asked
    _refused_without_pin(patient, db_path, *loosen)
    assert words in patient("profile", "set", *loosen, now=EVENING).err


@pytest.mark.slow
def test_a_wrong_pin_counts_and_the_right_one_removes_a_condition(patient, db_path):
    _lock(patient)
    patient.ok("profile", "set", "--condition", "glaucoma", now=EVENING)
    versions = _versions(db_path)
    wrong = patient("profile", "set", "--no-conditions", "--pin", WRONG, now=EVENING)
    assert wrong.code == 3 and "prescriber lock" in wrong.err and "wrong" in wrong.err, wrong
    assert _failures(db_path) == 1 and _versions(db_path) == versions
    assert _profile(patient)["conditions"] == ["glaucoma"]
    patient.ok("profile", "set", "--no-conditions", "--pin", PIN, now=EVENING)
    assert _profile(patient)["conditions"] == []
    assert _failures(db_path) == 0  # the right PIN resets the counter


@pytest.mark.slow
def test_tightening_changes_need_no_pin(patient, db_path):
    _lock(patient)
    patient.ok("profile", "set", "--name", "Ada M.", now=EVENING)
    patient.ok("profile", "set", "--bedtime", "23:00", "--wake", "06:00", now=EVENING)
    patient.ok("profile", "set", "--condition", "glaucoma", "--liver", "moderate", "--renal", now=EVENING)
    profile = _profile(patient)
    assert (profile["name"], profile["bedtime"], profile["wake"]) == ("Ada M.", "23:00", "06:00")
    assert (profile["conditions"], profile["liver"], profile["renal"]) == (["glaucoma"], "moderate", True)
    assert _failures(db_path) == 0


@pytest.mark.slow
def test_a_tightening_change_mixed_with_a_loosening_one_needs_the_pin(patient, db_path):
    _lock(patient)
    _refused_without_pin(patient, db_path, "--condition", "glaucoma", "--wake", "07:00")


def test_without_a_lock_nothing_asks_for_the_pin(patient):
    patient.ok("profile", "set", "--wake", "11:30", "--tz", "Europe/Vienna", now=EVENING)
    assert _profile(patient)["zone"] == "Europe/Vienna"
