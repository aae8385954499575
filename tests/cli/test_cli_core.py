"""The CLI contract of issue 2, section 5, through the real entry point on temporary databases.

Every call goes through `medtrack.cli.main(argv)` (the `run` fixture) with the clock fixed by
MEDTRACK_NOW. The standard patient (`patient` fixture) lives in Europe/Berlin, born 1970-05-01,
bedtime 22:30, wake 06:30, on 1 mg from the night of 2026-11-01. On the night of 2026-11-25
(CET, +01:00) the window opens at 20:30 and the latest time is 23:30.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from backends import ON_POSTGRES, query

SET_UP_AT = "2026-11-01T12:00+01:00"  # when the `patient` fixture was set up

BEFORE_WINDOW = "2026-11-25T20:00+01:00"
IN_WINDOW = "2026-11-25T22:40+01:00"
LATER_IN_WINDOW = "2026-11-25T23:00+01:00"
PAST_LATEST = "2026-11-25T23:45+01:00"
RECORD_KEYS = {"id", "kind", "night", "taken_at", "dose_mg", "already_taken", "voided",
               "void_reason", "note"}
STATUS_KEYS = {"night", "state", "scheduled_mg", "taken_mg", "max_mg", "window_opens",
               "latest_dose_at", "previous_night", "guidance", "warnings"}


def sql(path: Path | str, text: str) -> list[tuple[Any, ...]]:
    """Read the database directly, without medtrack's code (either backend)."""
    return query(path, text)


def history(run: Any) -> list[dict[str, Any]]:
    data = run.ok("history", "--json", now=PAST_LATEST).json()
    assert isinstance(data, list)
    return data


def status(run: Any, now: str) -> dict[str, Any]:
    data = run.ok("status", "--json", now=now).json()
    assert isinstance(data, dict)
    assert set(data) >= STATUS_KEYS, data
    return data


def record_count(db: Path) -> int:
    count = sql(db, "SELECT count(*) FROM record")[0][0]
    assert isinstance(count, int)
    return count


def profile_versions(db: Path) -> list[tuple[Any, ...]]:
    return sql(db, "SELECT id, change FROM profile_version ORDER BY id")


# -- init ------------------------------------------------------------------------------------


def test_init_defaults_zone_bedtime_wake(run, db_path):
    result = run.ok("init", "--name", "Ada", "--born", "1970-05-01")
    assert "Profile created" in result.out
    data = run.ok("profile", "--json").json()
    assert data["zone"] == "UTC"  # the system's zone, and TZ=UTC in the tests
    assert data["bedtime"] == "22:30"
    assert data["wake"] == "06:30"
    assert data["min_sleep_hours"] == 7
    assert data["liver"] == "none"
    assert data["renal"] is False and data["pregnant"] is False and data["breastfeeding"] is False
    assert data["conditions"] == []
    assert data["warnings"] == []
    assert data["born"] == "1970-05-01"
    assert data["age"] == 56
    if isinstance(db_path, Path):  # a file: private to its owner
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_init_takes_the_zone_from_tz(run, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    run.ok("init", "--name", "Ada", "--born", "1970-05-01")
    assert run.ok("profile", "--json").json()["zone"] == "America/New_York"


def test_second_init_is_refused_and_changes_nothing(patient, db_path):
    before = profile_versions(db_path)
    result = patient("init", "--name", "Someone Else", "--born", "1980-01-01", "--tz", "UTC")
    assert result.code == 2
    assert "already has a profile" in result.err
    assert "profile set" in result.err
    assert profile_versions(db_path) == before
    assert patient.ok("profile", "--json").json()["name"] == "Ada Muster"


@pytest.mark.parametrize("extra, words", [
    (["--born", "2026-11-26"], "future"),
    (["--born", "2031-01-01"], "future"),
    (["--born", "1970-02-30"], "calendar"),
    (["--born", "01.05.1970"], "YYYY-MM-DD"),
    (["--born", "1970-05-01", "--tz", "Mars/Olympus_Mons"], "time zone"),
    (["--born", "1970-05-01", "--tz", "Europe/../../etc/passwd"], "zone"),
    (["--born", "1970-05-01", "--bedtime", "23:30", "--wake", "06:00"], "minimum"),
    (["--born", "1970-05-01", "--bedtime", "01:00", "--wake", "07:00"], "minimum"),
    (["--born", "1970-05-01", "--bedtime", "25:00"], "HH:MM"),
    (["--born", "1970-05-01", "--condition", "flu"], "condition"),
    (["--born", "1970-05-01", "--liver", "extreme"], "liver"),
])
def test_init_bad_input_exits_2_and_creates_no_file(run, tmp_path, extra, words):
    db = tmp_path / "new" / "medtrack.db"
    result = run("init", "--name", "Ada", *extra, db=db)
    assert result.code == 2
    assert words.lower() in result.err.lower()
    assert not db.exists()
    assert not (tmp_path / "new").exists()


def test_init_with_a_contraindication_warns(run):
    result = run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin",
                    "--condition", "glaucoma")
    assert "Warning: contraindicated" in result.out
    assert "Glaucoma" in result.out
    assert "cannot be prescribed" in result.out
    assert run.ok("profile", "--json").json()["conditions"] == ["glaucoma"]


@pytest.mark.parametrize("argv", [
    ["status"], ["status", "--json"], ["log"], ["log", "1mg"], ["skip"], ["history"],
    ["history", "--json"], ["profile"], ["profile", "--json"], ["profile", "set", "--name", "X"],
    ["prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss"], ["void", "1", "--reason", "x"],
])
def test_a_command_before_init_exits_2_and_creates_no_file(run, tmp_path, argv):
    db = tmp_path / "sub" / "medtrack.db"
    result = run(*argv, db=db)
    assert result.code == 2
    assert "init" in result.err
    assert not db.exists()
    assert not db.parent.exists()
    assert list(tmp_path.iterdir()) == []


# -- profile ---------------------------------------------------------------------------------


