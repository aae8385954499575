"""The CLI contract of issue 3 (taper plan, prescriber lock, calendar) through the real entry point.

Every call goes through `medtrack.cli.main(argv)` in-process, with MEDTRACK_DB pointing at a file
under tmp_path and the clock fixed by MEDTRACK_NOW. The patient lives in Europe/Berlin, born
1970-05-01 (an adult: 2 mg ceiling), bedtime 22:30, wake 06:30 (window 20:30-23:30), on 1 mg from
the night of 2026-11-01. Unless a call says otherwise it is 2026-11-25 20:00 in Berlin: tonight is
the night of 2026-11-25 and its window has not opened yet.

Checking a PIN costs about half a second in use (scrypt, n=2**17; tests hash at a cheap cost, see
tests/conftest.py), so the lock tests start from a copy of one locked database built once per
module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import io
import json
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

SET_UP_AT = "2026-11-01T12:00+01:00"
NOW = "2026-11-25T20:00+01:00"          # before tonight's window opens
IN_WINDOW = "2026-11-25T22:40+01:00"
PIN = "1234"
WRONG = "4321"
PLAN_KEYS = {"version", "prescriber", "in_force_from", "formulation", "steps", "warnings"}
STEP_KEYS = {"start", "end", "dose_mg", "as_taken", "cut_mg", "cut_percent"}
HISTORY_KEYS = {"version", "prescriber", "in_force_from", "changed_at", "change", "reason",
                "formulation", "steps", "warnings", "replaced"}
NIGHT_KEYS = {"night", "scheduled_mg", "as_taken", "taken_mg", "state", "step_change"}
DATA_TABLES = ("record", "regimen", "regimen_step", "profile_version", "symptom")

LINEAR = ("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg",
          "--every", "2w", "--prescriber", "Dr. Weiss")
LINEAR_STEPS = [
    {"start": "2026-12-01", "end": "2026-12-14", "dose_mg": 1},
    {"start": "2026-12-15", "end": "2026-12-28", "dose_mg": 0.75},
    {"start": "2026-12-29", "end": "2027-01-11", "dose_mg": 0.5},
    {"start": "2027-01-12", "end": "2027-01-25", "dose_mg": 0.25},
    {"start": "2027-01-26", "end": None, "dose_mg": 0},
]


# -- fixtures of this file -----------------------------------------------------------------------


@dataclass
class Res:
    code: int
    out: str
    err: str
    argv: tuple[str, ...]

    def json(self) -> Any:
        assert self.code == 0, self
        return json.loads(self.out)


def _check_shape(res: Res) -> Res:
    assert "Traceback" not in res.err, res
    if res.code in (2, 3, 4):  # a refusal or bad input: one line on stderr, nothing on stdout
        lines = res.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("medtrack: "), res
    return res


class Cli:
    """`cli("taper", "show", now=...)` runs medtrack in-process on this test's database."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                 db: Path) -> None:
        self.monkeypatch, self.capsys, self.db = monkeypatch, capsys, db

    def __call__(self, *argv: str, now: str = NOW) -> Res:
        from medtrack.cli import main

        self.monkeypatch.setenv("MEDTRACK_DB", str(self.db))
        self.monkeypatch.setenv("MEDTRACK_NOW", now)
        self.capsys.readouterr()
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        return _check_shape(Res(code, out, err, argv))

    def ok(self, *argv: str, now: str = NOW) -> Res:
        res = self(*argv, now=now)
        assert res.code == 0, res
        return res

    def json(self, *argv: str, now: str = NOW) -> Any:
        return self.ok(*argv, "--json", now=now).json()


def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")  # the machine's zone never leaks in
    monkeypatch.delenv("MEDTRACK_DEBUG", raising=False)


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path) -> Cli:
    _env(monkeypatch)
    return Cli(monkeypatch, capsys, tmp_path / "medtrack.db")


def _set_up_patient(cli: Cli, born: str = "1970-05-01") -> Cli:
    cli.ok("init", "--name", "Ada Muster", "--born", born, "--tz", "Europe/Berlin",
           "--bedtime", "22:30", "--wake", "06:30", now=SET_UP_AT)
    cli.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           now=SET_UP_AT)
    return cli


@pytest.fixture
def pt(cli) -> Cli:
    """The Berlin patient on 1 mg from 2026-11-01, no plan, no lock."""
    return _set_up_patient(cli)


def _quiet_main(db: Path, now: str, *argv: str) -> int:
    """main() outside a test function (module fixtures have no capsys)."""
    from medtrack.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        mp.setenv("MEDTRACK_DB", str(db))
        mp.setenv("MEDTRACK_NOW", now)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(list(argv))
    assert code == 0, (argv, err.getvalue())
    return code


