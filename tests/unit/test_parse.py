"""Unit and property tests for medtrack.core.parse: dates, months, clocks, zones, instants, counts, hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.parse import (
    parse_clock,
    parse_date,
    parse_hours,
    parse_month,
    parse_positive_int,
    parse_when,
    parse_zone,
)
from medtrack.errors import BadInput

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC = dt.UTC
# A fixed "now", far enough into 2026 that every DST case below is in the past. Never the wall clock.
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def bad(func, *args, **kwargs) -> str:
    with pytest.raises(BadInput) as info:
        func(*args, **kwargs)
    message = info.value.message
    assert "\n" not in message
    return message


# --- parse_date -----------------------------------------------------------------


def test_parse_date_accepts_strict_iso() -> None:
    assert parse_date("2026-02-03") == dt.date(2026, 2, 3)
    assert parse_date(" 2028-02-29 ") == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2026-2-3", "20260203", "2026/02/03", "03.02.2026", "2026-13-01", "2026-00-10",
             "2027-02-29", "", "  ", "2026-02-03T00:00", "２０２６-02-03", "0000-01-01", "1800-01-01", "9999-12-31",
             "x" * 1000]
)
def test_parse_date_rejects(text: str) -> None:
    bad(parse_date, text)


def test_parse_date_names_the_field() -> None:
    assert bad(parse_date, "2026-02-30", what="start date").startswith("start date '2026-02-30'")
    assert "YYYY-MM-DD" in bad(parse_date, "3/2/2026")


# --- parse_month ----------------------------------------------------------------


def test_parse_month() -> None:
    assert parse_month("2026-03") == (2026, 3)
    assert parse_month("2026-12") == (2026, 12)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "202603", "2026-03-01", "", "March 2026"])
def test_parse_month_rejects(text: str) -> None:
    bad(parse_month, text)


# --- parse_clock ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", dt.time(0, 0)), ("23:59", dt.time(23, 59)), ("07:00", dt.time(7, 0)), ("7:00", dt.time(7, 0)),
     (" 22:30 ", dt.time(22, 30))],
)
def test_parse_clock(text: str, expected: dt.time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "7pm", "7", "07:0", "007:00", "7.30", "22:30:00", "", "-1:00"])
def test_parse_clock_rejects(text: str) -> None:
    assert "HH:MM" in bad(parse_clock, text)


# --- parse_zone -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Etc/GMT+5",
                                  "America/Argentina/Buenos_Aires", " Australia/Sydney "])
def test_parse_zone(name: str) -> None:
    assert parse_zone(name) == ZoneInfo(name.strip())


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/berlin", "", "   ", "../etc", "/etc/passwd",
                                  "Europe/../../etc/passwd", "America", "leapseconds", "zone1970.tab",
                                  "Europe//Berlin", "Europe/Berlin/", "Europe/Berlin\x00", "x" * 300])
def test_parse_zone_rejects(name: str) -> None:
    message = bad(parse_zone, name)
    assert "Europe/Berlin" in message
    if name.strip() and len(name) < 30:
        assert repr(name.strip()).strip("'\"").split("\\")[0] in message


# --- parse_when: formats --------------------------------------------------------


def test_local_wall_time_in_zone() -> None:
    got = parse_when("2026-03-28 22:30", BERLIN, NOW)
    assert got == dt.datetime(2026, 3, 28, 22, 30, tzinfo=BERLIN)
    assert got.utcoffset() == dt.timedelta(hours=1)
    assert isinstance(got.tzinfo, dt.timezone)  # a fixed offset, never the fold-sensitive ZoneInfo
    assert parse_when("2026-03-28T22:30", BERLIN, NOW) == got
    assert parse_when("2026-03-28 22:30:00", BERLIN, NOW) == got
    assert parse_when("  2026-07-01 7:05 ", NEW_YORK, NOW) == dt.datetime(2026, 7, 1, 11, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "offset"),
    [("2026-03-28T22:30+01:00", dt.timedelta(hours=1)), ("2026-03-28T21:30Z", dt.timedelta(0)),
     ("2026-03-28T21:30:00Z", dt.timedelta(0)), ("2026-03-28T22:30:00+01:00", dt.timedelta(hours=1)),
     ("2026-03-28T22:30+0100", dt.timedelta(hours=1)), ("2026-03-28T16:00-05:30", dt.timedelta(hours=-5, minutes=-30)),
     ("2026-03-28T22:30:00.000+01:00", dt.timedelta(hours=1))],
)
def test_explicit_offset_is_used_as_given(text: str, offset: dt.timedelta) -> None:
    got = parse_when(text, NEW_YORK, NOW)  # the zone plays no part
    assert got.utcoffset() == offset
    assert got == dt.datetime(2026, 3, 28, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "22:30", "2026-03-28", "2026-03-28 22", "28.03.2026 22:30", "2026-03-28 24:00",
     "2026-03-28 12:60", "2026-02-30 10:00", "2026-03-28 22:30+24:00", "2026-03-28 22:30 +01:00",
     "2026-03-28 22:30 Europe/Berlin", "2026-03-28 10pm", "0001-01-01 00:00", "1899-12-31 23:59",
     "2026-03-28 22:30:60", "2026-03-28T22:30+01:60", "x" * 10_000],
)
def test_parse_when_rejects(text: str) -> None:
    bad(parse_when, text, BERLIN, NOW)


def test_parse_when_format_hint() -> None:
    message = bad(parse_when, "yesterday", BERLIN, NOW)
    assert "YYYY-MM-DD HH:MM" in message and "Europe/Berlin" in message and "+01:00" in message


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when("2026-03-28 22:30", BERLIN, dt.datetime(2026, 12, 1))


# --- parse_when: DST ------------------------------------------------------------


@pytest.mark.parametrize(("text", "zone"), [("2026-03-29 02:30", BERLIN), ("2026-03-29 02:00", BERLIN),
                                            ("2026-03-29 02:59", BERLIN), ("2026-03-08 02:15", NEW_YORK)])
def test_skipped_local_time_is_refused(text: str, zone: ZoneInfo) -> None:
    message = bad(parse_when, text, zone, NOW)
    assert "does not exist" in message and zone.key in message and "daylight-saving" in message


def test_edges_of_the_spring_gap_exist() -> None:
    before = parse_when("2026-03-29 01:59", BERLIN, NOW)
    after = parse_when("2026-03-29 03:00", BERLIN, NOW)
    assert after - before == dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "zone", "first", "second"),
    [("2026-10-25 02:30", BERLIN, "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00"),
     ("2026-10-25 02:00", BERLIN, "2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00"),
     ("2026-10-25 02:59", BERLIN, "2026-10-25T02:59+02:00", "2026-10-25T02:59+01:00"),
     ("2026-11-01 01:30", NEW_YORK, "2026-11-01T01:30-04:00", "2026-11-01T01:30-05:00")],
)
def test_ambiguous_local_time_is_refused_naming_both_offsets(text: str, zone: ZoneInfo, first: str,
                                                             second: str) -> None:
    message = bad(parse_when, text, zone, NOW)
    assert "twice" in message and zone.key in message and first in message and second in message


def test_a_bare_clock_time_in_the_repeated_hour_is_refused_too() -> None:
    now = dt.datetime(2026, 10, 25, 9, 0, tzinfo=BERLIN)  # the morning after the fall-back night
    assert "twice" in bad(parse_when, "02:30", BERLIN, now)


def test_edges_of_the_autumn_fold_are_unambiguous() -> None:
    before = parse_when("2026-10-25 01:59", BERLIN, NOW)
    after = parse_when("2026-10-25 03:00", BERLIN, NOW)
    assert after - before == dt.timedelta(hours=2, minutes=1)


def test_ambiguous_result_compares_equal_across_zones() -> None:
    # A ZoneInfo datetime in a fold is never == to one in another zone (PEP 495); ours is fixed-offset.
    got = parse_when("2026-10-25T02:30+02:00", BERLIN, NOW)
    assert got == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert got - dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC) == dt.timedelta(minutes=30)


def test_future_check_in_the_fold_uses_instants() -> None:
    later_now = dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN)  # 01:10 UTC, second 02:10
    assert parse_when("2026-10-25T02:30+02:00", BERLIN, later_now) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    earlier_now = dt.datetime(2026, 10, 25, 2, 10, fold=0, tzinfo=BERLIN)  # 00:10 UTC
    assert "future" in bad(parse_when, "2026-10-25T02:30+02:00", BERLIN, earlier_now)


def test_ambiguous_time_can_be_given_explicitly_with_offset() -> None:
    second = parse_when("2026-10-25T02:30+01:00", BERLIN, NOW)
    assert second == dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


# --- parse_when: future ---------------------------------------------------------


def test_now_itself_is_accepted_and_one_minute_later_is_future() -> None:
    now = dt.datetime(2026, 3, 28, 22, 30, tzinfo=BERLIN)
    assert parse_when("2026-03-28 22:30", BERLIN, now) == now
    message = bad(parse_when, "2026-03-28 22:31", BERLIN, now)
    assert "is in the future" in message and "give a time up to now" in message
    assert "2026-03-28 22:30 Europe/Berlin" in message


def test_future_is_strict_to_the_microsecond() -> None:
    now = dt.datetime(2026, 3, 28, 21, 30, 0, 1, tzinfo=UTC)
    assert parse_when("2026-03-28T21:30:00.000001Z", BERLIN, now) == now
    bad(parse_when, "2026-03-28T21:30:00.000002Z", BERLIN, now)


def test_future_check_compares_instants_not_wall_times() -> None:
    now = dt.datetime(2026, 3, 28, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    assert parse_when("2026-03-28T17:30-04:00", BERLIN, now) == now
    bad(parse_when, "2026-03-28T22:31+01:00", BERLIN, now)
    bad(parse_when, "2999-12-31T23:59-23:59", BERLIN, now)
    bad(parse_when, "2027-01-01 00:00", BERLIN, now)


# --- parse_when: properties -----------------------------------------------------


@given(st.text())
def test_parse_when_only_raises_bad_input(text: str) -> None:
    try:
        parse_when(text, BERLIN, NOW)
    except BadInput as error:
        assert "\n" not in error.message


NEAR_MISS_WHEN = (
    r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{2}[ Tt][0-9]{1,2}:[0-9]{2}"
    r"(:[0-9]{2}(\.[0-9]{1,7})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)


@given(st.from_regex(NEAR_MISS_WHEN))
def test_parse_when_near_misses_only_raise_bad_input(text: str) -> None:
    for zone in (BERLIN, NEW_YORK, SYDNEY):
        try:
            got = parse_when(text, zone, NOW)
        except BadInput:
            pass
        else:
            assert got.tzinfo is not None and got <= NOW


@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2026, 11, 30)),
    st.sampled_from([BERLIN, NEW_YORK, SYDNEY]),
    st.booleans(),
)
@pytest.mark.slow
def test_iso_with_offset_round_trips(naive: dt.datetime, zone: ZoneInfo, with_seconds: bool) -> None:
    moment = naive.replace(tzinfo=UTC).astimezone(zone)
    if not with_seconds:
        moment = moment.replace(second=0, microsecond=0)
        text = moment.isoformat(timespec="minutes")
    else:
        text = moment.isoformat()
    got = parse_when(text, zone, NOW)
    # Compare instants in UTC: Python never finds an ambiguous ZoneInfo time equal to a
    # time in another zone (PEP 495), which is why parse_when returns fixed offsets.
    assert got.astimezone(UTC) == moment.astimezone(UTC)
    assert got.utcoffset() == moment.utcoffset()


@given(st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2026, 11, 30)),
       st.sampled_from([BERLIN, NEW_YORK, SYDNEY]))
def test_local_wall_time_round_trips_for_existing_times(naive: dt.datetime, zone: ZoneInfo) -> None:
    moment = naive.replace(tzinfo=UTC).astimezone(zone).replace(second=0, microsecond=0)
    text = moment.strftime("%Y-%m-%d %H:%M")
    wall = moment.replace(tzinfo=None)
    if wall.replace(tzinfo=zone, fold=0).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset():
        # a wall time the clocks pass twice (DST ends) is never guessed: it must come with its offset
        with pytest.raises(BadInput, match="occurs twice"):
            parse_when(text, zone, NOW)
        return
    got = parse_when(text, zone, NOW)
    assert got.replace(tzinfo=None) == wall
    assert isinstance(got.tzinfo, dt.timezone)
    assert got.astimezone(UTC) == moment.astimezone(UTC)


# --- parse_positive_int ---------------------------------------------------------


def test_parse_positive_int() -> None:
    assert parse_positive_int("1", what="days", maximum=30) == 1
    assert parse_positive_int(" 30 ", what="days", maximum=30) == 30


@pytest.mark.parametrize("text", ["0", "31", "-1", "+1", "1.0", "1e1", "", "٣", "１", "1_0", "9" * 100, "ten"])
def test_parse_positive_int_rejects(text: str) -> None:
    message = bad(parse_positive_int, text, what="days", maximum=30)
    assert message.startswith("days") and ("1 to 30" in message or "empty" in message or "too long" in message)


# --- parse_hours ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("7", 420), ("7.5", 450), ("7h", 420), ("7.5h", 450), ("7.5 h", 450), ("7 hours", 420), ("7.25", 435),
     ("7.1", 426), ("4", 240), ("12", 720), ("12.0", 720), ("6.75H", 405), ("4.05", 243)],
)
def test_parse_hours(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("3.5", "4 to 12"), ("12.5", "4 to 12"), ("0", "4 to 12"), ("7.01", "whole number of minutes"),
     ("7.333", "whole number of minutes"), ("7:30", "decimal hours"), ("7,5", "point"), ("", "empty"),
     ("seven", "hours"), ("-7", "hours"), ("7 min", "hours"), ("７", "hours")],
)
def test_parse_hours_rejects(text: str, fragment: str) -> None:
    assert fragment in bad(parse_hours, text)


@given(st.text())
def test_parse_hours_only_raises_bad_input(text: str) -> None:
    try:
        minutes = parse_hours(text)
    except BadInput:
        pass
    else:
        assert 240 <= minutes <= 720


# -- a bare HH:MM means tonight (issue 9: the already-taken form) -----------------------------

NIGHT_ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")]


@given(hour=st.integers(0, 23), minute=st.integers(0, 59), zone=st.sampled_from(NIGHT_ZONES),
       now=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(dt.UTC)))
def test_a_bare_time_is_that_time_on_tonights_night_or_refused(hour, minute, zone, now):
    from medtrack.core.nights import night_of

    text = f"{hour:02d}:{minute:02d}"
    try:
        moment = parse_when(text, zone, now)
    except BadInput as error:
        # refused: a time still to come, or one the clocks skip or pass twice that night
        assert any(reason in error.message for reason in ("in the future", "does not exist", "occurs twice"))
        return
    local = moment.astimezone(zone)
    assert (local.hour, local.minute) == (hour, minute)
    assert night_of(moment, zone) == night_of(now, zone)
    assert moment <= now


def test_a_bare_time_after_midnight_belongs_to_the_night_before():
    berlin = ZoneInfo("Europe/Berlin")
    now = dt.datetime(2026, 11, 26, 1, 0, tzinfo=berlin)
    assert parse_when("23:10", berlin, now) == dt.datetime(2026, 11, 25, 23, 10, tzinfo=berlin)
    assert parse_when("00:30", berlin, now) == dt.datetime(2026, 11, 26, 0, 30, tzinfo=berlin)
    with pytest.raises(BadInput, match="in the future"):
        parse_when("01:30", berlin, now)