def test_profile_plain_and_json(patient):
    plain = patient.ok("profile", now=IN_WINDOW).out
    assert "Ada Muster" in plain and "Europe/Berlin" in plain
    assert "22:30" in plain and "06:30" in plain and "7 h" in plain
    data = patient.ok("profile", "--json", now=IN_WINDOW).json()
    assert data == {
        "name": "Ada Muster", "born": "1970-05-01", "age": 56, "zone": "Europe/Berlin",
        "bedtime": "22:30", "wake": "06:30", "min_sleep_hours": 7, "liver": "none",
        "renal": False, "pregnant": False, "breastfeeding": False, "conditions": [],
        "language": "", "warnings": [],
    }


def test_profile_set_records_each_change(patient, db_path):
    before = profile_versions(db_path)
    result = patient.ok("profile", "set", "--bedtime", "22:00", "--renal")
    assert "Profile changed" in result.out
    assert "bedtime: 22:30 -> 22:00" in result.out
    assert "renal: False -> True" in result.out
    assert "Warning: caution" in result.out
    after = profile_versions(db_path)
    assert after[:len(before)] == before  # earlier versions kept, unchanged
    assert len(after) == len(before) + 1
    assert "bedtime: 22:30 -> 22:00" in after[-1][1]
    data = patient.ok("profile", "--json").json()
    assert data["bedtime"] == "22:00" and data["renal"] is True


def test_profile_set_without_a_change_writes_nothing(patient, db_path):
    before = profile_versions(db_path)
    assert "Nothing to change" in patient.ok("profile", "set", "--bedtime", "22:30").out
    assert profile_versions(db_path) == before


@pytest.mark.parametrize("argv, words", [
    (["--tz", "Nowhere/City"], "time zone"),
    (["--tz", ""], "zone"),
    (["--bedtime", "25:00"], "HH:MM"),
    (["--wake", "7am"], "HH:MM"),
    (["--wake", "05:00"], "minimum"),
    (["--bedtime", "23:45"], "minimum"),
    (["--born", "2030-01-01"], "future"),
    (["--born", "1970-02-30"], "calendar"),
    (["--liver", "extreme"], "liver"),
    (["--condition", "flu"], "condition"),
    (["--name", "   "], "name"),
])
def test_profile_set_bad_values_exit_2_and_write_nothing(patient, db_path, argv, words):
    before = profile_versions(db_path)
    result = patient("profile", "set", *argv)
    assert result.code == 2
    assert words.lower() in result.err.lower()
    assert profile_versions(db_path) == before


# -- prescribe -------------------------------------------------------------------------------


def init(run: Any, born: str = "1970-05-01", *extra: str) -> None:
    run.ok("init", "--name", "Ada", "--born", born, "--tz", "Europe/Berlin", *extra, now=SET_UP_AT)