@pytest.fixture(scope="module")
def locked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The patient, a plan running since 2026-11-15 (1 mg, 0.75 from 11-29, 0.5 from 12-13, 0.25
    from 12-27, 0 from 2027-01-10) and the prescriber lock with PIN 1234."""
    db = tmp_path_factory.mktemp("locked") / "medtrack.db"
    _quiet_main(db, SET_UP_AT, "init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz",
                "Europe/Berlin", "--bedtime", "22:30", "--wake", "06:30")
    _quiet_main(db, SET_UP_AT, "prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss",
                "--start", "2026-11-01")
    _quiet_main(db, "2026-11-14T12:00+01:00", "taper", "set", "--start", "2026-11-15", "--from",
                "1mg", "--step", "0.25mg", "--every", "14d", "--prescriber", "Dr. Weiss")
    _quiet_main(db, "2026-11-14T12:05+01:00", "lock", "--pin", PIN)
    gc.collect()
    return db


@pytest.fixture
def locked(cli: Cli, locked_template: Path) -> Cli:
    shutil.copyfile(locked_template, cli.db)
    os.chmod(cli.db, 0o600)
    return cli


def sql(db: Path, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(query).fetchall()


def data_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sql(db, f"SELECT * FROM {table} ORDER BY id") for table in DATA_TABLES}


def lock_row(db: Path) -> tuple[Any, ...]:
    rows = sql(db, "SELECT pin_hash, failures, locked_until_utc FROM prescriber_lock")
    assert len(rows) <= 1
    return rows[0] if rows else (None, 0, None)


def regimen_count(db: Path) -> int:
    count = sql(db, "SELECT count(*) FROM regimen")[0][0]
    assert isinstance(count, int)
    return count


def doses_mg(plan: dict[str, Any]) -> list[Any]:
    return [s["dose_mg"] for s in plan["steps"]]


def current_plan(cli: Cli) -> dict[str, Any]:
    """The current version as `taper history --json` gives it (newest first), in the
    `taper show --json` shape (see the xfail tests of `taper show` below)."""
    newest = cli.json("taper", "history")[0]
    return {key: newest[key] for key in PLAN_KEYS}


def essence(plan: dict[str, Any]) -> dict[str, Any]:
    """Version, prescriber and each step's nights and dose (the JSON carries more since issue 11:
    the formulation, how each dose is taken, the cuts and the warnings)."""
    return {"version": plan["version"], "prescriber": plan["prescriber"],
            "steps": [{k: s[k] for k in ("start", "end", "dose_mg")} for s in plan["steps"]]}


def check_plan_shape(plan: dict[str, Any]) -> None:
    assert set(plan) == PLAN_KEYS, plan
    assert plan["steps"], plan
    for step in plan["steps"]:
        assert set(step) == STEP_KEYS, step
    for here, after in pairwise(plan["steps"]):
        end = dt.date.fromisoformat(here["end"])
        assert end == dt.date.fromisoformat(after["start"]) - dt.timedelta(days=1)
    assert plan["steps"][-1]["end"] is None


# -- taper set -----------------------------------------------------------------------------------


def test_set_linear_plan(pt):
    res = pt.ok(*LINEAR)
    assert "version 1" in res.out and "Dr. Weiss" in res.out and "0 mg (stopped)" in res.out
    plan = current_plan(pt)
    check_plan_shape(plan)
    assert essence(plan) == {"version": 1, "prescriber": "Dr. Weiss", "steps": LINEAR_STEPS}
    assert isinstance(plan["steps"][0]["dose_mg"], int)




def test_taper_show_json(pt):
    pt.ok(*LINEAR)
    shown = pt.json("taper", "show")
    assert set(shown.pop("dispense")) == {"per_step", "next_days", "from_night", "next"}
    assert shown.pop("replaced") is None  # the plan is in force from its start onwards
    tonight = shown.pop("tonight")  # where tonight stands, from the plan timeline (as status says)
    status = pt.json("status")
    assert (tonight["night"], tonight["scheduled_mg"], tonight["next_change"]) == (
        status["night"], status["scheduled_mg"], status["next_change"])
    check_plan_shape(shown)
    assert essence(shown) == {"version": 1, "prescriber": "Dr. Weiss", "steps": LINEAR_STEPS}


def test_taper_show_says_when_a_prescription_replaced_the_plan_as_status_and_history_do(pt):
    """A prescription from 12-06 replaces a plan under way: `taper show` still lists the plan's
    steps as written, and says from which night they no longer apply (it used to list them with
    "no change ahead" below and no word of the prescription); the JSON and `taper history` carry
    the same night, and `status` on that night schedules the prescription's dose."""
    pt.ok("taper", "set", "--start", "2026-11-21", "--from", "1mg", "--step", "0.25mg", "--every", "7d",
          "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
    pt.ok("prescribe", "--dose", "0.75mg", "--prescriber", "Dr. Roth", "--start", "2026-12-06",
          now="2026-11-20T12:05+01:00")
    said = ("A prescription by Dr. Roth (0.75 mg a night) replaced this plan from the night of 2026-12-06; "
            "its steps from that night on no longer apply.")
    lines = pt.ok("taper", "show", now="2026-12-08T12:00+01:00").out.splitlines()
    assert said in lines
    assert lines[lines.index(said) + 1] == "Tonight (2026-12-08): 0.75 mg scheduled; no change ahead."
    replaced = {"night": "2026-12-06", "by": "prescription", "version": None, "prescriber": "Dr. Roth",
                "dose_mg": 0.75, "plan_began": True}
    assert pt.json("taper", "show", now="2026-12-08T12:00+01:00")["replaced"] == replaced
    assert pt.json("taper", "history")[0]["replaced"] == replaced
    assert "  " + said in pt.ok("taper", "history").out.splitlines()
    assert pt.json("status", now="2026-12-05T21:00+01:00")["scheduled_mg"] == 0.5  # the plan's last night
    assert pt.json("status", now="2026-12-06T21:00+01:00")["scheduled_mg"] == 0.75  # the prescription's first


def test_a_hold_names_the_version_that_takes_over_in_history(pt):
    pt.ok("taper", "set", "--start", "2026-11-21", "--from", "1mg", "--step", "0.25mg", "--every", "7d",
          "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
    pt.ok("taper", "hold", "--days", "7", "--at", "2026-11-30", "--reason", "withdrawal",
          now="2026-11-29T12:00+01:00")
    history = pt.json("taper", "history")
    assert [v["replaced"] for v in history] == [None, {
        "night": "2026-11-30", "by": "plan", "version": 2, "prescriber": "Dr. Weiss", "dose_mg": 0.75,
        "plan_began": True}]
    assert ("  Plan version 2 replaced this plan from the night of 2026-11-30; its steps from that night on "
            "no longer apply.") in pt.ok("taper", "history").out.splitlines()
    assert pt.json("taper", "show")["replaced"] is None  # the newest version is the one in force


def test_taper_show_text(pt):
    pt.ok(*LINEAR)
    assert "onwards" in pt.ok("taper", "show").out


def test_taper_show_without_a_plan_is_an_empty_plan_like_history(pt):
    """No plan is an answer, not an error: exit 0, the same keys as with a plan, empty."""
    assert pt.json("taper", "history") == []
    shown = pt.json("taper", "show")
    assert set(shown) == PLAN_KEYS | {"dispense", "replaced"}
    assert shown == {"version": None, "prescriber": None, "in_force_from": None,
                     "formulation": None, "steps": [], "warnings": [], "dispense": None, "replaced": None}
    res = pt.ok("taper", "show")
    assert res.out.splitlines() == ["No taper plan yet; the prescriber sets one with medtrack taper set."]
    assert res.err == ""


def test_set_json_and_every_in_days_or_weeks_agree(pt):
    argv = list(LINEAR)
    argv[argv.index("2w")] = "14d"
    assert essence(pt.json(*argv)) == {"version": 1, "prescriber": "Dr. Weiss", "steps": LINEAR_STEPS}


def test_set_percentage_plan(pt):
    plan = pt.json("taper", "set", "--start", "2026-12-01", "--from", "2mg", "--step", "25%",
                   "--every", "7d", "--round", "0.125mg", "--prescriber", "Dr. Weiss")
    check_plan_shape(plan)
    assert doses_mg(plan) == [2, 1.5, 1.125, 0.875, 0.625, 0.5, 0.375, 0.25, 0.125, 0]
    assert [s["start"] for s in plan["steps"][:3]] == ["2026-12-01", "2026-12-08", "2026-12-15"]


def test_set_percentage_plan_with_a_target(pt):
    plan = pt.json("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "10%",
                   "--every", "1w", "--to", "0.25mg", "--prescriber", "Dr. Weiss")
    assert doses_mg(plan) == [1, 0.75, 0.5, 0.25]


@pytest.mark.slow
def test_set_explicit_plan(pt):
    plan = pt.json("taper", "set", "--steps", "2026-12-01=1mg,2026-12-15=0.75mg,2027-01-05=0",
                   "--prescriber", "Dr. Weiss")
    assert essence(plan) == {"version": 1, "prescriber": "Dr. Weiss", "steps": [
        {"start": "2026-12-01", "end": "2026-12-14", "dose_mg": 1},
        {"start": "2026-12-15", "end": "2027-01-04", "dose_mg": 0.75},
        {"start": "2027-01-05", "end": None, "dose_mg": 0},
    ]}


def test_second_plan_needs_a_reason(pt):
    pt.ok(*LINEAR)
    before = data_tables(pt.db)
    res = pt("taper", "set", "--steps", "2026-12-01=0.5mg,2026-12-20=0", "--prescriber", "Dr. Weiss")
    assert res.code == 2 and "--reason" in res.err
    res = pt("taper", "set", "--steps", "2026-12-01=0.5mg,2026-12-20=0", "--prescriber",
             "Dr. Weiss", "--reason", "   ")
    assert res.code == 2
    assert data_tables(pt.db) == before
    plan = pt.json("taper", "set", "--steps", "2026-12-01=0.5mg,2026-12-20=0", "--prescriber",
                   "Dr. Roth", "--reason", "faster, patient doing well")
    assert plan["version"] == 2 and plan["prescriber"] == "Dr. Roth"
    assert doses_mg(current_plan(pt)) == [0.5, 0]


def test_plan_above_the_adult_ceiling_is_refused(pt):
    res = pt("taper", "set", "--steps", "2026-12-01=2.25mg,2026-12-15=0", "--prescriber", "Dr. Weiss")
    assert res.code == 3 and "nightly limit" in res.err
    assert regimen_count(pt.db) == 1


def test_a_step_above_the_elderly_ceiling_on_its_start_night_is_refused(cli):
    # Born 1962-01-10: 64 now, 65 (ceiling 1 mg) from the night of 2027-01-10.
    _set_up_patient(cli, born="1962-01-10")
    before = data_tables(cli.db)
    res = cli("taper", "set", "--steps", "2026-12-01=2mg,2027-01-10=1.5mg,2027-02-01=0",
              "--prescriber", "Dr. Weiss")
    assert res.code == 3 and "65" in res.err and "2027-01-10" in res.err
    res = cli("taper", "set", "--start", "2027-01-10", "--from", "2mg", "--step", "1mg",
              "--every", "7d", "--prescriber", "Dr. Weiss")
    assert res.code == 3
    # A generated step that starts after the birthday: 2, 1.75, 1.5, 1.25 mg from 2027-01-12.
    res = cli("taper", "set", "--start", "2026-12-01", "--from", "2mg", "--step", "0.25mg",
              "--every", "2w", "--prescriber", "Dr. Weiss")
    assert res.code == 3 and "2027-01-12" in res.err
    assert data_tables(cli.db) == before
    # The night before the birthday a 2 mg step still fits (checked on its start night).
    plan = cli.json("taper", "set", "--start", "2027-01-09", "--from", "2mg", "--step", "1mg",
                    "--every", "1d", "--prescriber", "Dr. Weiss")
    assert doses_mg(plan) == [2, 1, 0]


PLAN_START = ("--start", "2026-12-01", "--prescriber", "Dr. Weiss")


@pytest.mark.parametrize("argv", [
    ("--from", "1mg", "--step", "0.25mg", "--every", "0d"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "0w"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "two weeks"),
    ("--from", "1mg", "--step", "0mg", "--every", "14d"),
    ("--from", "1mg", "--step=-0.25mg", "--every", "14d"),
    ("--from", "1mg", "--step", "0%", "--every", "14d"),
    ("--from", "1mg", "--step", "100%", "--every", "14d"),
    ("--from", "1mg", "--step", "150%", "--every", "14d"),
    ("--from", "1.1mg", "--step", "0.25mg", "--every", "14d"),
    ("--from", "1mg", "--step", "0.3mg", "--every", "14d"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "14d", "--to", "0.1mg"),
    ("--from", "1mg", "--step", "10%", "--every", "14d", "--to", "0.6mg"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "14d", "--to", "1mg"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "14d", "--round", "0.3mg"),
    ("--from", "1mg", "--step", "0.25mg", "--every", "14d", "--round", "0"),
    ("--from", "1mg", "--step", "0.25mg"),
    ("--from", "1mg", "--every", "14d"),
])
def test_bad_generated_plans_exit_2_and_write_nothing(pt, argv):
    before = data_tables(pt.db)
    res = pt("taper", "set", *PLAN_START, *argv)
    assert res.code == 2, res
    assert data_tables(pt.db) == before


@pytest.mark.parametrize("argv", [
    ("--steps", "2026-12-15=1mg,2026-12-01=0.5mg"),
    ("--steps", "2026-12-01=1mg,2026-12-01=0.5mg"),
    ("--steps", "2026-12-01=1mg,2026-11-31=0"),
    ("--steps", "2026-02-30=1mg"),
    ("--steps", "2026-13-01=1mg"),
    ("--steps", "2026-12-01=0.3mg,2026-12-15=0"),
    ("--steps", "2026-12-01=1mg,"),
    ("--steps", "2026-12-01=1mg", "--start", "2026-12-01"),
    ("--start", "2026-02-30", "--from", "1mg", "--step", "0.25mg", "--every", "14d"),
    ("--start", "2026-13-01", "--from", "1mg", "--step", "0.25mg", "--every", "14d"),
])
def test_bad_explicit_plans_and_dates_exit_2_and_write_nothing(pt, argv):
    before = data_tables(pt.db)
    res = pt("taper", "set", "--prescriber", "Dr. Weiss", *argv)
    assert res.code == 2, res
    assert data_tables(pt.db) == before


def test_history_without_a_plan(pt):
    assert pt.json("taper", "history") == []
    assert "No taper plan" in pt.ok("taper", "history").out


# -- hold and step back ----------------------------------------------------------------------------


def test_hold_json(pt):
    pt.ok(*LINEAR)
    plan = pt.json("taper", "hold", "--days", "7", "--at", "2026-12-20", "--reason", "withdrawal symptoms")
    check_plan_shape(plan)
    assert essence(plan) == {"version": 2, "prescriber": "Dr. Weiss", "steps": [
        {"start": "2026-12-01", "end": "2026-12-14", "dose_mg": 1},
        {"start": "2026-12-15", "end": "2027-01-04", "dose_mg": 0.75},
        {"start": "2027-01-05", "end": "2027-01-18", "dose_mg": 0.5},
        {"start": "2027-01-19", "end": "2027-02-01", "dose_mg": 0.25},
        {"start": "2027-02-02", "end": None, "dose_mg": 0},
    ]}
    assert current_plan(pt) == plan


@pytest.mark.slow
def test_hold_defaults_to_tonight_and_the_plans_prescriber(pt):
    # A plan that started in the past: tonight (2026-11-25) is in its first step.
    pt.ok("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg",
          "--every", "14d", "--prescriber", "Dr. Weiss")
    plan = pt.json("taper", "hold", "--days", "3", "--reason", "poor sleep")
    assert plan["prescriber"] == "Dr. Weiss"
    # 1 mg from 11-15 to 11-28, held 3 more nights: to 12-01; 0.75 mg from 12-02.
    assert essence(plan)["steps"][0] == {"start": "2026-11-15", "end": "2026-12-01", "dose_mg": 1}
    assert plan["steps"][1]["start"] == "2026-12-02"
    assert "version 3" in pt.ok("taper", "hold", "--days", "1", "--reason", "again",
                                "--prescriber", "Dr. Roth").out
    assert current_plan(pt)["prescriber"] == "Dr. Roth"


def test_step_back_json(pt):
    pt.ok(*LINEAR)
    plan = pt.json("taper", "step-back", "--at", "2026-12-20", "--reason", "could not sleep",
                   "--prescriber", "Dr. Roth")
    check_plan_shape(plan)
    assert essence(plan) == {"version": 2, "prescriber": "Dr. Roth", "steps": [
        {"start": "2026-12-01", "end": "2026-12-14", "dose_mg": 1},
        {"start": "2026-12-15", "end": "2026-12-19", "dose_mg": 0.75},
        {"start": "2026-12-20", "end": "2027-01-02", "dose_mg": 1},
        {"start": "2027-01-03", "end": "2027-01-16", "dose_mg": 0.75},
        {"start": "2027-01-17", "end": "2027-01-30", "dose_mg": 0.5},
        {"start": "2027-01-31", "end": "2027-02-13", "dose_mg": 0.25},
        {"start": "2027-02-14", "end": None, "dose_mg": 0},
    ]}


@pytest.mark.parametrize("argv, words", [
    (("taper", "hold", "--days", "7", "--reason", "r", "--at", "2026-11-30"), "before the plan starts"),
    (("taper", "hold", "--days", "7", "--reason", "r", "--at", "2027-01-26"), "last step"),
    (("taper", "hold", "--days", "7", "--reason", "r", "--at", "2027-06-01"), "last step"),
    (("taper", "hold", "--days", "0", "--reason", "r", "--at", "2026-12-20"), "days"),
    (("taper", "hold", "--days", "-3", "--reason", "r", "--at", "2026-12-20"), ""),
    (("taper", "hold", "--days", "a week", "--reason", "r", "--at", "2026-12-20"), "days"),
    (("taper", "hold", "--days", "7", "--at", "2026-12-20"), "reason"),
    (("taper", "hold", "--days", "7", "--reason", "", "--at", "2026-12-20"), "reason"),
    (("taper", "hold", "--days", "7", "--reason", "r", "--at", "2026-12-32"), "calendar"),
    (("taper", "hold", "--reason", "r"), "days"),
    (("taper", "step-back", "--reason", "r", "--at", "2026-12-01"), "first step"),
    (("taper", "step-back", "--reason", "r", "--at", "2026-12-14"), "first step"),
    (("taper", "step-back", "--reason", "r", "--at", "2026-11-30"), "before the plan starts"),
    (("taper", "step-back", "--at", "2026-12-20"), "reason"),
    (("taper", "step-back", "--reason", "r"), "before the plan starts"),  # tonight: 2026-11-25
])
def test_hold_and_step_back_refusals_exit_2_and_write_nothing(pt, argv, words):
    pt.ok(*LINEAR)
    before = data_tables(pt.db)
    res = pt(*argv)
    assert res.code == 2, res
    assert words in res.err
    assert data_tables(pt.db) == before


def test_hold_and_step_back_without_a_plan(pt):
    assert pt("taper", "hold", "--days", "7", "--reason", "r").code == 2
    assert pt("taper", "step-back", "--reason", "r").code == 2


@pytest.mark.slow
def test_changes_never_alter_nights_before_at(pt):
    # 1 mg from 11-01, 0.75 mg from 11-11, 0.5 mg from 11-21, 0.25 mg from 12-01, 0 from 12-11.
    pt.ok("taper", "set", "--start", "2026-11-01", "--from", "1mg", "--step", "0.25mg",
          "--every", "10d", "--prescriber", "Dr. Weiss")

    def schedule() -> list[Any]:
        return [n["scheduled_mg"] for month in ("2026-11", "2026-12", "2027-01")
                for n in pt.json("calendar", "--month", month)["nights"]]

    first = schedule()
    pt.ok("taper", "step-back", "--at", "2026-11-14", "--reason", "r")   # night index 13
    second = schedule()
    assert second[:13] == first[:13]
    assert second[:30] == [1] * 10 + [0.75] * 3 + [1] * 10 + [0.75] * 7
    pt.ok("taper", "hold", "--days", "9", "--at", "2026-11-20", "--reason", "r")  # index 19
    third = schedule()
    assert third[:19] == second[:19]
    assert third[:33] == [1] * 10 + [0.75] * 3 + [1] * 19 + [0.75]


def test_history_newest_first(pt):
    pt.ok(*LINEAR, now="2026-11-20T10:00+01:00")
    pt.ok("taper", "hold", "--days", "7", "--at", "2026-12-20", "--reason", "withdrawal",
          now="2026-11-21T10:00+01:00")
    pt.ok("taper", "step-back", "--at", "2027-01-10", "--reason", "rebound insomnia",
          "--prescriber", "Dr. Roth", now="2026-11-22T10:00+01:00")
    pt.ok("taper", "set", "--steps", "2026-12-01=0.5mg,2027-01-01=0", "--prescriber", "Dr. Weiss",
          "--reason", "new plan", now="2026-11-23T10:00+01:00")
    history = pt.json("taper", "history")
    assert [v["version"] for v in history] == [4, 3, 2, 1]
    for entry in history:
        assert set(entry) == HISTORY_KEYS, entry
        check_plan_shape({k: entry[k] for k in PLAN_KEYS})
    assert [v["prescriber"] for v in history] == ["Dr. Weiss", "Dr. Roth", "Dr. Weiss", "Dr. Weiss"]
    assert [v["reason"] for v in history] == ["new plan", "rebound insomnia", "withdrawal", None]
    # Version 4 starts on 12-01, the night version 1 was to start, before the hold (12-20) and
    # the step back (01-10) were to begin: none of the three ever comes into force.
    assert [(r["night"], r["version"], r["plan_began"]) if r else None for r in (v["replaced"] for v in history)] == [
        None, ("2026-12-01", 4, False), ("2026-12-01", 4, False), ("2026-12-01", 4, False)]
    never = "Plan version 4 replaced this plan from the night of 2026-12-01, before it started: it was never in force."
    assert pt.ok("taper", "history").out.count(never) == 3
    assert history[3]["change"] == "created"
    assert history[0]["change"] == "replaced"
    assert "hold" in history[2]["change"] and "7" in history[2]["change"]
    assert "2026-12-20" in history[2]["change"]
    assert "step back" in history[1]["change"] and "2027-01-10" in history[1]["change"]
    changed = [dt.datetime.fromisoformat(v["changed_at"]) for v in history]
    assert changed == [dt.datetime.fromisoformat(t) for t in (
        "2026-11-23T10:00+01:00", "2026-11-22T10:00+01:00", "2026-11-21T10:00+01:00",
        "2026-11-20T10:00+01:00")]
    assert all(c.utcoffset() is not None for c in changed)
    assert essence(history[3])["steps"] == LINEAR_STEPS  # earlier versions stay readable
    assert doses_mg(history[0]) == [0.5, 0]
    text = pt.ok("taper", "history").out
    assert text.index("version 4") < text.index("version 1")


def test_a_later_prescription_ends_the_plan(pt):
    pt.ok(*LINEAR)
    pt.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-12-20")
    nights = {n["night"]: n["scheduled_mg"] for n in pt.json("calendar", "--month", "2026-12")["nights"]}
    assert nights["2026-12-19"] == 0.75
    assert all(nights[f"2026-12-{day}"] == 0.5 for day in range(20, 32))
    assert pt("taper", "hold", "--days", "7", "--reason", "r", "--at", "2026-12-22").code == 2


def test_a_replacement_starting_earlier_replaces_the_old_plan_entirely(pt):
    pt.ok("taper", "set", "--steps", "2026-12-15=1mg,2026-12-29=0.75mg,2027-01-12=0",
          "--prescriber", "Dr. Weiss")
    pt.ok("taper", "set", "--steps", "2026-12-01=0.75mg,2026-12-08=0.5mg,2027-02-01=0",
          "--prescriber", "Dr. Weiss", "--reason", "start sooner")
    december = pt.json("calendar", "--month", "2026-12")["nights"]
    assert [n["scheduled_mg"] for n in december] == [0.75] * 7 + [0.5] * 24
    january = pt.json("calendar", "--month", "2027-01")["nights"]
    assert {n["scheduled_mg"] for n in january} == {0.5}


# -- status and log follow the plan ------------------------------------------------------------------


@pytest.mark.slow
def test_a_plan_starting_in_the_past_sets_tonights_dose(pt):
    pt.ok("taper", "set", "--start", "2026-11-04", "--from", "1mg", "--step", "0.25mg",
          "--every", "2w", "--prescriber", "Dr. Weiss")  # 0.75 mg from 2026-11-18
    status = pt.json("status")
    assert status["night"] == "2026-11-25" and status["state"] == "not_yet"
    assert status["scheduled_mg"] == 0.75
    before = data_tables(pt.db)
    res = pt("log", "1mg", now=IN_WINDOW)
    assert res.code == 3 and "0.75 mg" in res.err
    assert data_tables(pt.db) == before
    record = pt.json("log", now=IN_WINDOW)
    assert record["dose_mg"] == 0.75 and record["night"] == "2026-11-25"
    status = pt.json("status", now=IN_WINDOW)
    assert status["state"] == "taken" and status["taken_mg"] == 0.75


@pytest.mark.slow
def test_after_the_last_zero_step_nothing_is_scheduled(pt):
    pt.ok("taper", "set", "--steps", "2026-11-15=0.5mg,2026-11-22=0.25mg,2026-11-25=0",
          "--prescriber", "Dr. Weiss")
    status = pt.json("status", now=IN_WINDOW)
    assert status["state"] == "no_dose" and status["scheduled_mg"] is None
    before = data_tables(pt.db)
    for argv in (("log",), ("log", "0.25mg"), ("log", "1mg")):
        res = pt(*argv, now=IN_WINDOW)
        assert res.code == 3, res
    assert data_tables(pt.db) == before
    # The night before was still 0.25 mg.
    assert pt.json("status", "--at", "2026-11-24 21:00", now=IN_WINDOW)["scheduled_mg"] == 0.25
    tonight = pt.json("calendar")["nights"][24]
    assert tonight["night"] == "2026-11-25" and tonight["state"] == "none"
    assert tonight["step_change"] is True


# -- calendar --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_calendar_states_and_step_changes(pt):
    pt.ok("taper", "set", "--steps", "2026-11-20=0.75mg,2026-11-27=0.5mg,2026-11-29=0",
          "--prescriber", "Dr. Weiss")
    pt.ok("log", "--at", "2026-11-10 22:40")
    pt.ok("skip", "--night", "2026-11-11")
    pt.ok("log", "1.5mg", "--already-taken", "--note", "took too much", "--at", "2026-11-12 22:40")
    pt.ok("log", "0.75mg", "--at", "2026-11-21 22:40")
    pt.ok("log", "0.5mg", "--at", "2026-11-22 22:40")
    pt.ok("log", "0.25mg", "--already-taken", "--note", "a second one", "--at", "2026-11-23 00:30")
    month = pt.json("calendar", "--month", "2026-11")
    assert set(month) == {"month", "nights", "taper_complete_since", "last_dose_night", "drug_free_nights"}
    assert month["month"] == "2026-11"
    nights = month["nights"]
    assert [n["night"] for n in nights] == [f"2026-11-{day:02d}" for day in range(1, 31)]
    for night in nights:
        assert set(night) == NIGHT_KEYS
    by = {n["night"][-2:]: n for n in nights}
    assert by["10"]["state"] == "taken" and by["10"]["taken_mg"] == 1
    assert by["11"]["state"] == "skipped" and by["11"]["taken_mg"] is None
    assert by["12"]["state"] == "excess" and by["12"]["taken_mg"] == 1.5
    assert by["21"]["state"] == "taken" and by["21"]["taken_mg"] == 0.75
    assert by["22"]["state"] == "excess"  # two doses the same night
    assert by["13"]["state"] == "missed" and by["24"]["state"] == "missed"
    assert by["25"]["state"] == "future"  # tonight, before its latest time
    assert by["26"]["state"] == "future" and by["28"]["state"] == "future"
    assert by["29"]["state"] == "none" and by["30"]["state"] == "none"
    assert [n["scheduled_mg"] for n in nights] == [1] * 19 + [0.75] * 7 + [0.5] * 2 + [None] * 2
    changed = [n["night"][-2:] for n in nights if n["step_change"]]
    assert changed == ["01", "20", "27", "29"]
    # Tonight after its latest time is missed.
    late = pt.json("calendar", now="2026-11-25T23:45+01:00")["nights"]
    assert late[24]["state"] == "missed"
    text = pt.ok("calendar", "--month", "2026-11").out
    assert "2026-11" in text and "Nights taken" in text


def test_calendar_default_month_and_lengths(pt):
    assert pt.json("calendar")["month"] == "2026-11"
    assert pt.json("calendar", now="2026-12-01T08:00+01:00")["month"] == "2026-11"  # still Nov 30's night
    assert len(pt.json("calendar", "--month", "2027-02")["nights"]) == 28
    assert len(pt.json("calendar", "--month", "2028-02")["nights"]) == 29
    assert len(pt.json("calendar", "--month", "2026-12")["nights"]) == 31
    october = pt.json("calendar", "--month", "2026-10")["nights"]
    assert {n["state"] for n in october} == {"none"}
    assert not any(n["step_change"] for n in october)


def test_calendar_step_changes_on_dst_nights(pt):
    pt.ok("taper", "set", "--steps", "2026-12-01=1mg,2027-03-28=0.75mg,2027-10-31=0.5mg,2027-12-01=0",
          "--prescriber", "Dr. Weiss")
    march = pt.json("calendar", "--month", "2027-03")["nights"]
    assert len(march) == 31
    assert [n["night"] for n in march if n["step_change"]] == ["2027-03-28"]
    assert march[26]["scheduled_mg"] == 1 and march[27]["scheduled_mg"] == 0.75
    october = pt.json("calendar", "--month", "2027-10")["nights"]
    assert len(october) == 31
    assert [n["night"] for n in october if n["step_change"]] == ["2027-10-31"]
    december = pt.json("calendar", "--month", "2026-12")["nights"]
    assert not any(n["step_change"] for n in december)  # 1 mg prescription, then a 1 mg step


def test_calendar_contraindicated(pt):
    pt.ok("log", "--at", "2026-11-10 22:40")
    pt.ok("profile", "set", "--condition", "glaucoma")
    nights = pt.json("calendar")["nights"]
    assert nights[9]["state"] == "taken"
    # the nights before the change keep the verdict of their own profile (missed); from tonight on
    # the condition forbids a dose
    tonight = int(pt.json("status")["night"][-2:]) - 1
    assert {n["state"] for i, n in enumerate(nights) if i < tonight and i != 9} == {"missed"}
    assert {n["state"] for i, n in enumerate(nights) if i >= tonight} == {"contraindicated"}


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "november"])
def test_calendar_bad_month_exit_2(pt, month):
    assert pt("calendar", "--month", month, "--json").code == 2


