"""Hyperbolic (proportional) tapers with real formulations, the preview's warnings, --until,
and what to dispense (issue 11)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrack.core.formulation import Formulation, Liquid, Tablet
from medtrack.core.model import Step
from medtrack.core.taper import reduce_steps, solve_percent
from medtrack.core.taper_preview import need, preview, warnings
from medtrack.errors import BadInput

START = dt.date(2026, 12, 1)
LIQUID = Formulation(liquid=Liquid(100, 100))  # 0.1 mg/ml in 0.1 ml steps: 10 µg
SPLIT = Formulation(tablets=(Tablet(1000, 2), Tablet(500, 4)))  # 125 µg
PLAIN = Formulation(plain_ug=250)


def doses(steps: list[Step]) -> list[int]:
    return [s.dose_ug for s in steps]


def test_liquid_10_percent_capped_every_cut_within_10_percent_or_one_flagged_unit():
    steps = reduce_steps(START, 1000, 14, 0, LIQUID, percent=Fraction(10), max_cut=Fraction(10),
                         final_from=50)
    values = doses(steps)
    assert values[:5] == [1000, 900, 810, 730, 660]
    assert values[-2:] == [50, 0]  # the stop to 0 comes from 0.05 mg
    for before, after in pairwise(values[:-1]):
        cut = before - after
        assert cut * 100 <= before * 10 or cut == LIQUID.unit_ug, (before, after)
    found = warnings(steps, LIQUID, asked_percent=Fraction(10), max_cut=Fraction(10), final_from=50)
    flagged = [w for w in found if "more than the 10 % cap" in w]
    assert [w.split(":")[0] for w in flagged] == [str(s.start) for s in steps if s.dose_ug in (80, 70, 60, 50)]
    assert all("one 0.01 mg unit" in w for w in flagged)
    assert not any("100 %" in w for w in found)  # a stop set with --final-from is not a warning


def test_split_tablets_at_10_percent_give_125_microgram_units_and_flag_the_late_cuts():
    steps = reduce_steps(START, 1000, 14, 0, SPLIT, percent=Fraction(10))
    assert doses(steps) == [1000, 875, 750, 625, 500, 375, 250, 125, 0]
    assert all(d % 125 == 0 for d in doses(steps))
    found = warnings(steps, SPLIT, asked_percent=Fraction(10))
    assert found[0] == f"{steps[6].start}: the cut from 0.375 mg to 0.25 mg is 33.3 %, over 25 %"
    assert "0.125 mg is 50 %" in found[1] and "0 mg is 100 %" in found[2]
    assert "10 % asked, 12.5-100 % per step" in found[3]


def test_the_plain_quarter_milligram_ladder_is_what_the_issue_describes():
    steps = reduce_steps(START, 1000, 14, 0, PLAIN, percent=Fraction(10))
    assert doses(steps) == [1000, 750, 500, 250, 0]
    found = warnings(steps, PLAIN, asked_percent=Fraction(10))
    assert any("10 % asked, 25-100 % per step with doses in steps of 0.25 mg" in w for w in found)


def test_max_cut_alone_takes_the_largest_cut_within_the_cap():
    steps = reduce_steps(START, 1000, 14, 0, LIQUID, max_cut=Fraction(20), final_from=100)
    values = doses(steps)
    assert values[:4] == [1000, 800, 640, 520]  # 512 is not made: the lowest within 20 % is 520
    assert values[-1] == 0 and values[-2] <= 100


def test_final_from_is_the_largest_dose_the_stop_is_made_from():
    steps = reduce_steps(START, 500, 7, 0, SPLIT, percent=Fraction(50), final_from=250)
    assert doses(steps) == [500, 250, 0]
    steps = reduce_steps(START, 1000, 7, 0, SPLIT, percent=Fraction(50), final_from=125)
    assert doses(steps)[-2:] == [125, 0]


@pytest.mark.slow
def test_until_gives_a_plan_that_ends_on_or_before_the_date():
    until = dt.date(2027, 9, 30)
    percent, steps = solve_percent(START, until, 1000, 14, 0, LIQUID, final_from=50)
    assert steps[-1].dose_ug == 0 and steps[-1].start <= until
    slower = reduce_steps(START, 1000, 14, 0, LIQUID, percent=percent - Fraction(1, 2), final_from=50)
    assert slower[-1].start > until  # the smallest even % (in half-percent steps)
    with pytest.raises(BadInput, match="reaches 0 mg by"):
        solve_percent(START, START + dt.timedelta(days=10), 1000, 14, 0, LIQUID)


def test_warnings_for_short_steps_and_a_quick_stop():
    steps = [Step(START, 1000), Step(START + dt.timedelta(days=5), 500),
             Step(START + dt.timedelta(days=20), 0)]
    found = warnings(steps, PLAIN)
    assert any("lasts 5 day(s), under 7" in w for w in found)
    assert any("stops the drug within 20 days" in w for w in found)
    found = warnings(steps, PLAIN, final_from=250)
    assert any("stop to 0 comes from 0.5 mg, above the final-from dose of 0.25 mg" in w for w in found)


def test_the_preview_gives_cuts_in_mg_and_percent_and_the_days_at_each_step():
    rows = preview(reduce_steps(START, 1000, 14, 0, SPLIT, percent=Fraction(10)), SPLIT)
    assert rows[1].cut_ug == 125 and rows[1].cut_percent == Fraction(25, 2)
    assert rows[1].days == 14 and rows[-1].days is None
    assert rows[5].as_taken == "¾ tablet of 0.5 mg"


def test_dispensing_rounds_split_tablets_up_to_whole_ones():
    # 14 nights of 0.875 mg: 14 halves of 1 mg (7 tablets) and 42 quarters of 0.5 mg (10.5 -> 11)
    assert need([875] * 14, SPLIT).tablets == {1000: 7, 500: 11}
    assert need([250] * 3, LIQUID).liquid_ul == 7500
    assert need([875] * 14, SPLIT).text(SPLIT) == "7 × 1 mg tablets + 11 × 0.5 mg tablets"


@settings(max_examples=60, deadline=None)
@given(start=st.sampled_from([2000, 1500, 1000, 750, 500]),
       percent=st.integers(5, 40).map(Fraction), cap=st.integers(5, 40).map(Fraction),
       formulation=st.sampled_from([LIQUID, SPLIT, PLAIN]))
def test_property_a_capped_plan_goes_down_to_zero_and_keeps_within_the_cap(start, percent, cap,
                                                                           formulation):
    if not formulation.can_make(start):
        return
    steps = reduce_steps(START, start, 14, 0, formulation, percent=percent, max_cut=cap)
    values = doses(steps)
    assert values[-1] == 0 and values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)
    for before, after in pairwise(values):
        assert formulation.can_make(after)
        smallest = max(d for d in range(0, before, formulation.unit_ug) if formulation.can_make(d))
        assert (before - after) * 100 <= before * cap or after == smallest, (before, after)