def test_prescribe_above_the_adult_ceiling_is_refused_naming_the_limit(run, db_path):
    init(run)
    result = run("prescribe", "--dose", "2.5mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    assert result.code == 3
    assert "nightly limit" in result.err and "2 mg" in result.err and "2.5 mg" in result.err
    assert sql(db_path, "SELECT count(*) FROM regimen")[0][0] == 0
    run.ok("prescribe", "--dose", "2mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT)


@pytest.mark.slow
def test_prescribe_for_an_elderly_patient_allows_1_mg_only(run):
    init(run, "1950-03-01")
    result = run("prescribe", "--dose", "1.5 mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    assert result.code == 3
    assert "1 mg" in result.err and "65" in result.err
    out = run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT).out
    assert "1 mg" in out
    assert status(run, IN_WINDOW)["max_mg"] == 1


@pytest.mark.slow
def test_the_elderly_limit_applies_from_the_night_of_the_65th_birthday(run):
    init(run, "1961-11-26")  # 65 on 2026-11-26
    run.ok("prescribe", "--dose", "2mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now=SET_UP_AT)
    assert status(run, IN_WINDOW)["max_mg"] == 2
    birthday_night = "2026-11-26T22:40+01:00"
    data = status(run, birthday_night)
    assert data["max_mg"] == 1 and data["scheduled_mg"] == 2
    assert data["may_take_mg"] == 1 and data["over_ceiling"]  # never offered more than may be taken
    assert "above" in data["guidance"] and "at most 1 mg" in data["guidance"]
    refused = run("log", now=birthday_night)
    assert refused.code == 3
    assert "1 mg" in refused.err and "65" in refused.err
    assert run.ok("log", "1mg", "--json", now=birthday_night).json()["dose_mg"] == 1
    # a prescription starting on the birthday night is checked against the elderly limit
    result = run("prescribe", "--dose", "2mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-26",
                 now=SET_UP_AT)
    assert result.code == 3 and "1 mg" in result.err
    run.ok("prescribe", "--dose", "2mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-25",
           now=SET_UP_AT)


def test_a_prescription_is_in_force_from_its_start_night_until_a_later_one(patient):
    patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-28")
    assert status(patient, "2026-11-27T21:00+01:00")["scheduled_mg"] == 1
    assert status(patient, "2026-11-28T21:00+01:00")["scheduled_mg"] == 0.5
    assert status(patient, "2026-11-30T21:00+01:00")["scheduled_mg"] == 0.5
    refused = patient("log", "1mg", now="2026-11-28T21:00+01:00")
    assert refused.code == 3 and "0.5 mg" in refused.err


@pytest.mark.parametrize("extra, reason", [
    (["--condition", "glaucoma"], "Glaucoma"),
    (["--condition", "myasthenia-gravis"], "Myasthenia gravis"),
    (["--liver", "severe"], "liver"),
    (["--pregnant"], "regnan"),
    (["--breastfeeding"], "reast"),
])
def test_prescribe_for_a_contraindicated_profile_is_refused_naming_the_reason(run, db_path, extra, reason):
    init(run, "1970-05-01", *extra)
    result = run("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    assert result.code == 3
    assert "contraindication" in result.err
    assert reason in result.err
    assert "--acknowledge-contraindication" in result.err
    assert sql(db_path, "SELECT count(*) FROM regimen")[0][0] == 0


def test_prescribe_for_a_child_is_refused(run):
    created = run.ok("init", "--name", "Kid", "--born", "2010-01-01", "--tz", "Europe/Berlin",
                     now=SET_UP_AT)
    assert "Warning: contraindicated" in created.out and "Children" in created.out
    result = run("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    assert result.code == 3
    assert "Children" in result.err and "18" in result.err


@pytest.mark.slow
def test_acknowledged_contraindication_allows_doses_and_flags_every_record(run):
    init(run, "1970-05-01", "--condition", "glaucoma")
    ack = "open-angle glaucoma treated; eye doctor agrees"
    out = run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
                 "--acknowledge-contraindication", ack, now=SET_UP_AT).out
    assert ack in out
    before = status(run, BEFORE_WINDOW)
    assert before["state"] == "not_yet"
    assert any(ack in w for w in before["warnings"])
    record = run.ok("log", "--json", now=IN_WINDOW).json()
    assert record["acknowledged_contraindication"] == ack
    run.ok("skip", "--night", "2026-11-24", now=IN_WINDOW)
    assert all(r["acknowledged_contraindication"] == ack or r["kind"] == "skip" for r in history(run))
    assert "contraindication acknowledged" in run.ok("history").out
    # the acknowledgement covers glaucoma only: a new contraindication blocks again
    run.ok("profile", "set", "--pregnant", now="2026-11-26T12:00+01:00")
    data = status(run, "2026-11-26T21:00+01:00")
    assert data["state"] == "contraindicated"
    assert "regnan" in data["guidance"] and "Glaucoma" not in data["guidance"]
    assert run("log", now="2026-11-26T22:40+01:00").code == 3


def test_a_new_contraindication_blocks_doses_until_acknowledged(patient):
    patient.ok("profile", "set", "--pregnant", now=BEFORE_WINDOW)
    data = status(patient, IN_WINDOW)
    assert data["state"] == "contraindicated"
    assert "Pregnancy" in data["guidance"] or "pregnan" in data["guidance"].lower()
    result = patient("log", now=IN_WINDOW)
    assert result.code == 3
    assert "contraindication" in result.err
    assert history(patient) == []


@pytest.mark.slow
def test_min_sleep_is_kept_until_changed(patient, db_path):
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--min-sleep", "7.5",
               now=BEFORE_WINDOW)
    assert patient.ok("profile", "--json").json()["min_sleep_hours"] == 7.5
    assert "(by Dr. Weiss)" in profile_versions(db_path)[-1][1]
    assert status(patient, BEFORE_WINDOW)["latest_dose_at"] == "2026-11-25T23:00:00+01:00"
    # a later prescription without --min-sleep keeps it
    patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", now=BEFORE_WINDOW)
    assert patient.ok("profile", "--json").json()["min_sleep_hours"] == 7.5
    late = patient("log", now="2026-11-25T23:10+01:00")
    assert late.code == 3 and "23:00" in late.err
    # a profile change that would leave less than the minimum sleep is bad input
    result = patient("profile", "set", "--bedtime", "23:15")
    assert result.code == 2 and "minimum" in result.err
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--min-sleep", "7",
               now=BEFORE_WINDOW)
    assert patient.ok("profile", "--json").json()["min_sleep_hours"] == 7


@pytest.mark.parametrize("hours", ["9", "8.5", "12"])
def test_min_sleep_the_bedtime_and_wake_cannot_give_is_bad_input(patient, db_path, hours):
    regimens = sql(db_path, "SELECT count(*) FROM regimen")
    result = patient("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--min-sleep", hours)
    assert result.code == 2
    assert "minimum" in result.err
    assert sql(db_path, "SELECT count(*) FROM regimen") == regimens
    assert patient.ok("profile", "--json").json()["min_sleep_hours"] == 7


@pytest.mark.parametrize("argv", [
    ["--dose", "abc", "--prescriber", "Dr. Weiss"],
    ["--dose", "0", "--prescriber", "Dr. Weiss"],
    ["--dose", "1mg", "--prescriber", "  "],
    ["--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-13-01"],
    ["--dose", "1mg", "--prescriber", "Dr. Weiss", "--min-sleep", "seven"],
    ["--dose", "1mg", "--prescriber", "Dr. Weiss", "--min-sleep", "2"],
    ["--dose", "1mg"],
])
def test_prescribe_bad_input_exits_2(patient, db_path, argv):
    regimens = sql(db_path, "SELECT count(*) FROM regimen")
    assert patient("prescribe", *argv).code == 2
    assert sql(db_path, "SELECT count(*) FROM regimen") == regimens


# -- log -------------------------------------------------------------------------------------


def test_log_defaults_to_the_scheduled_dose_now(patient):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    assert set(record) >= RECORD_KEYS
    assert record["kind"] == "dose"
    assert record["dose_mg"] == 1
    assert record["night"] == "2026-11-25"
    assert record["taken_at"] == "2026-11-25T22:40:00+01:00"
    assert record["already_taken"] is False
    assert record["voided"] is False and record["void_reason"] is None
    assert record["note"] is None
    assert isinstance(record["id"], int)
    assert history(patient) == [record]


def test_log_plain_output(patient):
    out = patient.ok("log", now=IN_WINDOW).out
    assert "Dose recorded" in out and "1 mg" in out and "2026-11-25" in out


def test_a_second_dose_is_refused_and_nothing_is_written(patient, db_path):
    patient.ok("log", now=IN_WINDOW)
    count = record_count(db_path)
    for dose in ([], ["0.5mg"], ["1mg"]):
        result = patient("log", *dose, now=LATER_IN_WINDOW)
        assert result.code == 3
        assert "one dose per night" in result.err
        assert "Never take a second dose" in result.err
    assert record_count(db_path) == count
    assert len(history(patient)) == 1


@pytest.mark.parametrize("now, words", [
    (BEFORE_WINDOW, ["too early", "20:30"]),
    ("2026-11-25T12:30+01:00", ["too early", "20:30"]),
    (PAST_LATEST, ["too late", "23:30", "Skip"]),
    ("2026-11-26T03:00+01:00", ["too late", "23:30"]),
])
def test_a_dose_outside_the_window_is_refused(patient, db_path, now, words):
    result = patient("log", now=now)
    assert result.code == 3
    assert "dose window" in result.err
    for word in words:
        assert word in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("now", ["2026-11-25T20:30+01:00", "2026-11-25T23:30+01:00"])
def test_the_window_edges_are_inside(patient, now):
    assert patient.ok("log", "--json", now=now).json()["taken_at"] == now.replace("+", ":00+")


@pytest.mark.parametrize("at", [
    "2026-11-25 22:40", "2026-11-25T22:40", "2026-11-25T22:40+01:00", "2026-11-25T21:40Z",
    "2026-11-25T16:40-05:00", "2026-11-25T22:40:00+0100",
])
def test_log_at_local_time_or_iso_with_offset(patient, at):
    record = patient.ok("log", "--at", at, "--json", now=PAST_LATEST).json()
    assert record["taken_at"] == "2026-11-25T22:40:00+01:00"
    assert record["night"] == "2026-11-25"


@pytest.mark.parametrize("at", ["2026-11-25 23:46", "2026-11-26 22:40", "2026-11-25T22:46Z",
                                "2027-01-01 22:40"])
def test_log_at_a_future_time_is_bad_input(patient, db_path, at):
    result = patient("log", "--at", at, now=PAST_LATEST)
    assert result.code == 2
    assert "future" in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("at", ["2026-03-29 02:30", "2026-03-29 02:00", "2026-03-29 02:59"])
def test_log_at_a_local_time_skipped_by_dst_is_bad_input(patient, db_path, at):
    result = patient("log", "--at", at, now=PAST_LATEST)
    assert result.code == 2
    assert "does not exist" in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("at", ["yesterday", "2026-11-25", "24:40", "22:60", "2026-11-25 24:00",
                                "2026-11-31 22:40", "2026-11-25T22:40+25:00"])
def test_log_at_bad_text_is_bad_input(patient, db_path, at):
    assert patient("log", "--at", at, now=PAST_LATEST).code == 2
    assert record_count(db_path) == 0


EARLY = "2026-01-02T12:00+01:00"  # a profile set up before the DST nights it is asked about


def test_an_ambiguous_local_time_is_refused_and_an_offset_says_which(run):
    # Berlin 2026-10-25: 02:00-02:59 happens twice (CEST +02:00, then CET +01:00). With a
    # minimum sleep of 4 h and wake 06:30 CET, the latest time that night is 02:30 CET. (The
    # profile is set up before that night: each night is judged by the profile of its time.)
    patient = run
    patient.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=EARLY)
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-10-01",
               "--min-sleep", "4", now=EARLY)
    for command in (("log",), ("log", "--already-taken", "--note", "took it in the night"),
                    ("status",), ("symptom", "headache")):
        refused = patient(*command, "--at", "2026-10-25 02:30", now=SET_UP_AT)
        assert refused.code == 2, refused
        assert "twice" in refused.err, refused.err
        assert "2026-10-25T02:30+02:00" in refused.err and "2026-10-25T02:30+01:00" in refused.err, refused.err
    assert patient.ok("history", "--json", now=SET_UP_AT).json() == []  # nothing was guessed
    first = patient.ok("log", "--at", "2026-10-25T02:30+02:00", "--json", now=SET_UP_AT).json()
    assert first["taken_at"] == "2026-10-25T02:30:00+02:00"
    assert first["night"] == "2026-10-24"
    patient.ok("void", str(first["id"]), "--reason", "meant the second 02:30", now=SET_UP_AT)
    second = patient.ok("log", "--at", "2026-10-25T02:30+01:00", "--json", now=SET_UP_AT).json()
    assert second["taken_at"] == "2026-10-25T02:30:00+01:00"
    assert second["night"] == "2026-10-24"


