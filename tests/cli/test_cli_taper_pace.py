"""The plan preview guards the pace (issue: pace, start above the dose in force or the ceiling,
unmeasurable doses, --until, a stop at exactly 28 days, a step back shown as a rise).

Through the real `medtrack` entry point on the standard patient (tests/conftest.py): Berlin, an
adult (2 mg ceiling) on 1 mg from 2026-11-01; it is 2026-11-25 20:00, so a plan from 2026-12-01
starts in the future. Every warning is advice: saving still works, and the saved version keeps
it. In `--json` each warning is {"kind", "text"}.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

ASAM = "ASAM 2025: generally no more than 25 % every 2 weeks"
SET = ("taper", "set", "--start", "2026-12-01", "--every", "14d", "--prescriber", "Dr. Weiss")
GENTLE = (*SET, "--from", "1mg", "--step", "10%", "--liquid", "0.1mg/ml")  # 10 % every 2 weeks
HALVES_2MG = (*SET, "--from", "2mg", "--step", "25%", "--tablet", "1mg:half")  # stops after 8 weeks


def preview(run: Any, *argv: str) -> dict[str, Any]:
    draft: dict[str, Any] = run.ok(*argv, "--preview", "--json").json()
    for warning in draft["warnings"]:
        assert set(warning) == {"kind", "text"} and warning["text"], warning
    return draft


def of_kind(warnings: list[dict[str, str]], kind: str) -> list[str]:
    return [w["text"] for w in warnings if w["kind"] == kind]


def kinds(warnings: list[dict[str, str]]) -> set[str]:
    return {w["kind"] for w in warnings}


# -- pace --------------------------------------------------------------------------------------


def test_a_gentle_plan_gets_no_pace_and_no_new_kind_of_warning(patient):
    draft = preview(patient, *GENTLE)
    assert draft["steps"][-1]["start"] == "2028-03-07"  # 0.1 mg/ml in 0.1 ml steps: 10 % to the end
    assert not kinds(draft["warnings"]) & {"pace", "start-above-current", "above-ceiling",
                                           "unmeasurable", "until", "quick-stop"}


def test_2mg_at_25_percent_with_half_tablets_stops_after_8_weeks_and_says_so(patient):
    draft = preview(patient, *HALVES_2MG)
    assert [s["dose_mg"] for s in draft["steps"]] == [2, 1.5, 1, 0.5, 0]
    (pace,) = of_kind(draft["warnings"], "pace")
    assert pace.startswith("2027-01-26: the plan stops 8 weeks after 2 mg (from 2026-12-01)")
    assert "0.25 mg or less only on 2027-03-23" in pace
    assert f"faster than the usual guidance ({ASAM})" in pace


def test_cuts_of_20_percent_every_week_are_faster_than_25_percent_every_2_weeks(patient):
    # No single cut is over 25 % and no step is under 7 days: only the plan as a whole is fast.
    draft = preview(patient, "taper", "set", "--start", "2026-12-01", "--every", "7d", "--from", "1mg",
                    "--step", "20%", "--to", "0.3mg", "--liquid", "0.1mg/ml", "--prescriber", "Dr. Weiss")
    assert all(s["cut_percent"] is None or s["cut_percent"] <= 25 for s in draft["steps"])
    assert kinds(draft["warnings"]) == {"pace"}
    (pace,) = of_kind(draft["warnings"], "pace")
    assert pace.startswith("2026-12-08: from here to ")
    assert "the dose goes from 1 mg to 0.3 mg" in pace and ASAM in pace


def test_warnings_never_block_saving_and_the_version_keeps_them(patient):
    drafted = preview(patient, *HALVES_2MG)["warnings"]
    saved = patient.ok(*HALVES_2MG)
    assert "Warnings (advice for the prescriber; they do not block the plan):" in saved.out
    assert "the plan stops 8 weeks after 2 mg" in saved.out
    shown = patient.ok("taper", "show", "--json").json()["warnings"]
    assert shown == drafted
    assert {"pace", "start-above-current"} <= kinds(shown)
    (version,) = patient.ok("taper", "history", "--json").json()
    assert version["warnings"] == shown
    assert "! 2027-01-26: the plan stops 8 weeks after 2 mg" in patient.ok("taper", "show").out


# -- start above the dose in force, or above the ceiling ---------------------------------------


def test_a_plan_from_2mg_on_a_1mg_prescription_is_flagged(patient):
    draft = preview(patient, *SET, "--from", "2mg", "--step", "10%", "--liquid", "0.1mg/ml")
    assert of_kind(draft["warnings"], "start-above-current") == [
        "2026-12-01: the plan starts at 2 mg, above the 1 mg in force that night: it would raise the dose"]
    assert "above-ceiling" not in kinds(draft["warnings"])  # 2 mg is the adult ceiling itself
    assert "start-above-current" not in kinds(preview(patient, *GENTLE)["warnings"])


def test_the_preview_flags_a_start_above_the_ceiling_which_saving_refuses(patient):
    draft = preview(patient, *SET, "--from", "3mg", "--step", "25%")
    assert of_kind(draft["warnings"], "above-ceiling") == [
        "2026-12-01: 3 mg is above the monograph's 2 mg nightly limit for adults: saving this plan "
        "will be refused"]
    assert "start-above-current" in kinds(draft["warnings"])
    refused = patient(*SET, "--from", "3mg", "--step", "25%")
    assert refused.code == 3 and "refused (never above the nightly limit)" in refused.err


# -- doses no one can measure ------------------------------------------------------------------


@pytest.mark.parametrize("formulation, first", [
    (("--round", "0.001mg"), "2027-01-12: 0.729 mg needs a measure finer than 0.01 mg"),
    (("--liquid", "1mg/ml", "--measure", "0.001ml"),
     "2027-01-12: 0.729 mg (0.729 ml of 1 mg/ml) needs a measure finer than 0.01 ml"),
])
def test_doses_in_thousandths_of_a_mg_are_unmeasurable(patient, formulation, first):
    draft = preview(patient, *SET, "--from", "1mg", "--step", "10%", *formulation)
    assert draft["unit_mg"] == 0.001 and draft["steps"][-1]["start"].startswith("2029")
    (unmeasurable,) = of_kind(draft["warnings"], "unmeasurable")
    assert unmeasurable.startswith(first)
    assert "46 of the plan's 55 doses cannot be measured" in unmeasurable


@pytest.mark.parametrize("formulation", [("--round", "0.125mg"), ("--liquid", "0.1mg/ml", "--measure", "0.1ml"),
                                         ("--liquid", "1mg/ml", "--measure", "0.01ml")])
def test_measurable_doses_are_not_flagged(patient, formulation):
    draft = preview(patient, *SET, "--from", "1mg", "--step", "10%", *formulation)
    assert "unmeasurable" not in kinds(draft["warnings"])


# -- --until -----------------------------------------------------------------------------------


def test_until_with_quarter_milligram_doses_reports_the_real_cuts_and_why_it_ends_early(patient):
    until = (*SET, "--from", "1mg", "--until", "2027-06-29")
    draft = preview(patient, *until)
    assert draft["steps"][-1]["start"] == "2027-01-26"  # 1, 0.75, 0.5, 0.25, 0: no slower ladder
    (said,) = of_kind(draft["warnings"], "until")
    assert said.startswith("to end by 2027-06-29: the plan ends on 2027-01-26, 22 weeks before, and the "
                           "cuts made are 25-100 %. Every cut is already the smallest this formulation "
                           "makes (one 0.25 mg unit)")
    assert "one step every 52 days would end by then" in said
    shown = patient.ok(*until, "--preview").out
    assert ("To end by 2027-06-29: every cut is the smallest this formulation makes; the cuts made are "
            "25-100 %.") in shown
    assert "1 % per step" not in shown


@pytest.mark.slow
def test_until_with_a_liquid_meets_the_night_within_one_interval(patient):
    draft = preview(patient, *SET, "--from", "1mg", "--until", "2028-03-02", "--liquid", "0.1mg/ml")
    assert "2028-02-17" < draft["steps"][-1]["start"] <= "2028-03-02"  # less than 14 days before
    assert draft["solved_percent"] == 10.1
    assert not any("the plan ends on" in w for w in of_kind(draft["warnings"], "until"))
    out = patient.ok(*SET, "--from", "1mg", "--until", "2028-03-02", "--liquid", "0.1mg/ml", "--preview").out
    assert "To end by 2028-03-02: 10.1 % per step was found; the cuts made are" in out


def test_until_that_cannot_come_near_says_why(patient):
    draft = preview(patient, *SET, "--from", "1mg", "--until", "2029-04-15", "--liquid", "0.1mg/ml")
    assert draft["steps"][-1]["start"] == "2029-03-20" and draft["solved_percent"] == 4
    (said,) = of_kind(draft["warnings"], "until")
    assert said.startswith("to end by 2029-04-15: the plan ends on 2029-03-20, 26 days before, and the "
                           "cuts made are ")
    assert ("(4 % per step was found). The next smaller cut, 3.9 %, ends on 2029-04-17, after it: the "
            "doses this formulation makes allow no end in between") in said


@pytest.mark.slow
def test_until_with_max_cut_names_the_cap_when_it_cannot_be_met(patient):
    refused = patient(*SET, "--from", "1mg", "--until", "2027-03-01", "--liquid", "0.1mg/ml",
                      "--max-cut", "10%", "--preview")
    assert refused.code == 2
    assert "with cuts of at most 10 % a step (the largest cut asked)" in refused.err
    assert "the fastest it allows ends on 2028-04-18" in refused.err and "--max-cut" in refused.err


# -- a stop at exactly 28 days; a step back ----------------------------------------------------


def test_a_stop_after_exactly_28_days_is_within_4_weeks(patient):
    draft = preview(patient, "taper", "set", "--steps", "2026-12-01=1mg,2026-12-29=0", "--prescriber", "Dr. Weiss")
    assert of_kind(draft["warnings"], "quick-stop") == [
        "the plan stops the drug within 28 days of its start at 1 mg (4 weeks or less)"]
    later = preview(patient, "taper", "set", "--steps", "2026-12-01=1mg,2026-12-30=0", "--prescriber", "Dr. Weiss")
    assert "quick-stop" not in kinds(later["warnings"])


def test_a_step_back_lasts_the_plans_interval_and_is_shown_as_a_rise(patient):
    patient.ok(*GENTLE)
    patient.ok("taper", "hold", "--days", "7", "--at", "2026-12-20", "--reason", "withdrawal symptoms")
    back = patient.ok("taper", "step-back", "--at", "2027-01-15", "--reason", "could not sleep")
    row = next(line for line in back.out.splitlines() if " 2027-01-15 " in line)
    assert row.split() == ["4", "2027-01-15", "2027-01-28", "14", "0.9", "mg", "+0.09", "mg", "(rise)",
                           "9", "ml", "of", "0.1", "mg/ml"]
    steps = patient.ok("taper", "show", "--json").json()["steps"]
    assert [(s["start"], s["end"], s["dose_mg"]) for s in steps[1:5]] == [
        ("2026-12-15", "2027-01-04", 0.9),  # held: 21 nights
        ("2027-01-05", "2027-01-14", 0.81),
        ("2027-01-15", "2027-01-28", 0.9),  # the step back: the plan's 14 nights, not the held 21
        ("2027-01-29", "2027-02-11", 0.81),
    ]


# -- versions saved before warnings had kinds --------------------------------------------------


@pytest.mark.sqlite_only  # rows written into the file itself, as an older medtrack wrote them
def test_a_version_saved_with_plain_text_warnings_still_shows_them(patient, db_path: Path):
    patient.ok(*GENTLE)
    patient.close()
    with closing(sqlite3.connect(db_path)) as conn, conn:  # regimens are append-only: a version 2
        (plan,) = conn.execute("SELECT id FROM regimen WHERE kind = 'plan'").fetchone()
        columns = [c[1] for c in conn.execute("PRAGMA table_info(regimen)") if c[1] not in ("id", "warnings")]
        listed = ", ".join(columns)
        new = conn.execute(f"INSERT INTO regimen ({listed}, warnings) SELECT {listed}, ? FROM regimen WHERE id = ?",
                           ('["2027-02-23: the cut from 0.375 mg to 0.25 mg is 33.3 %, over 25 %"]', plan)).lastrowid
        conn.execute("INSERT INTO regimen_step (regimen_id, start_night, dose_ug) SELECT ?, start_night, dose_ug "
                     "FROM regimen_step WHERE regimen_id = ?", (new, plan))
    legacy = {"kind": "legacy", "text": "2027-02-23: the cut from 0.375 mg to 0.25 mg is 33.3 %, over 25 %"}
    assert patient.ok("taper", "show", "--json").json()["warnings"] == [legacy]
    assert patient.ok("taper", "history", "--json").json()[0]["warnings"] == [legacy]
    assert f"  ! {legacy['text']}" in patient.ok("taper", "history").out
