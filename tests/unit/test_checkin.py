"""The check-in's ratings and the per-step trend, as pure rules (core.checkin)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.checkin import CheckIn, TrendRule, current_trend, parse_ratings, trends
from medtrack.core.model import Regimen, Step
from medtrack.core.timeline import Timeline
from medtrack.errors import BadInput

ITEMS = ("anxiety", "tremor", "sleep", "sweating")
RULE = TrendRule(rise_points=4, min_checkins=2)
BERLIN = dt.timezone(dt.timedelta(hours=1))


def plan(*steps: tuple[str, int]) -> Timeline:
    made = tuple(Step(dt.date.fromisoformat(night), ug) for night, ug in steps)
    return Timeline([Regimen(kind="plan", id=1, seq=1, prescriber="Dr. Weiss", steps=made,
                             created_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC), in_force_from=made[0].start)])


def checkin(night: str, number: int = 1, **ratings: int) -> CheckIn:
    day = dt.date.fromisoformat(night)
    return CheckIn(id=number, night=day, at=dt.datetime.combine(day, dt.time(20, 0), BERLIN), zone="Europe/Berlin",
                   ratings=tuple((i, ratings.get(i, 0)) for i in ITEMS))


# -- parsing ---------------------------------------------------------------------------------


def test_named_items_are_rated_and_the_rest_are_none_in_the_lists_order() -> None:
    assert parse_ratings(["tremor=1", "Anxiety=severe"], ITEMS) == (
        ("anxiety", 3), ("tremor", 1), ("sleep", 0), ("sweating", 0))


@pytest.mark.parametrize("word", ["anxiety", "anxiety=4", "anxiety=-1", "anxiety=lots", "nausea=1", "=2",
                                  "anxiety==2"])
def test_a_word_that_is_not_a_listed_item_rated_0_to_3_is_bad_input(word: str) -> None:
    with pytest.raises(BadInput):
        parse_ratings([word], ITEMS)


def test_an_item_rated_twice_is_bad_input() -> None:
    with pytest.raises(BadInput, match="twice"):
        parse_ratings(["anxiety=1", "anxiety=2"], ITEMS)


@given(st.dictionaries(st.sampled_from(ITEMS), st.integers(0, 3)))
def test_any_ratings_read_back_as_given(given_ratings: dict[str, int]) -> None:
    parsed = dict(parse_ratings([f"{k}={v}" for k, v in given_ratings.items()], ITEMS))
    assert parsed == {i: given_ratings.get(i, 0) for i in ITEMS}


@given(st.text(max_size=12))
def test_any_text_is_ratings_or_bad_input(word: str) -> None:
    try:
        parsed = parse_ratings([word], ITEMS)
    except BadInput:
        return
    assert all(0 <= r <= 3 for _, r in parsed)


# -- the trend per step ------------------------------------------------------------------------

TAPER = plan(("2026-11-01", 1000), ("2026-11-15", 750), ("2026-11-29", 500))


def test_check_ins_clearly_higher_after_a_step_than_before_it_say_so() -> None:
    found = [checkin("2026-11-10", 1, anxiety=1), checkin("2026-11-12", 2, anxiety=1),
             checkin("2026-11-16", 3, anxiety=2, tremor=2, sleep=1),
             checkin("2026-11-18", 4, anxiety=2, tremor=2, sleep=2)]
    trend = current_trend(found, TAPER, dt.date(2026, 11, 18), RULE)
    assert trend is not None and trend.rises and trend.step_night == dt.date(2026, 11, 15)
    assert (trend.baseline_mean, trend.after_mean) == (1, 5.5)
    assert "higher since the step on 15 November 2026" in trend.words()
    assert "holding this step" in trend.words()


def test_a_small_rise_or_too_few_check_ins_say_nothing() -> None:
    small = [checkin("2026-11-10", 1, anxiety=1), checkin("2026-11-12", 2, anxiety=1),
             checkin("2026-11-16", 3, anxiety=2, tremor=1), checkin("2026-11-18", 4, anxiety=2, tremor=2)]
    assert current_trend(small, TAPER, dt.date(2026, 11, 18), RULE) is None
    one_after = [checkin("2026-11-10", 1), checkin("2026-11-12", 2),
                 checkin("2026-11-16", 3, anxiety=2, tremor=2, sleep=2)]
    assert current_trend(one_after, TAPER, dt.date(2026, 11, 18), RULE) is None


def test_a_severe_item_since_the_step_says_so_at_once() -> None:
    found = [checkin("2026-11-16", 1, sleep=3)]
    trend = current_trend(found, TAPER, dt.date(2026, 11, 16), RULE)
    assert trend is not None and trend.severe and not trend.rises


def test_a_voided_check_in_is_never_compared() -> None:
    found = [checkin("2026-11-10", 1), checkin("2026-11-12", 2),
             checkin("2026-11-16", 3, anxiety=3, tremor=3), checkin("2026-11-18", 4, anxiety=3, tremor=3)]
    found[2] = CheckIn(**{**found[2].__dict__, "voided": True})
    found[3] = CheckIn(**{**found[3].__dict__, "voided": True})
    assert current_trend(found, TAPER, dt.date(2026, 11, 18), RULE) is None


def test_each_step_is_judged_against_the_check_ins_of_the_step_before() -> None:
    found = [checkin("2026-11-10", 1), checkin("2026-11-12", 2),
             checkin("2026-11-16", 3, anxiety=2, tremor=2, sleep=1),
             checkin("2026-11-18", 4, anxiety=2, tremor=2, sleep=1),
             checkin("2026-11-30", 5, anxiety=2, tremor=2, sleep=1),
             checkin("2026-12-01", 6, anxiety=2, tremor=2, sleep=1)]
    steps = trends(found, TAPER, dt.date(2026, 12, 1), RULE)
    assert [(s.step_night.isoformat(), s.rises) for s in steps] == [
        ("2026-11-01", False), ("2026-11-15", True), ("2026-11-29", False)]
    # tonight the step of 29 November is steady against its own baseline (the step before): quiet
    assert current_trend(found, TAPER, dt.date(2026, 12, 1), RULE) is None


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), st.integers(0, 3)), max_size=12))
def test_never_a_rise_without_enough_check_ins_on_both_sides(entries: list[tuple[int, int, int]]) -> None:
    start = dt.date(2026, 11, 1)
    found = [checkin((start + dt.timedelta(days=d)).isoformat(), n, anxiety=a, tremor=t)
             for n, (d, a, t) in enumerate(entries, 1)]
    for trend in trends(found, TAPER, dt.date(2026, 12, 10), RULE):
        if trend.rises:
            assert len(trend.baseline) >= 2 and len(trend.after) >= 2
            assert (trend.after_mean or 0) - (trend.baseline_mean or 0) >= RULE.rise_points
        assert trend.severe == any(c.worst >= 3 for c in trend.after)