@pytest.mark.parametrize("wake, night, latest", [
    ("07:00", "2026-03-28", "2026-03-28T23:00:00+01:00"),  # spring forward: an hour earlier
    ("07:00", "2026-10-24", "2026-10-25T01:00:00+02:00"),  # fall back: an hour later
    ("07:00", "2026-11-25", "2026-11-26T00:00:00+01:00"),
])
@pytest.mark.slow
def test_dst_nights_move_the_latest_time(run, wake, night, latest):
    patient = run
    patient.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", "--wake", wake, now=EARLY)
    patient.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-03-01",
               now=EARLY)
    data = patient.ok("status", "--at", f"{night} 21:00", "--json", now=PAST_LATEST).json()
    assert data["night"] == night
    assert data["latest_dose_at"] == latest


@pytest.mark.parametrize("dose", [
    "abc", "0", "0mg", "0.0 mg", "1e3", "1E0mg", "nan", "NaN mg", "inf", "infinity", "1_0",
    "1,5,5", "1,000mg", "5 kg", "1 g", "101mg", "100001ug", "0.0001mg", "0.5ug", "½", "١", "１mg",
    "1.5.1", "", " ", ".5mg", "1.mg", "+1mg", "0x10", "1 000 ug", "1mg;DROP TABLE record",
])
def test_bad_dose_text_is_bad_input(patient, db_path, dose):
    result = patient("log", "--", dose, now=IN_WINDOW)
    assert result.code == 2, result
    assert "accepted" in result.err or "empty" in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("dose, words", [
    ("1.5mg", ["scheduled", "1 mg", "1.5 mg"]),
    ("1001ug", ["scheduled", "1.001 mg"]),
    ("2mg", ["scheduled"]),
    ("2.5mg", ["nightly limit", "2 mg"]),
    ("100 mg", ["nightly limit", "2 mg"]),
    ("100000 µg", ["nightly limit", "2 mg"]),
])
def test_a_plausible_amount_above_a_limit_is_a_refusal(patient, db_path, dose, words):
    result = patient("log", dose, now=IN_WINDOW)
    assert result.code == 3, result
    for word in words:
        assert word in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("dose, mg", [
    ("1", 1), ("1mg", 1), ("1 mg", 1), ("0.5 mg", 0.5), ("500mcg", 0.5), ("500 ug", 0.5),
    ("500 µg", 0.5), ("500 μg", 0.5), ("0.75MG", 0.75), (" 1 mg ", 1),
])
def test_accepted_dose_texts(patient, dose, mg):
    assert patient.ok("log", dose, "--json", now=IN_WINDOW).json()["dose_mg"] == mg


