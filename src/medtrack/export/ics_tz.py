"""VTIMEZONE components with yearly RRULE observances, read from the zone database's transitions.

icalendar's own `add_missing_timezones()` lists every change as an RDATE from 1970 on; many
servers expect the usual "last Sunday of March" rules, and vobject (dateutil's tzical) reads
that RDATE form wrongly (Berlin summer times came out an hour late). So the transitions are found
in the zone itself, and each run of changes that follows one yearly rule becomes one
DAYLIGHT/STANDARD observance with an RRULE; a change that fits no rule stands alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

UTC = dt.UTC
DAY = dt.timedelta(days=1)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Change:
    """One transition of the zone: the instant, and the offset and name before and after."""

    at: dt.datetime  # UTC
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    daylight: bool

    @property
    def onset(self) -> dt.datetime:
        """The local wall time the change happens at, in the offset before it (RFC 5545)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple[bool, dt.timedelta, dt.timedelta, str]:
        return self.daylight, self.offset_from, self.offset_to, self.name

    def rules(self) -> set[int]:
        """The yearly rules that give this day: 0 for the last such weekday of the month, D for
        the first such weekday on or after day D (1, 8, 15, 22: the 1st to 4th in the month)."""
        day = self.onset.day
        length = calendar.monthrange(self.onset.year, self.onset.month)[1]
        found = {first for first in range(max(1, day - 6), day + 1) if first + 6 <= length}
        if day + 7 > length:
            found.add(0)
        return found


def _state(zone: ZoneInfo, at: dt.datetime) -> tuple[dt.timedelta, str, dt.timedelta]:
    local = at.astimezone(zone)
    return local.utcoffset() or dt.timedelta(0), local.tzname() or "", local.dst() or dt.timedelta(0)


def _daylight(before: tuple[dt.timedelta, str, dt.timedelta],
              after: tuple[dt.timedelta, str, dt.timedelta]) -> bool:
    """A seasonal change into the higher offset is DAYLIGHT, even where the zone database counts
    winter as the (negative) daylight saving time, as in Europe/Dublin."""
    if bool(before[2]) != bool(after[2]):
        return after[0] > before[0]
    return after[2] > dt.timedelta(0)


def changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Change]:
    """Every transition between two UTC instants: day by day, then to the second by halving."""
    found = []
    day, state = start, _state(zone, start)
    while day < end:
        following = day + DAY
        after = _state(zone, following)
        if after != state:
            low, high = day, following  # state at low, after at high
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append(Change(high, state[0], after[0], after[1], _daylight(state, after)))
        day, state = following, after
    return found


def _runs(found: list[Change]) -> list[tuple[list[Change], int | None]]:
    """Split each kind of change into runs of consecutive years that follow one yearly rule
    (same month, weekday and wall time, and a rule of `Change.rules` that gives every day);
    the rule is None for a lone change."""
    by_kind: dict[tuple[bool, dt.timedelta, dt.timedelta, str], list[Change]] = {}
    for change in found:
        by_kind.setdefault(change.kind, []).append(change)
    out: list[tuple[list[Change], int | None]] = []
    for items in by_kind.values():
        run: list[Change] = []
        rules: set[int] = set()
        for change in items:
            if run:
                last, onset = run[-1].onset, change.onset
                fits = rules & change.rules()
                if (onset.year == last.year + 1 and onset.month == last.month
                        and onset.weekday() == last.weekday() and onset.time() == last.time()
                        and fits):
                    run.append(change)
                    rules = fits
                    continue
                out.append((run, _rule(run, rules)))
            run, rules = [change], change.rules()
        if run:
            out.append((run, _rule(run, rules)))
    return sorted(out, key=lambda item: item[0][0].at)


def _rule(run: list[Change], rules: set[int]) -> int | None:
    """The plainest rule that fits: the last weekday, then the n-th, then on or after a day."""
    if len(run) < 2:
        return None
    nth = sorted(r for r in rules if r % 7 == 1)
    return 0 if 0 in rules else (nth or sorted(rules))[0]


def _rrule(onset: dt.datetime, rule: int) -> dict[str, object]:
    weekday = WEEKDAYS[onset.weekday()]
    if rule == 0:
        return {"freq": "yearly", "bymonth": onset.month, "byday": f"-1{weekday}"}
    if rule % 7 == 1:
        return {"freq": "yearly", "bymonth": onset.month, "byday": f"{rule // 7 + 1}{weekday}"}
    return {"freq": "yearly", "bymonth": onset.month, "byday": weekday,
            "bymonthday": list(range(rule, rule + 7))}


def _observance(first: Change, onset: dt.datetime | None = None) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if first.daylight else TimezoneStandard()
    part.add("dtstart", onset or first.onset)
    part.add("tzname", first.name)
    part.add("tzoffsetfrom", first.offset_from)
    part.add("tzoffsetto", first.offset_to)
    return part


def vtimezone(zone: ZoneInfo, first: dt.date, last: dt.date) -> Timezone:
    """The zone's VTIMEZONE for events from `first` to `last` (a run of changes still going at the
    end of the years looked at is left without an end, as the zone's current rule)."""
    start = dt.datetime(first.year - 1, 1, 1, tzinfo=UTC)  # an onset before the first event
    # a dozen years ahead, so that every rule is checked on each weekday its day can fall on
    end = dt.datetime(max(first.year, last.year) + 12, 1, 1, tzinfo=UTC)
    found = changes(zone, start, end)
    tz = Timezone()
    tz.add("tzid", zone.key)
    if not found or found[0].at > dt.datetime(first.year, 1, 1, tzinfo=UTC):
        offset, name, saving = _state(zone, start)
        base = Change(start, offset, offset, name, saving > dt.timedelta(0))
        tz.add_component(_observance(base, onset=start.replace(tzinfo=None)))
    for run, which in _runs(found):
        part = _observance(run[0])
        if which is not None:
            rule = _rrule(run[0].onset, which)
            if run[-1].onset.year < end.year - 1:  # the rule stopped within the years looked at
                rule["until"] = run[-1].at
            part.add("rrule", rule)
        tz.add_component(part)
    return tz
