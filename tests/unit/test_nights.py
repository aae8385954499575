"""Unit and property tests for medtrack.core.nights: which night an instant belongs to, and the
dose window of each night, counted in real elapsed time across DST changes.

Nothing here reads the clock or the machine's zone: every instant is built with zoneinfo.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from medtrack.core.nights import (
    MIN_DOSE_GAP,
    dose_window,
    hours_apart,
    local_instant,
    night_of,
    nominal_sleep_minutes,
)

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
ZONES = (BERLIN, NEW_YORK, SYDNEY)
ZONE_IDS = [z.key for z in ZONES]

BED = dt.time(22, 30)
WAKE = dt.time(7, 0)
SEVEN_HOURS = 7 * 60


def at(zone: ZoneInfo, y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, fold=fold, tzinfo=zone)


def wall(instant: dt.datetime, zone: ZoneInfo) -> tuple[dt.date, dt.time]:
    """What the patient's clock shows at an instant: local date and time (no offset)."""
    local = instant.astimezone(zone)
    return local.date(), local.time()


# --- night_of -------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
@pytest.mark.parametrize(
    ("clock", "night"),
    [
        (dt.time(11, 59), dt.date(2026, 6, 9)),  # morning: still last night
        (dt.time(12, 0), dt.date(2026, 6, 10)),  # noon: tonight starts
        (dt.time(12, 1), dt.date(2026, 6, 10)),
        (dt.time(22, 30), dt.date(2026, 6, 10)),
        (dt.time(23, 59), dt.date(2026, 6, 10)),
        (dt.time(0, 0), dt.date(2026, 6, 9)),  # midnight: still yesterday's night
        (dt.time(0, 30), dt.date(2026, 6, 9)),
        (dt.time(6, 0), dt.date(2026, 6, 9)),
    ],
)
def test_night_of_local_boundaries(zone: ZoneInfo, clock: dt.time, night: dt.date) -> None:
    instant = dt.datetime.combine(dt.date(2026, 6, 10), clock, tzinfo=zone)
    assert night_of(instant, zone) == night


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
def test_night_of_just_before_and_at_noon_to_the_second(zone: ZoneInfo) -> None:
    assert night_of(dt.datetime(2026, 6, 10, 11, 59, 59, 999999, tzinfo=zone), zone) == dt.date(2026, 6, 9)
    assert night_of(dt.datetime(2026, 6, 10, 12, 0, 0, tzinfo=zone), zone) == dt.date(2026, 6, 10)


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
def test_23_59_and_00_00_are_the_same_night(zone: ZoneInfo) -> None:
    before = at(zone, 2026, 6, 10, 23, 59)
    after = at(zone, 2026, 6, 11, 0, 0)
    assert night_of(before, zone) == night_of(after, zone) == dt.date(2026, 6, 10)


def test_night_is_decided_in_the_zone_given_not_the_instants_own() -> None:
    # 10:00 UTC on 10 June is 12:00 in Berlin (CEST), 06:00 in New York, 20:00 in Sydney.
    instant = dt.datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    assert night_of(instant, BERLIN) == dt.date(2026, 6, 10)
    assert night_of(instant, NEW_YORK) == dt.date(2026, 6, 9)
    assert night_of(instant, SYDNEY) == dt.date(2026, 6, 10)
    # One second earlier it is 11:59:59 in Berlin: the previous night.
    assert night_of(instant - dt.timedelta(seconds=1), BERLIN) == dt.date(2026, 6, 9)


def test_night_of_same_instant_any_carrier_zone() -> None:
    instant = at(SYDNEY, 2026, 6, 11, 0, 30)  # = 2026-06-10 16:30 Berlin
    for carrier in (UTC, BERLIN, NEW_YORK, SYDNEY):
        assert night_of(instant.astimezone(carrier), SYDNEY) == dt.date(2026, 6, 10)
        assert night_of(instant.astimezone(carrier), BERLIN) == dt.date(2026, 6, 10)