@pytest.mark.parametrize("argv", [["--", "-1mg"], ["--", "-0.5"], ["-1mg"], ["--", "−1mg"]])
def test_a_negative_dose_is_bad_input(patient, db_path, argv):
    result = patient("log", *argv, now=IN_WINDOW)
    assert result.code == 2
    assert record_count(db_path) == 0


def test_a_dose_after_double_dash(patient):
    assert patient.ok("log", "--json", "--", "0.5mg", now=IN_WINDOW).json()["dose_mg"] == 0.5


@pytest.mark.parametrize("note", [None, "", "   "])
def test_already_taken_needs_a_note(patient, db_path, note):
    argv = ["log", "1mg", "--already-taken"] + ([] if note is None else ["--note", note])
    result = patient(*argv, now=PAST_LATEST)
    assert result.code == 2
    assert "--note" in result.err or "note" in result.err
    assert record_count(db_path) == 0


def test_an_already_taken_second_dose_is_recorded_flagged_and_shown(patient):
    patient.ok("log", now=IN_WINDOW)
    extra = patient.ok("log", "1mg", "--already-taken", "--note", "took a second one half asleep",
                       "--json", now=LATER_IN_WINDOW).json()
    assert extra["already_taken"] is True
    assert extra["rule_broken"] == "one-dose-per-night"
    assert extra["note"] == "took a second one half asleep"
    assert extra["taken_at"] == "2026-11-25T23:00:00+01:00"
    data = status(patient, "2026-11-25T23:05+01:00")
    assert data["state"] == "taken"
    assert data["taken_mg"] == 2
    assert any("already taken" in w and "23:00" in w for w in data["warnings"])
    assert any("More than the scheduled dose" in w for w in data["warnings"])
    records = history(patient)
    assert [r["already_taken"] for r in records] == [False, True]
    plain = patient.ok("history").out
    assert "already taken, against the rule 'one dose per night'" in plain and "one-dose-per-night" not in plain
    # the tracker never refuses to remember, but a planned dose stays refused
    assert patient("log", now="2026-11-25T23:10+01:00").code == 3


@pytest.mark.parametrize("now, dose, rule", [
    (PAST_LATEST, "1mg", "dose-window"),
    (BEFORE_WINDOW, "1mg", "dose-window"),
    (IN_WINDOW, "3mg", "monograph-ceiling"),
    (IN_WINDOW, "1.5mg", "scheduled-dose"),
    ("2026-10-30T22:40+01:00", "1mg", "nothing-scheduled"),
])
def test_already_taken_records_what_a_rule_refuses(patient, now, dose, rule):
    record = patient.ok("log", dose, "--already-taken", "--note", "it happened", "--json", now=now).json()
    assert record["already_taken"] is True and record["rule_broken"] == rule
    data = status(patient, now)
    assert data["state"] == "taken"
    assert any("already taken" in w for w in data["warnings"])
    assert history(patient)[0]["id"] == record["id"]


def test_already_taken_when_nothing_is_scheduled_needs_the_dose(patient, db_path):
    result = patient("log", "--already-taken", "--note", "x", now="2026-10-30T22:40+01:00")
    assert result.code == 2 and "DOSE" in result.err
    assert record_count(db_path) == 0


def test_a_planned_dose_when_nothing_is_scheduled_is_refused(patient, db_path):
    result = patient("log", "1mg", now="2026-10-30T22:40+01:00")
    assert result.code == 3 and "nothing is scheduled" in result.err
    assert record_count(db_path) == 0


@pytest.mark.slow
def test_a_dose_less_than_12_hours_after_another_is_refused(patient, db_path):
    # Travelling east moves the next night's window closer: the 12-hour gap still holds.
    patient.ok("profile", "set", "--tz", "America/New_York", now="2026-11-24T12:00-05:00")
    patient.ok("log", now="2026-11-24T23:00-05:00")  # 04:00 UTC on the 25th
    patient.ok("profile", "set", "--tz", "Asia/Tokyo", now="2026-11-25T14:00+09:00")
    # Tokyo night of 2026-11-25: in its window (20:30-23:30 JST) but 8 h after the last dose
    result = patient("log", now="2026-11-25T21:00+09:00")
    assert result.code == 3
    assert "12 hours" in result.err and "2026-11-25 13:00" in result.err
    assert record_count(db_path) == 1
    data = status(patient, "2026-11-25T21:00+09:00")
    assert data["night"] == "2026-11-25" and data["previous_night"] == "taken"
    # the next Tokyo night is far enough away
    assert patient.ok("log", "--json", now="2026-11-26T22:00+09:00").json()["zone"] == "Asia/Tokyo"


def test_a_bedtime_after_midnight(run):
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           "--bedtime", "00:30", "--wake", "07:30", now=SET_UP_AT)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now=SET_UP_AT)
    data = status(run, "2026-11-25T23:00+01:00")
    assert data["state"] == "due"
    assert data["window_opens"] == "2026-11-25T22:30:00+01:00"
    assert data["latest_dose_at"] == "2026-11-26T00:30:00+01:00"
    record = run.ok("log", "--json", now="2026-11-26T00:20+01:00").json()
    assert record["night"] == "2026-11-25"
    assert status(run, "2026-11-26T00:40+01:00")["state"] == "taken"


# -- skip ------------------------------------------------------------------------------------


