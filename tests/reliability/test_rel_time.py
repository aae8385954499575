"""Time: a record's night and zone are fixed when it is recorded; travel and DST move nothing back.

tests/cli/test_cli_core.py already checks one record across one zone change and the latest time
on Berlin's DST nights. Here: a week of doses, skips and symptoms against several zone changes
(history, symptoms and the calendar before and after must be identical, each change a new
profile version), the 12-hour net when travel brings the next evening early, and a DST matrix of
three zones (one southern) with both DST changes of 2026 and two minimum sleeps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from reliability_helpers import rows, rule_violations

UTC = dt.UTC


def iso(instant: dt.datetime) -> str:
    return instant.isoformat(timespec="seconds")


# -- travel -------------------------------------------------------------------------------------


def views(run: Any, now: str) -> dict[str, object]:
    calendar = run.ok("calendar", "--month", "2026-11", "--json", now=now).json()
    return {
        "history": run.ok("history", "--json", now=now).json(),
        "symptoms": run.ok("symptoms", "--json", now=now).json(),
        # the nights already lived; later ones ('future', 'missed') depend on the clock
        "calendar": [n for n in calendar["nights"] if n["night"] <= "2026-11-24"],
        "plain": run.ok("history", now=now).out,
    }


@pytest.mark.slow
def test_zone_changes_leave_every_past_record_in_its_night_and_zone(patient, db_path):
    for day in range(18, 24):
        patient.ok("log", now=f"2026-11-{day}T23:25+01:00")  # late: 22:25 UTC, near the date line for Asia
    patient.ok("skip", "--night", "2026-11-24", "--note", "travel day", now="2026-11-24T21:00+01:00")
    patient.ok("symptom", "dizziness", "--severity", "2", now="2026-11-24T00:30+01:00")
    patient.ok("log", "0.5mg", "--already-taken", "--note", "on the plane", now="2026-11-24T23:50+01:00")
    before = views(patient, "2026-11-25T09:00+01:00")
    versions = len(rows(db_path, "profile_version"))

    moves = [("America/New_York", "2026-11-25T03:00-05:00"), ("Asia/Tokyo", "2026-11-27T12:00+09:00"),
             ("Pacific/Kiritimati", "2026-11-28T12:00+14:00"), ("Europe/Berlin", "2026-11-29T12:00+01:00")]
    for zone, when in moves:
        changed = patient.ok("profile", "set", "--tz", zone, now=when)
        assert f"-> {zone}" in changed.out
        after = views(patient, when)
        for view in ("history", "symptoms", "calendar", "plain"):
            assert after[view] == before[view], (zone, view)

    patient.close()
    history = rows(db_path, "profile_version")
    assert len(history) == versions + len(moves)
    previous = "Europe/Berlin"
    for row, (zone, when) in zip(history[versions:], moves, strict=True):
        assert row["zone"] == zone
        assert f"zone: {previous} -> {zone}" in row["change"]
        assert row["recorded_at_utc"] == int(dt.datetime.fromisoformat(when).timestamp())
        previous = zone
    # the raw rows too: night and zone as recorded, in Berlin
    assert {(r["zone"]) for r in rows(db_path)} == {"Europe/Berlin"}
    assert [r["night"] for r in rows(db_path) if r["kind"] == "dose" and not r["already_taken"]] == [
        f"2026-11-{d}" for d in range(18, 24)]
    assert rows(db_path, "symptom")[0]["night"] == "2026-11-23"


@pytest.mark.slow
def test_flying_west_the_same_night_is_still_taken(patient, db_path):
    """Berlin 22:00 dose; in New York that evening (6 h later, same night date) no second dose."""
    patient.ok("log", now="2026-11-25T22:00+01:00")  # 21:00 UTC
    patient.ok("profile", "set", "--tz", "America/New_York", now="2026-11-25T18:00-05:00")
    status = patient.ok("status", "--json", now="2026-11-25T22:00-05:00").json()
    assert status["night"] == "2026-11-25" and status["state"] == "taken"
    refused = patient("log", now="2026-11-25T22:00-05:00")  # 03:00 UTC: 6 hours after the dose
    assert refused.code == 3 and "one dose per night" in refused.err, refused
    refused = patient("log", "--at", "2026-11-25 23:30", now="2026-11-26T00:00-05:00")
    assert refused.code == 3, refused
    # the next New York evening is a new night, 30 hours later
    assert patient.ok("log", "--json", now="2026-11-26T22:00-05:00").json()["night"] == "2026-11-26"
    patient.close()
    assert rule_violations(db_path) == []


@pytest.mark.slow
def test_flying_east_the_next_evening_comes_early_and_the_12_hour_net_holds(patient, db_path):
    """Berlin 23:00 dose; in Auckland (+13) the next night's window opens 9.5 hours later."""
    patient.ok("log", now="2026-11-24T23:00+01:00")  # 22:00 UTC on the 24th
    patient.ok("profile", "set", "--tz", "Pacific/Auckland", now="2026-11-25T14:00+13:00")
    status = patient.ok("status", "--json", now="2026-11-25T21:00+13:00").json()
    assert status["night"] == "2026-11-25" and status["window_opens"] == "2026-11-25T20:30:00+13:00"
    for when in ("2026-11-25T21:00+13:00", "2026-11-25T22:59+13:00"):  # 10 h, 11 h 59 min later
        refused = patient("log", now=when)
        assert refused.code == 3, refused
        assert "12 hours" in refused.err, refused.err
    done = patient.ok("log", "--json", now="2026-11-25T23:00+13:00").json()  # exactly 12 hours
    assert done["night"] == "2026-11-25" and done["zone"] == "Pacific/Auckland"
    assert done["taken_at"] == "2026-11-25T23:00:00+13:00"
    patient.close()
    assert rule_violations(db_path) == []
    first, second = (r for r in rows(db_path) if r["kind"] == "dose")
    assert second["at_utc"] - first["at_utc"] == 12 * 3600