# -- the prescriber lock ---------------------------------------------------------------------------------

GUARDED = {
    "taper set": ("taper", "set", "--steps", "2026-12-01=0.5mg,2026-12-15=0", "--prescriber",
                  "Dr. Weiss", "--reason", "faster"),
    "taper hold": ("taper", "hold", "--days", "7", "--reason", "r", "--at", "2026-12-01"),
    "taper step-back": ("taper", "step-back", "--reason", "r", "--at", "2026-12-01"),
    "prescribe": ("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-12-01"),
    # profile changes that loosen a limit (tests/cli/test_cli_profile_pin.py has each kind)
    "profile born": ("profile", "set", "--born", "1970-06-01"),
    "profile wake": ("profile", "set", "--wake", "07:00"),
    "profile tz": ("profile", "set", "--tz", "Europe/Vienna"),
    "profile bedtime": ("profile", "set", "--bedtime", "22:00"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GUARDED))
def test_guarded_changes_need_the_pin(locked, name):
    argv = GUARDED[name]
    db = locked.db
    before, lock_before = data_tables(db), lock_row(db)
    assert lock_before[1] == 0
    res = locked(*argv)
    assert res.code == 3 and "PIN" in res.err, res
    assert data_tables(db) == before and lock_row(db) == lock_before  # a missing PIN is no failure
    res = locked(*argv, "--pin", WRONG)
    assert res.code == 3 and "wrong" in res.err, res
    assert data_tables(db) == before  # the failure counter is the only write
    assert lock_row(db) == (lock_before[0], 1, None)
    locked.ok(*argv, "--pin", PIN)
    assert data_tables(db) != before
    assert lock_row(db) == (lock_before[0], 0, None)  # the right PIN resets the counter