def test_skip_defaults_to_tonight(patient):
    out = patient.ok("skip", "--note", "too late tonight", now=PAST_LATEST).out
    assert "Skip recorded" in out and "never take two" in out
    (record,) = history(patient)
    assert record["kind"] == "skip" and record["night"] == "2026-11-25"
    assert record["dose_mg"] is None and record["note"] == "too late tonight"
    assert record["taken_at"] == "2026-11-25T23:45:00+01:00"
    assert status(patient, PAST_LATEST)["state"] == "skipped"


def test_skip_after_midnight_belongs_to_the_evening_before(patient):
    patient.ok("skip", now="2026-11-26T01:00+01:00")
    assert history(patient)[0]["night"] == "2026-11-25"


def test_skip_an_earlier_night(patient):
    patient.ok("skip", "--night", "2026-11-20", now=IN_WINDOW)
    assert history(patient)[0]["night"] == "2026-11-20"


@pytest.mark.parametrize("night", ["2026-11-26", "2027-01-01"])
def test_skip_a_future_night_is_bad_input(patient, db_path, night):
    result = patient("skip", "--night", night, now=IN_WINDOW)
    assert result.code == 2 and "future" in result.err
    assert record_count(db_path) == 0


@pytest.mark.parametrize("night", ["tomorrow", "2026-02-30", "25.11.2026"])
def test_skip_a_bad_night_is_bad_input(patient, db_path, night):
    assert patient("skip", "--night", night, now=IN_WINDOW).code == 2
    assert record_count(db_path) == 0


def test_skip_after_a_dose_is_refused(patient, db_path):
    patient.ok("log", now=IN_WINDOW)
    result = patient("skip", now=LATER_IN_WINDOW)
    assert result.code == 3 and "one record per night" in result.err
    assert record_count(db_path) == 1


def test_a_dose_after_a_skip_is_refused(patient, db_path):
    patient.ok("skip", now=BEFORE_WINDOW)
    result = patient("log", now=IN_WINDOW)
    assert result.code == 3 and "skipped" in result.err
    assert record_count(db_path) == 1
    assert patient("skip", now=IN_WINDOW).code == 3  # a second skip too


# -- status ----------------------------------------------------------------------------------


def test_status_not_yet(patient):
    data = status(patient, BEFORE_WINDOW)
    assert data["night"] == "2026-11-25"
    assert data["state"] == "not_yet"
    assert data["scheduled_mg"] == 1
    assert data["taken_mg"] is None
    assert data["max_mg"] == 2
    assert data["window_opens"] == "2026-11-25T20:30:00+01:00"
    assert data["latest_dose_at"] == "2026-11-25T23:30:00+01:00"
    assert data["previous_night"] == "missed"
    assert "20:30" in data["guidance"] and "23:30" in data["guidance"]
    assert isinstance(data["warnings"], list)
    assert any("alcohol" in w for w in data["warnings"])


def test_status_due(patient):
    data = status(patient, "2026-11-25T21:00+01:00")
    assert data["state"] == "due"
    assert "Take 1 mg now" in data["guidance"]
    assert data["taken_mg"] is None


def test_status_skip_when_past_the_latest_time(patient):
    data = status(patient, PAST_LATEST)
    assert data["state"] == "skip"
    assert "Skip tonight" in data["guidance"] and "never take two" in data["guidance"]
    assert data["scheduled_mg"] == 1 and data["taken_mg"] is None


def test_status_skip_after_midnight_still_reports_the_evening_before(patient):
    data = status(patient, "2026-11-26T02:00+01:00")
    assert data["night"] == "2026-11-25" and data["state"] == "skip"


def test_status_taken(patient):
    patient.ok("log", now=IN_WINDOW)
    data = status(patient, LATER_IN_WINDOW)
    assert data["state"] == "taken"
    assert data["taken_mg"] == 1
    assert "22:40" in data["guidance"] and "second dose" in data["guidance"]
    # the next morning it is still the same night
    assert status(patient, "2026-11-26T07:00+01:00")["state"] == "taken"


def test_status_skipped(patient):
    patient.ok("skip", now=BEFORE_WINDOW)
    data = status(patient, IN_WINDOW)
    assert data["state"] == "skipped"
    assert data["taken_mg"] is None


def test_status_no_dose_before_the_prescription_starts(patient):
    data = status(patient, "2026-10-31T21:00+01:00")
    assert data["state"] == "no_dose"
    assert data["scheduled_mg"] is None
    assert data["taken_mg"] is None
    assert data["max_mg"] == 2
    assert data["previous_night"] == "none"
    assert "Nothing is scheduled" in data["guidance"]


def test_status_without_a_prescription_never_says_take_no_dose(run):
    init(run)
    data = status(run, IN_WINDOW)
    assert data["state"] == "no_prescription" and data["scheduled_mg"] is None
    assert data["previous_night"] == "none"
    assert "take no dose" not in data["guidance"].lower()
    assert "only as your prescriber told you" in data["guidance"]
    assert "Do not stop taking flunitrazepam suddenly" in data["guidance"]
    out = run.ok("status", now=IN_WINDOW).out
    assert "no prescription recorded" in out and "medtrack prescribe" in out


def test_status_contraindicated(patient):
    patient.ok("profile", "set", "--condition", "myasthenia-gravis")
    data = status(patient, IN_WINDOW)
    assert data["state"] == "contraindicated"
    assert "Myasthenia gravis" in data["guidance"]
    assert "doctor" in data["guidance"]


def test_status_caution_is_a_warning(patient):
    patient.ok("profile", "set", "--liver", "moderate")
    data = status(patient, IN_WINDOW)
    assert data["state"] == "due"
    assert any(w.startswith("Caution") and "liver" in w.lower() for w in data["warnings"])
    patient.ok("log", now=IN_WINDOW)


@pytest.mark.parametrize("setup, expected", [
    ([], "missed"),
    ([("log", "2026-11-24T22:40+01:00")], "taken"),
    ([("skip", "2026-11-24T22:40+01:00")], "skipped"),
])
@pytest.mark.slow
def test_status_previous_night(patient, setup, expected):
    for command, now in setup:
        patient.ok(command, now=now)
    assert status(patient, BEFORE_WINDOW)["previous_night"] == expected