@pytest.mark.parametrize(
    ("instant", "zone", "night"),
    [
        # Berlin spring forward: 02:00 -> 03:00 on 29 March; the short night is still one night
        (at(BERLIN, 2026, 3, 29, 1, 59), BERLIN, dt.date(2026, 3, 28)),
        (at(BERLIN, 2026, 3, 29, 3, 0), BERLIN, dt.date(2026, 3, 28)),
        (at(BERLIN, 2026, 3, 29, 12, 0), BERLIN, dt.date(2026, 3, 29)),
        # Berlin fall back: 02:30 happens twice on 25 October, both in the night of the 24th
        (at(BERLIN, 2026, 10, 25, 2, 30, fold=0), BERLIN, dt.date(2026, 10, 24)),
        (at(BERLIN, 2026, 10, 25, 2, 30, fold=1), BERLIN, dt.date(2026, 10, 24)),
        (at(NEW_YORK, 2026, 11, 1, 1, 30, fold=1), NEW_YORK, dt.date(2026, 10, 31)),
        (at(NEW_YORK, 2026, 3, 8, 3, 0), NEW_YORK, dt.date(2026, 3, 7)),
        (at(SYDNEY, 2026, 4, 5, 2, 30, fold=1), SYDNEY, dt.date(2026, 4, 4)),
        (at(SYDNEY, 2026, 10, 4, 3, 0), SYDNEY, dt.date(2026, 10, 3)),
    ],
)
def test_night_of_on_dst_nights(instant: dt.datetime, zone: ZoneInfo, night: dt.date) -> None:
    assert night_of(instant, zone) == night
    assert night_of(instant.astimezone(UTC), zone) == night


def test_night_of_across_new_year() -> None:
    assert night_of(at(BERLIN, 2027, 1, 1, 0, 30), BERLIN) == dt.date(2026, 12, 31)
    assert night_of(at(BERLIN, 2026, 3, 1, 6, 0), BERLIN) == dt.date(2026, 2, 28)  # no 29 Feb in 2026
    assert night_of(at(BERLIN, 2028, 3, 1, 6, 0), BERLIN) == dt.date(2028, 2, 29)


