"""Stock and dispensing through the real entry point: a count is judged against what is expected
since the last delivery, so small shortfalls at successive counts add up and are flagged; a new
delivery starts again from what is there; and "lasts N nights" and "for the next N nights" start
at the next dose due, the same in `status`, `medtrack stock` and `taper show`.

The patient lives in Berlin (window 20:30-23:30), 0.5 mg a night from 1 mg tablets (halves),
set up on 2026-11-01."""

from __future__ import annotations

from typing import Any

import pytest

SET_UP = "2026-11-01T12:00+01:00"
DELIVERED = "2026-11-01T13:00+01:00"


def at(day: int, clock: str = "22:40", month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{clock}+01:00"


def setup(run: Any) -> None:
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP)
    run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
           "--tablet", "1mg:half", now=SET_UP)


@pytest.fixture
def drifting(run: Any) -> Any:
    """20 tablets delivered on 1 November, half a tablet taken on each of the six nights after:
    17 are expected on 7 November, when 16.5 are counted, then 16.25."""
    setup(run)
    run.ok("stock", "add", "20x1mg", "--note", "pharmacy", now=DELIVERED)
    for day in range(1, 7):
        run.ok("log", now=at(day))
    return run


@pytest.mark.slow
def test_half_a_tablet_then_a_quarter_more_short_of_the_delivery_is_flagged(drifting):
    first = drifting.ok("stock", "count", "16.5x1mg", now=at(7, "12:00"))
    assert "17 × 1 mg tablets expected since the delivery on 2026-11-01" in first.out
    assert "differs" not in first.out  # half a tablet short: not flagged
    second = drifting.ok("stock", "count", "16.25x1mg", now=at(7, "13:00"))
    assert "Count recorded: 16.25 × 1 mg tablets" in second.out
    assert "17 × 1 mg tablets expected since the delivery on 2026-11-01" in second.out
    assert "! This differs from the 17 × 1 mg tablets expected by more than half a tablet" in second.out

    text = drifting.ok("stock", now=at(7, "20:00")).out
    assert ("The count of 2026-11-07 (16.25 × 1 mg tablets) differs from the 17 × 1 mg tablets "
            "expected since the delivery on 2026-11-01: tell your prescriber or pharmacist.") in text
    assert "(16.5 × 1 mg tablets)" not in text  # only the count off by more than half a tablet
    shown = drifting.ok("stock", "--json", now=at(7, "20:00")).json()
    assert shown["flagged_counts"] == [{"at": "2026-11-07T13:00:00+01:00", "counted": "16.25 × 1 mg tablets",
                                        "expected": "17 × 1 mg tablets", "since": "the delivery on 2026-11-01",
                                        "since_at": "2026-11-01T13:00:00+01:00"}]
    assert shown["levels"] == [{"what": "1 mg tablets", "left": 16.25, "unit": "tablets",
                                "last_count_flagged": True}]  # the count still sets what is left
    status = drifting.ok("status", "--json", now=at(7, "20:00")).json()
    assert status["stock"] == shown
    assert ("differs from the 17 × 1 mg tablets expected since the delivery on 2026-11-01"
            in drifting.ok("status", now=at(7, "20:00")).out)


@pytest.mark.slow
def test_doses_between_the_counts_move_what_is_expected_and_the_drift_still_adds_up(drifting):
    drifting.ok("stock", "count", "16.5x1mg", now=at(7, "12:00"))
    drifting.ok("log", now=at(7))  # half a tablet: 16.5 expected since the delivery
    later = drifting.ok("stock", "count", "15.75x1mg", now=at(8, "12:00"))  # 0.25 fewer than 16 (16.5 less 0.5)
    assert "differs from the 16.5 × 1 mg tablets expected" in later.out
    assert "16.5 × 1 mg tablets expected since the delivery on 2026-11-01" in later.out


