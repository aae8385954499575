"""Issue 11 through the real entry point: formulations, the preview, what to dispense, the
stock, and the end of the taper. The patient (`run` + `setup`) lives in Berlin (window
20:30-23:30), set up on 2026-11-01."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from backends import query

SET_UP = "2026-11-01T12:00+01:00"


def setup(run, *formulation: str, dose: str = "1mg") -> None:
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP)
    run.ok("prescribe", "--dose", dose, "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           *formulation, now=SET_UP)


def at(day: dt.date, clock: str = "22:40") -> str:
    return f"{day.isoformat()}T{clock}+01:00"


def tables(path: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    return {t: query(path, f"SELECT * FROM {t} ORDER BY id") for t in ("record", "regimen", "regimen_step", "stock")}


def test_the_dose_as_taken_in_prescribe_status_and_the_calendar(run):
    setup(run, "--liquid", "0.1mg/ml", "--measure", "0.1ml", dose="0.25mg")
    status = run.ok("status", "--json", now=at(dt.date(2026, 11, 5))).json()
    assert status["as_taken"] == "2.5 ml of 0.1 mg/ml"
    assert "0.25 mg (2.5 ml of 0.1 mg/ml)" in run.ok("status", now=at(dt.date(2026, 11, 5))).out
    month = run.ok("calendar", "--json", "--month", "2026-11", now=at(dt.date(2026, 11, 5))).json()
    assert {n["as_taken"] for n in month["nights"]} == {"2.5 ml of 0.1 mg/ml"}


def test_a_dose_the_formulation_cannot_make_is_refused_with_the_nearest(run, db_path):
    setup(run, "--tablet", "1mg:half")
    before = tables(db_path)
    result = run("log", "0.75mg", now=at(dt.date(2026, 11, 5)))
    assert result.code == 2 and "0.5 mg or 1 mg" in result.err
    assert tables(db_path) == before
    refused = run("prescribe", "--dose", "0.3mg", "--prescriber", "Dr. Weiss", "--tablet",
                  "1mg:half", now=at(dt.date(2026, 11, 5)))
    assert refused.code == 2 and "0.5 mg" in refused.err


def test_the_preview_saves_nothing_and_carries_the_cuts_and_the_warnings(run, db_path):
    setup(run, "--tablet", "1mg:half", "--tablet", "0.5mg:quarter")
    before = tables(db_path)
    argv = ("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "10%",
            "--every", "14d", "--prescriber", "Dr. Weiss")
    draft = run.ok(*argv, "--preview", "--json", now=SET_UP).json()
    assert tables(db_path) == before
    assert [s["dose_mg"] for s in draft["steps"]] == [1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0]
    assert draft["steps"][6]["cut_percent"] == 33.3 and draft["steps"][6]["as_taken"] == "½ tablet of 0.5 mg"
    assert any("0.375 mg to 0.25 mg is 33.3 %" in w["text"] for w in draft["warnings"])
    text = run.ok(*argv, "--preview", now=SET_UP).out
    assert "Preview (nothing saved)" in text and "¾ tablet of 0.5 mg" in text
    saved = run.ok(*argv, now=SET_UP)
    assert "0.375 mg to 0.25 mg is 33.3 %" in saved.out  # saving prints the same warnings
    history = run.ok("taper", "history", "--json", now=SET_UP).json()
    assert history[0]["warnings"] == draft["warnings"]  # the version keeps what was seen
    assert "over 25 %" in run.ok("taper", "history", now=SET_UP).out


@pytest.mark.slow
def test_until_solves_the_pace(run):
    setup(run, "--liquid", "0.1mg/ml")
    draft = run.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--every", "14d",
                   "--until", "2027-09-30", "--final-from", "0.05mg", "--prescriber", "Dr. Weiss",
                   "--preview", "--json", now=SET_UP).json()
    assert draft["solved_percent"] is not None
    assert draft["steps"][-1]["dose_mg"] == 0 and draft["steps"][-1]["start"] <= "2027-09-30"
    both = run("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--every", "14d",
               "--until", "2027-09-30", "--step", "10%", "--prescriber", "Dr. Weiss", now=SET_UP)
    assert both.code == 2


def test_taper_show_gives_what_to_dispense(run):
    setup(run, "--tablet", "1mg:half", "--tablet", "0.5mg:quarter")
    run.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "10%", "--every",
           "14d", "--prescriber", "Dr. Weiss", now=SET_UP)
    shown = run.ok("taper", "show", "--days", "14", "--json", now="2026-12-15T20:00+01:00").json()
    assert shown["dispense"]["per_step"][1] == {"tablets": {"1 mg": 7, "0.5 mg": 11}, "liquid_ml": None}
    assert shown["dispense"]["next"] == {"tablets": {"1 mg": 7, "0.5 mg": 11}, "liquid_ml": None}
    text = run.ok("taper", "show", "--days", "14", now="2026-12-15T20:00+01:00").out
    assert "7 × 1 mg tablets + 11 × 0.5 mg tablets" in text


@pytest.mark.slow
def test_stock_goes_down_with_each_dose_and_a_count_off_by_two_tablets_is_flagged(run, db_path):
    setup(run, "--tablet", "1mg:half", dose="0.5mg")
    run.ok("stock", "add", "30x1mg", "--note", "pharmacy", now="2026-11-01T13:00+01:00")
    first = dt.date(2026, 11, 1)
    for day in range(30):
        run.ok("log", now=at(first + dt.timedelta(days=day)))
    stock = run.ok("stock", "--json", now="2026-12-01T12:00+01:00").json()
    assert stock["levels"] == [{"what": "1 mg tablets", "left": 15.0, "unit": "tablets",
                                "last_count_flagged": False}]
    assert stock["nights_left"] == 30  # half a tablet a night
    counted = run.ok("stock", "count", "13x1mg", now="2026-12-01T12:00+01:00")
    assert "differs from the 15 × 1 mg tablets expected" in counted.out
    assert query(db_path, "SELECT amount, expected, flagged FROM stock WHERE kind = 'count'") == [(52, 60, 1)]
    status = run.ok("status", "--json", now="2026-12-01T20:00+01:00").json()
    assert status["stock"]["flagged_counts"][0]["expected"] == "15 × 1 mg tablets"
    assert status["stock"]["nights_left"] == 26
    # Each count is judged against the 15 expected since the delivery, not against the last
    # count: 13.5 is still 1.5 short; half a tablet off is not flagged.
    short = run.ok("stock", "count", "13.5x1mg", now="2026-12-01T12:30+01:00")
    assert "differs from the 15 × 1 mg tablets expected" in short.out
    fine = run.ok("stock", "count", "14.5x1mg", now="2026-12-01T12:40+01:00")
    assert "differs" not in fine.out
    assert "15 × 1 mg tablets expected since the delivery on 2026-11-01" in fine.out


@pytest.mark.parametrize("text", ["30", "x1mg", "30x", "30xlots", "-3x1mg", "100ml", "1.3x1mg"])
def test_bad_stock_quantities_are_bad_input(run, db_path, text):
    setup(run, "--tablet", "1mg:half")
    before = tables(db_path)
    result = run("stock", "add", "--", text, now=SET_UP)
    assert result.code == 2
    assert tables(db_path) == before


def test_after_the_last_step_the_taper_is_complete(run):
    setup(run)
    run.ok("taper", "set", "--steps", "2026-11-01=1mg,2026-11-10=0.5mg,2026-11-20=0",
           "--prescriber", "Dr. Weiss", now=SET_UP)
    status = run.ok("status", "--json", now=at(dt.date(2026, 11, 25))).json()
    assert status["taper_complete_since"] == "2026-11-20"
    assert status["drug_free_nights"] == 6
    assert "Taper complete: no flunitrazepam since the night of 2026-11-20" in status["guidance"]
    out = run.ok("calendar", "--month", "2026-11", now=at(dt.date(2026, 11, 25))).out
    assert "Taper complete: no flunitrazepam since the night of 2026-11-20 (6 drug-free nights)." in out
    assert run.ok("symptom", "headache", now=at(dt.date(2026, 11, 25))).code == 0  # journal open