# --- dose_window ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "night", "latest_day", "latest_clock", "why"),
    [
        (BERLIN, dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.time(0, 0), "ordinary summer night"),
        (BERLIN, dt.date(2026, 1, 15), dt.date(2026, 1, 16), dt.time(0, 0), "ordinary winter night"),
        (BERLIN, dt.date(2026, 3, 28), dt.date(2026, 3, 28), dt.time(23, 0), "spring forward 29 Mar"),
        (BERLIN, dt.date(2026, 3, 29), dt.date(2026, 3, 30), dt.time(0, 0), "night after spring forward"),
        (BERLIN, dt.date(2026, 10, 24), dt.date(2026, 10, 25), dt.time(1, 0), "fall back 25 Oct"),
        (BERLIN, dt.date(2026, 10, 25), dt.date(2026, 10, 26), dt.time(0, 0), "night after fall back"),
        (NEW_YORK, dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.time(0, 0), "ordinary night"),
        (NEW_YORK, dt.date(2026, 3, 7), dt.date(2026, 3, 7), dt.time(23, 0), "spring forward 8 Mar"),
        (NEW_YORK, dt.date(2026, 3, 8), dt.date(2026, 3, 9), dt.time(0, 0), "night after spring forward"),
        (NEW_YORK, dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.time(1, 0), "fall back 1 Nov"),
        (NEW_YORK, dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.time(0, 0), "night after fall back"),
        (SYDNEY, dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.time(0, 0), "ordinary night"),
        (SYDNEY, dt.date(2026, 4, 4), dt.date(2026, 4, 5), dt.time(1, 0), "DST ends 5 Apr"),
        (SYDNEY, dt.date(2026, 4, 5), dt.date(2026, 4, 6), dt.time(0, 0), "night after DST ends"),
        (SYDNEY, dt.date(2026, 10, 3), dt.date(2026, 10, 3), dt.time(23, 0), "DST starts 4 Oct"),
        (SYDNEY, dt.date(2026, 10, 4), dt.date(2026, 10, 5), dt.time(0, 0), "night after DST starts"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_latest_time_moves_with_dst(
    zone: ZoneInfo, night: dt.date, latest_day: dt.date, latest_clock: dt.time, why: str
) -> None:
    """Wake 07:00 minus 7 real hours: 00:00 normally, 23:00 when the clock springs forward
    (an hour of the night is lost), 01:00 when it falls back (an hour is gained)."""
    w = dose_window(night, zone, BED, WAKE, SEVEN_HOURS)
    assert wall(w.latest, zone) == (latest_day, latest_clock), why
    assert w.wake.astimezone(UTC) - w.latest.astimezone(UTC) == dt.timedelta(hours=7)
    # The window still opens at 20:30 and the usual bedtime is 22:30 on the night's date.
    assert wall(w.opens, zone) == (night, dt.time(20, 30))
    assert wall(w.bedtime, zone) == (night, dt.time(22, 30))
    assert wall(w.wake, zone) == (night + dt.timedelta(days=1), dt.time(7, 0))
    assert w.night == night


def test_latest_is_shown_in_the_patients_zone() -> None:
    w = dose_window(dt.date(2026, 3, 28), BERLIN, BED, WAKE, SEVEN_HOURS)
    assert f"{w.latest:%H:%M}" == "23:00"
    assert f"{w.opens:%H:%M}" == "20:30"
    w = dose_window(dt.date(2026, 10, 31), NEW_YORK, BED, WAKE, SEVEN_HOURS)
    assert f"{w.latest:%H:%M}" == "01:00"


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
def test_window_opens_two_hours_before_bedtime(zone: ZoneInfo) -> None:
    for bed, opens in [(dt.time(22, 30), dt.time(20, 30)), (dt.time(21, 0), dt.time(19, 0)),
                       (dt.time(23, 45), dt.time(21, 45))]:
        w = dose_window(dt.date(2026, 6, 10), zone, bed, WAKE, SEVEN_HOURS)
        assert wall(w.opens, zone) == (dt.date(2026, 6, 10), opens)
        assert w.bedtime.astimezone(UTC) - w.opens.astimezone(UTC) == dt.timedelta(hours=2)


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
def test_bedtime_after_midnight_belongs_to_the_next_calendar_day(zone: ZoneInfo) -> None:
    w = dose_window(dt.date(2026, 6, 10), zone, dt.time(0, 30), dt.time(8, 0), SEVEN_HOURS)
    assert wall(w.bedtime, zone) == (dt.date(2026, 6, 11), dt.time(0, 30))
    assert wall(w.opens, zone) == (dt.date(2026, 6, 10), dt.time(22, 30))
    assert wall(w.latest, zone) == (dt.date(2026, 6, 11), dt.time(1, 0))
    assert wall(w.wake, zone) == (dt.date(2026, 6, 11), dt.time(8, 0))
    assert night_of(w.opens, zone) == night_of(w.bedtime, zone) == night_of(w.latest, zone) == dt.date(2026, 6, 10)


def test_bedtime_after_midnight_on_a_dst_night() -> None:
    # Bedtime 01:30 on the Berlin spring-forward night: 01:30 CET still exists (the jump is at 02:00).
    w = dose_window(dt.date(2026, 3, 28), BERLIN, dt.time(1, 30), dt.time(9, 0), SEVEN_HOURS)
    assert wall(w.bedtime, BERLIN) == (dt.date(2026, 3, 29), dt.time(1, 30))
    assert wall(w.opens, BERLIN) == (dt.date(2026, 3, 28), dt.time(23, 30))
    # 09:00 CEST is 07:00 UTC; minus 7 h = 00:00 UTC = 01:00 CET (not 02:00)
    assert wall(w.latest, BERLIN) == (dt.date(2026, 3, 29), dt.time(1, 0))


def test_a_bedtime_skipped_by_dst_moves_forward() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: it becomes 03:30 CEST.
    bed = local_instant(dt.date(2026, 3, 29), dt.time(2, 30), BERLIN)
    assert wall(bed, BERLIN) == (dt.date(2026, 3, 29), dt.time(3, 30))
    assert bed.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_local_instant_ambiguous_time_is_the_first_occurrence() -> None:
    first = local_instant(dt.date(2026, 11, 1), dt.time(1, 30), NEW_YORK)
    assert first.astimezone(UTC) == dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


@pytest.mark.parametrize("zone", ZONES, ids=ZONE_IDS)
def test_min_sleep_moves_the_latest_time(zone: ZoneInfo) -> None:
    night = dt.date(2026, 6, 10)
    w8 = dose_window(night, zone, BED, dt.time(6, 30), 8 * 60)
    assert wall(w8.latest, zone) == (night, dt.time(22, 30))
    w75 = dose_window(night, zone, BED, dt.time(6, 30), 7 * 60 + 30)
    assert wall(w75.latest, zone) == (night, dt.time(23, 0))
    w6 = dose_window(night, zone, BED, dt.time(6, 30), 6 * 60)
    assert wall(w6.latest, zone) == (night + dt.timedelta(days=1), dt.time(0, 30))


def test_window_instants_are_aware_and_in_the_zone() -> None:
    w = dose_window(dt.date(2026, 6, 10), SYDNEY, BED, WAKE, SEVEN_HOURS)
    for instant in (w.opens, w.latest, w.bedtime, w.wake):
        assert instant.tzinfo is not None
        assert instant.utcoffset() == dt.timedelta(hours=10)


# --- nominal_sleep_minutes and hours_apart --------------------------------------------------


@pytest.mark.parametrize(
    ("bed", "wake", "minutes"),
    [
        (dt.time(22, 30), dt.time(6, 30), 8 * 60),
        (dt.time(22, 30), dt.time(7, 0), 8 * 60 + 30),
        (dt.time(21, 0), dt.time(6, 0), 9 * 60),
        (dt.time(23, 59), dt.time(0, 0), 1),
        (dt.time(12, 0), dt.time(6, 0), 18 * 60),  # noon is an evening bedtime
        (dt.time(0, 0), dt.time(7, 0), 7 * 60),  # midnight is after-midnight bedtime
        (dt.time(0, 30), dt.time(7, 0), 6 * 60 + 30),
        (dt.time(1, 30), dt.time(9, 0), 7 * 60 + 30),
        (dt.time(11, 59), dt.time(11, 59), 0),
    ],
)
def test_nominal_sleep_minutes(bed: dt.time, wake: dt.time, minutes: int) -> None:
    assert nominal_sleep_minutes(bed, wake) == minutes


def test_nominal_sleep_ignores_dst_but_the_window_does_not() -> None:
    # Nominal: 8.5 h every night; on the Berlin spring-forward night only 7.5 real hours pass.
    assert nominal_sleep_minutes(BED, WAKE) == 510
    w = dose_window(dt.date(2026, 3, 28), BERLIN, BED, WAKE, SEVEN_HOURS)
    assert w.wake.astimezone(UTC) - w.bedtime.astimezone(UTC) == dt.timedelta(hours=7, minutes=30)
    w = dose_window(dt.date(2026, 10, 24), BERLIN, BED, WAKE, SEVEN_HOURS)
    assert w.wake.astimezone(UTC) - w.bedtime.astimezone(UTC) == dt.timedelta(hours=9, minutes=30)


def test_hours_apart_is_real_time_whatever_the_zones() -> None:
    a = at(SYDNEY, 2026, 6, 11, 8, 0)  # 22:00 UTC on 10 June
    b = at(BERLIN, 2026, 6, 11, 0, 0)  # 22:00 UTC on 10 June
    assert hours_apart(a, b) == dt.timedelta(0)
    c = at(NEW_YORK, 2026, 6, 11, 6, 0)  # 10:00 UTC on 11 June
    assert hours_apart(a, c) == hours_apart(c, a) == MIN_DOSE_GAP
    # across the fall-back hour: 01:30 EDT and 01:30 EST are one hour apart
    assert hours_apart(at(NEW_YORK, 2026, 11, 1, 1, 30, 0),
                       at(NEW_YORK, 2026, 11, 1, 1, 30, 1)) == dt.timedelta(hours=1)


# --- properties -----------------------------------------------------------------------------

zones = st.sampled_from(ZONES)


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2060, 12, 31),
        timezones=zones, allow_imaginary=False,
    ),
    zone=zones,
)
def test_property_night_of_is_stable_across_utc_round_trip(instant: dt.datetime, zone: ZoneInfo) -> None:
    night = night_of(instant, zone)
    assert night_of(instant.astimezone(UTC), zone) == night
    assert night_of(instant.astimezone(UTC).astimezone(zone), zone) == night
    for other in ZONES:
        assert night_of(instant.astimezone(other), zone) == night
    # and it is what the rule says on the local clock
    local = instant.astimezone(zone)
    expected = local.date() if local.hour >= 12 else local.date() - dt.timedelta(days=1)
    assert night == expected


