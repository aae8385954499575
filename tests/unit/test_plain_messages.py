"""Issue 21: a message is written in plain words where it is made, for the screen and the CLI
alike; the command-line option to type is the error's `hint`, which only the CLI prints (after
the message, in brackets, on the one stderr line). A rule is named in words, never by its id.

The services are called directly on a temporary database (the `patient` fixture's file, made
through the CLI), and the CLI is run on it to show the option is still printed there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backends import location_of
from medtrack.core.model import DoseEntry, Record, RecordKind
from medtrack.errors import BadInput, MedtrackError, Refused
from medtrack.services.backups import backup
from medtrack.services.calendar import calendar_month
from medtrack.services.checkin import record_checkin
from medtrack.services.demo import fill_demo
from medtrack.services.dosing import DoseRequest, log_dose
from medtrack.services.taper import PlanAction, PlanChange, PlanRequest, change_plan, preview_plan, set_plan
from medtrack.storage.database import Database

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 25, 20, 0, tzinfo=BERLIN)
IN_WINDOW = "2026-11-25T22:40+01:00"
LATER_IN_WINDOW = "2026-11-25T23:00+01:00"
SRC = Path(__file__).resolve().parents[2] / "src" / "medtrack"

OPTION = re.compile(r"--[a-z]")
COMMAND = re.compile(r"\bmedtrack [a-z]|\btaper set\b|`")


def assert_plain(error: MedtrackError, option: str) -> None:
    """The message has no option or command in it; the hint carries the option."""
    assert not OPTION.search(error.message), f"an option in the message: {error.message!r}"
    assert not COMMAND.search(error.message), f"a command in the message: {error.message!r}"
    assert error.hint is not None and option in error.hint, (error.message, error.hint)


@pytest.fixture
def db(patient: Any) -> Iterator[Database]:
    """The standard patient (1 mg nightly from 2026-11-01), opened for the services."""
    database = Database(location_of(patient.db))
    yield database
    database.dispose()


def plan(**typed: Any) -> PlanRequest:
    return PlanRequest(prescriber="Dr. Weiss", **typed)


GOOD = {"start": "2026-12-01", "from_dose": "1mg", "every": "14d"}

# Each: what was typed (a PlanRequest's fields), the words the message names it by, the option.
BAD_PLANS = [
    ({}, "the plan needs the first night, the starting dose, the step length", "--start DATE"),
    ({**GOOD, "every": "3x", "step": "10%"}, "the step length '3x'", "--every"),
    ({**GOOD, "every": "0d", "step": "10%"}, "the step length '0d'", "--every"),
    ({**GOOD, "step": "abc"}, "the cut per step 'abc'", "--step"),
    ({**GOOD, "step": "100%"}, "the cut per step '100%'", "--step"),
    ({**GOOD, "start": "1.12.26", "step": "10%"}, "the first night '1.12.26'", "--start"),
    ({**GOOD, "from_dose": "1,5,5mg", "step": "10%"}, "the starting dose '1,5,5mg'", "--from"),
    ({**GOOD, "step": "0.25mg", "to": "2mg"}, "the target dose 2 mg must be below the starting dose", "--to"),
    ({**GOOD, "step": "0.3mg"}, "the cut per step 0.3 mg is not a multiple", "--round"),
    ({**GOOD, "max_cut": "5"}, "the largest cut '5'", "--max-cut"),
    ({**GOOD, "step": "10%", "final_from": "x"}, "the final-stop dose 'x'", "--final-from"),
    ({**GOOD, "step": "10%", "until": "2027-06-01"}, "the cut per step or the end-by night", "--until"),
    ({**GOOD, "until": "2026-12-10"}, "give a later end-by night or make the steps shorter", "--until"),
    ({**GOOD, "until": "2026-12-10", "max_cut": "5%"}, "allow a larger cut", "--max-cut"),
    ({**GOOD, "until": "1.1.27"}, "the end-by night '1.1.27'", "--until"),
    ({"steps": "2026-12-01=1mg", "start": "2026-12-01"}, "the steps one by one", "--steps"),
    ({"steps": "2026-12-01=1mg,x"}, "the step 'x' is not a night and a dose", "--steps"),
    ({"steps": "2026-12-01=1mg,2026-12-01=0.5mg"}, "two steps start on 2026-12-01", "--steps"),
    ({"steps": "2026-12-15=1mg,2026-12-01=0.5mg"}, "the steps must be in date order", "--steps"),
    ({"steps": "2026-12-01=0.5mg,2026-12-15=1mg"}, "in the steps, the dose rises", "--steps"),
    ({"steps": "2026-12-01=1mg,2026-12-15=x"}, "the dose of a step 'x'", "--steps"),
    ({**GOOD, "step": "10%", "tablets": ("1mg:third",)}, "tablet '1mg:third'", "--tablet"),
    ({**GOOD, "step": "10%", "tablets": ("1mg",), "liquid": "0.1mg/ml"}, "not more than one", "--liquid"),
    ({**GOOD, "step": "10%", "round": "x"}, "the dispensable unit 'x'", "--round"),
]


@pytest.mark.parametrize(("typed", "words", "option"), BAD_PLANS,
                         ids=lambda value: value if isinstance(value, str) else None)
def test_a_plan_that_cannot_be_made_is_said_in_words_with_the_option_in_the_hint(db, typed, words, option):
    with pytest.raises(BadInput) as refused:
        preview_plan(db, plan(**typed))
    assert words in refused.value.message
    assert_plain(refused.value, option)


def test_a_hold_before_the_plan_says_the_night_of_the_change(db):
    set_plan(db, NOW, plan(start="2026-12-01", from_dose="1mg", step="0.25mg", every="14d"))
    with pytest.raises(BadInput) as refused:
        change_plan(db, NOW, PlanChange(action=PlanAction.HOLD, reason="tired", at="2026-11-28", days="7"))
    assert "the night of the change, 2026-11-28, is before the plan starts" in refused.value.message
    assert_plain(refused.value, "--at DATE")


def test_a_check_in_threshold_a_month_and_the_demo_years_are_named_in_words(db, tmp_path):
    with pytest.raises(BadInput) as refused:
        set_plan(db, NOW, plan(start="2026-12-01", from_dose="1mg", step="10%", every="14d",
                               trend_rise="x"))
    assert_plain(refused.value, "--trend-rise N")
    with pytest.raises(BadInput) as refused:
        calendar_month(db, NOW, "2026-13")
    assert refused.value.message.startswith("the month '2026-13'")
    assert_plain(refused.value, "--month YYYY-MM")
    with pytest.raises(BadInput) as refused:
        fill_demo(tmp_path / "demo.db", NOW, years="many")
    assert_plain(refused.value, "--years N")
    assert not (tmp_path / "demo.db").exists()


def test_a_check_in_without_ratings_and_a_backup_without_a_path_name_no_command(db, patient):
    with pytest.raises(BadInput) as refused:
        record_checkin(db, NOW, [])
    assert refused.value.message.startswith("rate at least one item")
    assert_plain(refused.value, "--none")
    with pytest.raises(BadInput) as refused:
        record_checkin(db, NOW, ["anxiety=1"], all_none=True)
    assert_plain(refused.value, "--none")
    with pytest.raises(BadInput) as refused:
        backup(location_of(patient.db), "  ")
    assert_plain(refused.value, "medtrack backup")


def test_an_already_taken_dose_with_nothing_scheduled_asks_for_the_dose_in_words(db):
    set_plan(db, NOW, plan(steps="2026-11-22=0.5mg,2026-11-24=0"))  # stopped two nights ago
    with pytest.raises(BadInput) as refused:
        log_dose(db, dt.datetime(2026, 11, 25, 22, 40, tzinfo=BERLIN), DoseRequest(
            dose=None, note="took one", entry=DoseEntry.ALREADY_TAKEN))
    assert "DOSE" not in refused.value.message
    assert_plain(refused.value, "--already-taken")


# -- rules in words -----------------------------------------------------------------------------

RULE_IDS = re.compile(r"""(?:Refused|refusal|Verdict)\(\s*(?:False,\s*)?["']([a-z0-9-]+)["']""")


def test_every_rule_medtrack_refuses_by_has_words():
    from medtrack.core.rule_words import RULE_WORDS

    ids = {rule for path in SRC.rglob("*.py") for rule in RULE_IDS.findall(path.read_text())}
    assert {"one-dose-per-night", "skipped-night", "12-hour-gap", "dose-window"} <= ids
    assert sorted(ids - RULE_WORDS.keys()) == []
    for words in RULE_WORDS.values():
        assert "-" not in words.replace("12-hour", ""), words


@pytest.mark.parametrize("rule", ["one-dose-per-night", "skipped-night", "12-hour-gap", "dose-window",
                                  "monograph-ceiling", "scheduled-dose"])
def test_a_records_flags_name_the_rule_it_broke_in_words(rule):
    from medtrack.core.rule_words import rule_words

    record = Record(id=1, kind=RecordKind.DOSE, night=dt.date(2026, 11, 25), at=NOW, zone="Europe/Berlin",
                    dose_ug=1000, already_taken=True, rule=rule)
    assert record.flags() == [f"already taken, against the rule '{rule_words(rule)}'"]
    assert rule not in " ".join(record.flags())


def test_a_refused_dose_names_its_rule_in_words(db):
    too_early = dt.datetime(2026, 11, 25, 19, 0, tzinfo=BERLIN)
    with pytest.raises(Refused) as refused:
        log_dose(db, too_early, DoseRequest(dose="1mg"))
    assert refused.value.rule == "dose-window"
    assert refused.value.message.startswith("refused (only in the night's dose window): too early")
    log_dose(db, dt.datetime(2026, 11, 25, 22, 40, tzinfo=BERLIN), DoseRequest(dose="1mg"))
    with pytest.raises(Refused) as refused:
        log_dose(db, dt.datetime(2026, 11, 25, 23, 0, tzinfo=BERLIN), DoseRequest(dose="1mg"))
    assert refused.value.message.startswith("refused (one dose per night): 1 mg is already recorded")


# -- the CLI still prints the option ------------------------------------------------------------

def test_the_cli_prints_the_words_then_the_option(patient):
    result = patient("taper", "set", "--prescriber", "Dr. Weiss", "--start", "2026-12-01", "--from",
                     "1mg", "--every", "3x", "--step", "10%")
    assert result.code == 2
    assert result.err == ("medtrack: the step length '3x' is not an interval (accepted: Nd or Nw, "
                          "e.g. 14d, 2w) (--every Nd|Nw)\n")
    result = patient("taper", "set", "--prescriber", "Dr. Weiss")
    assert result.code == 2
    assert result.err.startswith("medtrack: the plan needs the first night, the starting dose, the step "
                                 "length, the cut per step (or the largest cut, or the end-by night) ("
                                 "--start DATE --from D --every Nd|Nw --step D|P% or --max-cut P% or "
                                 "--until DATE; or --steps DATE=D,...)")
    result = patient("calendar", "--month", "2026-13")
    assert result.code == 2 and result.err.endswith("(--month YYYY-MM)\n")
    patient.ok("taper", "set", "--prescriber", "Dr. Weiss", "--start", "2026-12-01", "--from", "1mg",
               "--step", "0.25mg", "--every", "14d")
    result = patient("taper", "hold", "--days", "7", "--at", "2026-11-28", "--reason", "tired")
    assert result.code == 2 and "the night of the change, 2026-11-28" in result.err
    assert result.err.endswith("(--at DATE)\n")


def test_the_cli_and_status_name_a_broken_rule_in_words(patient):
    patient.ok("log", now=IN_WINDOW)
    refused = patient("log", now=LATER_IN_WINDOW)
    assert refused.code == 3 and refused.err.startswith("medtrack: refused (one dose per night): ")
    patient.ok("log", "0.5mg", "--already-taken", "--note", "took half a tablet more", now=LATER_IN_WINDOW)
    warnings = patient.ok("status", "--json", now="2026-11-25T23:05+01:00").json()["warnings"]
    assert any("against the rule 'one dose per night'" in w for w in warnings), warnings
    assert not any("one-dose-per-night" in w for w in warnings), warnings
    shown = patient.ok("history").out
    assert "against the rule 'one dose per night'" in shown and "one-dose-per-night" not in shown
