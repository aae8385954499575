"""The reminder's decision (core.reminder) beside the night rules, and the --repeat parser."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.parse import parse_every
from medtrack.core.reminder import Shown, Step, next_step, reminds, replaces
from medtrack.core.tonight_state import TonightState
from medtrack.errors import BadInput

NIGHT = dt.date(2026, 11, 25)
DUE_AT = dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.UTC)
NOT_DUE = [s for s in TonightState if s != TonightState.DUE]


def shown(night: dt.date = NIGHT, at: dt.datetime = DUE_AT, showing: bool = True, number: int = 7) -> Shown:
    return Shown(night, number, at, showing)


def test_only_a_due_night_is_reminded_of() -> None:
    assert reminds(TonightState.DUE)
    assert not any(reminds(state) for state in NOT_DUE)


def test_the_first_due_run_sends_and_a_later_one_leaves_it_alone() -> None:
    assert next_step(TonightState.DUE, NIGHT, None, DUE_AT) == Step.SEND
    later = DUE_AT + dt.timedelta(minutes=40)
    assert next_step(TonightState.DUE, NIGHT, shown(), later) == Step.NOTHING


def test_a_repeat_comes_only_once_its_interval_has_passed() -> None:
    every = dt.timedelta(minutes=10)
    assert next_step(TonightState.DUE, NIGHT, shown(), DUE_AT + dt.timedelta(minutes=9), every) == Step.NOTHING
    assert next_step(TonightState.DUE, NIGHT, shown(), DUE_AT + every, every) == Step.REPEAT
    # A clock set back (a fixed clock, a corrected one) never makes a burst of repeats.
    assert next_step(TonightState.DUE, NIGHT, shown(), DUE_AT - dt.timedelta(hours=1), every) == Step.NOTHING


@pytest.mark.parametrize("state", NOT_DUE, ids=str)
def test_a_night_no_longer_due_closes_the_reminder_still_showing(state: TonightState) -> None:
    assert next_step(state, NIGHT, shown(), DUE_AT) == Step.CLOSE
    assert next_step(state, NIGHT, shown(showing=False), DUE_AT) == Step.NOTHING
    assert next_step(state, NIGHT, None, DUE_AT) == Step.NOTHING


def test_a_new_night_sends_its_own_reminder_in_place_of_last_nights() -> None:
    yesterday = shown(night=NIGHT - dt.timedelta(days=1), at=DUE_AT - dt.timedelta(days=1))
    assert next_step(TonightState.DUE, NIGHT, yesterday, DUE_AT) == Step.SEND
    assert replaces(yesterday) == 7
    assert replaces(yesterday.closed()) == 0  # a closed one is not replaced: a new one is shown
    assert replaces(None) == 0


states = st.sampled_from(list(TonightState))
runs = st.lists(st.tuples(st.integers(min_value=0, max_value=5), states), min_size=1, max_size=60)


@given(runs, st.none() | st.integers(min_value=5, max_value=120).map(lambda m: dt.timedelta(minutes=m)))
def test_property_runs_over_a_night(steps: list[tuple[int, TonightState]], repeat: dt.timedelta | None) -> None:
    """Runs a few minutes apart, the night's state as the rules might give it: nothing is ever
    shown unless due; at most one send a night, and repeats no closer than `repeat`; a reminder
    still showing once the night is no longer due is closed by the very next run."""
    now, memory, sends, closes, last_sent = DUE_AT, None, 0, 0, None
    for minutes, state in steps:
        now += dt.timedelta(minutes=minutes)
        step = next_step(state, NIGHT, memory, now, repeat)
        if step in (Step.SEND, Step.REPEAT):
            assert state == TonightState.DUE
            if step == Step.REPEAT:
                assert repeat is not None and last_sent is not None and now - last_sent >= repeat
            sends += step == Step.SEND
            memory, last_sent = Shown(NIGHT, 1, now), now
        elif step == Step.CLOSE:
            assert state != TonightState.DUE and memory is not None and memory.showing
            memory, closes = None, closes + 1
        else:
            assert not (state != TonightState.DUE and memory is not None and memory.showing)
            assert not (state == TonightState.DUE and memory is None)
    assert sends <= 1 + closes  # a night's reminder is sent once, and again only after it was closed


# -- --repeat -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minutes"), [("10m", 10), ("10 min", 10), ("5minutes", 5), ("1h", 60),
                                               (" 2 hours ", 120), ("6h", 360), ("90M", 90)])
def test_repeat_accepts_minutes_and_hours(text: str, minutes: int) -> None:
    assert parse_every(text) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "10", "4m", "0m", "7h", "361m", "1.5h", "10s", "ten minutes", "-10m",
                                  "1h30m", "10m!"])
def test_repeat_refuses_what_is_not_5_minutes_to_6_hours_and_says_what_is(text: str) -> None:
    with pytest.raises(BadInput, match="10m") as error:
        parse_every(text)
    assert "\n" not in error.value.message


@given(st.text(max_size=20))
def test_property_repeat_text_is_parsed_or_refused_in_words(text: str) -> None:
    try:
        every = parse_every(text)
    except BadInput as error:
        assert "repeat" in error.message
    else:
        assert dt.timedelta(minutes=5) <= every <= dt.timedelta(hours=6)
        assert every.total_seconds() % 60 == 0