def _clock(minutes: int) -> dt.time:
    minutes %= 24 * 60
    return dt.time(minutes // 60, minutes % 60)


@st.composite
def sleep_settings(draw: st.DrawFn) -> tuple[dt.time, dt.time, int]:
    bed = _clock(draw(st.integers(-4 * 60, 90)))  # 20:00 .. 01:30
    wake = _clock(draw(st.integers(5 * 60, 9 * 60)))  # 05:00 .. 09:00
    nominal = nominal_sleep_minutes(bed, wake)
    assume(nominal >= 4 * 60)  # the profile refuses less than the 4 h minimum
    min_sleep = draw(st.integers(4 * 60, nominal))  # what profile.check_sleep lets through
    return bed, wake, min_sleep


@settings(max_examples=300, deadline=None)
@given(
    night=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31)),
    zone=zones,
    sleep=st.one_of(st.just((BED, WAKE, SEVEN_HOURS)), sleep_settings()),
)
def test_property_latest_is_min_sleep_before_wake_in_real_time(
    night: dt.date, zone: ZoneInfo, sleep: tuple[dt.time, dt.time, int]
) -> None:
    bed, wake, min_sleep = sleep
    w = dose_window(night, zone, bed, wake, min_sleep)
    # the wake instant is the next morning at the wake time on the local clock
    assert wall(w.wake, zone) == (night + dt.timedelta(days=1), wake)
    # latest is exactly min_sleep real minutes before it
    assert w.wake.astimezone(UTC) - w.latest.astimezone(UTC) == dt.timedelta(minutes=min_sleep)
    # the window opens 2 real hours before the bedtime instant, and before the latest time
    assert w.bedtime.astimezone(UTC) - w.opens.astimezone(UTC) == dt.timedelta(hours=2)
    assert w.opens.astimezone(UTC) < w.latest.astimezone(UTC)
    # the whole window belongs to its night
    assert night_of(w.opens, zone) == night
    assert night_of(w.latest, zone) == night
