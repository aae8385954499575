"""The plan-wide advice of core.taper_guidance (pace, start, measurability, a quick stop), the
--until solver's end, and the step back's length: rules and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrack.core.formulation import Formulation, Liquid, Tablet
from medtrack.core.model import Step
from medtrack.core.taper import hold, plan_interval, solve_until, step_back
from medtrack.core.taper_guidance import (
    GUIDE_DAYS,
    QUICK_STOP_DAYS,
    SMALL_DOSE_UG,
    Kind,
    cuts_to_small,
    pace_warnings,
    periods,
    quick_stop,
    start_warnings,
    too_fast,
    unmeasurable,
)
from medtrack.core.taper_preview import plan_warnings

START = dt.date(2026, 12, 1)
DAY = dt.timedelta(days=1)
LIQUID = Formulation(liquid=Liquid(100, 100))  # 10 µg
SPLIT = Formulation(tablets=(Tablet(1000, 2), Tablet(500, 4)))  # 125 µg
PLAIN = Formulation(plain_ug=250)
UNITS = [Formulation(plain_ug=u) for u in (1, 10, 50, 125, 250)] + [LIQUID, SPLIT]


def plan(*pairs: tuple[int, int]) -> list[Step]:
    """(day from START, dose µg) pairs."""
    return [Step(START + day * DAY, dose) for day, dose in pairs]


def pace(steps: list[Step], formulation: Formulation = LIQUID) -> list[str]:
    return [w.text for w in pace_warnings(steps, formulation)]


# -- the rule, by hand -------------------------------------------------------------------------


def test_periods_count_the_2_week_periods_a_stretch_of_cuts_touches():
    assert [periods(d) for d in (0, 13, 14, 27, 28)] == [1, 1, 2, 2, 3]


def test_25_percent_every_2_weeks_is_the_limit_and_one_unit_is_the_rounding_allowed():
    assert not too_fast(1000, 563, 14, 1)  # 1000 × 0.75² = 562.5
    assert too_fast(1000, 561, 14, 1)
    assert not too_fast(1000, 561, 14, 10)  # within one 0.01 mg unit
    assert too_fast(1000, 560, 13, 10)  # two cuts within 2 weeks: 0.75 mg is the floor
    assert not too_fast(1000, 750, 13, 10)


def test_two_cuts_of_25_percent_a_week_apart_are_too_fast_two_weeks_apart_are_not():
    weekly = plan((0, 1000), (7, 750), (14, 560), (21, 420))
    (found,) = pace(weekly)
    assert found.startswith("2026-12-08: from here to 2026-12-22 the dose goes from 1 mg to 0.42 mg in 3 cuts")
    assert "ASAM 2025: generally no more than 25 % every 2 weeks" in found
    assert pace(plan((0, 1000), (14, 750), (28, 570), (42, 430))) == []


def test_a_single_big_cut_is_left_to_the_per_cut_warning_unless_the_next_adds_to_it():
    assert pace(plan((0, 1000), (14, 500))) == []
    assert pace(plan((0, 1000), (14, 500), (100, 450))) == []  # 55 % over 3 months
    (found,) = pace(plan((0, 1000), (14, 500), (28, 450)))  # 55 % within 2 weeks
    assert found.startswith("2026-12-15: from here to 2026-12-29 the dose goes from 1 mg to 0.45 mg in 2 cuts")


def test_a_fast_stretch_late_in_a_long_plan_is_found():
    steps = plan((0, 2000), (365, 1500), (372, 1100), (379, 800), (440, 700))
    (found,) = pace(steps)
    assert found.startswith("2027-12-01: from here to 2027-12-15 the dose goes from 2 mg to 0.8 mg in 3 cuts")


def test_a_stop_before_25_percent_every_2_weeks_would_reach_a_small_dose():
    assert cuts_to_small(2000) == 8 and cuts_to_small(1000) == 5 and cuts_to_small(SMALL_DOSE_UG) == 0
    # 2 mg with 1 mg tablets in halves at 25 %: 2, 1.5, 1, 0.5 mg, then 0 after 8 weeks
    halves = Formulation(tablets=(Tablet(1000, 2),))
    (found,) = pace(plan((0, 2000), (14, 1500), (28, 1000), (42, 500), (56, 0)), halves)
    assert found == ("2027-01-26: the plan stops 8 weeks after 2 mg (from 2026-12-01); cutting 25 % every 2 "
                     "weeks, the dose would come down to 0.25 mg or less only on 2027-03-23: faster than the "
                     "usual guidance (ASAM 2025: generally no more than 25 % every 2 weeks)")
    assert pace(plan((0, 250), (14, 0))) == []  # from a small dose
    assert pace(plan((0, 300), (14, 225), (28, 0))) == []


def test_a_quick_stop_includes_exactly_28_days():
    assert QUICK_STOP_DAYS == 28
    (found,) = quick_stop(plan((0, 1000), (28, 0)))
    assert found.kind == Kind.QUICK_STOP and "within 28 days" in found.text
    assert quick_stop(plan((0, 1000), (29, 0))) == []


def test_start_above_the_dose_in_force_and_above_the_ceiling():
    steps = plan((0, 3000), (14, 2000), (28, 1500))
    limits = [(2000, "the monograph's 2 mg nightly limit for adults")] * 3
    found = start_warnings(steps, 1000, limits)
    assert [w.kind for w in found] == [Kind.START_ABOVE_CURRENT, Kind.ABOVE_CEILING]
    assert "above the 1 mg in force that night" in found[0].text
    assert found[1].text == ("2026-12-01: 3 mg is above the monograph's 2 mg nightly limit for adults: "
                             "saving this plan will be refused")
    assert start_warnings(steps[1:], 2000, limits[1:]) == []
    assert start_warnings(plan((0, 500), (14, 0)), None, [(2000, "")] * 2) == []  # nothing in force
    (restart,) = start_warnings(plan((0, 500), (14, 0)), 0, [(2000, "")] * 2)
    assert "above the 0 mg (stopped) in force" in restart.text


def test_unmeasurable_doses_by_formulation():
    steps = plan((0, 1000), (14, 999), (28, 990), (42, 0))
    (fine_liquid,) = unmeasurable(steps, Formulation(liquid=Liquid(1000, 1)))
    assert fine_liquid.text.startswith("2026-12-15: 0.999 mg (0.999 ml of 1 mg/ml) needs a measure finer than 0.01 ml")
    assert "1 of the plan's 3 doses cannot be measured" in fine_liquid.text
    (fine_plain,) = unmeasurable(steps, Formulation(plain_ug=1))
    assert fine_plain.kind == Kind.UNMEASURABLE and "finer than 0.01 mg" in fine_plain.text
    assert unmeasurable(steps, Formulation(liquid=Liquid(1000, 10))) == []  # 0.01 ml steps
    assert unmeasurable(plan((0, 1000), (14, 750)), Formulation(plain_ug=1)) == []  # no such dose used
    assert unmeasurable(plan((0, 1000), (14, 875)), SPLIT) == []


# -- properties --------------------------------------------------------------------------------


@st.composite
def gentle_plans(draw: st.DrawFn) -> tuple[list[Step], Formulation]:
    """Every cut at most 25 % and every step at least 2 weeks (rounded up to the formulation, so
    never more), then perhaps a stop to 0 from a small dose after at least 2 weeks."""
    formulation = draw(st.sampled_from(UNITS))
    unit = formulation.unit_ug
    dose = draw(st.integers(1, 40)) * 250 // unit * unit or unit
    steps = [Step(START, dose)]
    for _ in range(draw(st.integers(0, 14))):
        percent = draw(st.fractions(0, 25))
        lower = -(-dose * (100 - percent) // 100)  # at most `percent` off, rounded up to a whole µg
        lower = -(-lower // unit) * unit
        while lower < dose and not formulation.can_make(lower):
            lower += unit
        if not 0 < lower < dose:
            break
        steps.append(Step(steps[-1].start + draw(st.integers(GUIDE_DAYS, 60)) * DAY, lower))
        dose = lower
    if draw(st.booleans()) and dose <= SMALL_DOSE_UG:
        steps.append(Step(steps[-1].start + draw(st.integers(GUIDE_DAYS, 60)) * DAY, 0))
    return steps, formulation


@settings(max_examples=300, deadline=None)
@given(gentle_plans())
@pytest.mark.slow
def test_property_a_plan_within_25_percent_every_2_weeks_never_gets_pace(drawn):
    steps, formulation = drawn
    assert pace_warnings(steps, formulation) == []
    assert not [w for w in plan_warnings(steps, formulation) if w.kind == Kind.PACE]


@settings(max_examples=200, deadline=None)
@given(start=st.integers(4, 40).map(lambda n: n * 250), cut=st.integers(30, 60),
       every=st.integers(1, 10), cuts=st.integers(2, 6))
def test_property_cuts_of_30_percent_or_more_within_10_days_always_get_pace(start, cut, every, cuts):
    doses = [start]
    for _ in range(cuts):
        doses.append(doses[-1] * (100 - cut) // 100 // 10 * 10)
    if doses[-1] < 100:
        return
    steps = [Step(START + i * every * DAY, d) for i, d in enumerate(doses)]
    assert [w.kind for w in pace_warnings(steps, LIQUID)] == [Kind.PACE]


@settings(max_examples=40, deadline=None)
@given(days=st.integers(120, 700), every=st.sampled_from([7, 14, 21]),
       formulation=st.sampled_from([LIQUID, SPLIT, PLAIN]))
@pytest.mark.slow
def test_property_until_ends_by_the_night_and_says_so_when_not_within_one_interval(days, every, formulation):
    until = START + days * DAY
    solved = solve_until(START, until, 1000, every, 0, formulation)
    assert solved.end <= until
    said = [w.text for w in plan_warnings(solved.steps, formulation, solved=solved) if w.kind == Kind.UNTIL]
    if solved.met:
        assert not any("the plan ends on" in t for t in said)
    else:
        (text,) = said
        assert text.startswith(f"to end by {until}: the plan ends on {solved.end}")
        assert "the cuts made are" in text


# -- the step back's length --------------------------------------------------------------------


def test_the_plan_interval_is_the_most_common_step_length_not_a_held_one():
    steps = plan((0, 1000), (14, 900), (28, 810), (42, 730), (56, 0))
    held = hold(steps, START + 20 * DAY, 7)
    assert plan_interval(held) == 14 * DAY
    assert plan_interval(plan((0, 1000), (10, 750), (31, 500), (59, 0))) == 10 * DAY  # all differ: the shortest
    assert plan_interval(plan((0, 1000))) is None


def test_a_step_back_after_a_hold_lasts_the_plans_interval():
    steps = plan((0, 1000), (14, 900), (28, 810), (42, 730), (56, 0))
    held = hold(steps, START + 20 * DAY, 7)  # 0.9 mg lasts 21 nights
    back = step_back(held, START + 45 * DAY)  # in the 0.81 mg step
    assert [(s.start - START).days for s in back] == [0, 14, 35, 45, 59, 73, 87]
    assert [s.dose_ug for s in back] == [1000, 900, 810, 900, 810, 730, 0]
    assert [(s.start - START).days for s in step_back(held, START + 45 * DAY, 21 * DAY)][3:5] == [45, 66]


def test_the_preview_shows_a_rise_as_a_rise():
    from medtrack.core.taper_preview import preview

    rows = preview(plan((0, 1000), (14, 750), (28, 1000), (42, 750)), PLAIN)
    assert [r.change_text() for r in rows] == ["", "0.25 mg (25 %)", "+0.25 mg (rise)", "0.25 mg (25 %)"]


def test_until_refines_to_tenths_of_a_percent_to_come_within_one_interval():
    until = dt.date(2028, 3, 2)
    solved = solve_until(START, until, 1000, 14, 0, LIQUID)
    assert solved.percent == Fraction(101, 10) and solved.met
    assert solved.slower is not None and solved.slower[0] == 10 and solved.slower[1] > until