def test_unguarded_changes_need_no_pin(locked):
    locked.ok("profile", "set", "--name", "Ada M.")
    locked.ok("profile", "set", "--bedtime", "23:00", "--wake", "06:00", "--liver", "mild")  # tighten
    assert locked.json("profile")["name"] == "Ada M."
    assert current_plan(locked)["version"] == 1
    assert locked.ok("calendar").out
    record = locked.json("log", now=IN_WINDOW)
    assert record["dose_mg"] == 1
    assert lock_row(locked.db)[1] == 0


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "12 34", "", "-1234", "１２３４"])
def test_a_pin_must_be_4_to_12_digits(cli, pin):
    _set_up_patient(cli)
    res = cli("lock", "--pin", pin)
    assert res.code == 2, res
    assert lock_row(cli.db)[0] is None
    cli.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss")  # still unlocked


@pytest.mark.slow
@pytest.mark.real_pin_cost
def test_the_pin_is_stored_as_a_salted_scrypt_hash(cli):
    pin = "918273645546"  # 12 digits: cannot appear in the hash's hex by chance
    _set_up_patient(cli)
    assert "Prescriber lock set" in cli.ok("lock", "--pin", pin).out
    gc.collect()
    stored, failures, until = lock_row(cli.db)
    assert failures == 0 and until is None
    assert stored.startswith("scrypt$")
    assert pin not in stored
    kind, n, r, p, salt, digest = stored.split("$")
    assert (int(n), int(r), int(p)) == (2**17, 8, 1)
    assert len(bytes.fromhex(salt)) >= 16
    expected = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=2**17, r=8, p=1,
                              maxmem=256 * 1024 * 1024, dklen=len(bytes.fromhex(digest)))
    assert expected.hex() == digest
    for path in cli.db.parent.iterdir():
        if path.name.startswith(cli.db.name):
            assert pin.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_changing_the_pin_needs_the_old_one(locked):
    db = locked.db
    old_hash = lock_row(db)[0]
    res = locked("lock", "--pin", "5678")
    assert res.code == 3 and "--old-pin" in res.err
    assert lock_row(db) == (old_hash, 0, None)
    res = locked("lock", "--pin", "5678", "--old-pin", WRONG)
    assert res.code == 3
    assert lock_row(db) == (old_hash, 1, None)  # a wrong --old-pin counts
    assert locked("lock", "--pin", "12", "--old-pin", PIN).code == 2
    locked.ok("lock", "--pin", "5678", "--old-pin", PIN)
    new_hash, failures, _ = lock_row(db)
    assert new_hash != old_hash and failures == 0
    hold = GUARDED["taper hold"]
    assert locked(*hold, "--pin", PIN).code == 3  # the old PIN no longer works
    locked.ok(*hold, "--pin", "5678")


