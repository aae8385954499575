"""Unit and property tests for medtrack.core.profile_change: which profile changes loosen a limit
(and so need the prescriber's PIN once a lock is set).

Properties: a change that only tightens never needs the PIN (and really does narrow every dose
window and keep every contraindication); any single loosening change does, whatever tightening
comes with it. Uses the real flunitrazepam monograph; nothing reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medtrack.core.language import FOLLOW_ENVIRONMENT, LANGUAGES
from medtrack.core.model import Profile
from medtrack.core.nights import dose_window
from medtrack.core.profile_change import loosened_limits
from medtrack.core.rules import cautions, contraindications
from medtrack.monograph import load_monograph

MONO = load_monograph()
LEVELS = MONO.liver_levels
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Karachi", "Australia/Sydney", "UTC")
FLAGS = ("renal", "pregnant", "breastfeeding")
BASE = Profile(name="Ada", born=dt.date(1970, 5, 1), zone="Europe/Berlin")


def _noon_key(clock: dt.time) -> int:
    """Minutes after 12:00, the way a night runs (00:30 is later than 23:00)."""
    return (clock.hour * 60 + clock.minute - 12 * 60) % (24 * 60)


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def _bedtime(key: int) -> dt.time:
    return _clock((key + 12 * 60) % (24 * 60))


clocks = st.integers(0, 24 * 60 - 1).map(_clock)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    return Profile(
        name=draw(st.sampled_from(("Ada", "Ben"))),
        born=draw(st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31))),
        zone=draw(st.sampled_from(ZONES)),
        bedtime=draw(clocks), wake=draw(clocks),
        liver=draw(st.sampled_from(LEVELS)),
        renal=draw(st.booleans()), pregnant=draw(st.booleans()), breastfeeding=draw(st.booleans()),
        conditions=tuple(sorted(draw(st.sets(st.sampled_from(MONO.conditions))))),
        min_sleep_min=draw(st.integers(240, 720)),
        language=draw(st.sampled_from((FOLLOW_ENVIRONMENT, *LANGUAGES))),
    )


@st.composite
def tightened(draw: st.DrawFn, old: Profile) -> Profile:
    """`old` with any mix of changes that only tighten: a new name, a later bedtime, an earlier
    wake, a longer minimum sleep, a higher liver level, a flag set, conditions added; and any
    language (not clinical: it limits nothing)."""
    old_bed = _noon_key(old.bedtime)
    old_wake = old.wake.hour * 60 + old.wake.minute
    flags: dict[str, Any] = {flag: getattr(old, flag) or draw(st.booleans()) for flag in FLAGS}  # each a bool
    return dataclasses.replace(
        old,
        name=draw(st.sampled_from((old.name, "Ada M.", "Someone else"))),
        bedtime=_bedtime(draw(st.integers(old_bed, 24 * 60 - 1))),
        wake=_clock(draw(st.integers(0, old_wake))),
        min_sleep_min=draw(st.integers(old.min_sleep_min, 720)),
        liver=draw(st.sampled_from(LEVELS[LEVELS.index(old.liver):])),
        **flags,
        conditions=tuple(sorted(set(old.conditions) | draw(st.sets(st.sampled_from(MONO.conditions))))),
        language=draw(st.sampled_from((FOLLOW_ENVIRONMENT, *LANGUAGES))),
    )


LOOSENINGS = ("born", "zone", "bedtime", "wake", "min_sleep", "liver", *FLAGS, "conditions")


@st.composite
def one_loosening(draw: st.DrawFn, old: Profile, new: Profile) -> Profile | None:
    """`new` with one field changed so that it loosens against `old`; None if `old` leaves no
    room for this kind (e.g. a bedtime cannot be earlier than 12:00)."""
    kind = draw(st.sampled_from(LOOSENINGS))
    if kind == "born":
        born = draw(st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)).filter(lambda d: d != old.born))
        return dataclasses.replace(new, born=born)
    if kind == "zone":
        return dataclasses.replace(new, zone=draw(st.sampled_from([z for z in ZONES if z != old.zone])))
    if kind == "bedtime":
        key = _noon_key(old.bedtime)
        return dataclasses.replace(new, bedtime=_bedtime(draw(st.integers(0, key - 1)))) if key else None
    if kind == "wake":
        up = old.wake.hour * 60 + old.wake.minute
        if up == 24 * 60 - 1:
            return None
        return dataclasses.replace(new, wake=_clock(draw(st.integers(up + 1, 24 * 60 - 1))))
    if kind == "min_sleep":
        shorter = draw(st.integers(240, old.min_sleep_min - 1)) if old.min_sleep_min > 240 else None
        return dataclasses.replace(new, min_sleep_min=shorter) if shorter is not None else None
    if kind == "liver":
        below = LEVELS[:LEVELS.index(old.liver)]
        return dataclasses.replace(new, liver=draw(st.sampled_from(below))) if below else None
    if kind in FLAGS:
        cleared: dict[str, Any] = {kind: False}  # the flag `kind`, a bool
        return dataclasses.replace(new, **cleared) if getattr(old, kind) else None
    if not old.conditions:
        return None
    gone = draw(st.sampled_from(old.conditions))
    return dataclasses.replace(new, conditions=tuple(c for c in new.conditions if c != gone))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), old=profiles())
@pytest.mark.slow
def test_a_change_that_only_tightens_never_needs_the_pin(data: st.DataObject, old: Profile) -> None:
    new = data.draw(tightened(old))
    assert loosened_limits(old, new, LEVELS) == ()
    # ... and it really tightens: every contraindication stays, and a caution goes only where a
    # contraindication comes (mild/moderate liver -> severe)
    for night in DST_NIGHTS:
        assert set(contraindications(MONO, old, night)) <= set(contraindications(MONO, new, night))
        if not set(cautions(MONO, old, night)) <= set(cautions(MONO, new, night)):
            assert set(contraindications(MONO, new, night)) > set(contraindications(MONO, old, night))


# the clock-change nights of 2026 in the zones above (either hemisphere), and an ordinary one
DST_NIGHTS = (dt.date(2026, 3, 7), dt.date(2026, 3, 28), dt.date(2026, 4, 4), dt.date(2026, 10, 3),
              dt.date(2026, 10, 24), dt.date(2026, 10, 31), dt.date(2026, 11, 25))


@settings(max_examples=100, deadline=None)
@given(data=st.data(), old=profiles())
@pytest.mark.slow
def test_a_tightening_that_widens_a_clock_change_night_needs_the_pin(data: st.DataObject, old: Profile) -> None:
    """Given tonight, the windows of the year ahead are compared as instants: a bedtime or wake
    in the hour skipped in spring moves to the hour after it, so an earlier wake on the clock
    can close that night's window later. Nothing else a tightening does needs the PIN."""
    new = data.draw(tightened(old))
    found = loosened_limits(old, new, LEVELS, dt.date(2026, 1, 1))
    assert len(found) <= 1 and all("clock-change night" in words for words in found)
    widened = []
    for night in DST_NIGHTS:
        before = dose_window(night, ZoneInfo(old.zone), old.bedtime, old.wake, old.min_sleep_min)
        after = dose_window(night, ZoneInfo(new.zone), new.bedtime, new.wake, new.min_sleep_min)
        widened.append(after.opens.astimezone(dt.UTC) < before.opens.astimezone(dt.UTC)
                       or after.latest.astimezone(dt.UTC) > before.latest.astimezone(dt.UTC))
    if any(widened):
        assert found
    if not found:
        assert not any(widened)