@pytest.mark.slow
def test_a_new_delivery_starts_again_from_what_is_there_then(drifting):
    drifting.ok("stock", "count", "16.5x1mg", now=at(7, "12:00"))
    drifting.ok("stock", "count", "16.25x1mg", now=at(7, "13:00"))  # flagged: 0.75 short of 17
    drifting.ok("stock", "add", "10x1mg", "--note", "pharmacy", now=at(8, "12:00"))
    # 16.25 counted + 10 delivered: 26.25 expected, not the 27 the first delivery would say
    fine = drifting.ok("stock", "count", "26x1mg", now=at(8, "13:00"))
    assert "26.25 × 1 mg tablets expected since the delivery on 2026-11-08" in fine.out
    assert "differs" not in fine.out
    assert "differs" not in drifting.ok("stock", "count", "25.75x1mg", now=at(8, "14:00")).out
    short = drifting.ok("stock", "count", "25.5x1mg", now=at(8, "15:00"))  # 0.75 short of 26.25
    assert "differs from the 26.25 × 1 mg tablets expected" in short.out
    shown = drifting.ok("stock", "--json", now=at(8, "20:00")).json()
    assert [(c["counted"], c["expected"], c["since"]) for c in shown["flagged_counts"]] == [
        ("16.25 × 1 mg tablets", "17 × 1 mg tablets", "the delivery on 2026-11-01"),
        ("25.5 × 1 mg tablets", "26.25 × 1 mg tablets", "the delivery on 2026-11-08")]
    assert drifting.ok("status", "--json", now=at(8, "20:00")).json()["stock"] == shown


# -- the nights the stock lasts, and what to dispense, start at the next dose due --------------


@pytest.fixture
def ending(run: Any) -> Any:
    """A plan of 0.5 mg on the nights of 1 to 4 November, then 0, and 30 tablets: the stock lasts
    to the end of the plan, four nights from the first, three from the second."""
    setup(run)
    run.ok("taper", "set", "--steps", "2026-11-01=0.5mg,2026-11-05=0", "--prescriber", "Dr. Weiss",
           now=SET_UP)
    run.ok("stock", "add", "30x1mg", now=DELIVERED)
    return run


def views(run: Any, now: str) -> tuple[str | None, int | None, str]:
    """(the night the stock's nights start, how many, the night what to dispense starts) as
    `stock --json` says them, after checking that `status --json` says the same."""
    stock = run.ok("stock", "--json", now=now).json()
    assert run.ok("status", "--json", now=now).json()["stock"] == stock
    dispense = run.ok("taper", "show", "--days", "7", "--json", now=now).json()["dispense"]
    return stock.get("nights_from"), stock["nights_left"], dispense["from_night"]


@pytest.mark.parametrize(("now", "first"), [
    (at(1, "20:00"), "2026-11-01"),  # before the window: tonight's dose is still to come
    (at(1, "22:00"), "2026-11-01"),  # due now
])
@pytest.mark.slow
def test_before_tonights_dose_the_nights_start_tonight(ending, now, first):
    assert views(ending, now) == (first, 4, first)
    assert ending.ok("stock", "--json", now=now).json()["lasts_to_the_end_of_the_plan"]
    assert "It lasts to the end of the plan (4 more night(s), from the night of 2026-11-01)." in \
        ending.ok("stock", now=now).out


@pytest.mark.slow
def test_once_tonights_dose_is_logged_the_nights_start_tomorrow(ending):
    ending.ok("log", now=at(1, "22:40"))
    for now in (at(1, "22:45"), at(2, "08:00")):  # that evening, and the morning after
        assert views(ending, now) == ("2026-11-02", 3, "2026-11-02")
        assert "It lasts to the end of the plan (3 more night(s), from the night of 2026-11-02)." in \
            ending.ok("status", now=now).out


@pytest.mark.slow
def test_after_a_skip_the_nights_start_tomorrow(ending):
    ending.ok("skip", "--note", "slept without", now=at(1, "21:00"))
    assert views(ending, at(1, "21:05")) == ("2026-11-02", 3, "2026-11-02")  # not the skipped night
    out = ending.ok("taper", "show", "--days", "7", now=at(1, "21:05")).out
    assert "For the next 7 nights from 2026-11-02:" in out


@pytest.mark.slow
def test_once_the_window_has_closed_without_a_dose_the_nights_start_at_the_next_night(ending):
    for now in (at(1, "23:45"), at(2, "08:00")):  # too late, and the morning after a missed night
        assert views(ending, now) == ("2026-11-02", 3, "2026-11-02")


@pytest.mark.slow
def test_the_nights_left_at_a_lower_dose_from_tomorrow_count_from_tomorrow(run):
    """1 mg tonight, 0.5 mg from tomorrow: once tonight is skipped, 10 tablets are 20 nights at
    0.5 mg from tomorrow, not 1 mg tonight and 18 nights after."""
    setup(run)
    run.ok("taper", "set", "--steps", "2026-11-01=1mg,2026-11-02=0.5mg", "--prescriber", "Dr. Weiss",
           now=SET_UP)
    run.ok("stock", "add", "10x1mg", now=DELIVERED)
    assert views(run, at(1, "20:00"))[1] == 19  # 1 mg tonight, then 18 halves
    run.ok("skip", now=at(1, "21:00"))
    assert views(run, at(1, "21:05")) == ("2026-11-02", 20, "2026-11-02")