@pytest.mark.slow
def test_five_wrong_pins_lock_every_change_for_15_minutes(locked):
    db = locked.db
    before = data_tables(db)
    hold = GUARDED["taper hold"]
    for i, argv in enumerate((hold, GUARDED["prescribe"], GUARDED["profile born"], hold)):
        res = locked(*argv, "--pin", WRONG)
        assert res.code == 3
        assert lock_row(db)[1] == i + 1
    res = locked("lock", "--pin", "5678", "--old-pin", WRONG)  # the fifth wrong PIN
    assert res.code == 3 and "15 minutes" in res.err
    _, failures, until = lock_row(db)
    now = dt.datetime.fromisoformat(NOW)
    assert dt.datetime.fromtimestamp(until, dt.UTC) == now + dt.timedelta(minutes=15)
    assert data_tables(db) == before
    # Locked, even with the right PIN, for every guarded change and for the PIN itself.
    for argv in (hold, GUARDED["taper set"], GUARDED["profile wake"]):
        res = locked(*argv, "--pin", PIN, now="2026-11-25T20:14+01:00")
        assert res.code == 3 and "locked" in res.err, res
    res = locked("lock", "--pin", "5678", "--old-pin", PIN, now="2026-11-25T20:14+01:00")
    assert res.code == 3
    assert data_tables(db) == before
    assert lock_row(db)[2] == until
    # 16 minutes later the right PIN works again.
    plan = locked.json(*hold, "--pin", PIN, now="2026-11-25T20:16+01:00")
    assert plan["version"] == 2
    assert lock_row(db)[1] == 0