def test_status_previous_night_none_on_the_first_night(patient):
    assert status(patient, "2026-11-01T21:00+01:00")["previous_night"] == "none"


def test_status_previous_night_after_a_voided_dose_is_missed(patient):
    record = patient.ok("log", "--json", now="2026-11-24T22:40+01:00").json()
    patient.ok("void", str(record["id"]), "--reason", "wrong night", now=BEFORE_WINDOW)
    assert status(patient, BEFORE_WINDOW)["previous_night"] == "missed"


def test_status_at_another_moment(patient):
    data = patient.ok("status", "--at", "2026-11-24 21:00", "--json", now=IN_WINDOW).json()
    assert data["night"] == "2026-11-24" and data["state"] == "due"


def test_status_plain(patient):
    out = patient.ok("status", now=BEFORE_WINDOW).out
    assert "Night of 2026-11-25" in out and "1 mg" in out and "not yet" in out
    assert "20:30" in out and "23:30" in out and "Last night: missed" in out


# -- history ---------------------------------------------------------------------------------


def test_history_json_shape_oldest_first(patient):
    patient.ok("log", "0.5mg", now="2026-11-23T22:00+01:00")
    patient.ok("skip", "--night", "2026-11-22", now="2026-11-23T22:05+01:00")
    patient.ok("log", "--note", "fine", now="2026-11-24T21:30+01:00")
    patient.ok("skip", now=PAST_LATEST)
    records = history(patient)
    assert [r["night"] for r in records] == ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
    assert [r["kind"] for r in records] == ["skip", "dose", "dose", "skip"]
    for record in records:
        assert set(record) >= RECORD_KEYS
        assert record["voided"] is False and record["already_taken"] is False
    assert [r["dose_mg"] for r in records] == [None, 0.5, 1, None]
    assert records[1]["taken_at"] == "2026-11-23T22:00:00+01:00"
    assert records[2]["note"] == "fine"
    ranged = patient.ok("history", "--from", "2026-11-23", "--to", "2026-11-24", "--json").json()
    assert [r["night"] for r in ranged] == ["2026-11-23", "2026-11-24"]
    assert patient.ok("history", "--from", "2026-11-25", "--json").json() == records[3:]
    assert patient.ok("history", "--to", "2026-11-22", "--json").json() == records[:1]


def test_history_empty(patient):
    assert patient.ok("history", "--json").json() == []
    assert "No records" in patient.ok("history").out


@pytest.mark.parametrize("argv", [["--from", "2026-11-30", "--to", "2026-11-01"],
                                  ["--from", "last week"], ["--to", "2026-02-30"]])
def test_history_bad_range_is_bad_input(patient, argv):
    assert patient("history", *argv).code == 2


def test_history_keeps_each_records_night_and_zone_after_a_zone_change(patient):
    patient.ok("log", now="2026-11-24T23:30+01:00")  # 22:30 UTC: Berlin night of 2026-11-24
    changed = patient.ok("profile", "set", "--tz", "America/New_York", now="2026-11-25T09:00+01:00")
    assert "zone: Europe/Berlin -> America/New_York" in changed.out
    # New York, night of 2026-11-25 at 22:40 EST = 03:40 UTC on the 26th
    patient.ok("log", now="2026-11-25T22:40-05:00")
    first, second = patient.ok("history", "--json", now="2026-11-26T08:00-05:00").json()
    assert first["night"] == "2026-11-24"
    assert first["taken_at"] == "2026-11-24T23:30:00+01:00"
    assert first["zone"] == "Europe/Berlin"
    assert second["night"] == "2026-11-25"
    assert second["taken_at"] == "2026-11-25T22:40:00-05:00"
    assert second["zone"] == "America/New_York"
    plain = patient.ok("history").out
    assert "2026-11-24 23:30 CET" in plain and "2026-11-25 22:40 EST" in plain


def test_a_zone_change_does_not_move_an_old_record_into_another_night(patient):
    # 23:30 Berlin on the 24th is 17:30 in New York on the 24th, and 07:30 in Tokyo on the 25th:
    # the record stays in the Berlin night of the 24th whatever the profile's zone becomes.
    patient.ok("log", now="2026-11-24T23:30+01:00")
    patient.ok("profile", "set", "--tz", "Asia/Tokyo", now="2026-11-25T12:00+09:00")
    (record,) = patient.ok("history", "--json", now="2026-11-25T12:00+09:00").json()
    assert record["night"] == "2026-11-24" and record["zone"] == "Europe/Berlin"
    assert record["taken_at"] == "2026-11-24T23:30:00+01:00"
    assert patient.ok("history", "--from", "2026-11-25", "--json").json() == []


# -- void ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_void_needs_a_reason(patient, db_path, reason):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    argv = ["void", str(record["id"])] + ([] if reason is None else ["--reason", reason])
    assert patient(*argv, now=LATER_IN_WINDOW).code == 2
    assert record_count(db_path) == 1
    assert history(patient)[0]["voided"] is False


@pytest.mark.parametrize("record_id", ["99", "0", "-1", "abc", "1.0", "99999999999999999999999"])
def test_void_an_unknown_id_is_bad_input(patient, db_path, record_id):
    patient.ok("log", now=IN_WINDOW)
    argv = ["void", "--reason", "typo", "--", record_id]
    assert patient(*argv, now=LATER_IN_WINDOW).code == 2
    assert record_count(db_path) == 1


def test_void_a_void_record_or_twice_is_bad_input(patient, db_path):
    record = patient.ok("log", "--json", now=IN_WINDOW).json()
    out = patient.ok("void", str(record["id"]), "--reason", "entered twice", "--not-taken",
                     now=LATER_IN_WINDOW).out
    void_id = int(out.split("void record #")[1].split(")")[0])
    assert patient("void", str(record["id"]), "--reason", "again", now=LATER_IN_WINDOW).code == 2
    assert patient("void", str(void_id), "--reason", "undo", now=LATER_IN_WINDOW).code == 2
    assert record_count(db_path) == 2


