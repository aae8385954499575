"""Which profile changes loosen a limit, and so need the prescriber's PIN once a lock is set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from medtrack.core.model import Profile
from medtrack.core.nights import NIGHT_STARTS, dose_window
from medtrack.core.rules import utc
from medtrack.i18n import N_, _, decimal, medium_date, short_time

_DAY_MIN = 24 * 60
# Clock changes follow yearly rules: a year of nights meets each of them once.
_NIGHTS_CHECKED = 367


def _bedtime_key(bedtime: dt.time) -> int:
    """Minutes from the night's start (12:00): a bedtime after midnight is later, not earlier."""
    start = NIGHT_STARTS.hour * 60 + NIGHT_STARTS.minute
    return (bedtime.hour * 60 + bedtime.minute - start) % _DAY_MIN


def _hours(minutes: int) -> str:
    return decimal(f"{minutes / 60:g}") + " h"


def _wider_window(old: Profile, new: Profile, from_night: dt.date) -> str | None:
    """The first night from `from_night` on (for a year) whose window the change widens.

    Only a clock-change night can do that once bedtime and wake have not moved the wrong way
    on the clock: a time in the hour skipped in spring counts as the hour after it, so a wake
    time moved from 03:00 to 02:30 closes that night's window half an hour later."""
    zone = new.tz
    for offset in range(_NIGHTS_CHECKED):
        night = from_night + dt.timedelta(days=offset)
        before = dose_window(night, zone, old.bedtime, old.wake, old.min_sleep_min)
        after = dose_window(night, zone, new.bedtime, new.wake, new.min_sleep_min)
        if utc(after.opens) < utc(before.opens) or utc(after.latest) > utc(before.latest):
            return _("the new bedtime or wake time widens the dose window of the night of {night} "
                     "(a clock-change night)").format(night=medium_date(night))
    return None


def loosened_limits(old: Profile, new: Profile, liver_levels: Sequence[str],
                    from_night: dt.date | None = None) -> tuple[str, ...]:
    """What in the change from `old` to `new` can loosen a limit, in words (empty: it only
    tightens or changes nothing that limits a dose).

    The dose window opens two hours before bedtime and closes at the wake time minus the
    minimum sleep, so an earlier bedtime, a later wake or a shorter minimum sleep widen it; a
    new zone moves every window and a new birth date changes the age limits, either way; and a
    condition removed, a lower liver level (on the monograph's scale, none first) or renal
    impairment, pregnancy or breastfeeding cleared can lift a contraindication or caution. A
    liver level off the scale counts as loosening whenever it changes. Given `from_night`
    (tonight), the windows of a year of nights from it are compared too, for the clock-change
    nights a comparison of clock times misses."""
    found: list[str] = []
    if new.born != old.born:
        found.append(_("a new birth date ({old} -> {new}) changes the age limits").format(
            old=medium_date(old.born), new=medium_date(new.born)))
    if new.zone != old.zone:
        found.append(_("a new time zone ({old} -> {new}) moves the dose window").format(old=old.zone, new=new.zone))
    if _bedtime_key(new.bedtime) < _bedtime_key(old.bedtime):
        found.append(_("an earlier bedtime ({old} -> {new}) opens the dose window earlier").format(
            old=short_time(old.bedtime), new=short_time(new.bedtime)))
    if new.wake > old.wake:
        found.append(_("a later wake time ({old} -> {new}) closes the dose window later").format(
            old=short_time(old.wake), new=short_time(new.wake)))
    if new.min_sleep_min < old.min_sleep_min:
        found.append(_("a shorter minimum sleep ({old} -> {new}) closes the dose window later").format(
            old=_hours(old.min_sleep_min), new=_hours(new.min_sleep_min)))
    window_moved = (new.bedtime, new.wake, new.min_sleep_min) != (old.bedtime, old.wake, old.min_sleep_min)
    if window_moved and from_night is not None and not found:  # else the PIN is needed anyway
        wider = _wider_window(old, new, from_night)
        if wider:
            found.append(wider)
    if new.liver != old.liver and (
            old.liver not in liver_levels or new.liver not in liver_levels
            or liver_levels.index(new.liver) < liver_levels.index(old.liver)):
        found.append(_("a lower liver impairment level ({old} -> {new}) can lift a contraindication or "
                       "caution").format(old=old.liver, new=new.liver))
    for flag, words in (("renal", N_("renal impairment cleared can lift a contraindication or caution")),
                        ("pregnant", N_("pregnancy cleared can lift a contraindication or caution")),
                        ("breastfeeding", N_("breastfeeding cleared can lift a contraindication or caution"))):
        if getattr(old, flag) and not getattr(new, flag):
            found.append(_(words))
    removed = [c for c in old.conditions if c not in new.conditions]
    if removed:
        said = (_("conditions removed ({names}) can lift a contraindication or caution") if len(removed) > 1
                else _("a condition removed ({names}) can lift a contraindication or caution"))
        found.append(said.format(names=", ".join(removed)))
    return tuple(found)