@settings(max_examples=500, deadline=None)
@given(data=st.data(), old=profiles())
@pytest.mark.slow
def test_any_single_loosening_change_needs_the_pin(data: st.DataObject, old: Profile) -> None:
    new = data.draw(one_loosening(old, data.draw(tightened(old))))
    if new is not None:
        assert loosened_limits(old, new, LEVELS) != ()
        assert loosened_limits(old, new, LEVELS, dt.date(2026, 1, 1)) != ()


def test_a_wake_moved_into_the_skipped_hour_widens_the_spring_night() -> None:
    """Berlin, 28 March 2027: 02:30 does not exist and counts as 03:30, later than 03:00."""
    early = dataclasses.replace(BASE, bedtime=dt.time(20, 0), wake=dt.time(3, 0), min_sleep_min=240)
    earlier_wake = dataclasses.replace(early, wake=dt.time(2, 30))
    assert loosened_limits(early, earlier_wake, LEVELS) == ()  # on the clock it only tightens
    assert loosened_limits(early, earlier_wake, LEVELS, dt.date(2027, 1, 1)) == (
        "the new bedtime or wake time widens the dose window of the night of 2027-03-27 "
        "(a clock-change night)",)
    assert loosened_limits(early, dataclasses.replace(early, wake=dt.time(1, 30)), LEVELS,
                           dt.date(2027, 1, 1)) == ()  # an hour earlier or more: never later


@pytest.mark.parametrize(("change", "words"), [
    ({"wake": dt.time(11, 30)}, "a later wake time (06:30 -> 11:30) closes the dose window later"),
    ({"bedtime": dt.time(21, 0)}, "an earlier bedtime (22:30 -> 21:00) opens the dose window earlier"),
    ({"min_sleep_min": 360}, "a shorter minimum sleep (7 h -> 6 h) closes the dose window later"),
    ({"zone": "Asia/Karachi"}, "a new time zone (Europe/Berlin -> Asia/Karachi) moves the dose window"),
    ({"born": dt.date(2010, 1, 1)}, "a new birth date (1970-05-01 -> 2010-01-01) changes the age limits"),
])
def test_each_loosening_is_named(change: dict[str, Any], words: str) -> None:
    assert loosened_limits(BASE, dataclasses.replace(BASE, **change), LEVELS) == (words,)


def test_a_bedtime_after_midnight_is_later_not_earlier() -> None:
    assert loosened_limits(BASE, dataclasses.replace(BASE, bedtime=dt.time(0, 30)), LEVELS) == ()
    late = dataclasses.replace(BASE, bedtime=dt.time(0, 30))
    assert "earlier bedtime" in loosened_limits(late, BASE, LEVELS)[0]


def test_lifting_a_contraindication_or_caution_is_named() -> None:
    ill = dataclasses.replace(BASE, liver="severe", renal=True, pregnant=True, breastfeeding=True,
                              conditions=("glaucoma", "myasthenia-gravis"))
    found = loosened_limits(ill, dataclasses.replace(ill, liver="mild", renal=False, pregnant=False,
                                                     breastfeeding=False, conditions=("glaucoma",)), LEVELS)
    assert found == (
        "a lower liver impairment level (severe -> mild) can lift a contraindication or caution",
        "renal impairment cleared can lift a contraindication or caution",
        "pregnancy cleared can lift a contraindication or caution",
        "breastfeeding cleared can lift a contraindication or caution",
        "a condition removed (myasthenia-gravis) can lift a contraindication or caution",
    )


def test_a_liver_level_off_the_scale_counts_as_loosening_when_it_changes() -> None:
    odd = dataclasses.replace(BASE, liver="unknown")
    assert loosened_limits(odd, dataclasses.replace(odd, liver="severe"), LEVELS)
    assert loosened_limits(odd, odd, LEVELS) == ()