def test_flying_east_a_backdated_dose_is_held_to_the_12_hours_too(patient, db_path):
    patient.ok("log", now="2026-11-24T23:00+01:00")
    patient.ok("profile", "set", "--tz", "Pacific/Auckland", now="2026-11-25T14:00+13:00")
    refused = patient("log", "--at", "2026-11-25 21:30", now="2026-11-25T23:10+13:00")
    assert refused.code == 3 and "12 hours" in refused.err, refused
    flagged = patient.ok("log", "--at", "2026-11-25 21:30", "--already-taken", "--note", "jet lag",
                         "--json", now="2026-11-25T23:10+13:00").json()
    assert flagged["rule_broken"] == "12-hour-gap" and flagged["already_taken"] is True
    patient.close()
    assert rule_violations(db_path) == []  # an already-taken dose is the truth, not a counted plan


# -- DST matrix ------------------------------------------------------------------------------------

TRANSITIONS = {  # 2026: the day each change happens early in the morning
    "Europe/Berlin": ["2026-03-29", "2026-10-25"],
    "America/New_York": ["2026-03-08", "2026-11-01"],
    "Australia/Sydney": ["2026-04-05", "2026-10-04"],  # DST ends in April, starts in October
}
BEDTIME, WAKE = dt.time(22, 30), dt.time(6, 30)


def expected_latest(night: dt.date, zone: ZoneInfo, min_sleep_h: float) -> dt.datetime:
    """Wake on the next morning minus the minimum sleep, counted in real (UTC) hours."""
    wake = dt.datetime.combine(night + dt.timedelta(days=1), WAKE, tzinfo=zone)
    return (wake.astimezone(UTC) - dt.timedelta(hours=min_sleep_h)).astimezone(zone)


@pytest.mark.parametrize("min_sleep", ["7", "4"])
@pytest.mark.parametrize("zone_name", sorted(TRANSITIONS))
@pytest.mark.slow
def test_dst_matrix_latest_time_in_real_hours_and_one_minute_either_side(run, db_path, zone_name, min_sleep):
    zone = ZoneInfo(zone_name)
    now = "2026-12-31T12:00+00:00"  # after every night here: each dose is logged with --at
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", zone_name, "--bedtime", "22:30",
           "--wake", "06:30", now="2026-01-01T12:00+00:00")
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-01-01",
           "--min-sleep", min_sleep, now="2026-01-01T12:00+00:00")
    checked = []
    for change in TRANSITIONS[zone_name]:
        day = dt.date.fromisoformat(change)
        for night in (day - dt.timedelta(days=2), day - dt.timedelta(days=1), day):
            latest = expected_latest(night, zone, float(min_sleep))
            wake = dt.datetime.combine(night + dt.timedelta(days=1), WAKE, tzinfo=zone)
            assert (wake - latest.astimezone(UTC)).total_seconds() == float(min_sleep) * 3600
            status = run.ok("status", "--json", "--at", f"{night} 21:00", now=now).json()
            assert status["night"] == night.isoformat()
            assert status["latest_dose_at"] == iso(latest), (zone_name, night, status)
            opens = dt.datetime.combine(night, BEDTIME, tzinfo=zone).astimezone(UTC) - dt.timedelta(hours=2)
            assert status["window_opens"] == iso(opens.astimezone(zone))

            late = iso((latest.astimezone(UTC) + dt.timedelta(minutes=1)).astimezone(zone))
            refused = run("log", "--at", late, now=now)
            assert refused.code == 3 and "too late" in refused.err, (night, late, refused)
            in_time = iso((latest.astimezone(UTC) - dt.timedelta(minutes=1)).astimezone(zone))
            record = run.ok("log", "--at", in_time, "--json", now=now).json()
            assert record["night"] == night.isoformat() and record["taken_at"] == in_time
            checked.append((night, in_time))
    run.close()
    assert rule_violations(db_path) == []
    assert [r["night"] for r in rows(db_path)] == [n.isoformat() for n, _ in checked]
    # the matrix did meet the changes: on some nights the latest time is not the usual wall time
    # in the evening's offset (an hour earlier, an hour later, or the repeated hour's second pass)
    usual = (dt.datetime.combine(dt.date(2026, 1, 2), WAKE) - dt.timedelta(hours=float(min_sleep),
                                                                        minutes=1)).time()
    moved = []
    for night, at in checked:
        evening = dt.datetime.combine(night, dt.time(21), tzinfo=zone).utcoffset()
        assert evening is not None
        day = night if usual >= dt.time(12) else night + dt.timedelta(days=1)
        naive = dt.datetime.combine(day, usual, tzinfo=dt.timezone(evening))
        if iso(naive) != at:
            moved.append(night)
    assert len(moved) == 2, (moved, checked)  # one per DST change, the nights either side as usual