@pytest.mark.slow
def test_a_voided_dose_frees_the_night(patient):
    first = patient.ok("log", "--json", now=IN_WINDOW).json()
    out = patient.ok("void", str(first["id"]), "--reason", "logged the wrong evening",
                     "--not-taken", now=LATER_IN_WINDOW).out
    assert f"Record #{first['id']} is void as not taken" in out
    assert status(patient, LATER_IN_WINDOW)["state"] == "due"
    second = patient.ok("log", "0.5mg", "--json", now=LATER_IN_WINDOW).json()
    assert second["id"] != first["id"]
    records = history(patient)
    assert [r["id"] for r in records] == [first["id"], second["id"]]  # no void record listed
    assert records[0]["voided"] is True
    assert records[0]["void_reason"] == "logged the wrong evening"
    assert records[1]["voided"] is False and records[1]["void_reason"] is None
    data = status(patient, LATER_IN_WINDOW)
    assert data["state"] == "taken" and data["taken_mg"] == 0.5
    assert "VOID, not taken: logged the wrong evening" in patient.ok("history").out


def test_a_voided_skip_frees_the_night(patient):
    patient.ok("skip", now=BEFORE_WINDOW)
    skip_id = history(patient)[0]["id"]
    patient.ok("void", str(skip_id), "--reason", "changed my mind", now=IN_WINDOW)
    patient.ok("log", now=IN_WINDOW)
    assert [(r["kind"], r["voided"]) for r in history(patient)] == [("skip", True), ("dose", False)]


# -- user text, exit codes, files -------------------------------------------------------------

NASTY = "[bold]loud[/bold] \x1b[2J\x1b[31mred\x07\x9b2J 💊 Robert'); DROP TABLE record;-- \"q\" \\ ñ\r\x00x"
if ON_POSTGRES:  # PostgreSQL's text cannot hold NUL: refused there (exit 2), see the test below
    NASTY = NASTY.replace("\x00", "")


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite keeps a NUL in text (tested above)")
def test_a_nul_character_is_bad_input_on_postgres_and_nothing_is_written(patient, db_path):
    result = patient("log", "--note", "a\x00b", now=IN_WINDOW)
    assert result.code == 2 and "NUL" in result.err, result
    assert sql(db_path, "SELECT count(*) FROM record")[0][0] == 0


def test_plain_output_strips_control_characters_and_json_is_verbatim(run, db_path):
    run.ok("init", "--name", NASTY, "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP_AT)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", NASTY, "--start", "2026-11-01", now=SET_UP_AT)
    plain_log = run.ok("log", "--note", NASTY, now=IN_WINDOW).out
    plain = plain_log + run.ok("history").out + run.ok("profile").out + run.ok("status").out
    for control in ("\x1b", "\x07", "\x00", "\r", "\x9b"):
        assert control not in plain
    for shown in ("[bold]loud[/bold]", "💊", "Robert'); DROP TABLE record;--", '"q"', "ñ", "[2J"):
        assert shown in plain_log
    assert "[bold]loud[/bold]" in run.ok("profile").out
    (record,) = run.ok("history", "--json").json()
    assert record["note"] == NASTY
    assert run.ok("profile", "--json").json()["name"] == NASTY
    assert sql(db_path, "SELECT note FROM record")[0][0] == NASTY
    assert sql(db_path, "SELECT count(*) FROM record")[0][0] == 1  # the table is still there
    # the raw JSON escapes control characters, so a terminal showing it is safe too
    raw = run.ok("history", "--json").out
    assert "\x1b" not in raw and json.loads(raw)[0]["note"] == NASTY


def test_log_json_returns_the_note_verbatim(patient):
    record = patient.ok("log", "--note", NASTY, "--json", now=IN_WINDOW).json()
    assert record["note"] == NASTY
    skip = patient.ok("skip", "--night", "2026-11-24", "--note", NASTY, "--json", now=IN_WINDOW).json()
    assert skip["note"] == NASTY


def test_errors_quoting_user_text_strip_control_characters(patient):
    result = patient("log", "\x1b[2J1mg", now=IN_WINDOW)
    assert result.code == 2 and "\x1b" not in result.err
    result = patient("log", "--at", "\x1b]0;pwned\x07", now=IN_WINDOW)
    assert result.code == 2 and "\x1b" not in result.err and "\x07" not in result.err


@pytest.mark.parametrize("argv", [["frobnicate"], ["log", "--bogus"], ["status", "--at"],
                                  ["history", "--json", "extra"], ["void"], ["prescribe"]])
def test_usage_errors_are_one_line_exit_2(patient, argv):
    assert patient(*argv).code == 2


def test_an_empty_medtrack_db_is_bad_input(patient):
    assert patient("status", db="").code == 2
    assert patient("status", db="   ").code == 2


def test_an_empty_db_option_is_bad_input(patient):
    result = patient("--db", "", "status")  # MEDTRACK_DB points at the patient's database
    assert result.code == 2 and "--db" in result.err


def test_a_bad_medtrack_now_is_bad_input(patient):
    assert patient("status", now="2026-11-25 22:40").code == 2


def test_the_db_option_beats_the_environment(patient, tmp_path):
    other = tmp_path / "other.db"
    result = patient("--db", str(other), "status")
    assert result.code == 2 and "init" in result.err
    assert not other.exists()


def test_the_database_file_is_private(patient, db_path):
    if isinstance(db_path, Path):  # a file: private to its owner
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600


def test_the_database_file_is_private_whatever_the_umask(run, tmp_path):
    old = os.umask(0)
    try:
        db = tmp_path / "open" / "medtrack.db"
        run.ok("init", "--name", "Ada", "--born", "1970-05-01", db=db)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    finally:
        os.umask(old)


def test_stderr_is_one_line_for_each_failure_kind(patient):
    # bad input, refusal: each exactly one line starting "medtrack:" (checked by the fixture)
    patient("log", "abc", now=IN_WINDOW).assert_one_line_error()
    patient.ok("log", now=IN_WINDOW)
    patient("log", now=LATER_IN_WINDOW).assert_one_line_error()
