"""Which night an instant belongs to, and each night's dose window, in real elapsed time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import tz as dtz

NIGHT_STARTS = dt.time(12, 0)
WINDOW_BEFORE_BEDTIME = dt.timedelta(hours=2)
MIN_DOSE_GAP = dt.timedelta(hours=12)
UTC = dt.UTC


def night_of(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """Local 12:00-23:59 is that date's night; 00:00-11:59 belongs to the previous date's."""
    local = instant.astimezone(zone)
    if local.time() >= NIGHT_STARTS:
        return local.date()
    return local.date() - dt.timedelta(days=1)


def local_instant(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time on a day as an aware instant; a time skipped by DST moves forward."""
    naive = dt.datetime.combine(day, clock)
    aware = dtz.resolve_imaginary(naive.replace(tzinfo=zone))
    return aware.astimezone(UTC).astimezone(zone)


def bedtime_day(night: dt.date, bedtime: dt.time) -> dt.date:
    """A bedtime after midnight falls on the calendar day after the night's date."""
    return night if bedtime >= NIGHT_STARTS else night + dt.timedelta(days=1)


def nominal_sleep_minutes(bedtime: dt.time, wake: dt.time) -> int:
    """Minutes from bedtime to the next wake time on an ordinary (non-DST) night."""
    bed = bedtime.hour * 60 + bedtime.minute
    if bedtime < NIGHT_STARTS:
        bed += 24 * 60
    up = wake.hour * 60 + wake.minute + 24 * 60
    return up - bed


@dataclass(frozen=True)
class Window:
    """When a night's dose may be taken: from `opens` to `latest` (inclusive), aware instants."""

    night: dt.date
    opens: dt.datetime
    latest: dt.datetime
    bedtime: dt.datetime
    wake: dt.datetime


def dose_window(
    night: dt.date, zone: ZoneInfo, bedtime: dt.time, wake: dt.time, min_sleep_min: int
) -> Window:
    """Opens two hours before bedtime; closes at the next wake time minus the minimum sleep.

    Both are counted in real elapsed time, so a DST night moves the latest time on the wall
    clock (Berlin 2026-03-28, wake 07:00, 7 h sleep: 23:00 instead of 00:00).
    """
    bed = local_instant(bedtime_day(night, bedtime), bedtime, zone)
    up = local_instant(night + dt.timedelta(days=1), wake, zone)
    noon = local_instant(night, NIGHT_STARTS, zone)
    opens = max(noon, _minus(bed, WINDOW_BEFORE_BEDTIME, zone))
    latest = _minus(up, dt.timedelta(minutes=min_sleep_min), zone)
    return Window(night=night, opens=opens, latest=latest, bedtime=bed, wake=up)


def _minus(instant: dt.datetime, delta: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    """Subtract real elapsed time (aware arithmetic in one zone ignores DST, so go via UTC)."""
    return (instant.astimezone(UTC) - delta).astimezone(zone)


def hours_apart(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """The real time between two instants, whatever zones they carry."""
    return abs(a.astimezone(UTC) - b.astimezone(UTC))
